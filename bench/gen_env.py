"""Writes a generated .env file for the benchmarks: python3 gen_env.py SHAPE LINES OUT.

Shapes: `env` (bench/env.sh's mix: unquoted, single- and double-quoted values with escapes,
`export` and inline comments, a comment line every 50; ~56 bytes a line) and `short` (`K123=v4`,
~11 bytes a line: the worst case for per-line overhead).
"""
import random
import sys

shape, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
r = random.Random(4)
alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
with open(out, "w") as f:
    for i in range(n):
        if shape == "short":
            f.write(f"K{i}=v{i % 10}\n")
            continue
        if i % 50 == 0:
            f.write(f"# section {i // 50}\n")
            continue
        v = "".join(r.choice(alpha) for _ in range(r.randint(16, 64)))
        style = i % 4
        if style == 0:
            f.write(f"KEY_{i}={v}\n")
        elif style == 1:
            f.write(f"KEY_{i}='{v} #x'\n")
        elif style == 2:
            f.write(f'KEY_{i}="{v}\\nline2"\n')
        else:
            f.write(f"export KEY_{i}={v}  # note\n")
