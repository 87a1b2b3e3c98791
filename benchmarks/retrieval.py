"""Retrieval speed. `python -m benchmarks.retrieval`

1. The sample report + policy ingested into a temp data dir: hybrid search latency (dense + BM25 +
   RRF) over the sample queries, warm (median, p95), and its parts (dense only, BM25 only);
   BM25 index build time vs loading it from disk.
2. A synthetic corpus of 100k chunks (tokens drawn Zipf-like from the report's vocabulary plus
   filler words, 80 tokens each): bm25s build time and query time (no filter, with a document
   filter), and jieba tokenisation throughput (what a real 100k-chunk build would add).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import Rows, latencies, print_rows

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
QUERIES = [
    "坐席电话接听率",
    "电话打进来有多少接通了",
    "话务员的工资一共花了多少",
    "商品和服务支出超了预算吗",
    "群众满意度",
    "平台影响力 微博排名",
    "2020年预算执行率",
    "存在的主要问题",
    "评价等级的划分标准",
    "受理量比上年增长多少",
]
ROUNDS = 5
SYNTHETIC_CHUNKS = 100_000
TOKENS_PER_CHUNK = 80


def _ms(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return f"median {1000 * statistics.median(s):.2f} ms, p95 {1000 * p95:.2f} ms (n={len(s)})"


def _time(fn: Callable[[str], object], rounds: int = ROUNDS) -> list[float]:
    return latencies(fn, QUERIES, rounds)


def sample_store_rows() -> Rows:
    from ingest.index import ingest_paths
    from ingest.store import Store
    from service.config import Settings
    from service.search.retrieval import Retriever

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-retrieval-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        ingest_paths(settings, [FIXTURES / "report_2020_8890.pdf", FIXTURES / "policy_sample.pdf"])
        with Store.open(settings) as store:
            chunks = len(store.get_chunks())
            started = time.perf_counter()
            retriever = Retriever(store, settings)
            retriever.refresh()
            build = time.perf_counter() - started
            started = time.perf_counter()
            reloaded = Retriever(store, settings)
            reloaded.refresh()
            load = time.perf_counter() - started
            assert reloaded.index_source == "disk"
            for q in QUERIES:  # warm: embedding model loaded, caches filled
                retriever.search(q)
            hybrid = _time(lambda q: retriever.search(q, k=8))
            dense = _time(lambda q: store.vector_search(q, k=30))
            keyword = _time(lambda q: retriever.keyword_search(q, k=30))
    return [
        ("sample corpus", f"{chunks} chunks (report + policy)"),
        ("hybrid search (dense + BM25 + RRF), warm", _ms(hybrid)),
        ("  dense only (e5 query embedding + Chroma)", _ms(dense)),
        ("  BM25 only (jieba + bm25s)", _ms(keyword)),
        ("BM25 index build (sample, incl. jieba dictionary copy)", f"{1000 * build:.0f} ms"),
        ("BM25 index load from disk (sample)", f"{1000 * load:.0f} ms"),
    ]


def synthetic_rows(n: int = SYNTHETIC_CHUNKS) -> Rows:
    import bm25s
    import numpy as np

    from service.search._bm25 import KeywordIndex
    from service.search.tokenizer import SearchTokenizer

    text = (FIXTURES / "reference.txt").read_text(encoding="utf-8")
    tokenizer = SearchTokenizer(cache_dir=Path(tempfile.gettempdir()) / "jixiao-bench-jieba")
    started = time.perf_counter()
    report_tokens = tokenizer.tokens(text)
    tok_seconds = time.perf_counter() - started
    vocab = sorted(set(report_tokens)) + [f"词{i}" for i in range(50_000)]
    rng = np.random.default_rng(8890)
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 1.05
    weights /= weights.sum()
    draws = rng.choice(len(vocab), size=(n, TOKENS_PER_CHUNK), p=weights)
    corpus = [[vocab[i] for i in row] for row in draws]

    started = time.perf_counter()
    bm25 = bm25s.BM25()
    bm25.index(corpus, show_progress=False)
    build = time.perf_counter() - started
    docs = [f"doc{i % 500}" for i in range(n)]
    index = KeywordIndex(
        generation="bench",
        chunk_ids=[f"c{i}" for i in range(n)],
        doc_ids=np.array(docs, dtype=object),
        years=np.full(n, 2020, dtype=np.int64),
        tokenizer=tokenizer,
        bm25=bm25,
    )
    for q in QUERIES:
        index.search(q, k=30)
    plain = _time(lambda q: index.search(q, k=30), rounds=20)
    filtered = _time(lambda q: index.search(q, k=30, doc_ids=["doc1", "doc7", "doc42"]), rounds=20)
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-bm25-") as tmp:
        started = time.perf_counter()
        index.save(Path(tmp))
        save = time.perf_counter() - started
        started = time.perf_counter()
        KeywordIndex.load(Path(tmp), "bench")
        load = time.perf_counter() - started
    chars_per_s = len(text) / tok_seconds
    return [
        ("synthetic corpus", f"{n:,} chunks × {TOKENS_PER_CHUNK} tokens, vocabulary {len(vocab):,}"),
        ("BM25 query over 100k chunks (jieba query tokens + bm25s + top-k)", _ms(plain)),
        ("BM25 query over 100k chunks, filtered to 3 documents", _ms(filtered)),
        ("bm25s index build from tokens (100k chunks)", f"{build:.2f} s"),
        ("BM25 index save / load (100k chunks)", f"{save:.2f} s / {load:.2f} s"),
        ("jieba search-mode tokenisation", f"{chars_per_s / 1000:.0f} k chars/s (report text)"),
        (
            "est. jieba time for 100k chunks of 400 chars",
            f"{100_000 * 400 / chars_per_s:.0f} s (paid once per generation, then loaded from disk)",
        ),
    ]


def run() -> Rows:
    return sample_store_rows() + synthetic_rows()


if __name__ == "__main__":
    print_rows("retrieval", run())
