#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the dashboard's browser tests (Playwright drives it
# through playwright-core; no browser download). Quiet on the fast path; the apt output goes to a log.
set -euo pipefail

LOG=/tmp/orch-chromium-install.log
BIN=${ORCH_CHROMIUM:-/usr/bin/chromium}

say() { echo "ensure-chromium: $*" >&2; }

if [ -x "$BIN" ]; then
  exit 0
fi

SUDO=''
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO='sudo -n'
  else
    say "chromium is missing and apt-get needs root; the browser tests will be skipped"
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "chromium is missing and there is no apt-get; the browser tests will be skipped"
  exit 0
fi

say "installing chromium with apt-get (log: $LOG)"
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >"$LOG" 2>&1; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >>"$LOG" 2>&1
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >>"$LOG" 2>&1 ||
    say "apt-get install chromium failed (see $LOG); the browser tests will be skipped"
fi
