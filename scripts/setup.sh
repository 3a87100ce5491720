#!/usr/bin/env bash
# Prepare a machine to run and test KeplerLab. Idempotent and quiet when
# nothing changed: system packages only when missing, Python deps only when
# pyproject.toml changed, the frontend only when its sources changed.
# Safe as root with no stdin (CI=true).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 npm_config_fund=false npm_config_audit=false

say() { printf '[setup] %s\n' "$*"; }

hash_of() {  # hash_of <paths...>: one sha256 over the files' contents and names
  find "$@" -type f ! -path '*/node_modules/*' -print0 2>/dev/null | LC_ALL=C sort -z \
    | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

# --- system packages -------------------------------------------------------------
# fonts-noto-color-emoji: the UI's file and step icons are emoji
APT_PACKAGES=(chromium postgresql espeak-ng ffmpeg poppler-utils fonts-noto-color-emoji)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { say "need root to install: ${missing[*]}"; exit 1; }
    SUDO="sudo -n"
  fi
  say "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python ----------------------------------------------------------------------------
PYTHON="$(command -v python3.11 || command -v python3)"
if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
DEPS_STAMP=.venv/.keplerlab-deps
deps_hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ "$(cat "$DEPS_STAMP" 2>/dev/null)" != "$deps_hash" ]]; then
  say "installing Python dependencies (pip)"
  .venv/bin/pip install -q "torch==2.13.0"
  .venv/bin/pip install -q -e '.[dev]'
  echo "$deps_hash" >"$DEPS_STAMP"
fi

# --- frontend ------------------------------------------------------------------------------
if [[ -f frontend/package.json ]]; then
  INSTALL_STAMP=frontend/node_modules/.keplerlab-install
  install_hash="$(hash_of frontend/package.json frontend/package-lock.json)"
  if [[ ! -d frontend/node_modules ]]; then
    say "installing frontend packages (npm)"
    if [[ -f frontend/package-lock.json ]]; then
      (cd frontend && npm ci --loglevel=error)
    else
      (cd frontend && npm install --loglevel=error)
    fi
    echo "$install_hash" >"$INSTALL_STAMP"
  elif [[ "$(cat "$INSTALL_STAMP" 2>/dev/null)" != "$install_hash" ]]; then
    say "updating frontend packages (npm)"
    if [[ -f frontend/package-lock.json ]]; then
      (cd frontend && npm ci --loglevel=error)
    else
      (cd frontend && npm install --loglevel=error)
    fi
    install_hash="$(hash_of frontend/package.json frontend/package-lock.json)"
    echo "$install_hash" >"$INSTALL_STAMP"
  fi
  BUILD_STAMP=frontend/node_modules/.keplerlab-build
  build_inputs=(frontend/src frontend/index.html frontend/package.json frontend/package-lock.json)
  for f in frontend/public frontend/vite.config.* frontend/tailwind.config.* frontend/postcss.config.*; do
    [[ -e $f ]] && build_inputs+=("$f")
  done
  build_hash="$(hash_of "${build_inputs[@]}")"
  if [[ ! -f frontend/dist/index.html || "$(cat "$BUILD_STAMP" 2>/dev/null)" != "$build_hash" ]]; then
    say "building the frontend (npm run build)"
    (cd frontend && npm run build --silent >/tmp/keplerlab-frontend-build.log 2>&1) || {
      cat /tmp/keplerlab-frontend-build.log; say "frontend build failed"; exit 1; }
    echo "$build_hash" >"$BUILD_STAMP"
  fi
fi

# --- browser runtime bundle (its script is idempotent) ------------------------------------------
if [[ -f pyodide_bundle/build.sh ]]; then
  bash pyodide_bundle/build.sh
fi
