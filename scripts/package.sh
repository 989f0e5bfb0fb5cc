#!/usr/bin/env bash
# Usage: bash scripts/package.sh [--profile NAME]
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
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
profile=release
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    --profile=*) profile="${1#*=}"; shift ;;
    *) echo "package.sh: unknown argument $1 (usage: bash scripts/package.sh [--profile NAME])" >&2; exit 2 ;;
  esac
done
out_dir="$ROOT/target/$profile"

bash .ci/setup-deps.sh
bash scripts/build-ui.sh

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
rm -rf "$out_dir/bundle/deb" "$out_dir/bundle/rpm"
start=$SECONDS
# The app and the CLI in one cargo run (shared dependencies build once); the CLI is staged after
# the build and before the bundling (beforeBundleCommand, given here so tauri.conf.json stays
# usable with a plain `tauri build`... once staged).
hook=$(printf '{"build":{"beforeBundleCommand":"bash %s/packaging/stage.sh %s"}}' "$ROOT" "$out_dir")
bash packaging/tauri.sh build --ci --bundles deb,rpm --config "$hook" \
  -- --locked --profile "$profile" -p hush-desktop -p hush
echo "package.sh: build and bundle took $((SECONDS - start))s (profile $profile)"

mkdir -p dist
rm -f dist/hush_*.deb dist/hush-*.rpm
cp "$out_dir"/bundle/deb/*.deb "dist/hush_${version}_amd64.deb"
cp "$out_dir"/bundle/rpm/*.rpm "dist/hush-${version}-1.x86_64.rpm"
ls -l dist/
