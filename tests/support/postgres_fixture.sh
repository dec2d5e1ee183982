#!/usr/bin/env bash
# Test fixture: one throw-away PostgreSQL 15 server for a whole ctest run (FIXTURES_SETUP /
# FIXTURES_CLEANUP), on a unix socket in DIR/socket only (no TCP), tuned for speed (no fsync:
# tests only). PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
# Usage: postgres_fixture.sh start|stop DIR
set -euo pipefail
action=$1
dir=$2
bin=/usr/lib/postgresql/15/bin
as=()
if [[ $(id -u) -eq 0 ]]; then as=(runuser -u postgres --); fi

stop() {
  if [[ -f $dir/data/postmaster.pid ]]; then
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

case $action in
start)
  stop
  rm -rf "$dir"
  mkdir -p "$dir/data" "$dir/socket"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$dir"; fi
  "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir/socket' -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
        -c shared_buffers=64MB" start >/dev/null || { cat "$dir/server.log"; exit 1; }
  echo "PostgreSQL test server on $dir/socket"
  ;;
stop)
  stop
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
