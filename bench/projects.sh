#!/usr/bin/env bash
# Projects benchmarks (issue 13). A script, not a timed test: it prints hush / baseline ratios
# measured in the same run.
#   1. `hush run -- true` inside a trusted project vs `hush run --from F -- true` (same folder,
#      key from the unlock agent): the project lookup, trust check and variable gate must cost
#      nothing noticeable (target <= 1.1x).
#   2. one read of a mounted .env (`cat .env` on the pipe `hush mount` serves) vs
#      `hush export F` of the same folder (target <= 2x).
#   3. `hush scan DIR` vs `grep -rF -f VALUES DIR` over a generated tree (default 1 GiB; the
#      values are the vault's, written to a temp file for grep only) (target <= 1.5x).
#
#   bench/projects.sh                         # BENCH_SCAN_MB=1024, 50 secrets
#   BENCH_SCAN_MB=200 bench/projects.sh
# Needs hyperfine (apt). Everything lives in a temp dir (the tree is cached in target/bench/).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MB="${BENCH_SCAN_MB:-1024}"
RUNS="${BENCH_RUNS:-20}"
WORK="$(mktemp -d)"
export HUSH_VAULT="$WORK/v.db" XDG_DATA_HOME="$WORK/data" XDG_RUNTIME_DIR="$WORK/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
MOUNT_PID=""
cleanup() {
  [ -n "$MOUNT_PID" ] && kill "$MOUNT_PID" 2>/dev/null || true
  [ -x "${HUSH:-}" ] && "$HUSH" lock >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null

echo "== build (release)"
(cd "$ROOT" && cargo build --release -q -p hush --bin hush)
HUSH="$ROOT/target/release/hush"

echo "== vault: 50 secrets in bench/app, unlocked through the agent"
HUSH_PASSPHRASE=bench "$HUSH" init --passphrase >/dev/null 2>&1
for i in $(seq 1 50); do
  printf 'bench-value-%04d-%s' "$i" "$(head -c 12 /dev/urandom | base64 | tr -d '/+=')" |
    HUSH_PASSPHRASE=bench "$HUSH" set "bench/app/KEY_$i" >/dev/null
done
HUSH_PASSPHRASE=bench "$HUSH" unlock --timeout 30m >/dev/null
mkdir -p "$WORK/proj/src" && cd "$WORK/proj/src"
printf '[env.dev]\nfrom = ["bench/app"]\n[vars]\nKEY_1 = { required = true }\n' > ../hush.toml
"$HUSH" project trust >/dev/null

summary=()
ratio() { # name, hyperfine json
  python3 - "$1" "$2" <<'PY'
import json, sys, statistics
r = json.load(open(sys.argv[2]))["results"]
h, b = r[0], r[1]
print(f"{sys.argv[1]}: hush {h['mean']*1000:.1f} ms vs baseline {b['mean']*1000:.1f} ms "
      f"-> ratio of means {h['mean']/b['mean']:.2f}x, of medians {h['median']/b['median']:.2f}x")
PY
}

echo "== 1. run inside a project vs --from"
hyperfine -N -w 3 -r "$RUNS" --export-json "$WORK/run.json" \
  "$HUSH run -- true" "$HUSH run --from bench/app -- true" >/dev/null
summary+=("$(ratio 'run in project / run --from' "$WORK/run.json")")

echo "== 2. a mounted .env read vs export"
"$HUSH" mount -q "$WORK/proj/.env" 2>"$WORK/mount.log" & MOUNT_PID=$!
for _ in $(seq 1 100); do [ -p "$WORK/proj/.env" ] && break; sleep 0.05; done
hyperfine -N -w 3 -r "$RUNS" --export-json "$WORK/mount.json" \
  "cat $WORK/proj/.env" "$HUSH export bench/app" >/dev/null
summary+=("$(ratio 'mounted .env read / export' "$WORK/mount.json")")
kill "$MOUNT_PID"; wait "$MOUNT_PID" 2>/dev/null || true; MOUNT_PID=""

echo "== 3. scan of a ${MB} MiB tree vs grep -rF -f"
TREE="$ROOT/target/bench/scan-tree-$MB"
if [ ! -f "$TREE/.done" ]; then
  rm -rf "$TREE" && mkdir -p "$TREE"
  python3 - "$TREE" "$MB" <<'PY'
import os, random, sys
root, mb = sys.argv[1], int(sys.argv[2])
r = random.Random(13)
words = [("".join(r.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(r.randint(2, 12)))) for _ in range(5000)]
line = lambda: " ".join(r.choice(words) for _ in range(r.randint(3, 14))) + "\n"
block = "".join(line() for _ in range(20000)).encode()   # ~1.3 MB of code-like text
n = 0
for d in range(32):
    os.makedirs(f"{root}/d{d}", exist_ok=True)
total = 0
while total < mb * 1024 * 1024:
    size = r.choice([4096, 65536, 262144, 1048576])
    off = r.randint(0, len(block) - size)
    with open(f"{root}/d{n % 32}/f{n}.txt", "wb") as f:
        f.write(block[off:off + size])
    total += size; n += 1
open(f"{root}/.done", "w").write(str(n))
PY
fi
# plant three stored values
"$HUSH" get bench/app/KEY_7 > "$TREE/d3/planted.txt"
"$HUSH" export bench/app --format json | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin).values()))' > "$WORK/values.txt"
cat "$TREE"/d1/*.txt >/dev/null 2>&1 || true
hyperfine -N -w 1 -r "${BENCH_SCAN_RUNS:-5}" -i --export-json "$WORK/scan.json" \
  "$HUSH scan $TREE" "grep -rF -f $WORK/values.txt $TREE" >/dev/null
summary+=("$(ratio "scan ${MB} MiB / grep -rF -f" "$WORK/scan.json")")
rm -f "$TREE/d3/planted.txt"

echo
echo "== summary (hush / baseline, same run)"
printf '%s\n' "${summary[@]}"
