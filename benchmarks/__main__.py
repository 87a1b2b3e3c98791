"""`python -m benchmarks`: run every `benchmarks/*.py` module's `run()` and print its figures."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import benchmarks
from benchmarks import print_rows


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failed = 0
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or (wanted and info.name not in wanted):
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        run = getattr(module, "run", None)
        if run is None:
            continue
        started = time.perf_counter()
        try:
            rows = run()
        except Exception as err:  # one broken benchmark must not hide the others
            failed += 1
            print_rows(info.name, [("error", f"{type(err).__name__}: {err}")])
            continue
        print_rows(f"{info.name} ({time.perf_counter() - started:.0f} s)", rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
