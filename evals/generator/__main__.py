"""python -m evals.generator --seed N --count K --out DIR [--inconsistent]"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from pathlib import Path

from evals.generator.batch import write_batch


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m evals.generator",
        description="Generate synthetic performance-evaluation documents (HTML + PDF) with gold eval cases.",
    )
    ap.add_argument(
        "--seed", type=int, help="random seed (default: a fresh one, printed so the batch can be replayed)"
    )
    ap.add_argument("--count", type=int, default=6, help="number of documents (default 6)")
    ap.add_argument(
        "--out", type=Path, required=True, help="output directory (src/, pdf/, cases.yaml, planted.json)"
    )
    ap.add_argument(
        "--inconsistent", action="store_true", help="plant exactly one inconsistency in every other document"
    )
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    if seed < 0:
        ap.error("--seed must be >= 0")
    print(f"seed: {seed}", flush=True)
    t0 = time.monotonic()
    summary = write_batch(seed, args.count, args.out, inconsistent=args.inconsistent)
    types = collections.Counter(t for _, t in summary["documents"])
    tags = collections.Counter(t for c in summary["cases"] for t in c["tags"] if t != "generated")
    print(
        f"documents: {len(summary['documents'])} ({', '.join(f'{k} {v}' for k, v in sorted(types.items()))})"
    )
    print(f"cases: {len(summary['cases'])} ({', '.join(f'{k} {v}' for k, v in sorted(tags.items()))})")
    if args.inconsistent:
        print(f"planted: {len(summary['planted'])} ({', '.join(p['kind'] for p in summary['planted'])})")
    print(f"wrote {args.out} in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
