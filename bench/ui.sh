#!/usr/bin/env bash
# UI benchmark: runs bench/ui.rs against the real app under Xvfb + tauri-driver. Not a test.
# Usage: bash bench/ui.sh      (HUSH_BENCH_PROFILE=release for an optimised build; default dev)
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup-deps.sh >/dev/null
export PATH="${HUSH_TOOLS:-$HOME/.cache/hush-tools}/bin:$PATH"
[ -f ui/dist/index.html ] || { npm --prefix ui ci --no-audit --no-fund && npm --prefix ui run build; }
PROFILE="${HUSH_BENCH_PROFILE:-dev}"
cargo bench --locked --profile "$PROFILE" --bench ui --no-run
export NO_AT_BRIDGE=1
xvfb-run -a -s "-screen 0 1280x800x24" bash scripts/with-keyring.sh bash -c '
  port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])")
  setsid tauri-driver --port "$port" >/tmp/hush-bench-td.log 2>&1 & td=$!
  trap "kill -- -$td 2>/dev/null || true" EXIT
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/status" && break; sleep 0.2; done
  WEBDRIVER_URL="http://127.0.0.1:$port" HUSH_TEST_ARTIFACTS=/tmp/hush-bench-shots cargo bench --locked --profile "'"$PROFILE"'" --bench ui'
