# Sourced by .ci/run: a throwaway Redis for the session and cache tests, on loopback, on a
# free port, with no persistence (no RDB snapshots, no AOF), owned by the test run. Exports
# TEST_REDIS_URL; portico_redis_stop stops it (.ci/run chains it with the PostgreSQL stop in
# one EXIT trap, since a second `trap … EXIT` would replace the first).

portico_redis_start() {
  local port
  command -v redis-server >/dev/null 2>&1 || { echo "redis-server not found: the Redis tests are skipped" >&2; return 0; }
  PORTICO_REDIS_DIR=$(mktemp -d /tmp/portico-redis.XXXXXX)
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir "$PORTICO_REDIS_DIR" --daemonize yes --pidfile "$PORTICO_REDIS_DIR/redis.pid" \
    --logfile "$PORTICO_REDIS_DIR/log" >/dev/null
  # Bounded wait for it to answer (at most ~5 s).
  local i
  for i in $(seq 1 50); do
    if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  export TEST_REDIS_URL="redis://127.0.0.1:$port"
  echo "Redis for the tests: $TEST_REDIS_URL"
}

portico_redis_stop() {
  if [ -n "${PORTICO_REDIS_DIR:-}" ]; then
    if [ -f "$PORTICO_REDIS_DIR/redis.pid" ]; then kill "$(cat "$PORTICO_REDIS_DIR/redis.pid")" 2>/dev/null || true; fi
    rm -rf "$PORTICO_REDIS_DIR"
    PORTICO_REDIS_DIR=
  fi
}
