#!/usr/bin/env bash
# Gateway throughput vs nginx (single worker). Builds first unless NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx is not installed (Debian: nginx-light)" >&2; exit 2; }
if [ "${NO_BUILD:-0}" != 1 ]; then npm run -s build; fi
exec node bench/gateway/bench.mjs
