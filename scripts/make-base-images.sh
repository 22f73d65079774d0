#!/usr/bin/env bash
# Makes the base images the examples and tests name (busybox:latest, node:20-slim, redis:7) from
# host binaries, because no registry is reachable here. Only missing images are made; `--force`
# rebuilds them. Each image is smoke-tested with `docker run --rm` before it counts as made.
#
# The images are look-alikes, not the official ones: they hold the host's binaries (so the host's
# node version, whatever it is, is tagged node:20-slim) plus busybox as /bin/sh and its applets.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h | --help)
      echo "usage: $0 [--force]"
      exit 0
      ;;
    *)
      echo "make-base-images: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

die() {
  echo "make-base-images: $*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 || die "the docker CLI is missing; run scripts/ensure-docker.sh first"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer; run scripts/ensure-docker.sh first"

present() { docker image inspect "$1" >/dev/null 2>&1; }

wanted=()
for img in busybox:latest node:20-slim redis:7; do
  if [ "$FORCE" = 1 ] || ! present "$img"; then
    wanted+=("$img")
  else
    echo "$img: present"
  fi
done
[ "${#wanted[@]}" -eq 0 ] && exit 0

# Not named apt_install: that is lib.sh's, which this calls (the same name recursed forever).
need_package() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt_install make-base-images "$@" || die "could not install $*"
  else
    die "need $*: install it (apt-get install $*) and re-run"
  fi
}

# A statically linked busybox, so the images need no libraries for their shell.
find_busybox() {
  local b
  for b in /bin/busybox /usr/bin/busybox; do
    if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then
      echo "$b"
      return 0
    fi
  done
  return 1
}
BUSYBOX="$(find_busybox || true)"
if [ -z "$BUSYBOX" ]; then
  need_package busybox-static
  BUSYBOX="$(find_busybox)" || die "busybox-static installed but no static busybox found"
fi

WORK="$(mktemp -d /tmp/orch-base-images.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# busybox in /bin with one symlink per applet, plus the files every image needs.
make_skeleton() {
  local root="$1" users="$2"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,tmp,root,proc,sys,dev,var/tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  local applet
  for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] && continue
    ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n%snobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    "$users" >"$root/etc/passwd"
  {
    echo 'root:x:0:'
    # One group per extra user, named like it (the uid's primary group).
    printf '%s' "$users" | awk -F: 'NF { printf "%s:x:%s:\n", $1, $4 }'
    echo 'nogroup:x:65534:'
  } >"$root/etc/group"
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
}

# Copy a dynamically linked binary's libraries (and the loader) to the same paths in the image.
copy_libs() {
  local root="$1" bin="$2" lib
  for lib in $(ldd "$bin" | awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }'); do
    [ -e "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  # Debian resolves hostnames through these when nsswitch asks; cheap to include.
  for lib in /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
    if [ -e "$lib" ] && [ ! -e "$root$lib" ]; then
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    fi
  done
}

import_dir() {
  local root="$1" tag="$2"
  shift 2
  local changes=()
  local c
  for c in "$@"; do changes+=(--change "$c"); done
  local old_id
  old_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
  tar -C "$root" --numeric-owner -cf - . | docker import "${changes[@]}" - "$tag" >/dev/null
  # --force: drop the image this one replaced, if nothing else names it now.
  if [ -n "$old_id" ] && [ -z "$(docker image inspect -f '{{join .RepoTags ","}}' "$old_id" 2>/dev/null)" ]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
}

smoke() {
  local tag="$1"
  shift
  docker run --rm --network none "$tag" "$@" >/dev/null 2>"$WORK/smoke.err" ||
    die "$tag was made but does not run ($*): $(tail -n 5 "$WORK/smoke.err")"
}

ENV_PATH='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

make_busybox() {
  local root="$WORK/busybox"
  make_skeleton "$root" ''
  import_dir "$root" busybox:latest "$ENV_PATH" 'CMD ["sh"]'
  smoke busybox:latest sh -c 'true'
}

make_node() {
  local node_bin
  node_bin="$(command -v node)" || die "no node binary on this host to put into node:20-slim"
  node_bin="$(readlink -f "$node_bin")"
  local root="$WORK/node"
  make_skeleton "$root" $'node:x:1000:1000:node:/home/node:/bin/sh\n'
  mkdir -p "$root/home/node"
  chown 1000:1000 "$root/home/node"
  cp "$node_bin" "$root/usr/local/bin/node"
  copy_libs "$root" "$node_bin"
  import_dir "$root" node:20-slim "$ENV_PATH" 'ENV NODE_VERSION='"$(node --version | tr -d v)" 'CMD ["node"]'
  smoke node:20-slim node -e "require('http'); require('net'); require('crypto')"
  # The same image must serve HTTP, as the examples' services do.
  docker run --rm --network none node:20-slim node -e "
    const http = require('http');
    const s = http.createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => {
      http.get('http://127.0.0.1:' + s.address().port, (r) => { process.exit(r.statusCode === 200 ? 0 : 1); });
    });" >/dev/null || die "node:20-slim cannot serve HTTP"
  smoke node:20-slim sh -c 'wget --help 2>&1 | head -n 1'
}

make_redis() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    need_package redis-server
  fi
  local server cli root="$WORK/redis"
  server="$(readlink -f "$(command -v redis-server)")"
  cli="$(readlink -f "$(command -v redis-cli)")"
  make_skeleton "$root" $'redis:x:999:999:redis:/data:/bin/false\n'
  mkdir -p "$root/data"
  # redis-server is a symlink to redis-check-rdb on Debian; the binary picks its role from argv[0].
  cp "$server" "$root/usr/local/bin/redis-server"
  cp "$cli" "$root/usr/local/bin/redis-cli"
  copy_libs "$root" "$server"
  copy_libs "$root" "$cli"
  import_dir "$root" redis:7 "$ENV_PATH" 'WORKDIR /data' 'EXPOSE 6379' \
    'CMD ["redis-server","--protected-mode","no"]'
  smoke redis:7 redis-server --version
  smoke redis:7 redis-cli --version
  smoke redis:7 sh -c 'true'
}

for img in "${wanted[@]}"; do
  case "$img" in
    busybox:latest) make_busybox ;;
    node:20-slim) make_node ;;
    redis:7) make_redis ;;
  esac
  echo "$img: made"
done
