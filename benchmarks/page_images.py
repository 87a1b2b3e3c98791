"""Citation page images and boxes (#18). `python -m benchmarks.page_images`

- page render: each page of the sample report rendered to PNG with pypdfium2 (`PageImages`, cache
  misses), at the widget's usual scales; median and max ms, median PNG size;
- cache hit: the same page asked again (median of 200);
- boxes at ingest: pdfplumber's text lines of each page, after the table search has laid it out
  (the extra cost `ingest.boxes` adds to ingest), ms per page;
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks import Rows

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "report_2020_8890.pdf"


def run() -> Rows:
    import pdfplumber

    from ingest.boxes import LayoutBoxes
    from ingest.tables import page_tables
    from service.page_images import PageImages

    rows: Rows = []
    with pdfplumber.open(FIXTURE) as pdf:
        count = len(pdf.pages)
        line_ms = []
        for number, page in enumerate(pdf.pages, start=1):
            page_tables(page, number)  # lays the page out, as ingest does before the boxes
            layout = LayoutBoxes()
            started = time.perf_counter()
            layout(page, number)
            line_ms.append((time.perf_counter() - started) * 1000)
    rows.append(("boxes at ingest: text lines per page, median ms", f"{statistics.median(line_ms):.1f}"))

    for scale in (1.5, 2.0, 3.0):
        images = PageImages()
        times, sizes = [], []
        for number in range(1, count + 1):
            started = time.perf_counter()
            sizes.append(len(images.png("bench", FIXTURE, number, scale)))
            times.append((time.perf_counter() - started) * 1000)
        rows.append(
            (
                f"page render scale {scale:g} (cache miss): median / max ms, median KiB",
                f"{statistics.median(times):.0f} / {max(times):.0f}, {statistics.median(sizes) / 1024:.0f}",
            )
        )
    hits = []
    for _ in range(200):
        started = time.perf_counter()
        images.png("bench", FIXTURE, 2, 3.0)
        hits.append((time.perf_counter() - started) * 1_000_000)
    rows.append(("page image cache hit: median µs", f"{statistics.median(hits):.1f}"))
    return rows


if __name__ == "__main__":
    from benchmarks import print_rows

    print_rows("page_images", run())
