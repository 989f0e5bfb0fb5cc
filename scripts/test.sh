#!/usr/bin/env bash
# Usage: bash scripts/test.sh [TEST-FILTER...]
#
# The one command that runs every test of the workspace, the ones needing real services included:
#   1. installs/checks the system packages and tools (.ci/setup-deps.sh, idempotent);
#   2. builds the web UI (scripts/build-ui.sh) and runs its unit tests (Vitest);
#   3. checks the format (cargo fmt --check) and lints (cargo clippy -D warnings), then builds
#      everything: cargo build --locked --workspace --all-targets;
#   4. runs cargo test --locked --workspace --no-fail-fast -- --include-ignored [TEST-FILTER...]
#      (every test binary runs even after a failure; the exit status still reports it) inside
#        - Xvfb (xvfb-run), so the desktop app can open windows;
#        - scripts/with-keyring.sh: a private D-Bus session with an unlocked gnome-keyring
#          Secret Service and a fresh kernel session keyring;
#        - with tauri-driver (WebDriver for the desktop app) on a free port: WEBDRIVER_URL.
#      Tests needing those services are #[ignore]d in the code and run here via --include-ignored.
#      Bounded by HUSH_TEST_TIMEOUT seconds (2400; the tests take ~8 min here): a hang fails with a report.
#      `bao` (OpenBao) is on PATH; the tests start their own servers.
#   5. the packaging test (packaging/test-packages.sh; root or sudo): builds the .deb and .rpm, installs the
#      .deb, uses the installed CLI and app, removes it. Runs in a full run (no TEST-FILTER);
#      HUSH_TEST_PACKAGES=1 forces it with a filter, HUSH_TEST_PACKAGES=0 skips it.
# Screenshots and logs land in ./artifacts (HUSH_TEST_ARTIFACTS). Exits non-zero if anything fails.
set -euo pipefail

if [ "${_HUSH_TEST_INNER:-}" = 1 ]; then
  # ---- inner half: runs under Xvfb and with-keyring.sh (see the end of the outer half) ----
  unset _HUSH_TEST_INNER
  # Two distinct free ports: tauri-driver's own, and the native WebKitWebDriver's behind it.
  read -r td_port native_port < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
)
  td_log="$HUSH_TEST_ARTIFACTS/tauri-driver.log"
  # setsid: tauri-driver leads its own process group, so killing the group also stops
  # WebKitWebDriver and any app it launched (a plain SIGTERM to tauri-driver orphans them).
  setsid tauri-driver --port "$td_port" --native-port "$native_port" >"$td_log" 2>&1 &
  td_pid=$!
  stop_driver() {
    kill -TERM -- "-$td_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$td_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$td_pid" 2>/dev/null || true
    wait "$td_pid" 2>/dev/null || true
  }
  trap stop_driver EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  ready=0
  for _ in $(seq 1 100); do   # up to ~20 s
    if curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$td_port/status"; then ready=1; break; fi
    kill -0 "$td_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ "$ready" != 1 ]; then
    echo "test.sh: tauri-driver did not come up on port $td_port; its log:" >&2
    cat "$td_log" >&2 || true
    exit 1
  fi
  export WEBDRIVER_URL="http://127.0.0.1:$td_port"
  echo "display $DISPLAY | D-Bus $DBUS_SESSION_BUS_ADDRESS | tauri-driver $WEBDRIVER_URL (native $native_port)"

  # A bound on the whole run (~8 min here): a hang fails with a report instead of
  # running into CI's own limit. timeout signals cargo's whole process group, test binaries too.
  limit="${HUSH_TEST_TIMEOUT:-2400}"
  rc=0
  timeout --kill-after=30 "$limit" \
    cargo test --locked --workspace --no-fail-fast -- --include-ignored "$@" || rc=$?
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "test.sh: the tests did not finish within ${limit}s; libtest's 'has been running for over" \
      "60 seconds' lines above name what hung" >&2
  fi
  if [ "$rc" != 0 ] && [ -s "$td_log" ]; then
    echo "---- last lines of $td_log ----" >&2
    tail -n 40 "$td_log" >&2 || true
  fi
  exit "$rc"
fi

# ---- outer half ----
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
RUN_START=$SECONDS
STAGE_NAME=""
STAGE_START=$SECONDS
TIMINGS=()

stage() {
  finish_stage
  STAGE_NAME="$1"
  STAGE_START=$SECONDS
  printf '\n========== %s  [%s] ==========\n' "$STAGE_NAME" "$(date +%H:%M:%S)"
}
finish_stage() {
  if [ -n "$STAGE_NAME" ]; then
    TIMINGS+=("$(printf '%-66s %5ss' "$STAGE_NAME" "$((SECONDS - STAGE_START))")")
    STAGE_NAME=""
  fi
}
summary() {
  local rc=$?
  local failed_stage="$STAGE_NAME"
  finish_stage
  printf '\n========== summary ==========\n'
  local t
  for t in "${TIMINGS[@]}"; do echo "  $t"; done
  if [ "$rc" = 0 ]; then
    echo "  ALL PASSED in $((SECONDS - RUN_START))s"
  else
    echo "  FAILED (exit $rc) in stage: ${failed_stage:-?}, after $((SECONDS - RUN_START))s"
  fi
  echo "  artifacts: $ROOT/artifacts"
}
trap summary EXIT
# Named exits, so that the summary reports an interruption as a failure.
trap 'exit 130' INT
trap 'exit 143' TERM

stage "1/4 dependencies (.ci/setup-deps.sh)"
bash .ci/setup-deps.sh
TOOLS="${HUSH_TOOLS:-$HOME/.cache/hush-tools}"
export PATH="$TOOLS/bin:$TOOLS/venv/bin:$PATH"
for tool in cargo tauri-driver WebKitWebDriver bao xvfb-run xauth dbus-run-session dbus-send \
            gnome-keyring-daemon keyctl curl python3; do
  command -v "$tool" >/dev/null || { echo "test.sh: '$tool' is not on PATH after setup-deps" >&2; exit 1; }
done
echo "tauri-driver: $(command -v tauri-driver)"
echo "bao:          $(command -v bao)"

stage "2/4 web UI (npm install, Vitest, Vite build)"
bash scripts/build-ui.sh
npm --prefix ui test --silent

stage "3/4 build, format and lints (cargo fmt --check, cargo clippy -D warnings, cargo build)"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo build --locked --workspace --all-targets

stage "4/4 tests (Xvfb + keyring + tauri-driver, --include-ignored)"
export HUSH_TEST_ARTIFACTS="$ROOT/artifacts"
rm -rf "$HUSH_TEST_ARTIFACTS"
mkdir -p "$HUSH_TEST_ARTIFACTS"
# No accessibility bus: otherwise GTK starts at-spi daemons that outlive the app.
export NO_AT_BRIDGE=1
_HUSH_TEST_INNER=1 xvfb-run -a -e "$HUSH_TEST_ARTIFACTS/xvfb.log" -s "-screen 0 1280x800x24" \
  bash scripts/with-keyring.sh bash "$ROOT/scripts/test.sh" "$@"

packages_by_default=1; [ "$#" -eq 0 ] || packages_by_default=0
if [ "${HUSH_TEST_PACKAGES:-$packages_by_default}" = 1 ]; then
  stage "5 packages (packaging/test-packages.sh: build .deb/.rpm, install, use, remove)"
  bash packaging/test-packages.sh
fi
