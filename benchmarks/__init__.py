"""Speed figures, never asserted in tests. Each `benchmarks/<area>.py` exposes
`run() -> list[tuple[str, str]]` (rows of figure, value) and runs alone with
`python -m benchmarks.<area>`; `python -m benchmarks` (`make bench`) runs them all."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

Rows = list[tuple[str, str]]


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
