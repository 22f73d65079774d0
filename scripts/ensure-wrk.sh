#!/usr/bin/env bash
# Makes sure Debian's wrk (an HTTP load generator) is installed for the autoscaling end-to-end
# test, which needs real concurrent load through the gateway. Quiet on the fast path; apt's output
# goes to the set-up log (scripts/lib.sh). Without root or apt, says so and leaves it: that test
# then skips.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

BIN=${ORCH_WRK:-/usr/bin/wrk}
say() { echo "ensure-wrk: $*" >&2; }

if [ -x "$BIN" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    ORCH_SUDO='sudo -n'
  else
    say "wrk is missing and installing it needs root; the autoscaling load test will be skipped"
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "wrk is missing and there is no apt-get; the autoscaling load test will be skipped"
  exit 0
fi
apt_install ensure-wrk wrk || say "wrk could not be installed; the autoscaling load test will be skipped"
