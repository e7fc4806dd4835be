# Sourced by .ci/run: a throwaway PostgreSQL cluster for the database tests, on loopback,
# owned by the test run. initdb refuses to run as root, so as root the cluster belongs to
# the postgres user (created by Debian's package). Exports TEST_POSTGRES_URL; the
# EXIT trap stops the server and removes the cluster. (Not a PORTICO_* name: `portico serve`
# reads every PORTICO_* variable as one of its options, and the tests start it.)

portico_pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  return 1
}

portico_pg_start() {
  local bindir port as=()
  bindir=$(portico_pg_bindir) || { echo "PostgreSQL not found: the database tests run on SQLite only" >&2; return 0; }
  PORTICO_PG_DIR=$(mktemp -d /tmp/portico-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PORTICO_PG_DIR"
    as=(runuser -u postgres --)
  fi
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  "${as[@]}" "$bindir/initdb" -D "$PORTICO_PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  "${as[@]}" "$bindir/pg_ctl" -D "$PORTICO_PG_DIR/data" -l "$PORTICO_PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PORTICO_PG_DIR -c fsync=off" start >/dev/null
  PORTICO_PG_STOP=("${as[@]}" "$bindir/pg_ctl" -D "$PORTICO_PG_DIR/data" -m fast -w stop)
  trap portico_pg_stop EXIT
  export TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL for the tests: $TEST_POSTGRES_URL"
}

portico_pg_stop() {
  if [ -n "${PORTICO_PG_DIR:-}" ]; then
    "${PORTICO_PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PORTICO_PG_DIR"
    PORTICO_PG_DIR=
  fi
}
