#!/usr/bin/env bash
# Start (or stop) a PostgreSQL server on 127.0.0.1 for the tests and the cluster demo.
# Installs the server from Debian's packages when it is missing. Prints the URL to use.
# Configured as a server for an archive of millions would be (docs/scale.md): a 2 GB buffer cache
# (PG_SHARED_BUFFERS; PostgreSQL's default is 128 MB, taken from memory only as it is used) and
# random_page_cost 1.1 (an index read costs little more than a sequential one on SSD or in cache).
# PG_FSYNC=off (`make test` sets it): the server does not wait for the disk at each commit and each
# CREATE DATABASE; an archive that lives for one test need not survive a power cut (a server stopped
# by pg_ctl, as the crash tests stop theirs, still writes everything out).
set -euo pipefail
PORT="${PGPORT_TEST:-55432}"
DATA="${PGDATA_TEST:-/tmp/newsarchive-pg}"
ACTION="${1:-start}"

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ -z "$(bindir)" ]; then
  echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
fi
BIN="$(bindir)"

case "$ACTION" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
      as_postgres "$BIN/initdb" -D "$DATA" -A trust -E UTF8 --locale=C.UTF-8 -U postgres >/dev/null
    fi
    if ! as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      as_postgres "$BIN/pg_ctl" -D "$DATA" -w -t 60 -l "$DATA/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c shared_buffers=${PG_SHARED_BUFFERS:-2GB} -c random_page_cost=1.1 -c fsync=${PG_FSYNC:-on}" start >/dev/null
    fi
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
    ;;
  fresh)  # fresh NAME: (re)create an empty database NAME on the running server; prints its URL
    NAME="${2:?usage: $0 fresh NAME}"
    as_postgres "$BIN/psql" -q -h "$DATA" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
      -c "SET client_min_messages TO warning" -c "DROP DATABASE IF EXISTS \"$NAME\" WITH (FORCE)" -c "CREATE DATABASE \"$NAME\"" >/dev/null
    echo "postgresql://postgres@127.0.0.1:$PORT/$NAME"
    ;;
  stop)
    as_postgres "$BIN/pg_ctl" -D "$DATA" -w stop -m fast >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|fresh NAME|stop" >&2; exit 2 ;;
esac
