#!/usr/bin/env bash
# Supervisor latencies vs Docker's own restart policy. RUNS=N rounds (default 7, ~11s apart).
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run build --silent
bash scripts/ensure-docker.sh
bash scripts/make-base-images.sh
node bench/supervisor/bench.mjs
