#!/usr/bin/env bash
# The whole test suite, on a fresh clone: install, build, lint, make sure an engine runs, then
# unit, engine and end-to-end tests. `npm test` runs this; .ci/run calls `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  quietly orch "installing npm dependencies" npm ci --no-audit --no-fund
fi
npm run build
npm run typecheck
npm run lint
bash scripts/ensure-docker.sh
bash scripts/make-base-images.sh
bash scripts/ensure-chromium.sh
bash scripts/ensure-wrk.sh
npx vitest run "$@"
