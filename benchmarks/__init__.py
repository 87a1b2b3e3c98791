"""Speed figures, never asserted in tests. Each `benchmarks/<area>.py` exposes
`run() -> list[tuple[str, str]]` (rows of figure, value) and runs alone with
`python -m benchmarks.<area>`; `python -m benchmarks` (`make bench`) runs them all."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

Rows = list[tuple[str, str]]


def latencies(fn: Callable[[str], object], queries: list[str], rounds: int) -> list[float]:
    """Seconds of each call of `fn(query)`, `rounds` passes over `queries`."""
    out = []
    for _ in range(rounds):
        for q in queries:
            started = time.perf_counter()
            fn(q)
            out.append(time.perf_counter() - started)
    return out


def print_rows(title: str, rows: Rows) -> None:
    """A two-column table on stdout, CJK-width aware, plain ASCII borders (fine in CI logs)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, box=box.ASCII, title_justify="left")
    table.add_column("figure")
    table.add_column("value")
    for figure, value in rows:
        table.add_row(figure, value)
    Console(width=120).print(table)
