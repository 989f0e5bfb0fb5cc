#!/usr/bin/env bash
# Usage: bash scripts/package.sh [--profile NAME] [--bundles LIST]
#
# Builds the release packages into dist/:
#   dist/hush_<version>_amd64.deb     dist/hush-<version>-1.x86_64.rpm
# Each holds the desktop app (/usr/bin/hush-desktop, desktop entry, icons, AppStream metadata) and
# the hush CLI (/usr/bin/hush, bash/zsh/fish completions, man pages for hush and each subcommand).
#
# Steps: system packages (.ci/setup-deps.sh), the web UI (scripts/build-ui.sh), then Tauri's
# bundler (`tauri build`, from the npm package @tauri-apps/cli: packaging/tauri.sh). Its cargo run
# builds hush-desktop and hush together in one profile; before bundling, packaging/stage.sh lays
# out the CLI, its completions and man pages for the bundle's `files` (tauri.conf.json).
#
# --profile NAME: the cargo profile (default `release`: LTO, one codegen unit, stripped; see
# Cargo.toml). The packaging test uses `package-test`, the same minus LTO, to build faster.
# --bundles LIST: default deb,rpm; on a Mac app,dmg and on Windows (Git Bash) msi,nsis, whose
# settings are in tauri.conf.json and which are not built here (README, Packaging).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
profile=release
bundles=deb,rpm
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    --profile=*) profile="${1#*=}"; shift ;;
    --bundles) bundles="$2"; shift 2 ;;
    --bundles=*) bundles="${1#*=}"; shift ;;
    *) echo "package.sh: unknown argument $1 (usage: bash scripts/package.sh [--profile NAME] [--bundles LIST])" >&2; exit 2 ;;
  esac
done
out_dir="$ROOT/target/$profile"

# Debian/Ubuntu build dependencies; elsewhere they are the developer's (README, Packaging).
if [ "$(uname -s)" = Linux ] && command -v apt-get >/dev/null; then bash .ci/setup-deps.sh; fi
bash scripts/build-ui.sh

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
rm -rf "$out_dir/bundle"
start=$SECONDS
# The app and the CLI in one cargo run (shared dependencies build once). The CLI, its completions
# and man pages are staged between that build and the bundling: a beforeBundleCommand given here,
# not in tauri.conf.json, whose build section serves every other build too.
hook=$(printf '{"build":{"beforeBundleCommand":"bash \x27%s/packaging/stage.sh\x27 \x27%s\x27"}}' "$ROOT" "$out_dir")
bash packaging/tauri.sh build --ci --bundles "$bundles" --config "$hook" \
  -- --locked --profile "$profile" -p hush-desktop -p hush
echo "package.sh: build and bundle took $((SECONDS - start))s (profile $profile)"

mkdir -p dist
rm -f dist/hush_*.deb dist/hush-*.rpm
shopt -s nullglob
for f in "$out_dir"/bundle/deb/*.deb; do cp "$f" "dist/hush_${version}_amd64.deb"; done
for f in "$out_dir"/bundle/rpm/*.rpm; do cp "$f" "dist/hush-${version}-1.x86_64.rpm"; done
for f in "$out_dir"/bundle/{dmg,msi,nsis}/*; do cp "$f" dist/; done   # names as the bundler made them
ls -l dist/
