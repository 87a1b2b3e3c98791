"""Queries beside writes in one process (#17): `python -m benchmarks.concurrency` (in `make bench`).

A real store (SQLite, and Chroma embedded or as a `chroma run` server started as the tests start
it) is filled with 20k synthetic chunks (`benchmarks.scale`'s documents: real words, random unit
vectors; real e5 query vectors). Then two reader threads run dense queries (`Store.vector_search`,
the part that goes through Chroma) for a few seconds idle, and again while a writer thread of the
same Store — as the API's ingest queue writes next to the queries it serves — publishes 10
documents of 100 chunks and deletes them. Printed per mode: p50, p95 and the longest query, idle
and during the writes.

What it shows: whether a query waits for another query or for a write of its own process. Before
the store's lock was narrowed, every Chroma call of a Store ran under one lock, so a query queued
behind a whole upsert or delete. Embedded Chroma (1.x) also holds Python's GIL inside its calls
(an upsert of 100 chunks into 20k: tens to hundreds of ms), which no lock of jixiao's can release.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import Rows, print_rows
from benchmarks.scale import CHUNKS_PER_DOC, FIXTURES, QUERIES, _Corpus, _pct, _QueryVectors, _write

CHUNKS = 20_000
READERS = 2
IDLE_SECONDS = 4.0


def _queries(store: Any, stop: threading.Event, out: list[float], index: int) -> None:
    n = index
    while not stop.is_set():
        started = time.perf_counter()
        store.vector_search(QUERIES[n % len(QUERIES)], k=24)
        out.append(time.perf_counter() - started)
        n += READERS


def _readers(store: Any, work: Any) -> tuple[list[float], float]:
    """Query latencies of READERS threads while `work()` runs, and how long it ran."""
    stop = threading.Event()
    samples: list[list[float]] = [[] for _ in range(READERS)]
    threads = [
        threading.Thread(target=_queries, args=(store, stop, samples[i], i), daemon=True)
        for i in range(READERS)
    ]
    for t in threads:
        t.start()
    started = time.perf_counter()
    try:
        work()
    finally:
        took = time.perf_counter() - started
        stop.set()
        for t in threads:
            t.join(120)
    return [s for batch in samples for s in batch], took


def _figure(samples: list[float]) -> str:
    if not samples:
        return "no query finished"
    return (
        f"p50 {1000 * _pct(samples, 0.5):.1f} ms, p95 {1000 * _pct(samples, 0.95):.1f} ms, "
        f"longest {1000 * max(samples):.0f} ms (n={len(samples)})"
    )


def _mode(settings: Any, label: str) -> Rows:
    from ingest.embeddings import get_embedder
    from ingest.store import Store

    embedder = _QueryVectors(get_embedder(settings), QUERIES)
    corpus = _Corpus()
    with Store(settings, embedder=embedder) as store:  # type: ignore[arg-type]
        started = time.perf_counter()
        for _ in range(CHUNKS // CHUNKS_PER_DOC):
            _write(store, corpus)
        filled = time.perf_counter() - started
        for q in QUERIES:  # warm: the index loaded, the SQL caches filled
            store.vector_search(q, k=24)
        idle, _ = _readers(store, lambda: time.sleep(IDLE_SECONDS))

        def writes() -> None:
            written = [_write(store, corpus) for _ in range(10)]
            for doc in written:
                store.hide(doc)
                store.purge(doc)

        busy, took = _readers(store, writes)
    load = os.getloadavg()[0]
    return [
        (f"{label}: {CHUNKS:,} chunks written", f"{filled:.1f} s ({CHUNKS / filled:.0f} chunks/s)"),
        (f"{label}: dense query, {READERS} threads, idle", _figure(idle)),
        (
            f"{label}: dense query, {READERS} threads, while the same Store publishes 10 documents "
            f"(1,000 chunks) and deletes them ({took:.1f} s)",
            _figure(busy),
        ),
        (f"{label}: load average (1 min) at the end", f"{load:.1f}"),
    ]


def run(*, server: bool = True) -> Rows:
    from service.config import Settings

    rows: Rows = []
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-conc-") as tmp:
        rows += _mode(Settings(data_dir=Path(tmp) / "embedded"), "embedded Chroma")
        if server:
            sys.path.insert(0, str(FIXTURES.parent))
            from cluster import start_chroma

            chroma = start_chroma(Path(tmp) / "chroma-server")
            try:
                settings = Settings(
                    data_dir=Path(tmp) / "server", chroma_mode="http", chroma_host="127.0.0.1",
                    chroma_port=chroma.port,
                )  # fmt: skip
                rows += _mode(settings, "Chroma server")
            finally:
                chroma.stop()
    return rows


if __name__ == "__main__":
    print_rows("concurrency", run(server="--embedded-only" not in sys.argv[1:]))
