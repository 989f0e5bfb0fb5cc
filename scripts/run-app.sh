#!/usr/bin/env bash
# Usage: bash scripts/run-app.sh [ARG...]
# Installs/checks the build dependencies (.ci/setup-deps.sh, idempotent), then builds and starts
# the Hush desktop app: cargo run --locked -p hush-desktop -- ARG...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat >&2 <<'MSG'
run-app.sh: no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the desktop window cannot open.
Run this from a graphical session, or give it a virtual display, e.g.:
  xvfb-run -a -s "-screen 0 1280x800x24" bash scripts/run-app.sh
The CLI works without a display:  cargo run --locked -p hush -- --help
MSG
  exit 1
fi

bash .ci/setup-deps.sh
bash scripts/build-ui.sh
exec cargo run --locked -p hush-desktop -- "$@"
