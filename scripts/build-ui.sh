#!/usr/bin/env bash
# Builds the web UI into ui/dist (embedded into the desktop binary at compile time). Installs the
# npm packages from ui/package-lock.json when they are missing or the lock changed. Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../ui"
export PATH="${HUSH_TOOLS:-$HOME/.cache/hush-tools}/venv/bin:$PATH:${HUSH_TOOLS:-$HOME/.cache/hush-tools}/venv/bin"
stamp=node_modules/.hush-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  # `npm ci` (npm 11) rejects lockfiles without other platforms' optional packages; install honours the lock.
  npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
npm run --silent build
