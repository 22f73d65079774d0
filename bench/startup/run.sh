#!/usr/bin/env bash
# Start-up benchmarks, orch vs docker-compose side by side on the same engine and files:
#   1. time to all-healthy on a 10-service, 4-deep stack (RUNS=N alternating rounds, default 3)
#   2. a 7-container chain: how soon after its dependency logged READY the last service started
# The peer is Debian's docker-compose 1.29 (installed with apt when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v docker-compose >/dev/null; then
  echo "installing docker-compose (Debian package) ..." >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y docker-compose >/dev/null
fi
npm run build --silent
bash scripts/ensure-docker.sh
bash scripts/make-base-images.sh
node bench/startup/bench.mjs
node bench/startup/chain.mjs
