#!/usr/bin/env bash
# Import memory and time at scale (issue 9): peak RSS of `hush import` and of
# `hush import --dry-run --json` against the size of the file, at 100,000 and 1,000,000 lines,
# each into a fresh vault. A script, not a timed test. The bound to meet: peak RSS <= 4x the
# file's size plus a constant. Printed: the peak and peak/size for each run, a 1-line run (the
# binary's own constant), and what the file adds per byte between the fewest and the most lines
# (the slope; SQLite's page cache, bounded at 32 MiB, is part of the constant and already full
# at 100,000 lines).
#
#   bench/import-mem.sh                          # 100000 and 1000000 lines, both shapes
#   BENCH_MEM_LINES="100000" bench/import-mem.sh
#   HUSH=target/debug/hush bench/import-mem.sh   # another build
#
# Shapes: `short` lines like `K123456=v1\n` (~11 bytes: the worst case for per-line overhead,
# like the 8.9 MB million-line file of the issue) and `env` lines as bench/env.sh writes them
# (quotes, comments, `export`, ~56 bytes). The vault is a passphrase vault unlocked through the
# agent, so Argon2id (64 MiB by design, a constant) is not in these numbers.
# Needs /usr/bin/time (apt: time) and python3.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LINES="${BENCH_MEM_LINES:-100000 1000000}"
WORK="$(mktemp -d)"
export XDG_RUNTIME_DIR="$WORK/xdg" HUSH_PASSPHRASE="bench passphrase"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
cleanup() {
  for db in "$WORK"/*.db; do [ -f "$db" ] && HUSH_VAULT="$db" "$HUSH" lock >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
[ -x /usr/bin/time ] || { apt-get install -y -q time >/dev/null 2>&1 || { echo "bench/import-mem.sh: needs /usr/bin/time (apt install time)" >&2; exit 1; }; }

if [ -z "${HUSH:-}" ]; then
  echo "== build (release)"
  (cd "$ROOT" && cargo build --release -q -p hush --bin hush)
  HUSH="$ROOT/target/release/hush"
fi

# Runs one import into a fresh, agent-unlocked vault; prints "max_rss_kb seconds".
measure() { # file extra-args...
  local f="$1"; shift
  local db="$WORK/v$RANDOM.db"
  HUSH_VAULT="$db" "$HUSH" init --passphrase >/dev/null 2>&1
  HUSH_VAULT="$db" "$HUSH" unlock --timeout 30m >/dev/null 2>&1
  env -u HUSH_PASSPHRASE HUSH_VAULT="$db" /usr/bin/time -f "%M %e" -o "$WORK/time.txt" \
    "$HUSH" import "$f" --into bench/app "$@" >/dev/null 2>"$WORK/err.txt" \
    || { cat "$WORK/err.txt" >&2; exit 1; }
  HUSH_VAULT="$db" "$HUSH" lock >/dev/null 2>&1 || true
  rm -f "$db" "$db"-wal "$db"-shm
  cat "$WORK/time.txt"
}

printf 'K=v\n' >"$WORK/one.env"
read -r base_commit _ < <(measure "$WORK/one.env")
read -r base_dry _ < <(measure "$WORK/one.env" --dry-run --json)
echo "constant (1-line file): import ${base_commit} KB, --dry-run --json ${base_dry} KB peak RSS"
echo "(SQLite's page cache is bounded at 32 MiB (cache_size): a constant too, which a 1-line file does not fill)"
: >"$WORK/results.txt"
printf '%-6s %9s %9s  %-24s %9s %8s %8s\n' shape lines "file MB" command "peak MB" "ratio" "time s"
for n in $LINES; do
  for shape in short env; do
    f="$WORK/$shape-$n.env"
    python3 "$ROOT/bench/gen_env.py" "$shape" "$n" "$f"
    size=$(stat -c %s "$f")
    for mode in import dry; do
      if [ "$mode" = import ]; then args=(); label="import"; else args=(--dry-run --json); label="import --dry-run --json"; fi
      read -r kb secs < <(measure "$f" "${args[@]}")
      echo "$shape $mode $n $size $kb $secs" >>"$WORK/results.txt"
      python3 -c 'import sys; s, n, size, label, kb, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6]); print(f"{s:<6} {n:>9} {size / 1e6:>9.1f}  {label:<24} {kb * 1024 / 1e6:>9.1f} {kb * 1024 / size:>7.2f}x {secs:>8.2f}")' \
        "$shape" "$n" "$size" "$label" "$kb" "$secs"
    done
    rm -f "$f"
  done
done
echo "== what the file adds: (peak RSS at the most lines - at the fewest) / (size difference); the bound is 4x"
python3 - "$WORK/results.txt" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
for shape in ("short", "env"):
    for mode, label in (("import", "import"), ("dry", "import --dry-run --json")):
        r = sorted((int(n), int(size), int(kb)) for s, m, n, size, kb, _ in rows if s == shape and m == mode)
        if len(r) >= 2:
            (n0, s0, k0), (n1, s1, k1) = r[0], r[-1]
            print(f"{shape:<6} {label:<24} {n0}..{n1} lines: {(k1 - k0) * 1024 / (s1 - s0):.2f}x the file's size")
PY
