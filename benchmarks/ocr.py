"""OCR speed: seconds per scanned page and OCR's share of ingest time, on a scanned copy of the
fixture report (`tools/make_scanned_copy.py`, fixed seed), ingested into a fresh data dir with an
empty OCR cache; then a re-ingest of a changed-path copy, which reads every page from the cache.
`python -m benchmarks.ocr`"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Rows, print_rows

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "tests" / "fixtures" / "report_2020_8890.pdf"


def run(pdf: Path = REPORT) -> Rows:
    sys.path.insert(0, str(ROOT / "tools"))
    from make_scanned_copy import scanned_copy

    from ingest.embeddings import get_embedder
    from ingest.index import Timings, ingest_paths
    from ingest.ocr import engine
    from service.config import Settings

    get_embedder(Settings(data_dir=Path("unused"))).embed_query("预热 warm-up")  # model loads are not ingest
    engine()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-ocr-") as tmp:
        scan = Path(tmp) / "scanned.pdf"
        pages = scanned_copy(pdf, scan, seed=14)
        settings = Settings(data_dir=Path(tmp) / "data")
        timings = Timings()
        started = time.perf_counter()
        [record] = ingest_paths(settings, [scan], timings=timings)
        total = time.perf_counter() - started
        if record.status != "ok":
            raise RuntimeError(f"ingest failed: {record.status} {record.message}")
        again = Path(tmp) / "again.pdf"
        shutil.copy(scan, again)
        with again.open("ab") as fh:  # other bytes (another document), the same pages: OCR from the cache
            fh.write(b"\n\n")
        cached = Timings()
        started = time.perf_counter()
        ingest_paths(settings, [again], timings=cached)
        cached_total = time.perf_counter() - started
    ocr = timings.get("ocr", 0.0)
    return [
        (
            "document",
            f"scanned copy of {pdf.name}: {pages} pages, {record.chunks} chunks, {record.tables} tables",
        ),
        ("OCR seconds per page 每页识别秒数", f"{ocr / pages:.2f} s"),
        ("ingest seconds (scanned, cold cache)", f"{total:.1f} s"),
        ("share: OCR 识别占入库时间", f"{100 * ocr / total:.0f}%"),
        ("ingest seconds (same pages, OCR cache warm)", f"{cached_total:.1f} s"),
    ]


if __name__ == "__main__":
    print_rows("ocr", run())
