#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the dashboard's browser tests (Playwright drives it
# through playwright-core; no browser download). Quiet on the fast path; apt's output goes to the
# set-up log (scripts/lib.sh). Without root or apt, says so and leaves it: those tests then skip.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

BIN=${ORCH_CHROMIUM:-/usr/bin/chromium}
say() { echo "ensure-chromium: $*" >&2; }

if [ -x "$BIN" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    ORCH_SUDO='sudo -n'
  else
    say "chromium is missing and installing it needs root; the browser tests will be skipped"
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "chromium is missing and there is no apt-get; the browser tests will be skipped"
  exit 0
fi
apt_install ensure-chromium chromium || say "chromium could not be installed; the browser tests will be skipped"
