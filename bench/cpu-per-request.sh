#!/bin/bash
# CPU per request of a server and every process it starts (user and system time apart), and
# the page faults they take, under wrk (64 kept-alive connections): the server pinned to
# CPU 1, wrk to CPU 0, 3 s of warm-up then 4 s counted. Prints one line; run it several
# times, interleaving the servers compared, and compare medians: on a shared machine one run
# says little. Needs wrk, taskset and curl.
#
# Usage: bench/cpu-per-request.sh LABEL PORT -- COMMAND...   (COMMAND serves http://127.0.0.1:PORT/)
# Example (portico serve with V8's own young-generation size against the default):
#   NODE_OPTIONS=--max-semi-space-size=32 bench/cpu-per-request.sh v8-default 18090 -- \
#     node bin/portico.js serve bench/servers/hello-tsgi.ts --http 127.0.0.1:18090 --log-level warning
set -euo pipefail
label=$1 port=$2
shift 3
url="http://127.0.0.1:$port/"
log=$(mktemp)
taskset -c 1 "$@" > "$log" 2>&1 &
root=$!
trap 'kill -INT $root 2>/dev/null; sleep 1; kill -KILL $root 2>/dev/null; rm -f "$log"' EXIT
up=no
for _ in $(seq 300); do curl -s -o /dev/null "$url" && up=yes && break; sleep 0.1; done
if [ $up = no ]; then echo "$label: nothing answered at $url in 30 s:" >&2; cat "$log" >&2; exit 1; fi
taskset -c 0 wrk -t1 -c64 -d3s "$url" > /dev/null
# The process tree (three levels: a launcher, a master, its workers), then its CPU ticks and faults.
tree() {
  local all=$root level=$root
  for _ in 1 2 3; do
    level=$(for pid in $level; do pgrep -P "$pid" || true; done)
    all="$all $level"
  done
  local user=0 system=0 faults=0
  for pid in $all; do
    read -r u s f <<< "$(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12, $13, $8}')"
    user=$((user + u)) system=$((system + s)) faults=$((faults + f))
  done
  echo "$user $system $faults"
}
read -r u0 s0 f0 <<< "$(tree)"
counted=$(taskset -c 0 wrk -t1 -c64 -d4s "$url" | awk '/requests in/{print $1}')
read -r u1 s1 f1 <<< "$(tree)"
hz=$(getconf CLK_TCK)
awk -v l="$label" -v n="$counted" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v f=$((f1 - f0)) -v hz="$hz" 'BEGIN {
  printf "%s requests=%d user_us=%.2f sys_us=%.2f total_us=%.2f faults_per_1000=%.1f\n",
    l, n, u * 1e6 / hz / n, s * 1e6 / hz / n, (u + s) * 1e6 / hz / n, f * 1000 / n }'
