#!/usr/bin/env bash
# Usage: bash packaging/icons.sh
# Regenerates every icon the bundler wants from src-tauri/icons/icon.png (256x256, the source;
# commit the results): the Tauri set via `tauri icon` (icon.icns for macOS, icon.ico for Windows,
# 32/64/128/128@2x PNGs) and the other freedesktop hicolor sizes via ImageMagick.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
src=src-tauri/icons/icon.png
out=src-tauri/icons
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash packaging/tauri.sh icon "$src" -o "$tmp" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
cp "$tmp"/{icon.icns,icon.ico,32x32.png,64x64.png,128x128.png,128x128@2x.png} "$out"/
for size in 16 24 48 512; do   # 256: icon.png itself
  convert "$src" -filter Lanczos -resize "${size}x${size}" -strip "PNG32:$out/${size}x${size}.png"
done
identify -format '%f %wx%h\n' "$out"/*.png
