#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the dashboard's browser tests (Playwright drives it
# through playwright-core; no browser download). apt's output goes to the set-up log
# (scripts/lib.sh); without root or apt, says so and leaves it: those tests then skip.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
ensure_package ensure-chromium chromium "${ORCH_CHROMIUM:-/usr/bin/chromium}" "the browser tests"
