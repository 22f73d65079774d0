# Helpers shared by the fresh-machine scripts (sourced by them, not run). On screen: one line per
# step; the chatter of apt, debconf and needrestart goes to a log file the step's line names.

ORCH_SETUP_LOG="${ORCH_SETUP_LOG:-${TMPDIR:-/tmp}/orch-setup-$(id -u).log}"
# Prefix for commands that need root: the caller sets "sudo -n" for a user who may; empty as root.
ORCH_SUDO=''

# `quietly WHO WHAT COMMAND [ARG...]`: "WHO: WHAT (log: ...)" on screen, COMMAND's output in the
# log; on failure, the log's tail and COMMAND's exit status.
quietly() {
  local who="$1" what="$2" rc=0
  shift 2
  echo "$who: $what (log: $ORCH_SETUP_LOG)" >&2
  "$@" >>"$ORCH_SETUP_LOG" 2>&1 </dev/null || rc=$?
  if [ "$rc" != 0 ]; then
    echo "$who: $what failed (exit $rc); the end of $ORCH_SETUP_LOG:" >&2
    tail -n 20 "$ORCH_SETUP_LOG" >&2
  fi
  return "$rc"
}

# apt-get that waits up to 10 minutes for the dpkg lock (unattended-upgrades, another apt run)
# instead of failing at once, asks nothing and restarts no services.
apt_get() {
  # shellcheck disable=SC2086 # ORCH_SUDO is a command prefix, split on purpose
  $ORCH_SUDO env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a NEEDRESTART_SUSPEND=1 \
    apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 -q -y "$@"
}

apt_update_install() { apt_get update && apt_get install "$@"; }

# `apt_install WHO PACKAGE...`: one line on screen, apt's output in the log.
apt_install() {
  local who="$1"
  shift
  quietly "$who" "installing $*" apt_update_install "$@"
}

# `start_detached LOG COMMAND [ARG...]`: runs COMMAND (as root, through ORCH_SUDO) in a session of
# its own with stdin from /dev/null and output to LOG. Ctrl-C on the caller's terminal goes to the
# caller's process group only, so it never reaches COMMAND, which also outlives the caller.
start_detached() {
  local log="$1"
  shift
  # shellcheck disable=SC2086
  $ORCH_SUDO setsid -f sh -c 'log="$1"; shift; exec "$@" >"$log" 2>&1' sh "$log" "$@" </dev/null
}

# `ensure_package WHO PACKAGE BIN WHAT`: installs Debian's PACKAGE unless BIN is there already.
# Quiet on the fast path; without root (or password-less sudo) or apt it says that WHAT will be
# skipped and leaves it, so a developer's machine without root still runs the rest.
ensure_package() {
  local who="$1" pkg="$2" bin="$3" what="$4"
  [ -x "$bin" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      ORCH_SUDO='sudo -n'
    else
      echo "$who: $pkg is missing and installing it needs root; $what will be skipped" >&2
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$who: $pkg is missing and there is no apt-get; $what will be skipped" >&2
    return 0
  fi
  apt_install "$who" "$pkg" || echo "$who: $pkg could not be installed; $what will be skipped" >&2
}
