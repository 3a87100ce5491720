#!/usr/bin/env bash
# Set up (idempotent), start a throwaway PostgreSQL, lint, run every test.
# Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export CI="${CI:-true}"

# --- throwaway PostgreSQL cluster (stopped and removed on exit) -----------------
PG_BIN=/usr/lib/postgresql/15/bin
[[ -x $PG_BIN/initdb ]] || PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
PG_DIR="$(mktemp -d /tmp/keplerlab-pg.XXXXXX)"
PG_PORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$PG_DIR"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
stop_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" --auth=trust -U postgres >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log"; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c full_page_writes=off" -w start >/dev/null \
  || { cat "$PG_DIR/server.log"; exit 1; }
export TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT/postgres"
echo "[test] PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

failed=()
echo "[test] ruff check ."
.venv/bin/ruff check . || failed+=("ruff")

if [[ -f frontend/package.json ]]; then
  echo "[test] frontend unit tests (vitest)"
  (cd frontend && npm test --silent) || failed+=("frontend unit tests")
  echo "[test] frontend lint (eslint + prettier --check)"
  (cd frontend && npm run --silent lint && npm run --silent format:check) || failed+=("frontend lint")
fi

echo "[test] pytest backend/tests"
.venv/bin/python -m pytest backend/tests -q || failed+=("backend tests")

if compgen -G "playwright_tests/**/test_*.py" >/dev/null || compgen -G "playwright_tests/test_*.py" >/dev/null; then
  echo "[test] pytest playwright_tests"
  rc=0
  .venv/bin/python -m pytest playwright_tests -q || rc=$?
  [[ $rc -eq 0 || $rc -eq 5 ]] || failed+=("playwright tests")
fi

if ((${#failed[@]})); then
  echo "[test] FAILED: ${failed[*]}"
  exit 1
fi
echo "[test] all passed"
