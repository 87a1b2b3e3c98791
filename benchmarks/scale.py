"""Search at scale (#17). `python -m benchmarks.scale` (in `make bench`: 10k and 100k chunks,
embedded Chroma); `python -m benchmarks.scale --chroma-server 1000000` (`make bench-scale`: adds
the 1M run, against a `chroma run` server started as the tests start it; each size's table is
printed as soon as it is measured).

A real store (SQLite + embedded Chroma) is filled with synthetic documents of 100 chunks each:
text drawn Zipf-like from the words of the fixture report and the glossary (so jieba and BM25 do
real work), vectors random unit vectors (embedding 100k passages would take hours here). Queries
use real e5 query vectors, computed once beforehand (their embedding is not search time). Printed:
- the store's write rate (chunks/s) for the first 10k chunks and for the last 10k before each size,
  the share of that time spent in `add_vectors` (the Chroma upsert, with the `chunk_vectors` rows)
  and in Chroma's upsert alone (the rest of `add_vectors` is jixiao's SQL),
  and against a server the Chroma server's CPU seconds per 10k chunks (read from /proc: what the
  server itself spends, whatever else the machine runs);
- hybrid search (dense + BM25 + RRF) p50 / p95 unscoped and scoped to 1 and 10 documents, and the
  old way's dense query (a filter listing every visible document) for comparison;
- the BM25 index: first build, adding 1,000 chunks (10 documents) to it, tombstoning 10 documents,
  a merge, and the longest query while the index catches up with a change in the background;
- the longest query while another process (its own Store and Chroma client, as `jixiao ingest` or
  a `jixiao worker` next to a server) publishes 10 documents and deletes 10.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import Rows, latencies, print_rows

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
QUERIES = [
    "预算执行率是多少",
    "项目资金到位率",
    "满意度调查结果",
    "绩效目标完成情况",
    "存在的主要问题和改进建议",
    "年度预算调整",
    "产出数量指标",
    "评价等级的划分标准",
    "成本指标超支原因",
    "社会效益指标",
]
CHUNKS_PER_DOC = 100
TOKENS_PER_CHUNK = 80
SIZES = (10_000, 100_000)
ROUNDS = 10
DIM = 384


class _QueryVectors:
    """The embedding interface with the queries' real e5 vectors computed once (passages are
    written with synthetic vectors, so `embed_passages` is never called)."""

    def __init__(self, real: Any, queries: list[str]) -> None:
        self.version = real.version
        self._vectors = {q: real.embed_query(q) for q in queries}

    def embed_query(self, text: str) -> list[float]:
        return self._vectors[text]

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError("the scale benchmark writes synthetic vectors")


def _pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def _ms(samples: list[float]) -> str:
    return f"p50 {1000 * statistics.median(samples):.1f} ms, p95 {1000 * _pct(samples, 0.95):.1f} ms (n={len(samples)})"


def _time(fn: Any, rounds: int = ROUNDS) -> list[float]:
    return latencies(fn, QUERIES, rounds)


class _Corpus:
    """Synthetic documents: Zipf-like text over real words, random unit vectors."""

    def __init__(self, seed: int = 17, first: int = 0) -> None:
        import numpy as np

        from ingest.glossary import load_glossary
        from service.search.tokenizer import SearchTokenizer

        tokenizer = SearchTokenizer(cache_dir=Path(tempfile.gettempdir()) / "jixiao-bench-jieba")
        words = set(tokenizer.words((FIXTURES / "reference.txt").read_text(encoding="utf-8")))
        words |= {t for t in load_glossary().all_terms() if len(t) <= 8}
        self.vocab = sorted(w for w in words if len(w) > 1)
        self.rng = np.random.default_rng(seed)
        weights = 1.0 / np.arange(1, len(self.vocab) + 1) ** 1.05
        self.weights = weights / weights.sum()
        self.docs = first

    def document(self) -> tuple[Any, list[Any], list[list[float]]]:
        import numpy as np

        from ingest.models import Chunk, DocumentRecord

        self.docs += 1
        doc_id = f"{self.docs:016x}"
        year = 2018 + self.docs % 6
        title = f"合成文档{self.docs}"
        record = DocumentRecord(
            doc_id=doc_id, sha256=doc_id * 4, path=f"/bench/{doc_id}.pdf", title=title,
            status="pending", year=year, pages=CHUNKS_PER_DOC // 4, chunks=CHUNKS_PER_DOC,
            ingested_at=f"2026-12-02T00:00:{self.docs:08d}",
        )  # fmt: skip
        draws = self.rng.choice(len(self.vocab), size=(CHUNKS_PER_DOC, TOKENS_PER_CHUNK), p=self.weights)
        chunks = [
            Chunk(
                id=f"{doc_id}:{i:04d}",
                doc_id=doc_id,
                text="".join(self.vocab[j] for j in row),
                page=1 + i // 4,
                section="",
                kind="text",
                chunk_index=i,
                title=title,
                year=year,
            )
            for i, row in enumerate(draws)
        ]
        vectors = self.rng.standard_normal((CHUNKS_PER_DOC, DIM)).astype("float32")
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return record, chunks, vectors.tolist()


_VECTOR_SECONDS = [0.0]  # time spent in add_vectors (Chroma upsert + the chunk_vectors rows)
_UPSERT_SECONDS = [0.0]  # of which in Chroma's upsert (the rest: jixiao's SQL rows of the vectors)


@contextmanager
def _timed_upserts() -> Iterator[None]:
    """Count the seconds spent in Chroma's `Collection.upsert` (embedded or HTTP) meanwhile."""
    from chromadb.api.models.Collection import Collection

    real = Collection.upsert

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(self, *args, **kwargs)
        finally:
            _UPSERT_SECONDS[0] += time.perf_counter() - started

    Collection.upsert = timed  # type: ignore[method-assign]
    try:
        yield
    finally:
        Collection.upsert = real  # type: ignore[method-assign]


def _write(store: Any, corpus: _Corpus) -> str:
    record, chunks, vectors = corpus.document()
    store.begin_document(record)
    store.write_content(record.doc_id, [], chunks, [])
    started = time.perf_counter()
    store.add_vectors(chunks, vectors)
    _VECTOR_SECONDS[0] += time.perf_counter() - started
    store.publish(record)
    return str(record.doc_id)


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process `pid` so far (0 when unknown): the Chroma server's."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fill(
    store: Any, corpus: _Corpus, target: int, doc_ids: list[str], server_pid: int | None = None
) -> list[tuple[int, float, float, float, float]]:
    """Write documents until `target` chunks; samples of each 10k: (chunks so far, chunks/s, the
    share of the time in `add_vectors`, the Chroma server's CPU seconds (0 when embedded), the
    share in Chroma's upsert alone)."""
    rates = []
    while len(doc_ids) * CHUNKS_PER_DOC < target:
        started, cpu = time.perf_counter(), _cpu_seconds(server_pid)
        _VECTOR_SECONDS[0] = _UPSERT_SECONDS[0] = 0.0
        with _timed_upserts():
            for _ in range(10_000 // CHUNKS_PER_DOC):
                doc_ids.append(_write(store, corpus))
        took = time.perf_counter() - started
        sample = (
            len(doc_ids) * CHUNKS_PER_DOC, 10_000 / took, _VECTOR_SECONDS[0] / took,
            _cpu_seconds(server_pid) - cpu, _UPSERT_SECONDS[0] / took,
        )  # fmt: skip
        rates.append(sample)
        print(
            f"  … {sample[0]:,} chunks written ({sample[1]:.0f}/s, {100 * sample[2]:.0f}% in add_vectors, "
            f"{100 * sample[4]:.0f}% in Chroma's upsert, "
            f"Chroma server CPU {sample[3]:.1f} s, load {os.getloadavg()[0]:.1f})",
            file=sys.stderr,
            flush=True,
        )
    return rates


def _size_rows(store: Any, settings: Any, corpus: _Corpus, doc_ids: list[str], size: int) -> Rows:
    from service.search.retrieval import Retriever

    n = f"{size // 1000:,}k" if size < 1_000_000 else f"{size // 1_000_000}M"
    rows: Rows = []
    started = time.perf_counter()
    retriever = Retriever(store, settings)
    retriever.refresh()
    rows.append(
        (
            f"[{n}] BM25 catch-up on open (first build or update from disk)",
            f"{time.perf_counter() - started:.1f} s",
        )
    )
    for q in QUERIES:
        retriever.search(q)
    rows.append((f"[{n}] hybrid search, unscoped", _ms(_time(lambda q: retriever.search(q, k=8)))))
    one, ten = doc_ids[len(doc_ids) // 2], doc_ids[:: max(1, len(doc_ids) // 10)][:10]
    rows.append(
        (
            f"[{n}] hybrid search, scoped to 1 document",
            _ms(_time(lambda q: retriever.search(q, k=8, doc_ids=[one]))),
        )
    )
    rows.append(
        (
            f"[{n}] hybrid search, scoped to 10 documents",
            _ms(_time(lambda q: retriever.search(q, k=8, doc_ids=ten))),
        )
    )
    rows.append(
        (
            f"[{n}] hybrid search, one year (its documents decided in SQL)",
            _ms(_time(lambda q: retriever.search(q, k=8, year=2020), rounds=2)),
        )
    )
    rows.append((f"[{n}]   dense only (unscoped)", _ms(_time(lambda q: store.vector_search(q, k=30)))))
    rows.append((f"[{n}]   BM25 only (unscoped)", _ms(_time(lambda q: retriever.keyword_search(q, k=30)))))
    rows.append(
        (
            f"[{n}]   old way: dense with a filter listing all {len(doc_ids):,} documents",
            _ms(_time(lambda q: _old_dense(store, q), rounds=1)),
        )
    )

    # adding 1,000 chunks (10 documents) and removing 10: what the next catch-up costs
    added = [_write(store, corpus) for _ in range(10)]
    started = time.perf_counter()
    retriever.refresh()
    rows.append(
        (f"[{n}] BM25 update: 1,000 chunks (10 documents) added", f"{time.perf_counter() - started:.2f} s")
    )
    for doc in added:
        store.hide(doc)
    started = time.perf_counter()
    retriever.refresh()
    rows.append(
        (f"[{n}] BM25 update: 10 documents removed (tombstones)", f"{time.perf_counter() - started:.2f} s")
    )
    for doc in added:
        store.purge(doc)
    rows.append(
        (
            f"[{n}] longest query while BM25 catches up with 10 new documents",
            _blocked(store, corpus, retriever, doc_ids),
        )
    )
    rows.append(
        (
            f"[{n}] longest query while another process publishes 10 documents and deletes 10",
            _while_writing(store, settings, retriever, doc_ids),
        )
    )
    index = retriever._snapshot()
    from service.search._bm25 import merge_segments

    started = time.perf_counter()
    merge_segments(index.segments, index.deleted)
    rows.append(
        (
            f"[{n}] BM25 merge of all {len(index.segments)} segments ({index.size:,} rows)",
            f"{time.perf_counter() - started:.1f} s",
        )
    )
    return rows


def _old_dense(store: Any, query: str) -> None:
    visible = store._visible_ids(None)
    with store._vectors() as collection:
        collection.query(
            query_embeddings=[store.embedder.embed_query(query)], n_results=30,
            where={"doc_id": {"$in": visible}}, include=["distances"],
        )  # fmt: skip


def _blocked(store: Any, corpus: _Corpus, retriever: Any, doc_ids: list[str]) -> str:
    """Queries in a loop while the retriever (warm) catches up in the background."""
    for _ in range(10):
        doc_ids.append(_write(store, corpus))
    worst = 0.0
    count = 0
    started = time.perf_counter()
    retriever.search(QUERIES[0])  # notices the new generation, starts the background update
    worker = retriever._worker
    while worker is not None and worker.is_alive() and time.perf_counter() - started < 120:
        t = time.perf_counter()
        retriever.search(QUERIES[count % len(QUERIES)], k=8)
        worst = max(worst, time.perf_counter() - t)
        count += 1
    took = time.perf_counter() - started
    idle = max(_time(lambda q: retriever.search(q, k=8), rounds=max(1, count // len(QUERIES))))
    return f"{1000 * worst:.0f} ms over {count} queries during a {took:.1f} s update (idle: {1000 * idle:.0f} ms)"


def _writer(settings_json: str, first: int, ready: Any, go: Any, done: Any) -> None:
    """(A spawned process.) Publish 10 new documents, then hide and purge them, as `jixiao ingest`
    or a `jixiao worker` would next to a serving process."""
    from ingest.store import Store
    from service.config import Settings

    settings = Settings.model_validate_json(settings_json)
    corpus = _Corpus(seed=first, first=first)
    with Store(settings, embedder=_NoQueries()) as store:  # type: ignore[arg-type]
        store.generation()
        ready.set()
        go.wait()
        written = [_write(store, corpus) for _ in range(10)]
        for doc in written:
            store.hide(doc)
            store.purge(doc)
    done.set()


class _NoQueries:
    version = _QueryVectors.__name__  # replaced by the real version before the writer starts
    dim = DIM

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError


def _while_writing(store: Any, settings: Any, retriever: Any, doc_ids: list[str]) -> str:
    """Queries in a loop while a writer process publishes and deletes documents (its own Store and
    Chroma client); the retriever catches up with each change in the background meanwhile."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    ready, go, done = ctx.Event(), ctx.Event(), ctx.Event()
    _NoQueries.version = store.embedder.version
    first = 10_000_000 + len(doc_ids)
    proc = ctx.Process(target=_writer, args=(settings.model_dump_json(), first, ready, go, done))
    proc.start()
    if not ready.wait(120):
        proc.kill()
        return "writer process did not start"
    busy: list[float] = []
    started = time.perf_counter()
    go.set()
    while not done.is_set() and time.perf_counter() - started < 300:
        t = time.perf_counter()
        retriever.search(QUERIES[len(busy) % len(QUERIES)], k=8)
        busy.append(time.perf_counter() - t)
    took = time.perf_counter() - started
    proc.join(60)
    retriever.search(QUERIES[0])  # the catch-up after the last change, then as many queries idle
    idle = _time(lambda q: retriever.search(q, k=8), rounds=max(1, len(busy) // len(QUERIES)))
    return (
        f"longest {1000 * max(busy):.0f} ms, p95 {1000 * _pct(busy, 0.95):.0f} ms over {len(busy)} queries "
        f"during {took:.1f} s of writes (idle right after: longest {1000 * max(idle):.0f} ms, "
        f"p95 {1000 * _pct(idle, 0.95):.0f} ms)"
    )


def run(sizes: tuple[int, ...] = SIZES, *, chroma_server: bool = False, show: bool = False) -> Rows:
    """Rows for each size; `chroma_server` runs against `chroma run` instead of embedded Chroma;
    `show` prints each size's table as soon as it is measured (a 1M run takes long)."""
    from service.config import Settings

    rows: Rows = []
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-scale-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        server = None
        if chroma_server:  # started as the tests start it
            sys.path.insert(0, str(FIXTURES.parent))
            from cluster import start_chroma

            server = start_chroma(Path(tmp) / "chroma-server")
            settings = Settings(
                data_dir=Path(tmp), chroma_mode="http", chroma_host="127.0.0.1", chroma_port=server.port
            )
        try:
            rows = _run(settings, sizes, show, None if server is None else server.proc.pid)
        finally:
            if server is not None:
                server.stop()
    return rows


def _run(settings: Any, sizes: tuple[int, ...], show: bool, server_pid: int | None) -> Rows:
    from ingest.embeddings import get_embedder
    from ingest.store import Store

    rows: Rows = []
    embedder = _QueryVectors(get_embedder(settings), QUERIES)
    corpus = _Corpus()
    doc_ids: list[str] = []
    with Store(settings, embedder=embedder) as store:  # type: ignore[arg-type]
        rates: list[tuple[int, float, float, float, float]] = []
        for size in sizes:
            rates += _fill(store, corpus, size, doc_ids, server_pid)
            first, last = rates[0], rates[-1]
            written = len(rows)
            rows.append(
                (
                    f"store write rate at {size:,} chunks (vs the first 10k)",
                    f"{last[1]:.0f} chunks/s (first 10k: {first[1]:.0f}/s, ratio {first[1] / last[1]:.2f}×); "
                    f"in add_vectors {100 * last[2]:.0f}% (first 10k: {100 * first[2]:.0f}%), of it in "
                    f"Chroma's upsert {100 * last[4]:.0f}% (first 10k: {100 * first[4]:.0f}%); "
                    f"load {os.getloadavg()[0]:.1f}",
                )
            )
            if server_pid is not None:
                rows.append(
                    (
                        f"Chroma server CPU per 10k chunks written, at {size:,} (vs the first 10k)",
                        f"{last[3]:.1f} s (first 10k: {first[3]:.1f} s, ratio {last[3] / max(first[3], 1e-9):.2f}×)",
                    )
                )
            sized = _size_rows(store, settings, corpus, doc_ids, size)
            if show:
                print_rows(f"scale: {size:,} chunks", [*rows[written:], *sized])
            rows += sized
    return rows


def _main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scale",
        description="Search, BM25 updates and store writes on synthetic chunks (see the module docstring).",
    )
    parser.add_argument("extra", nargs="*", type=int, help="sizes (chunks) measured besides 10k and 100k")
    parser.add_argument("--chroma-server", action="store_true", help="against a `chroma run` server")
    parser.add_argument(
        "--sizes", help="comma-separated sizes measured instead of 10k, 100k and the extra ones (a quick run)"
    )
    args = parser.parse_args(argv)
    sizes = (
        tuple(sorted({int(s) for s in args.sizes.split(",")}))
        if args.sizes
        else tuple(sorted({*SIZES, *args.extra}))
    )
    kind = "Chroma server (chroma run)" if args.chroma_server else "embedded Chroma"
    print_rows(f"scale ({kind})", run(sizes, chroma_server=args.chroma_server, show=True))


if __name__ == "__main__":
    _main(sys.argv[1:])
