#!/usr/bin/env bash
# CLI start-up: median wall time of `orch --version`, `orch ps` and `orch logs` beside `docker ps` (and bare
# `node -e 0`), interleaved, RUNS=N each (default 21); INSTRUCTIONS=1 adds instruction counts
# (valgrind), which the load does not move. NODE_EXTRA_CA_CERTS is unset for the
# measured commands: Node reads and parses that bundle at start-up (~70 ms here), a cost of the
# machine's set-up, not of orch.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run build --silent
bash scripts/ensure-docker.sh
bash scripts/make-base-images.sh
env -u NODE_EXTRA_CA_CERTS node bench/cli/bench.mjs
