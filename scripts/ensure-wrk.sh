#!/usr/bin/env bash
# Makes sure Debian's wrk (an HTTP load generator) is installed for the autoscaling end-to-end
# test, which needs real concurrent load through the gateway. apt's output goes to the set-up log
# (scripts/lib.sh); without root or apt, says so and leaves it: that test then skips.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
ensure_package ensure-wrk wrk "${ORCH_WRK:-/usr/bin/wrk}" "the autoscaling load test"
