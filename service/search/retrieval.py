"""Hybrid retrieval: Chroma dense search fused with BM25 over jieba tokens (reciprocal rank fusion).

The dense side is `Store.vector_search` (e5 query embedding, cosine). The keyword side is a bm25s
index over every chunk (`service.search._bm25`), tokenised by jieba in search mode with a domain
dictionary built from the table store's row/column headers (接听率, 预算执行率, 话务岗 …) so
domain terms stay whole. The index persists under `data_dir/bm25`, keyed by `store.generation()`:
it is rebuilt only when a document is added, replaced or removed, and loaded from disk otherwise.

Fusion: score(chunk) = Σ_side 1 / (RRF_K + rank_side), rank 1-based, RRF_K = 60. The returned
`SearchHit.score` is that fused score (higher is better; at most 2/61 ≈ 0.0328). When the
embedding backend fails, search logs a warning, keeps the keyword side and records why in
`last_dense_error`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from ingest.models import Cell, Chunk, SearchHit, Table
from ingest.settings import StorageSettings
from service.search._bm25 import KeywordIndex
from service.search.tokenizer import SearchTokenizer, header_terms, tokenizer_for

log = logging.getLogger(__name__)

RRF_K = 60
MIN_CANDIDATES = 30  # per side, before fusion


class SearchableStore(Protocol):
    """The part of `ingest.store.Store` retrieval needs."""

    def generation(self) -> str: ...
    def get_chunks(self, doc_ids: list[str] | None = None) -> list[Chunk]: ...
    def all_cells(self, doc_ids: list[str] | None = None) -> list[tuple[Table, Cell]]: ...
    def vector_search(
        self, query: str, *, k: int = 10, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[SearchHit]: ...


@dataclass(frozen=True)
class RankedHit:
    """A fused hit with where it came from (for tests, benchmarks and debugging)."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    dense_score: float | None = None
    keyword_score: float | None = None


@dataclass
class _Loaded:
    index: KeywordIndex
    chunks: dict[str, Chunk] = field(default_factory=dict)


def rrf_fuse(rankings: list[list[str]], *, k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of ranked id lists -> [(id, fused score)], best first (ties keep the
    order of first appearance)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


class Retriever:
    """Hybrid search over one store. Thread-safe; the keyword index is (re)built lazily."""

    def __init__(self, store: SearchableStore, settings: StorageSettings) -> None:
        self.store = store
        self.settings = settings
        self.index_dir: Path = Path(settings.data_dir) / "bm25"
        self.cache_dir: Path = Path(settings.data_dir) / "cache"
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        # how the current index was obtained: "built", "disk" (loaded) or None before first use
        self.index_source: Literal["built", "disk"] | None = None
        # why the last search had no dense side (the embedding backend failed), None when it had one
        self.last_dense_error: str | None = None

    # ---- public ------------------------------------------------------------------------------
    def search(
        self, query: str, *, k: int = 8, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[SearchHit]:
        """The `k` best chunks for `query`, dense and BM25 fused by RRF; `doc_ids`/`year` filter both."""
        return [
            SearchHit(chunk=h.chunk, score=h.score)
            for h in self.search_ranked(query, k=k, doc_ids=doc_ids, year=year)
        ]

    def search_ranked(
        self, query: str, *, k: int = 8, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[RankedHit]:
        """Like `search`, with each side's rank and score kept (None where a side missed the chunk)."""
        query = query.strip()
        if not query or k <= 0 or (doc_ids is not None and not doc_ids):
            return []
        n = max(MIN_CANDIDATES, 3 * k)
        try:
            dense = self.store.vector_search(query, k=n, doc_ids=doc_ids, year=year)
        except Exception as exc:  # an embedding server that is down still leaves keyword search
            log.warning("dense search failed, using BM25 only: %s", exc)
            self.last_dense_error = f"{type(exc).__name__}: {exc}"
            dense = []
        else:
            self.last_dense_error = None
        keyword = self.keyword_search(query, k=n, doc_ids=doc_ids, year=year)

        by_id: dict[str, Chunk] = {}
        dense_rank: dict[str, tuple[int, float]] = {}
        for rank, hit in enumerate(dense, start=1):
            by_id.setdefault(hit.chunk.id, hit.chunk)
            dense_rank.setdefault(hit.chunk.id, (rank, hit.score))
        kw_rank: dict[str, tuple[int, float]] = {}
        for rank, (chunk, score) in enumerate(keyword, start=1):
            by_id.setdefault(chunk.id, chunk)
            kw_rank[chunk.id] = (rank, score)

        fused = rrf_fuse([list(dense_rank), list(kw_rank)])
        out: list[RankedHit] = []
        for cid, score in fused[:k]:
            d = dense_rank.get(cid)
            w = kw_rank.get(cid)
            out.append(
                RankedHit(
                    chunk=by_id[cid],
                    score=score,
                    dense_rank=d[0] if d else None,
                    dense_score=d[1] if d else None,
                    keyword_rank=w[0] if w else None,
                    keyword_score=w[1] if w else None,
                )
            )
        return out

    def keyword_search(
        self, query: str, *, k: int = 8, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[tuple[Chunk, float]]:
        """BM25 only: [(chunk, bm25 score)], best first."""
        loaded = self._ensure()
        rows = loaded.index.search(query, k=k, doc_ids=doc_ids, year=year)
        ids = loaded.index.chunk_ids
        return [(loaded.chunks[ids[i]], s) for i, s in rows if ids[i] in loaded.chunks]

    @property
    def tokenizer(self) -> SearchTokenizer:
        """The tokenizer (with the current domain dictionary) of the current index."""
        return self._ensure().index.tokenizer

    def refresh(self) -> None:
        """Make sure the keyword index matches the store's current generation (loads or builds)."""
        self._ensure()

    # ---- index lifecycle ---------------------------------------------------------------------
    def _ensure(self) -> _Loaded:
        generation = self.store.generation()
        loaded = self._loaded
        if loaded is not None and loaded.index.generation == generation:
            return loaded
        with self._lock:
            loaded = self._loaded
            if loaded is not None and loaded.index.generation == generation:
                return loaded
            chunks = self.store.get_chunks()
            by_id = {c.id: c for c in chunks}
            index = KeywordIndex.load(self.index_dir, generation, cache_dir=self.cache_dir)
            if index is not None and set(index.chunk_ids) == set(by_id):
                self.index_source = "disk"
            else:
                index = self._build(generation, chunks)
                self.index_source = "built"
            self._loaded = _Loaded(index=index, chunks=by_id)
            return self._loaded

    def _build(self, generation: str, chunks: list[Chunk]) -> KeywordIndex:
        labels: list[str] = []
        for _table, cell in self.store.all_cells():
            labels.extend(cell.row_header)
            labels.extend(cell.col_header)
        tokenizer = tokenizer_for(header_terms(labels), cache_dir=self.cache_dir)
        index = KeywordIndex.build(
            generation=generation,
            chunk_ids=[c.id for c in chunks],
            texts=[f"{c.section}\n{c.text}" if c.section else c.text for c in chunks],
            doc_ids=[c.doc_id for c in chunks],
            years=[c.year for c in chunks],
            tokenizer=tokenizer,
        )
        try:
            index.save(self.index_dir)
        except OSError as exc:  # a read-only data dir still answers, from memory
            log.warning("could not persist the BM25 index under %s: %s", self.index_dir, exc)
        log.info("BM25 index built: %d chunks, generation %s", len(chunks), generation)
        return index
