"""Dense search of a Store (private to `ingest.store`): which vectors a query is ranked against,
decided in SQL, and how Chroma is asked.

Unscoped, Chroma is asked without a document filter (a filter listing every visible document grows
with the store and cost 99% of a query at 100k chunks) for more neighbours than wanted, and the
hidden ones (a document being ingested or replaced) are dropped by `Store.visible_chunks`; when too
many were hidden the request widens, and at worst falls back to the exact filter. Scoped
(`doc_ids`), the named visible documents' vectors are read by id and ranked exactly; a year alone is
decided in SQL too (Chroma's `where year` scanned the collection's metadata: 540 ms p50 at 100k
chunks). Every hit is read back through `Store.visible_chunks`, so a reader never sees a
hidden document or a mix of two versions."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select

from ingest import _schema as S
from ingest.models import SearchHit

if TYPE_CHECKING:
    from ingest.store import Store

log = logging.getLogger(__name__)

VISIBLE = "ok"  # the manifest status readers see (`ingest.store` uses it from here)
OVERFETCH_MIN = 20  # unscoped dense search asks Chroma for k + max(20, k) neighbours …
OVERFETCH_MAX = 5_000  # … widening ×4 while hidden chunks crowd them out, up to this many
SCOPED_EXACT_MAX = 5_000  # scoped to documents holding at most this many chunks: exact search


def _doc_filter(doc_ids: Sequence[str]) -> dict[str, Any]:
    return {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}}


class DenseSearch:
    """`Store.vector_search`, over the store's SQL engine and Chroma view."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._hinted_backfill = False

    def search(
        self, query: str, *, k: int = 10, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[SearchHit]:
        """Dense search: embeds `query` with the query embedding (e5 `query:`), Chroma nearest
        neighbours, score = cosine similarity; only chunks of visible documents (how: the module
        docstring; a scope of more than SCOPED_EXACT_MAX chunks uses a filter naming only its
        documents)."""
        if k <= 0 or not query.strip() or (doc_ids is not None and not doc_ids):
            return []
        scoped = None if doc_ids is None else self.store._visible_ids(doc_ids, year)
        if scoped is not None and not scoped:
            return []
        embedding = self.store.embedder.embed_query(query)
        if scoped is not None:
            exact = self._scoped_exact(embedding, k, scoped)
            return exact if exact is not None else self._dense(embedding, k, _doc_filter(scoped))[:k]
        if year is not None:
            return self._dense_in_year(embedding, k, year)
        hits = self._overfetch(embedding, k, k + max(OVERFETCH_MIN, k))
        if hits is not None:
            return hits
        visible = self.store._visible_ids()  # rare: a huge ingest in flight; exact but slow
        return self._dense(embedding, k, _doc_filter(visible))[:k] if visible else []

    def _overfetch(
        self, embedding: list[float], k: int, fetch: int, year: int | None = None
    ) -> list[SearchHit] | None:
        """The `k` best visible neighbours (of `year` only, when given) among `fetch` asked of Chroma
        without a filter, widening ×4 while hidden or other years' chunks crowd them out; None when
        even OVERFETCH_MAX neighbours hold too few."""
        fetch = min(fetch, OVERFETCH_MAX)
        while fetch <= OVERFETCH_MAX:
            hits, exhausted = self._dense_fetch(embedding, fetch, None)
            if year is not None:
                hits = [h for h in hits if h.chunk.year == year]  # the year SQL holds now
            if len(hits) >= k or exhausted:
                return hits[:k]
            fetch *= 4
        return None

    def _dense_in_year(self, embedding: list[float], k: int, year: int) -> list[SearchHit]:
        """Dense search among the visible documents of `year`, the set decided in SQL: ranked exactly
        when they hold at most SCOPED_EXACT_MAX chunks; else Chroma is asked without a filter for
        as many more neighbours as the year is rare among the visible chunks, and the other years'
        dropped; at worst (the year's chunks rarer than that) a filter naming the year's documents."""
        doc_ids = self.store._visible_ids(None, year)
        if not doc_ids:
            return []
        d = S.documents.c
        q = select(func.sum(d.chunks), func.sum(case((d.year == year, d.chunks), else_=0)))
        with self.store.engine.connect() as conn:
            total, in_year = conn.execute(q.where(d.status == VISIBLE)).one()
        if not in_year or in_year <= SCOPED_EXACT_MAX:  # few, or not counted in the manifest
            exact = self._scoped_exact(embedding, k, doc_ids)
            if exact is not None:
                return exact
        want = k + max(OVERFETCH_MIN, k)
        share = (in_year or 0) / total if total else 0.0
        if share > 0:
            hits = self._overfetch(embedding, k, math.ceil(want / share), year)
            if hits is not None:
                return hits
        return self._dense(embedding, k, _doc_filter(doc_ids))[:k]

    def _scoped_exact(self, embedding: list[float], k: int, doc_ids: list[str]) -> list[SearchHit] | None:
        """Dense search within a few documents, exactly: their vectors read by doc_id from SQL
        (`chunk_vectors`; from Chroma by id for a document ingested before that table) and ranked by
        cosine here. Chroma's metadata filter (`where doc_id`) scans the collection's metadata, so a
        one-document query cost 150 ms at 100k chunks and grew with the store, and a `get` of ten
        documents' vectors over HTTP cost 140 ms (JSON); this grows with the documents asked about.
        None when they hold too many chunks (the filter is used then)."""
        import numpy as np

        v = S.chunk_vectors.c
        q = select(v.chunk_id, v.doc_id, v.vector).where(
            v.doc_id.in_(doc_ids), v.version == self.store.embedder.version
        )
        with self.store.engine.connect() as conn:
            rows = conn.execute(q.limit(SCOPED_EXACT_MAX + 1)).all()
        if len(rows) > SCOPED_EXACT_MAX:
            return None
        found: list[str] = [r.chunk_id for r in rows]
        vectors: list[Any] = []
        if rows:
            flat = np.frombuffer(b"".join(r.vector for r in rows), dtype="<f4")
            vectors.append(flat.reshape(len(rows), -1))
        missing = sorted(set(doc_ids) - {r.doc_id for r in rows})
        if missing:  # ingested before `chunk_vectors`: their vectors are only in Chroma
            if not self._hinted_backfill:
                self._hinted_backfill = True
                log.warning(
                    "%d document(s) have vectors only in Chroma (ingested before chunk_vectors); "
                    "`jixiao backfill` copies them to SQL so document-scoped search skips Chroma",
                    len(missing),
                )
            q = select(S.chunks.c.id).where(S.chunks.c.doc_id.in_(missing))
            with self.store.engine.connect() as conn:
                ids = [r[0] for r in conn.execute(q.limit(SCOPED_EXACT_MAX + 1 - len(found)))]
            if len(found) + len(ids) > SCOPED_EXACT_MAX:
                return None
            if ids:
                with self.store._vectors() as collection:
                    got = collection.get(ids=ids, include=["embeddings"])
                if len(got["ids"]):
                    found += list(got["ids"])
                    vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
        if not found:
            return []
        matrix = np.vstack(vectors)
        query = np.asarray(embedding, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * float(np.linalg.norm(query))
        cosine = (matrix @ query) / np.where(norms > 0, norms, 1.0)
        best = np.argsort(-cosine, kind="stable")[: 2 * k]
        visible = self.store.visible_chunks([found[i] for i in best])
        hits = [
            SearchHit(chunk=visible[found[i]], score=float(cosine[i])) for i in best if found[i] in visible
        ]
        return hits[:k]

    def _dense(self, embedding: list[float], n: int, where: dict[str, Any] | None) -> list[SearchHit]:
        return self._dense_fetch(embedding, n, where)[0]

    def _dense_fetch(
        self, embedding: list[float], n: int, where: dict[str, Any] | None
    ) -> tuple[list[SearchHit], bool]:
        """(visible hits best first, whether Chroma had fewer than `n` candidates)."""
        with self.store._vectors() as collection:
            res = collection.query(
                query_embeddings=[embedding], n_results=n, where=where, include=["distances"]
            )
        ids: list[str] = res["ids"][0]
        distances: list[float] = (res.get("distances") or [[]])[0]
        rows = self.store.visible_chunks(ids) if ids else {}
        hits = [
            SearchHit(chunk=rows[i], score=1.0 - float(dist))
            for i, dist in zip(ids, distances, strict=True)
            if i in rows
        ]
        hits.sort(key=lambda h: -h.score)
        return hits, len(ids) < n
