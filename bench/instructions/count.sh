#!/bin/bash
# Instructions per request of a server (every process it starts, summed), counted by
# valgrind's callgrind over a fixed number of requests after a warm-up: deterministic on a
# busy machine, where throughput and CPU time are not. Slow (valgrind runs Node ~50x
# slower): minutes per server.
#
# Usage: bench/instructions/count.sh MODE TARGET WARMUP MEASURED -- COMMAND...
#   MODE keep|close|uwsgi|api (see client.ts), TARGET the port or uwsgi socket COMMAND serves.
#   MEASURED: at most 8,000 (8 connections of at most 1,000 requests each, the server's default
#   maxRequestsPerConnection); WARMUP any number (sent in runs of 8,000).
#   $COUNT_PATH: the GET target for keep/close (default /; W2: /api/r99/42/). $COUNT_KEEP: a
#   directory to keep callgrind's files in (cg.PID.1), for callgrind_annotate. $COUNT_SPLIT=1:
#   also split each process's count into V8's optimizing compiler (TurboFan, on any thread), its
#   garbage collector and the rest: on the framework workloads the JIT is still compiling after
#   the warm-up, and that share varies between runs by thousands of instructions per request.
# Example (the hello app under portico serve, kept-alive HTTP):
#   bench/instructions/count.sh keep 18080 16000 8000 -- node bin/portico.js serve \
#     bench/servers/hello-tsgi.ts --http 127.0.0.1:18080 --log-level warning
set -euo pipefail
mode=$1 target=$2 warmup=$3 measured=$4
shift 5
here=$(cd "$(dirname "$0")" && pwd)
node=${NODE:-$(command -v node)}
out=$(mktemp -d)
valgrind --tool=callgrind --trace-children=yes --smc-check=all-non-file --dump-instr=no \
  --callgrind-out-file="$out/cg.%p" "$@" > "$out/log" 2>&1 &
server=$!
up() { if [ "$mode" = uwsgi ]; then [ -S "$target" ]; else curl -s -o /dev/null "http://127.0.0.1:$target/"; fi; }
for _ in $(seq 900); do up && break; sleep 0.5; done
client() { "$node" "$here/client.ts" "$mode" "$target" 8 $(($1 / 8)) "${COUNT_PATH:-/}"; }
# The warm-up in runs of at most 8,000: a server closes a kept-alive connection after 1,000
# requests (maxRequestsPerConnection), so one run of 8 connections serves no more than that.
for ((left = warmup; left > 0; left -= 8000)); do client $((left < 8000 ? left : 8000)) > /dev/null; done
sleep 1
pids="$server $(pgrep -P $server || true)"
for pid in $pids; do callgrind_control -z "$pid" > /dev/null; done
served=$(client "$measured")
sleep 1
for pid in $pids; do callgrind_control -d "$pid" > /dev/null; done
sleep 2
kill -INT "$server" 2> /dev/null || true
sleep 3
kill -KILL $pids 2> /dev/null || true
total=0
for file in "$out"/cg.*.1; do
  ir=$(awk '/^summary:/ {print $2; exit}' "$file")
  pid=$(basename "$file" .1)
  echo "pid ${pid#cg.}: $((ir / served)) instructions/request"
  if [ -n "${COUNT_SPLIT:-}" ]; then
    callgrind_annotate --inclusive=yes --threshold=100 "$file" 2> /dev/null | awk -v n="$served" '
      function ir() { v = $1; gsub(",", "", v); return v + 0 }
      /Compiler::CompileOptimized\(|OptimizedCompilationJob::ExecuteJob\(/ { if (ir() > jit) jit = ir() }
      /ScavengerCollector::JobTask::Run\(/ { if (!a++) gc += ir() }
      /ConcurrentMarking::RunMajor\(/ { if (!b++) gc += ir() }
      /Heap::CollectGarbage\(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags\) \[/ { if (!c++) gc += ir() }
      /PROGRAM TOTALS/ { total = ir() }
      END { printf "  of which TurboFan %d, GC %d, the rest %d\n", jit / n, gc / n, (total - jit - gc) / n }'
  fi
  total=$((total + ir))
done
echo "total: $((total / served)) instructions/request over $served requests ($mode)"
if [ -n "${COUNT_KEEP:-}" ]; then mkdir -p "$COUNT_KEEP" && cp "$out"/cg.* "$COUNT_KEEP"/; fi
rm -rf "$out"
