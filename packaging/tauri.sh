#!/usr/bin/env bash
# Usage: bash packaging/tauri.sh ARG...   (e.g. `build --bundles deb,rpm`, `icon`, `info`)
# Runs the Tauri CLI (bundler included) from the npm package @tauri-apps/cli, which ships it
# prebuilt: no `cargo install tauri-cli` (minutes of compiling). Installed once, pinned, into the
# tools cache ($HUSH_TOOLS, as .ci/setup-deps.sh uses); idempotent.
set -euo pipefail
TAURI_CLI_VERSION=2.12.5   # keep in step with the tauri crate in Cargo.lock
TOOLS="${HUSH_TOOLS:-$HOME/.cache/hush-tools}"
dir="$TOOLS/tauri-cli-$TAURI_CLI_VERSION"
# Debian 12's node is 18; setup-deps puts a newer one into the tools venv when needed.
export PATH="$TOOLS/venv/bin:$PATH"
if [ ! -x "$dir/node_modules/.bin/tauri" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error --save-exact \
    "@tauri-apps/cli@$TAURI_CLI_VERSION" >&2
fi
exec "$dir/node_modules/.bin/tauri" "$@"
