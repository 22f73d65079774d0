#!/usr/bin/env bash
# Gateway throughput vs nginx (single worker). Builds first unless NO_BUILD=1.
# `run.sh telemetry`: the gateway with metrics and OTLP tracing on against off (no nginx needed).
set -euo pipefail
cd "$(dirname "$0")/../.."
# wrk and nginx come from Debian when missing and apt can be used (root, or sudo without a password).
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt=(apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends wrk nginx-light)
  if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive "${apt[@]}" >&2 || true
  elif sudo -n true 2>/dev/null; then sudo DEBIAN_FRONTEND=noninteractive "${apt[@]}" >&2 || true
  fi
fi
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: wrk)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx is not installed (Debian: nginx-light)" >&2; exit 2; }
if [ "${NO_BUILD:-0}" != 1 ]; then npm run -s build; fi
if [ "${1:-}" = telemetry ]; then exec node bench/gateway/telemetry.mjs; fi
exec node bench/gateway/bench.mjs
