#!/usr/bin/env bash
# Set up (idempotent), then serve KeplerLab on http://127.0.0.1:${PORT:-8000}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
printf '\n  KeplerLab: http://%s:%s/   (API docs: http://%s:%s/docs)\n\n' "$HOST" "$PORT" "$HOST" "$PORT"
exec .venv/bin/uvicorn --factory app.main:create_app --app-dir backend --host "$HOST" --port "$PORT"
