#!/usr/bin/env bash
# orch logs throughput against `docker logs` on the same container, and -f with 5 chatty services.
# Usage: npm run build && bash bench/logs/run.sh [RUNS]   (needs busybox:latest locally; never pulls)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ORCH=(node "$ROOT/bin/run.js")
RUNS="${1:-5}"
NAME="benchlogs-$$"
DIR="$(mktemp -d /tmp/orch-benchlogs-XXXXXX)"
export NO_COLOR=1

cleanup() {
  (cd "$DIR" && "${ORCH[@]}" down -t 0 >/dev/null 2>&1) || true
  for p in "$NAME" "$NAME-f"; do
    ids=$(docker ps -aq --filter "label=dev.orch.project=$p")
    [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1 || true
    nets=$(docker network ls -q --filter "label=dev.orch.project=$p")
    [ -n "$nets" ] && docker network rm $nets >/dev/null 2>&1 || true
  done
  rm -rf "$DIR"
}
trap cleanup EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# --- 1. historic: 200,000 lines ---------------------------------------------------------------
cat >"$DIR/orch.yaml" <<YAML
name: $NAME
services:
  big:
    image: busybox:latest
    command: ["seq", "1", "200000"]
    stop_signal: SIGKILL
YAML
(cd "$DIR" && "${ORCH[@]}" up -d >/dev/null 2>&1)
CID="$NAME-big-1"
until [ "$(docker inspect -f '{{.State.Status}}' "$CID")" = exited ]; do sleep 0.2; done

n_orch=$(cd "$DIR" && "${ORCH[@]}" logs --no-color big | wc -l)   # warm-up, also fills the store
n_docker=$(docker logs "$CID" 2>&1 | wc -l)
echo "lines: orch=$n_orch docker=$n_docker"
: >"$DIR/t_orch"
: >"$DIR/t_docker"
: >"$DIR/t_docker_ts"
for i in $(seq 1 "$RUNS"); do
  s=$(now); (cd "$DIR" && "${ORCH[@]}" logs --no-color big >/dev/null); e=$(now)
  echo "$e - $s" | bc >>"$DIR/t_orch"
  s=$(now); docker logs "$CID" >/dev/null 2>&1; e=$(now)
  echo "$e - $s" | bc >>"$DIR/t_docker"
  # Context only (not the peer): the engine's timestamps, which orch asks for to order lines.
  s=$(now); docker logs -t "$CID" >/dev/null 2>&1; e=$(now)
  echo "$e - $s" | bc >>"$DIR/t_docker_ts"
done
mo=$(median <"$DIR/t_orch")
md=$(median <"$DIR/t_docker")
mt=$(median <"$DIR/t_docker_ts")
echo "orch logs --no-color : median ${mo}s  (runs: $(tr '\n' ' ' <"$DIR/t_orch"))"
echo "docker logs          : median ${md}s  (runs: $(tr '\n' ' ' <"$DIR/t_docker"))"
echo "docker logs -t       : median ${mt}s  (context: with the timestamps orch needs; not the peer)"
echo "ratio orch/docker    : $(echo "scale=2; $mo / $md" | bc)  (target <= 1.5)"
(cd "$DIR" && "${ORCH[@]}" down -t 0 >/dev/null 2>&1)

# --- 2. follow: 5 chatty services, live --------------------------------------------------------
PER="${PER:-20000}"
{
  echo "name: $NAME-f"
  echo "services:"
  for s in 1 2 3 4 5; do
    cat <<YAML
  s$s:
    image: busybox:latest
    command: ["sh", "-c", "sleep 4; i=0; while [ \$\$i -lt $PER ]; do echo s$s line \$\$i; i=\$\$((i+1)); done; exec sleep 3600"]
    stop_signal: SIGKILL
YAML
  done
} >"$DIR/orch.yaml"
(cd "$DIR" && "${ORCH[@]}" up -d >/dev/null 2>&1)
(cd "$DIR" && exec /usr/bin/time -f "%M" -o "$DIR/rss" "${ORCH[@]}" logs -f --no-color >"$DIR/follow.out") &
FPID=$!
expected=$((5 * PER))
deadline=$(( $(date +%s) + ${FOLLOW_SECONDS:-60} ))
received=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  received=0
  for s in 1 2 3 4 5; do received=$((received + $(docker logs "$NAME-f-s$s-1" 2>&1 | wc -l))); done
  [ "$received" -ge "$expected" ] && break
  sleep 1
done
sleep 1 # the ordering window and the writer
CHILD=$(pgrep -P "$FPID" || true)
[ -n "$CHILD" ] && kill -INT $CHILD 2>/dev/null || true
wait "$FPID" || true
printed=$(wc -l <"$DIR/follow.out")
dups=$(sort "$DIR/follow.out" | uniq -d | wc -l)
echo "follow: engine had $received lines (expected $expected), orch printed $printed, duplicates $dups, peak RSS $(cat "$DIR/rss") KB"
