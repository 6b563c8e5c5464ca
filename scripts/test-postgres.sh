#!/usr/bin/env bash
# The PostgreSQL pass of the test suite (called by scripts/test.sh): Debian's postgresql
# is installed when missing, a private cluster (initdb in a temp dir, loopback, a free
# port, run as the postgres user) serves MAILBOT_TEST_DATABASE_URL, one database per
# test, and the integration, fault and acceptance suites run again on it (a smaller
# SIGKILL backfill, MAILBOT_FAULT_MESSAGES_PG, to fit CI's time).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "ci: installing postgresql" >&2
  SUDO=(); [ "$(id -u)" -ne 0 ] && SUDO=(sudo)
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

as_pg() {  # initdb and postgres refuse to run as root
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

PG_DIR="$(mktemp -d /tmp/mbpg.XXXXXX)"
chmod 755 "$PG_DIR"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
PG_PORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PG_USER="$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)"
stop_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U "$PG_USER" -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w start \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null

echo "ci: second pass on PostgreSQL (127.0.0.1:$PG_PORT)" >&2
MAILBOT_TEST_DATABASE_URL="postgresql+psycopg://$PG_USER@127.0.0.1:$PG_PORT/postgres" \
MAILBOT_FAULT_MESSAGES="${MAILBOT_FAULT_MESSAGES_PG:-600}" \
MAILBOT_FAULT_KILLS="${MAILBOT_FAULT_KILLS_PG:-10}" \
  .venv/bin/python -m pytest -q tests/integration tests/faults tests/acceptance
