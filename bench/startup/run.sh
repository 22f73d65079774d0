#!/usr/bin/env bash
# Start-up benchmark: orch vs docker-compose on the same 10-service, 4-deep stack. RUNS=N to change.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v docker-compose >/dev/null || { echo "needs docker-compose (Debian: apt-get install docker-compose)" >&2; exit 2; }
npm run build --silent
bash scripts/ensure-docker.sh
bash scripts/make-base-images.sh
node bench/startup/bench.mjs
