#!/usr/bin/env bash
# Makes sure a Docker engine answers: exits 0 at once when one does; otherwise starts dockerd
# (installing docker.io first on Debian/Ubuntu as root) and waits for it. Quiet on the fast path.
# `ensure-docker.sh restart` first stops the running dockerd gracefully (by its pid file) and
# starts it again the same way, with the same arguments (the engine-restart test uses it):
# exit 2 when this engine cannot be restarted from here (not local, or no root).
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

MODE="${1:-ensure}"
case "$MODE" in
  ensure | restart) ;;
  *) die "usage: ensure-docker.sh [restart]" ;;
esac

# Fast path: nothing to do.
if [ "$MODE" = ensure ] && has docker && docker info >/dev/null 2>&1; then
  exit 0
fi

if ! is_root; then
  if has sudo && sudo -n true 2>/dev/null; then
    ORCH_SUDO='sudo -n'
  fi
fi

DOCKERD_ARGS=()
if [ "$MODE" = restart ]; then
  cannot() {
    say "cannot restart the engine here: $*"
    exit 2
  }
  if [ -n "${DOCKER_HOST:-}" ] && [[ "$DOCKER_HOST" != unix://* ]]; then
    cannot "DOCKER_HOST=$DOCKER_HOST is not a local engine"
  fi
  is_root || [ -n "$ORCH_SUDO" ] || cannot "stopping and starting dockerd needs root (or sudo without a password)"
  if has systemctl && systemctl is-active --quiet docker 2>/dev/null; then
    # A systemd unit owns it: restarting it any other way would race the unit's own restart.
    say "restarting docker.service"
    # shellcheck disable=SC2086
    $ORCH_SUDO systemctl restart docker
  else
    PIDFILE=/var/run/docker.pid
    PID="$($ORCH_SUDO cat "$PIDFILE" 2>/dev/null || true)"
    [ -n "$PID" ] || PID="$(pgrep -x dockerd | head -n 1 || true)"
    [ -n "$PID" ] && [ -r "/proc/$PID/cmdline" ] || cannot "no running dockerd found (no $PIDFILE, no dockerd process)"
    # Started again with the arguments it runs with now (a custom --data-root must survive).
    mapfile -d '' -t CMDLINE <"/proc/$PID/cmdline"
    DOCKERD_ARGS=("${CMDLINE[@]:1}")
    say "stopping dockerd (pid $PID)"
    # SIGTERM: dockerd stops its containers and containerd, then removes its pid file and socket.
    # shellcheck disable=SC2086
    $ORCH_SUDO kill -TERM "$PID"
    for _ in $(seq 1 $((WAIT_S * 10))); do
      [ -d "/proc/$PID" ] || break
      sleep 0.1
    done
    [ ! -d "/proc/$PID" ] || die "dockerd (pid $PID) did not exit within ${WAIT_S}s; see $LOG"
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
  start_detached "$LOG" dockerd ${DOCKERD_ARGS[@]+"${DOCKERD_ARGS[@]}"}
  STARTED=1
}

# A dockerd we did not start may just be booting (or shutting down); one that runs and still
# refuses us will not change.
if ! pgrep -x dockerd >/dev/null 2>&1; then
  can_start || die "dockerd is installed but not running, and starting it needs root: run 'sudo dockerd &' (or 'sudo systemctl start docker'), or add yourself to the docker group."
  start_dockerd
fi

for _ in $(seq 1 $((WAIT_S * 5))); do
  if docker info >/dev/null 2>&1; then
    say "engine is up"
    exit 0
  fi
  # The one we waited for went away (it was stopping): start our own.
  if [ -z "$STARTED" ] && can_start && ! pgrep -x dockerd >/dev/null 2>&1; then
    start_dockerd
  fi
  sleep 0.2
done

if pgrep -x dockerd >/dev/null 2>&1 && ! is_root; then
  die "dockerd runs but this user cannot reach its socket: add yourself to the docker group (sudo usermod -aG docker \$USER, then log in again) or set DOCKER_HOST."
fi
die "dockerd did not answer within ${WAIT_S}s; see $LOG"
