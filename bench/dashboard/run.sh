#!/usr/bin/env bash
# What the dashboard costs the supervisor: its CPU and RSS over the same window with no page open,
# then with the Logs page open in Chromium, on a stack of SERVICES (default 50) busybox services
# logging RATE (default 2000) lines/s in all, over a store already holding 100,000 lines.
# SECONDS_PER_PHASE=N (default 20).
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run build --silent
bash scripts/ensure-docker.sh
bash scripts/make-base-images.sh
bash scripts/ensure-chromium.sh
node bench/dashboard/bench.mjs
