"""Metrics benchmarks: catalogue computations per second, and one `check_report` of the sample report
(tables and text extracted once, outside the timing)."""

from __future__ import annotations

import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "report_2020_8890.pdf"


def run() -> list[tuple[str, str]]:
    from ingest.pdf import read_pdf
    from ingest.tables import extract_tables
    from service.metrics import compute
    from service.metrics.check import check_report, summarize
    from service.report_check import check_vocabulary

    rows: list[tuple[str, str]] = []
    inputs = {
        "spent": {"value": "11076.79", "unit": "万元"},
        "adjusted_budget": {"value": "11092.40", "unit": "万元"},
    }
    n = 5000
    started = time.perf_counter()
    for _ in range(n):
        compute("budget_execution_rate", inputs)
    elapsed = time.perf_counter() - started
    rows.append(("compute(budget_execution_rate) per second", f"{n / elapsed:,.0f}"))

    content = read_pdf(FIXTURE)
    tables = extract_tables(FIXTURE, doc_id="bench", pages=content.pages)
    repeats = 5
    vocabulary = check_vocabulary()
    started = time.perf_counter()
    for _ in range(repeats):
        items = check_report(tables, content.pages, doc_id="bench", vocabulary=vocabulary)
    per_run = (time.perf_counter() - started) / repeats
    s = summarize(items)
    rows.append(("check_report(sample report) ms", f"{per_run * 1000:.1f}"))
    rows.append(
        ("check items: ok / mismatch / cannot_verify", f"{s['ok']} / {s['mismatch']} / {s['cannot_verify']}")
    )
    return rows
