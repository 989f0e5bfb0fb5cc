#!/usr/bin/env bash
# .env benchmarks (issue 4). A script, not a timed test; prints ratios against baselines measured
# in the same run:
#   1. `hush import` of a generated N-line .env (default 10,000) into a fresh passphrase vault,
#      with the Argon2id unlock (HUSH_PASSPHRASE) and without it (the key from the unlock agent),
#      vs python-dotenv 1.2 parsing the same file
#      (`dotenv_values`, interpolation off), vs `dotenvx encrypt` on it (npm @dotenvx/dotenvx;
#      timed once, capped: it takes minutes on 10,000 lines), vs the storage floor: the sqlite3
#      CLI writing the same rows into a fresh vault's schema (no parsing, no encryption);
#   2. `hush run --from F -- true` (F = that imported folder; key from the unlock agent, and with
#      HUSH_PASSPHRASE = Argon2id on every call) vs bare `true` vs `dotenvx run -f <encrypted> -- true`.
#
#   bench/env.sh                    # N=10000
#   BENCH_ENV_LINES=2000 bench/env.sh
#   BENCH_ENV_ONLY=import bench/env.sh   # part 1 without dotenvx (minutes): hush vs python-dotenv
#   HUSH=path/to/hush bench/env.sh       # another build (else target/release, built here)
# Needs hyperfine (apt), python3 with venv, npm. python-dotenv and dotenvx are installed once into
# target/bench/env-tools/ (a venv and an npm prefix); everything else lives in a temp dir.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${BENCH_ENV_LINES:-10000}"
RUNS="${BENCH_RUNS:-10}"
TOOLS="$ROOT/target/bench/env-tools"
WORK="$(mktemp -d)"
cleanup() {
  for db in run imp; do
    if [ -x "${HUSH:-}" ] && [ -f "$WORK/$db.db" ]; then HUSH_VAULT="$WORK/$db.db" "$HUSH" lock >/dev/null 2>&1 || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v hyperfine >/dev/null || { apt-get install -y -q hyperfine >/dev/null 2>&1 || { echo "bench/env.sh: needs hyperfine (apt install hyperfine)" >&2; exit 1; }; }

if [ -z "${HUSH:-}" ]; then
  echo "== build (release)"
  (cd "$ROOT" && cargo build --release -q -p hush --bin hush)
  HUSH="$ROOT/target/release/hush"
fi

echo "== tools (cached in $TOOLS)"
mkdir -p "$TOOLS"
if ! "$TOOLS/venv/bin/python" -c "import dotenv" 2>/dev/null; then
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check 'python-dotenv==1.2.*'
fi
echo "python-dotenv $("$TOOLS/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("python-dotenv"))')"
DOTENVX="$TOOLS/node/node_modules/.bin/dotenvx"
if [ "${BENCH_ENV_ONLY:-}" != import ]; then
  [ -x "$DOTENVX" ] || npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" @dotenvx/dotenvx >/dev/null
  echo "dotenvx $("$DOTENVX" --version)"
fi

echo "== generate $N-line .env"
python3 "$ROOT/bench/gen_env.py" env "$N" "$WORK/gen.env"

export HUSH_PASSPHRASE="bench passphrase" XDG_RUNTIME_DIR="$WORK/xdg"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
cd "$WORK"

echo "== 1. import"
# One --prepare per command, in order: a fresh vault; a fresh vault unlocked through the agent
# (the import alone, without the Argon2id unlock: the daily way to use a passphrase vault);
# nothing.
FRESH="rm -f $WORK/imp.db*; HUSH_VAULT=$WORK/imp.db $HUSH init --passphrase 2>/dev/null"
# The storage floor: SQLite itself (the sqlite3 CLI) writing the rows an import of this file
# writes, into a fresh vault's schema with the same pragmas, in one transaction: per statement
# line a `secrets` row (the same folder, names, paths, source; a random 32-byte MAC) and its first
# `versions` row (a random blob of the sealed value's size: 33 bytes of envelope + 19..70 of
# value), rows generated inside SQLite, so it parses nothing and encrypts nothing. The layout
# and audit rows hush also writes are left out (this floor is, if anything, low).
command -v sqlite3 >/dev/null || apt-get install -y -q sqlite3 >/dev/null
HUSH_VAULT="$WORK/floor0.db" "$HUSH" init --passphrase >/dev/null 2>&1
sqlite3 "$WORK/floor0.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cat >"$WORK/floor.sql" <<SQL
PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $N)
INSERT INTO secrets (id, folder, name, path, kind, source, meta, current_version, created_at,
  updated_at, last_rotated_at, mac)
SELECT i, 'bench/app', 'KEY_' || i, 'bench/app/KEY_' || i, 'generic', '$WORK/gen.env', '{}', 1,
  1700000000, 1700000000, 1700000000, randomblob(32) FROM c WHERE i % 50 != 0;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $N)
INSERT INTO versions (secret_id, version, ciphertext, created_at)
SELECT i, 1, randomblob(33 + 19 + abs(random()) % 52), 1700000000 FROM c WHERE i % 50 != 0;
COMMIT;
SQL
hyperfine --style basic --runs "$RUNS" --warmup 1 --export-json "$WORK/import.json" \
  --prepare "$FRESH" \
  --prepare "HUSH_VAULT=$WORK/imp.db $HUSH lock >/dev/null 2>&1; $FRESH; HUSH_VAULT=$WORK/imp.db $HUSH unlock --timeout 10m 2>/dev/null" \
  --prepare "true" \
  --prepare "rm -f $WORK/floor.db*; cp $WORK/floor0.db $WORK/floor.db" \
  -n "hush import" "HUSH_VAULT=$WORK/imp.db $HUSH import $WORK/gen.env --into bench/app >/dev/null" \
  -n "hush import (agent)" "env -u HUSH_PASSPHRASE HUSH_VAULT=$WORK/imp.db $HUSH import $WORK/gen.env --into bench/app >/dev/null" \
  -n "python-dotenv parse" "$TOOLS/venv/bin/python -c \"from dotenv import dotenv_values; dotenv_values('$WORK/gen.env', interpolate=False)\"" \
  -n "sqlite3 same rows" "sqlite3 $WORK/floor.db <$WORK/floor.sql"
if [ "${BENCH_ENV_ONLY:-}" != import ]; then
# dotenvx encrypt grows much faster than linearly with the file (minutes at 10,000 lines here), so
# it is timed once, with a cap (BENCH_DOTENVX_CAP seconds); its output feeds `dotenvx run` below.
cp "$WORK/gen.env" "$WORK/enc.env" && rm -f "$WORK/.env.keys"
python3 - "$WORK/encrypt.json" "${BENCH_DOTENVX_CAP:-1200}" "$DOTENVX" "$WORK/enc.env" <<'PY'
import json, subprocess, sys, time
out, cap, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
t = time.perf_counter()
try:
    subprocess.run([argv[0], "encrypt", "-f", argv[1]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=cap, check=True)
    r = {"mean": time.perf_counter() - t, "capped": False}
except subprocess.TimeoutExpired:
    r = {"mean": cap, "capped": True}
print(f"dotenvx encrypt (1 run): {r['mean']:.1f} s{' (hit the cap)' if r['capped'] else ''}")
json.dump(r, open(out, "w"))
PY

echo "== 2. run"
HUSH_VAULT="$WORK/run.db" "$HUSH" init --passphrase 2>/dev/null
HUSH_VAULT="$WORK/run.db" "$HUSH" import "$WORK/gen.env" --into bench/app >/dev/null
# The agent keeps the key: the daily way to use a passphrase vault. The "passphrase" variant looks
# for the agent in an empty runtime dir, so it pays Argon2id on every call.
mkdir -p "$WORK/no-agent" && chmod 700 "$WORK/no-agent"
HUSH_VAULT="$WORK/run.db" "$HUSH" unlock --timeout 30m 2>/dev/null
hyperfine -N --style basic --runs "$((RUNS * 3))" --warmup 2 --export-json "$WORK/run.json" \
  -n "true" "true" \
  -n "hush run (agent)" "env -u HUSH_PASSPHRASE HUSH_VAULT=$WORK/run.db $HUSH run --from bench/app -- true" \
  -n "hush run (passphrase)" "env XDG_RUNTIME_DIR=$WORK/no-agent HUSH_VAULT=$WORK/run.db $HUSH run --from bench/app -- true"
# dotenvx decrypts every value on each run (tens of seconds for 10,000 here): fewer runs.
hyperfine -N --style basic --runs "${BENCH_DOTENVX_RUNS:-3}" --export-json "$WORK/run-dotenvx.json" \
  -n "dotenvx run" "$DOTENVX run -q -f $WORK/enc.env -- true"
fi

echo "== ratios (mean time / baseline mean time)"
python3 - "$WORK/import.json" "$WORK/encrypt.json" "$WORK/run.json" "$N" <<'PY'
import json, os, sys
imp = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
n = sys.argv[4]
ms = lambda s: f"{s * 1e3:.1f} ms"
py = imp['python-dotenv parse']
print(f"import of {n} lines: hush {ms(imp['hush import'])} (agent: {ms(imp['hush import (agent)'])}) | python-dotenv {ms(py)}")
print(f"  hush import, Argon2id unlock included / python-dotenv parse = {imp['hush import'] / py:.2f}")
print(f"  hush import, key from the agent       / python-dotenv parse = {imp['hush import (agent)'] / py:.2f}   (goal: <= 0.25)")
fl = imp['sqlite3 same rows']
print(f"  storage floor: sqlite3 writing the same rows {ms(fl)}; floor / python-dotenv parse = {fl / py:.2f}")
print(f"  hush import, key from the agent       / sqlite3 same rows   = {imp['hush import (agent)'] / fl:.2f}")
if not os.path.exists(sys.argv[2]):
    sys.exit(0)  # BENCH_ENV_ONLY=import
enc = json.load(open(sys.argv[2]))
run = {r["command"]: r["mean"] for f in (sys.argv[3], sys.argv[3].replace("run.json", "run-dotenvx.json")) for r in json.load(open(f))["results"]}
cap = " (capped: at least this)" if enc["capped"] else ""
print(f"  dotenvx encrypt: {ms(enc['mean'])}{cap}; hush import / dotenvx encrypt = {imp['hush import'] / enc['mean']:.3g}")
print(f"run -- true ({n}-line folder): true {ms(run['true'])} | hush (agent) {ms(run['hush run (agent)'])} | hush (passphrase) {ms(run['hush run (passphrase)'])} | dotenvx {ms(run['dotenvx run'])}")
print(f"  hush run (agent) / true           = {run['hush run (agent)'] / run['true']:.1f}")
print(f"  hush run (passphrase) / true      = {run['hush run (passphrase)'] / run['true']:.1f}")
print(f"  hush run (agent) / dotenvx run    = {run['hush run (agent)'] / run['dotenvx run']:.3g}")
print(f"  hush run (passphrase) / dotenvx   = {run['hush run (passphrase)'] / run['dotenvx run']:.3g}")
PY
