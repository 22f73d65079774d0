#!/usr/bin/env bash
# Makes sure a Docker engine answers: exits 0 at once when one does; otherwise starts dockerd
# (installing docker.io first on Debian/Ubuntu as root) and waits for it. Quiet on the fast path.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

LOG=/tmp/orch-dockerd.log
WAIT_S=60

say() { echo "ensure-docker: $*" >&2; }
die() {
  say "$*"
  exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }
has() { command -v "$1" >/dev/null 2>&1; }

# Fast path: nothing to do.
if has docker && docker info >/dev/null 2>&1; then
  exit 0
fi

if ! is_root; then
  if has sudo && sudo -n true 2>/dev/null; then
    ORCH_SUDO='sudo -n'
  fi
fi

apt_install_docker() {
  if ! has apt-get; then
    return 1
  fi
  if ! is_root && [ -z "$ORCH_SUDO" ]; then
    return 1
  fi
  apt_install ensure-docker docker.io
}

# The CLI: docker.io ships both the CLI and dockerd.
if ! has docker || ! has dockerd; then
  if ! apt_install_docker; then
    if ! has dockerd; then
      die "no Docker engine here. Install Docker (Debian/Ubuntu: sudo apt-get install docker.io; elsewhere: https://docs.docker.com/engine/install/) and start it (sudo dockerd &), or set DOCKER_HOST to a running engine."
    fi
    has docker || die "dockerd is installed but the docker CLI is missing: install docker.io (or docker-ce-cli)."
  fi
fi

# If DOCKER_HOST points elsewhere, starting a local daemon would not help.
if [ -n "${DOCKER_HOST:-}" ] && [[ "$DOCKER_HOST" != unix://* ]]; then
  die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST."
fi

can_start() { is_root || [ -n "$ORCH_SUDO" ]; }
STARTED=''
start_dockerd() {
  say "starting dockerd (log: $LOG)"
  # Its own session: a Ctrl-C on `npm start`/`npm test` must not stop the engine with them.
  start_detached "$LOG" dockerd
  STARTED=1
}

# A dockerd we did not start may just be booting (or shutting down); one that runs and still
# refuses us will not change.
if ! pgrep -x dockerd >/dev/null 2>&1; then
  can_start || die "dockerd is installed but not running, and starting it needs root: run 'sudo dockerd &' (or 'sudo systemctl start docker'), or add yourself to the docker group."
  start_dockerd
fi

for _ in $(seq 1 "$WAIT_S"); do
  if docker info >/dev/null 2>&1; then
    say "engine is up"
    exit 0
  fi
  # The one we waited for went away (it was stopping): start our own.
  if [ -z "$STARTED" ] && can_start && ! pgrep -x dockerd >/dev/null 2>&1; then
    start_dockerd
  fi
  sleep 1
done

if pgrep -x dockerd >/dev/null 2>&1 && ! is_root; then
  die "dockerd runs but this user cannot reach its socket: add yourself to the docker group (sudo usermod -aG docker \$USER, then log in again) or set DOCKER_HOST."
fi
die "dockerd did not answer within ${WAIT_S}s; see $LOG"
