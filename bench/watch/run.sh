#!/usr/bin/env bash
# Watch latency: save → new version served (sync and rebuild). RUNS=N saves.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run build --silent
bash scripts/ensure-docker.sh
bash scripts/make-base-images.sh
node bench/watch/bench.mjs
