#!/usr/bin/env bash
# Build the offline Pyodide bundle into pyodide_bundle/dist (cached, idempotent).
# Usage: pyodide_bundle/build.sh [--force]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$here/../.venv/bin/python"
[ -x "$py" ] || py="$(command -v python3)"
command -v npm >/dev/null || { echo "npm is required (Debian package npm)" >&2; exit 1; }
exec "$py" "$here/build_bundle.py" "$@"
