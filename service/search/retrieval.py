"""Hybrid retrieval: Chroma dense search fused with BM25 over jieba tokens (reciprocal rank fusion).

The dense side is `Store.vector_search` (e5 query embedding, cosine). The keyword side is a
segmented BM25 index over every visible chunk (`service.search._bm25`; a chunk's document title
and section path head its text, `indexed_text`), tokenised by jieba in
search mode with a domain dictionary built from the table store's row/column headers (接听率,
预算执行率 …) so domain terms stay whole. It persists under `data_dir/bm25` and follows the store
by document: when the store's generation moves, documents that appeared get a new segment (only
their chunks are tokenised), documents that went get tombstones, and small segments are merged in
the background. A query never waits for that: a retriever already serving keeps answering from
its current snapshot while a background thread catches up (only a retriever with nothing loaded
yet, at process start, catches up before its first answer). Whatever either side returns, the
chunks are finally read with `Store.visible_chunks` in one SQL statement, so a stale index can
miss a new document for a moment but never shows a hidden one or a mix of two versions.

Routing: a retriever built with a `router` (`service.portfolio.scope.DocumentRouter`, as
`build_assistant` does) asks a search that has no `doc_ids` over the documents the query names by
unit or project (their identity, read at ingest) and the loaded policies; a query that names none is
searched over every document. `last_routed` says where the last unscoped query went.

Fusion, chosen per query by `fuse_plan`: a query naming something specific (a number, a long word)
is found by its words, score(chunk) = 0.7 × BM25 + 0.3 × dense, each side's scores min-max
normalised over its candidates (at most 1); a paraphrase counts both sides the same by rank,
score(chunk) = Σ_side 1 / (RRF_K + rank_side), rank 1-based, RRF_K = 60 (at most 2/61). The
returned `SearchHit.score` is that fused score (higher is better). Hits come best first, except in a
search over every document (no `doc_ids`, not routed), where each page's best chunk comes before
any page's second (`spread_pages`), so the scores there are not in order. When the
embedding backend fails, search logs a warning, keeps the keyword side and records why in
`last_dense_error`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from ingest.models import Cell, Chunk, SearchHit, Table
from ingest.settings import StorageSettings
from service.search._bm25 import KeywordIndex, Segment, merge_segments
from service.search._indexer import build_segment, merge_saved, run_isolated
from service.search.tokenizer import SearchTokenizer, header_terms, tokenizer_for

log = logging.getLogger(__name__)

RRF_K = 60
MIN_CANDIDATES = 30  # per side, before fusion
MAX_SEGMENTS = 8  # more than this and the smallest are merged in the background


@dataclass(frozen=True)
class FusionPlan:
    """How the two sides are fused for one query (see `fuse_plan` and `fuse`).

    "rrf": Σ_side weight / (k + rank). "convex": keyword_share × BM25 score + (1 − keyword_share) ×
    dense score, each side's scores min-max normalised over its candidates (a side that missed a
    chunk adds 0) — unlike ranks, the scores keep how far BM25's first stands above its second."""

    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    k: int = RRF_K
    dense_depth: int = MIN_CANDIDATES  # dense candidates that take part (the keyword side: all)
    mode: Literal["rrf", "convex"] = "rrf"
    keyword_share: float = 0.5  # "convex" only


# A query that names something specific (a number, or a word of 4+ characters in the tokenizer's
# segmentation: a unit, a project, a form's or the glossary's term) is found by its words: BM25
# leads, by score (a convex combination, BM25 0.7 : dense 0.3), so a chunk that holds the
# question's exact figure or rare name (2030.12, 资阳) and stands far above BM25's second is not
# outranked by a chunk both sides place second or third, as under rank fusion. Any other query
# (报告发现了哪些问题) is a paraphrase: both sides count the same (RRF 1:1). Measured on the corpus
# development cases (`python -m benchmarks.quality`; never the sequestered set), evidence page
# first / in the top 5, all documents | scoped: BM25 alone 63.8/81.9 | 94.5/98.4, dense alone
# 45.7/78.0 | 93.7/100, equal RRF 60.6/88.2 | 96.1/100, the switch with BM25-led RRF (×5, dense
# top 10) 64.6/89.8 | 96.9/100, with this convex combination 66.9/89.8 | 97.6/100: three cases
# and one more first, no fewer in the top 5. BM25 shares 0.5–0.9 give 64.6–66.9 | 96.9–97.6, so
# the gain is the switch to scores more than the share; the fused all-documents figures are with
# `spread_pages`, the sides alone are not.
SPECIFIC = FusionPlan(mode="convex", keyword_share=0.7)
EQUAL = FusionPlan()
SPECIFIC_WORD_CHARS = 4


def fuse_plan(words: list[str]) -> FusionPlan:
    """The fusion for a query given as its plain segmentation (`SearchTokenizer.words`)."""
    specific = any(w[:1].isdigit() or (len(w) >= SPECIFIC_WORD_CHARS and not w.isascii()) for w in words)
    return SPECIFIC if specific else EQUAL


def fuse(
    plan: FusionPlan, dense: list[tuple[str, float]], keyword: list[tuple[str, float]]
) -> list[tuple[str, float]]:
    """Each side's (id, score) list, best first, fused by `plan` -> [(id, fused score)], best first
    (ties keep the order of first appearance, keyword side first under "convex")."""
    dense = dense[: plan.dense_depth]
    if plan.mode == "rrf":
        return rrf_fuse(
            [[i for i, _ in dense], [i for i, _ in keyword]],
            k=plan.k,
            weights=[plan.dense_weight, plan.keyword_weight],
        )
    kw_norm, dense_norm = _min_max(keyword), _min_max(dense)
    share = plan.keyword_share
    ids = dict.fromkeys([i for i, _ in keyword] + [i for i, _ in dense])
    fused = [(i, share * kw_norm.get(i, 0.0) + (1 - share) * dense_norm.get(i, 0.0)) for i in ids]
    return sorted(fused, key=lambda kv: -kv[1])


def _min_max(scored: list[tuple[str, float]]) -> dict[str, float]:
    """Scores mapped onto [0, 1] (the lowest candidate 0, the highest 1; all 1 when they are equal)."""
    if not scored:
        return {}
    lo, hi = min(s for _, s in scored), max(s for _, s in scored)
    return {i: (s - lo) / (hi - lo) if hi > lo else 1.0 for i, s in scored}


def indexed_text(chunk: Chunk) -> str:
    """What BM25 indexes for a chunk: its document's title and its section path above its text (a
    contextual header), so a passage that does not repeat its document's name — a table on page 2 —
    is still found by it. Measured by `jixiao eval --mode both` (corpus and dev cases, never the
    sequestered set), hit@1 / hit@5 before → after: corpus, all documents unscoped 55.6/79.9 →
    56.3/79.2, scoped as asked 95.8/100 → 97.2/100, the questions naming their document 7 → 9 of 9
    first; dev, unscoped 86.9/98.1 → 89.7/99.1, scoped 91.6/98.1 → 94.4/99.1; no pass rate moved.
    The dense side embeds the text alone: the title in every passage made a document's passages
    alike (dense hit@1 on the corpus, all documents, 41.0 → 36.1)."""
    return "\n".join(part for part in (chunk.title, chunk.section, chunk.text) if part)


class SearchableStore(Protocol):
    """The part of `ingest.store.Store` retrieval needs."""

    def generation(self) -> str: ...
    def visible_versions(self) -> dict[str, str]: ...
    def visible_chunks(self, ids: list[str]) -> dict[str, Chunk]: ...
    def get_chunks(self, doc_ids: list[str] | None = None) -> list[Chunk]: ...
    def all_cells(self, doc_ids: list[str] | None = None) -> list[tuple[Table, Cell]]: ...
    def vector_search(
        self, query: str, *, k: int = 10, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[SearchHit]: ...


Router = Callable[[str], list[str] | None]  # query -> the documents it names, None when none


@dataclass(frozen=True)
class RankedHit:
    """A fused hit with where it came from (for tests, benchmarks and debugging)."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    dense_score: float | None = None
    keyword_score: float | None = None


def rrf_fuse(
    rankings: list[list[str]], *, k: int = RRF_K, weights: list[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of ranked id lists -> [(id, fused score)], best first (ties keep the
    order of first appearance); ranking i counts `weights[i]` times (1 each when not given)."""
    scores: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[i]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def spread_pages(
    ranked: list[tuple[str, float]], page_of: Callable[[str], tuple[str, int]]
) -> list[tuple[str, float]]:
    """The best chunk of each page first (in the given order), then the pages' further chunks (in
    the given order), scores unchanged: a page's second chunk comes after every other candidate
    page's first. Used for a search over every document: a question that does not say which report
    it means matches several reports alike, and its first hits should then be as many candidate
    pages as they can be (for the answer, and for a clarifying answer listing the candidates), not
    three pieces of one page. Measured on the corpus development cases (`python -m
    benchmarks.quality`, never the sequestered set), all documents: the evidence page among the
    first five 85.8% → 89.8%, first 64.6% unchanged (a graded discount of a page's n-th chunk's
    score, 0.5ⁿ–0.8ⁿ, did the same, but a min-max-normalised score of 0 can never be lifted by it)."""
    seen: set[tuple[str, int]] = set()
    first: list[tuple[str, float]] = []
    rest: list[tuple[str, float]] = []
    for item in ranked:
        page = page_of(item[0])
        (rest if page in seen else first).append(item)
        seen.add(page)
    return first + rest


class Retriever:
    """Hybrid search over one store. Thread-safe; the keyword index is loaded lazily and kept
    up to date by document (see the module docstring)."""

    def __init__(
        self, store: SearchableStore, settings: StorageSettings, *, router: Router | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        # a query with no scope goes to the documents it names (`service.portfolio.scope.DocumentRouter`)
        self.router = router
        # where the last unscoped query was routed (None: not routed); for tests, benchmarks and the
        # eval, which ask one query at a time — concurrent queries overwrite it
        self.last_routed: list[str] | None = None
        self.index_dir: Path = Path(settings.data_dir) / "bm25"
        self.cache_dir: Path = Path(settings.data_dir) / "cache"
        self._lock = threading.Lock()  # one writer of the index (catch-up, merge); never for queries
        self._index: KeywordIndex | None = None
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        # how the current index was obtained: "built" (from scratch), "disk" (loaded) or None before
        # first use; `last_update` says what the latest catch-up did (documents added / removed)
        self.index_source: Literal["built", "disk"] | None = None
        self.last_update: tuple[int, int] = (0, 0)
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
        if doc_ids is None and self.router is not None:
            doc_ids = self.last_routed = self._route(query)
        n = max(MIN_CANDIDATES, 3 * k)
        try:
            dense = self.store.vector_search(query, k=n, doc_ids=doc_ids, year=year)
        except Exception as exc:  # an embedding server that is down still leaves keyword search
            log.warning("dense search failed, using BM25 only: %s", exc)
            self.last_dense_error = f"{type(exc).__name__}: {exc}"
            dense = []
        else:
            self.last_dense_error = None
        index = self._snapshot()
        keyword = index.search(query, k=n, doc_ids=doc_ids, year=year)
        # one visibility check for both sides, at one moment
        by_id = self.store.visible_chunks([h.chunk.id for h in dense] + [cid for cid, _ in keyword])

        dense_rank: dict[str, tuple[int, float]] = {}
        for hit in dense:
            if hit.chunk.id in by_id:
                dense_rank.setdefault(hit.chunk.id, (len(dense_rank) + 1, hit.score))
        kw_rank: dict[str, tuple[int, float]] = {}
        for cid, score in keyword:
            if cid in by_id:
                kw_rank[cid] = (len(kw_rank) + 1, score)

        plan = fuse_plan(index.tokenizer.words(query))
        fused = fuse(
            plan,
            [(cid, score) for cid, (_, score) in dense_rank.items()],
            [(cid, score) for cid, (_, score) in kw_rank.items()],
        )
        if doc_ids is None:  # over every document: the first hits spread over candidate pages
            fused = spread_pages(fused, lambda cid: (by_id[cid].doc_id, by_id[cid].page))
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

    def _route(self, query: str) -> list[str] | None:
        assert self.router is not None
        try:
            return self.router(query) or None
        except Exception as exc:  # a manifest that cannot be read leaves the search over everything
            log.warning("routing the query by document identity failed, searching every document: %s", exc)
            return None

    def keyword_search(
        self, query: str, *, k: int = 8, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[tuple[Chunk, float]]:
        """BM25 only: [(chunk, bm25 score)], best first (visible chunks only)."""
        rows = self._snapshot().search(query, k=k, doc_ids=doc_ids, year=year)
        chunks = self.store.visible_chunks([cid for cid, _ in rows])
        return [(chunks[cid], s) for cid, s in rows if cid in chunks]

    @property
    def tokenizer(self) -> SearchTokenizer:
        """The tokenizer (with the current domain dictionary) of the current index."""
        return self._snapshot().tokenizer

    def refresh(self) -> None:
        """Bring the keyword index up to the store's current generation now (loads, builds or
        updates it, and finishes any merge due), waiting for it: for commands and tests."""
        with self._lock:
            self._catch_up(self.store.generation())
            self._merge_due()

    # ---- index lifecycle ---------------------------------------------------------------------
    def _snapshot(self) -> KeywordIndex:
        """The index to answer from. Cold: load and catch up before answering. Warm and behind the
        store: answer from the current snapshot and let a background thread catch up."""
        generation = self.store.generation()
        index = self._index
        if index is None:
            with self._lock:
                if self._index is None:
                    self._catch_up(generation)
                index = self._index
            assert index is not None
        if index.generation != generation:
            self._start_background()
        return index

    def _start_background(self) -> None:
        """Start the catch-up thread unless one is running (it re-reads the generation at the end,
        so changes made while it ran are picked up by the next query)."""
        worker = self._worker
        if worker is not None and worker.is_alive():
            return
        with self._start_lock:
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._background, name="bm25-update", daemon=True)
            self._worker.start()

    def _background(self) -> None:
        try:
            with self._lock:
                self._catch_up(self.store.generation())
            with self._lock:
                self._merge_due()
        except Exception:  # the index stays as it was; the next query tries again
            log.exception("BM25 background update failed")

    def _catch_up(self, generation: str) -> None:
        """(Under the writer lock.) Make `self._index` cover the store's visible documents."""
        index = self._index
        if index is None:
            index = KeywordIndex.load(self.index_dir, cache_dir=self.cache_dir)
            self.index_source = "disk" if index is not None else "built"
        if index is not None and index.generation == generation:
            self._index = index
            return
        versions = self.store.visible_versions()
        if index is None:
            words = self._header_words(None)
            index = KeywordIndex(generation="", tokenizer=tokenizer_for(words, cache_dir=self.cache_dir))
        removed = [d for d, v in index.versions.items() if versions.get(d) != v]
        added = [d for d, v in versions.items() if index.versions.get(d) != v]
        tokenizer = index.tokenizer
        segment = None
        if added:
            new_words = set(self._header_words(added)) - set(tokenizer.domain_words)
            if new_words:
                tokenizer = tokenizer_for([*tokenizer.domain_words, *new_words], cache_dir=self.cache_dir)
            segment = self._segment(added, tokenizer)
        updated = index.with_changes(
            generation=generation, removed=removed, added=segment, versions=versions, tokenizer=tokenizer
        )
        self._persist(updated)
        self._index = updated
        self.last_update = (len(added), len(removed))
        if added or removed:
            log.info("BM25 index updated: %d documents added, %d removed", len(added), len(removed))

    def _segment(self, doc_ids: list[str], tokenizer: SearchTokenizer) -> Segment:
        """The segment of `doc_ids`' chunks, built and saved by the worker process and
        memory-mapped here (built in memory when the data dir cannot be written)."""
        chunks: list[Chunk] = []
        for start in range(0, len(doc_ids), 200):
            chunks.extend(self.store.get_chunks(doc_ids[start : start + 200]))
        texts = [indexed_text(c) for c in chunks]
        chunk_ids = [c.id for c in chunks]
        doc_ids = [c.doc_id for c in chunks]
        years = [c.year for c in chunks]
        try:
            name = run_isolated(
                build_segment, self.index_dir, chunk_ids=chunk_ids, texts=texts, doc_ids=doc_ids,
                years=years, domain_words=tokenizer.domain_words, cache_dir=self.cache_dir,
            )  # fmt: skip
            return Segment.load(self.index_dir, name)
        except OSError as exc:  # a read-only data dir still answers, from memory
            log.warning("could not persist a BM25 segment under %s: %s", self.index_dir, exc)
            tokens = [tokenizer.tokens(t) for t in texts]
            return Segment.build(tokens, chunk_ids=chunk_ids, doc_ids=doc_ids, years=years)

    def _merge_due(self) -> None:
        """(Under the writer lock.) Merge what `merge_plan` names (in the worker process), then
        swap the merged segment in."""
        index = self._index
        if index is None:
            return
        plan = index.merge_plan(MAX_SEGMENTS)
        if not plan:
            return
        try:
            name = run_isolated(merge_saved, self.index_dir, [s.name for s in plan], index.deleted)
            merged = Segment.load(self.index_dir, name)
        except (OSError, ValueError, KeyError) as exc:  # segments only in memory: merge here
            log.warning("merging BM25 segments from disk failed (%s); merging in memory", exc)
            merged = merge_segments(plan, index.deleted)
        updated = index.with_merged(merged, plan)
        self._persist(updated)
        self._index = updated
        log.info("BM25 segments merged: %d into one of %d chunks", len(plan), merged.size)

    def _persist(self, index: KeywordIndex) -> None:
        try:
            index.save_manifest(self.index_dir)
        except OSError as exc:  # a read-only data dir still answers, from memory
            log.warning("could not persist the BM25 index under %s: %s", self.index_dir, exc)

    def _header_words(self, doc_ids: list[str] | None) -> list[str]:
        labels: list[str] = []
        for _table, cell in self.store.all_cells(doc_ids):
            labels.extend(cell.row_header)
            labels.extend(cell.col_header)
        return header_terms(labels)
