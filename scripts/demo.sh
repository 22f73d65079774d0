#!/usr/bin/env bash
# The main job: the example stack (examples/shop) up with orch, on a fresh clone. Installs and
# builds orch, makes sure a Docker engine runs and the base images exist (made locally when no
# registry answers), then runs `orch up` in the foreground: Ctrl-C stops and removes it all.
# Extra arguments go to `orch up` (e.g. `npm start -- -d --wait`).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  quietly orch "installing npm dependencies" npm ci --no-audit --no-fund
fi
npm run build --silent
bash scripts/ensure-docker.sh
bash scripts/make-base-images.sh
echo "orch: the example answers on http://127.0.0.1:8080/ (the gateway) once it is healthy (web runs on this machine as a process, the rest in containers); Ctrl-C stops it" >&2
exec node bin/run.js up -f examples/shop/orch.yaml "$@"
