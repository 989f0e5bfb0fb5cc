#!/usr/bin/env bash
# Import memory and time at scale (issue 9): peak RSS of `hush import` and of
# `hush import --dry-run --json` against the size of the file, at 100,000 and 1,000,000 lines,
# each into a fresh vault. A script, not a timed test. The bound to meet: peak RSS <= 4x the
# file's size plus a constant; the constant is measured in the same run (a 1-line file), so the
# script prints both the plain ratio and the ratio of what the file adds above it.
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
printf '%-6s %9s %9s  %-20s %10s %8s %14s %8s\n' shape lines "file MB" command "peak MB" "ratio" "above const" "time s"
for n in $LINES; do
  for shape in short env; do
    f="$WORK/$shape-$n.env"
    python3 "$ROOT/bench/gen_env.py" "$shape" "$n" "$f"
    size=$(stat -c %s "$f")
    for mode in commit dry; do
      if [ "$mode" = commit ]; then args=(); base=$base_commit; label="import"; else args=(--dry-run --json); base=$base_dry; label="import --dry-run --json"; fi
      read -r kb secs < <(measure "$f" "${args[@]}")
      python3 - "$shape" "$n" "$size" "$label" "$kb" "$base" "$secs" <<'PY'
import sys
shape, n, size, label, kb, base, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
rss, above = kb * 1024, (kb - base) * 1024
print(f"{shape:<6} {n:>9} {size / 1e6:>9.1f}  {label:<20} {rss / 1e6:>10.1f} {rss / size:>7.2f}x {above / size:>13.2f}x {secs:>8.2f}")
PY
    done
    rm -f "$f"
  done
done
echo "(ratio: peak RSS / file size; above const: (peak RSS - the 1-line run's) / file size; bound: <= 4x above the constant)"
