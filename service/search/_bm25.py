"""A segmented BM25 keyword index: updated per batch of documents, never rebuilt for a change.

The way search engines do it (Lucene's segments): each batch of added documents becomes an
immutable `Segment` (term -> postings as a CSC matrix of term frequencies); a removed or replaced
document becomes a tombstone on the segments holding it; small segments are merged into one (the
tombstoned rows dropped) so their number stays bounded. Scores use collection-wide statistics
(document count, average length and document frequency summed over the segments), so a term
scores the same whichever segment holds it: BM25 "lucene" variant as bm25s computes it,
score = Σ_term idf · tf / (tf + k1 · (1 − b + b · len / avglen)), idf = ln(1 + (N − df + ½)/(df + ½)).
(Tombstoned rows count in N and df until merged, as in Lucene.)

Layout under `root` (= data_dir/bm25):
    manifest.json           generation, tokenizer version and domain words, the document versions
                            indexed, and the segments with their tombstones (replaced atomically)
    seg-<uuid>/             one segment: *.npy arrays, chunk ids and terms included (memory-mapped
                            on load, so pages are read lazily, memory follows what queries touch and
                            opening a big segment parses nothing) and meta.json (its documents)
A `KeywordIndex` is an immutable snapshot: updates return a new one, so queries never wait.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from service.search.tokenizer import TOKENIZER_VERSION, SearchTokenizer, tokenizer_for

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = 3
K1, B = 1.5, 0.75
_ARRAYS = ("ids", "terms", "indptr", "rows", "tf", "lengths", "doc_codes", "years")
ORPHAN_AGE_S = 600  # a segment dir no manifest names is removed only after this (another writer's)


def _utf8(items: Sequence[str] | Sequence[bytes]) -> np.ndarray:
    """Fixed-width bytes (numpy 'S') of UTF-8 strings: saved as .npy and memory-mapped on load, so
    opening a segment of a million chunks parses nothing (a JSON list of their ids held the
    interpreter lock for 0.7 s, stalling every query of the serving process)."""
    encoded = [x if isinstance(x, bytes) else x.encode("utf-8") for x in items]
    return np.array(encoded, dtype=bytes) if encoded else np.zeros(0, dtype="S1")


@dataclass(frozen=True)
class Segment:
    """BM25 postings of a fixed list of chunks. Row r is chunk `ids[r]`; column c is term
    `terms[c]` (UTF-8, sorted, found by binary search); the postings of term c are
    rows[indptr[c]:indptr[c+1]] with frequencies tf[...]."""

    name: str
    ids: np.ndarray  # 'S', the chunk id of each row
    doc_ids: list[str]  # the distinct documents; doc_codes index into it
    terms: np.ndarray  # 'S', sorted
    indptr: np.ndarray  # int64, len(terms) + 1
    rows: np.ndarray  # int32
    tf: np.ndarray  # float32
    lengths: np.ndarray  # float32, tokens per chunk
    doc_codes: np.ndarray  # int32 per row
    years: np.ndarray  # int32 per row, -1 when unknown

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def chunk_ids(self) -> list[str]:
        return [x.decode("utf-8") for x in self.ids]

    def chunk_id(self, row: int) -> str:
        return bytes(self.ids[row]).decode("utf-8")

    @cached_property
    def total_length(self) -> float:
        return float(self.lengths.sum(dtype=np.float64))

    def column(self, term: str) -> int | None:
        key = term.encode("utf-8")
        c = int(np.searchsorted(self.terms, key))
        return c if c < len(self.terms) and bytes(self.terms[c]) == key else None

    def df(self, term: str) -> int:
        c = self.column(term)
        return 0 if c is None else int(self.indptr[c + 1] - self.indptr[c])

    @classmethod
    def build(
        cls,
        tokens: Sequence[Sequence[str]],
        *,
        chunk_ids: Sequence[str],
        doc_ids: Sequence[str],
        years: Sequence[int | None],
    ) -> Segment:
        """A segment from each chunk's tokens (with duplicates: they are its term frequencies)."""
        vocab: dict[str, int] = {}
        row_list: list[int] = []
        col_list: list[int] = []
        tf_list: list[int] = []
        for r, toks in enumerate(tokens):
            for term, n in Counter(toks).items():
                row_list.append(r)
                col_list.append(vocab.setdefault(term, len(vocab)))
                tf_list.append(n)
        codes: dict[str, int] = {}
        return cls._from_postings(
            name=_new_name(),
            ids=_utf8(chunk_ids),
            terms=_utf8(list(vocab)),
            rows=np.array(row_list, dtype=np.int32),
            cols=np.array(col_list, dtype=np.int64),
            tf=np.array(tf_list, dtype=np.float32),
            lengths=np.array([len(t) for t in tokens], dtype=np.float32),
            doc_codes=np.array([codes.setdefault(str(d), len(codes)) for d in doc_ids], dtype=np.int32),
            doc_ids=list(codes),
            years=np.array([-1 if y is None else y for y in years], dtype=np.int32),
        )

    @classmethod
    def _from_postings(
        cls, *, name: str, ids: np.ndarray, terms: np.ndarray, rows: np.ndarray, cols: np.ndarray,
        tf: np.ndarray, lengths: np.ndarray, doc_codes: np.ndarray, doc_ids: list[str], years: np.ndarray,
    ) -> Segment:  # fmt: skip
        """`terms` in any order (unique); columns renumbered so that they are sorted."""
        by_term = np.argsort(terms, kind="stable")
        rank = np.empty(len(terms), dtype=np.int64)
        rank[by_term] = np.arange(len(terms))
        cols = rank[cols] if len(cols) else cols
        order = np.lexsort((rows, cols))  # by term, then row
        counts = np.bincount(cols, minlength=len(terms)) if len(terms) else np.zeros(0, np.int64)
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return cls(
            name=name,
            ids=ids,
            doc_ids=doc_ids,
            terms=terms[by_term],
            indptr=indptr,
            rows=rows[order].astype(np.int32),
            tf=tf[order].astype(np.float32),
            lengths=lengths,
            doc_codes=doc_codes,
            years=years,
        )

    def save(self, root: Path) -> None:
        """Write to root/<name>/ through a temp dir and a rename (atomic on POSIX)."""
        tmp = root / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        try:
            for a in _ARRAYS:
                np.save(tmp / f"{a}.npy", np.ascontiguousarray(getattr(self, a)))
            meta = {"doc_ids": self.doc_ids}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            tmp.rename(root / self.name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, root: Path, name: str) -> Segment:
        """Arrays memory-mapped (read lazily); raises OSError/ValueError/KeyError when unreadable."""
        path = root / name
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        arrays = {a: np.load(path / f"{a}.npy", mmap_mode="r") for a in _ARRAYS}
        return cls(name=name, doc_ids=meta["doc_ids"], **arrays)

    def scores(self, counts: dict[str, int], idf: dict[str, float], avg_length: float) -> np.ndarray:
        """Per-row BM25 score of a query given as term -> how often the query says it."""
        out = np.zeros(self.size, dtype=np.float32)
        for term, n in counts.items():
            c = self.column(term)
            if c is None:
                continue
            start, end = int(self.indptr[c]), int(self.indptr[c + 1])
            rows = self.rows[start:end]
            tf = self.tf[start:end]
            norm = K1 * ((1 - B) + B * self.lengths[rows] / avg_length)
            out[rows] += (n * idf[term]) * tf / (norm + tf)
        return out


def merge_segments(segments: Sequence[Segment], deleted: dict[str, frozenset[str]]) -> Segment:
    """One segment holding the live rows of `segments` (the tombstoned documents dropped)."""
    terms: dict[bytes, int] = {}
    codes: dict[str, int] = {}
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("ids", "rows", "cols", "tf", "lengths", "codes", "years")
    }
    offset = 0
    for seg in segments:
        gone = {i for i, d in enumerate(seg.doc_ids) if d in deleted.get(seg.name, frozenset())}
        seg_codes = np.asarray(seg.doc_codes)
        live = ~np.isin(seg_codes, list(gone)) if gone else np.ones(seg.size, dtype=bool)
        new_row = np.full(seg.size, -1, dtype=np.int64)
        new_row[live] = np.arange(offset, offset + int(live.sum()))
        col_map = np.array([terms.setdefault(bytes(t), len(terms)) for t in seg.terms], dtype=np.int64)
        term_of = np.repeat(np.arange(len(seg.terms)), np.diff(np.asarray(seg.indptr)))
        rows = new_row[np.asarray(seg.rows)]
        keep = rows >= 0
        parts["rows"].append(rows[keep])
        parts["cols"].append(col_map[term_of[keep]] if len(col_map) else term_of[keep])
        parts["tf"].append(np.asarray(seg.tf)[keep])
        parts["lengths"].append(np.asarray(seg.lengths)[live])
        code_map = np.array([codes.setdefault(d, len(codes)) for d in seg.doc_ids], dtype=np.int32)
        parts["codes"].append(code_map[seg_codes[live]] if len(code_map) else seg_codes[live])
        parts["years"].append(np.asarray(seg.years)[live])
        parts["ids"].append(np.asarray(seg.ids)[live])
        offset += int(live.sum())

    def cat(key: str, dtype: type) -> np.ndarray:
        return np.concatenate(parts[key]).astype(dtype) if parts[key] else np.zeros(0, dtype=dtype)

    ids = np.concatenate(parts["ids"]) if parts["ids"] else np.zeros(0, dtype="S1")
    return Segment._from_postings(
        name=_new_name(),
        ids=ids,
        terms=_utf8(list(terms)),
        rows=cat("rows", np.int32),
        cols=cat("cols", np.int64),
        tf=cat("tf", np.float32),
        lengths=cat("lengths", np.float32),
        doc_codes=cat("codes", np.int32),
        doc_ids=list(codes),
        years=cat("years", np.int32),
    )


def _new_name() -> str:
    return f"seg-{uuid.uuid4().hex[:16]}"


@dataclass(frozen=True)
class KeywordIndex:
    """An immutable snapshot of the segmented index.

    `versions` maps each indexed document to the version token it was indexed at
    (`Store.visible_versions`); `deleted` maps a segment name to its tombstoned documents."""

    generation: str
    tokenizer: SearchTokenizer
    segments: tuple[Segment, ...] = ()
    deleted: dict[str, frozenset[str]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Rows held, tombstoned ones included."""
        return sum(s.size for s in self.segments)

    def live_size(self) -> int:
        return sum(s.size - int(np.isin(s.doc_codes, self._dead_codes(s)).sum()) for s in self.segments)

    def _dead_codes(self, seg: Segment) -> list[int]:
        dead = self.deleted.get(seg.name)
        return [i for i, d in enumerate(seg.doc_ids) if d in dead] if dead else []

    # ---- search ------------------------------------------------------------------------------
    def search(
        self, query: str, *, k: int, doc_ids: Sequence[str] | None = None, year: int | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (chunk id, score) with score > 0, restricted to `doc_ids` / `year` when given."""
        if k <= 0 or not self.segments:
            return []
        counts = Counter(self.tokenizer.tokens(query))
        n_docs = self.size
        total = sum(s.total_length for s in self.segments)
        if not counts or n_docs == 0 or total <= 0:
            return []
        idf: dict[str, float] = {}
        for term in counts:
            df = sum(s.df(term) for s in self.segments)
            if df:
                idf[term] = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        if not idf:
            return []
        wanted = None if doc_ids is None else set(doc_ids)
        found: list[tuple[float, str]] = []
        for seg in self.segments:
            dead = self._dead_codes(seg)
            codes = [i for i, d in enumerate(seg.doc_ids) if d in wanted] if wanted is not None else None
            if codes is not None and not codes:
                continue
            scores = seg.scores({t: counts[t] for t in idf}, idf, total / n_docs)
            hit = np.flatnonzero(scores > 0)
            if dead:
                hit = hit[~np.isin(seg.doc_codes[hit], dead)]
            if codes is not None:
                hit = hit[np.isin(seg.doc_codes[hit], codes)]
            if year is not None:
                hit = hit[seg.years[hit] == year]
            if len(hit) > k:
                hit = hit[np.argpartition(-scores[hit], k - 1)[:k]]
            found.extend((float(scores[r]), seg.chunk_id(int(r))) for r in hit)
        found.sort(key=lambda x: -x[0])
        return [(cid, s) for s, cid in found[:k]]

    # ---- changes (each returns a new snapshot) -----------------------------------------------
    def with_changes(
        self,
        *,
        generation: str,
        removed: Sequence[str] = (),
        added: Segment | None = None,
        versions: dict[str, str],
        tokenizer: SearchTokenizer | None = None,
    ) -> KeywordIndex:
        """Tombstone `removed` documents where they are held, append `added`."""
        gone = set(removed)
        deleted = dict(self.deleted)
        for seg in self.segments:
            hit = gone.intersection(seg.doc_ids)
            if hit:
                deleted[seg.name] = deleted.get(seg.name, frozenset()) | hit
        segments = self.segments + ((added,) if added is not None and added.size else ())
        return replace(
            self,
            generation=generation,
            tokenizer=tokenizer or self.tokenizer,
            segments=segments,
            deleted=deleted,
            versions=versions,
        )

    def merge_plan(self, max_segments: int) -> list[Segment]:
        """The segments worth merging now: the smallest ones when there are more than
        `max_segments`, plus any that is mostly tombstones; [] when nothing needs merging."""
        plan: list[Segment] = []
        if len(self.segments) > max_segments:
            by_size = sorted(self.segments, key=lambda s: s.size)
            plan = by_size[: len(self.segments) - max_segments // 2 + 1]
        for seg in self.segments:
            dead = self._dead_codes(seg)
            if dead and seg not in plan and np.isin(seg.doc_codes, dead).mean() > 0.5:
                plan.append(seg)
        return plan if len(plan) > 1 or (plan and plan[0].name in self.deleted) else []

    def with_merged(self, merged: Segment, sources: Sequence[Segment]) -> KeywordIndex:
        """Replace `sources` by `merged` (built from this snapshot's tombstones: the caller merges
        and applies changes under one writer lock, so none arrived meanwhile)."""
        names = {s.name for s in sources}
        first = min(i for i, s in enumerate(self.segments) if s.name in names)
        segments = [s for s in self.segments if s.name not in names]
        segments.insert(first, merged)
        deleted = {n: d for n, d in self.deleted.items() if n not in names}
        return replace(self, segments=tuple(segments), deleted=deleted)

    # ---- persistence -------------------------------------------------------------------------
    def save_manifest(self, root: Path) -> None:
        """Write manifest.json atomically (segments must be saved first), then drop what no manifest
        names: older-format dirs, and segment dirs this manifest dropped (others' only when old)."""
        root.mkdir(parents=True, exist_ok=True)
        manifest = {
            "format": FORMAT,
            "generation": self.generation,
            "tokenizer_version": TOKENIZER_VERSION,
            "domain_words": self.tokenizer.domain_words,
            "versions": self.versions,
            "segments": [
                {"name": s.name, "deleted": sorted(self.deleted.get(s.name, ()))} for s in self.segments
            ],
        }
        tmp = root / f".manifest-{uuid.uuid4().hex}"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, root / MANIFEST)
        keep = {s.name for s in self.segments} | {MANIFEST}
        now = time.time()
        for old in root.iterdir():
            if old.name in keep:
                continue
            try:
                young = now - old.stat().st_mtime < ORPHAN_AGE_S
            except OSError:
                continue
            if young and (old.name.startswith(("seg-", ".tmp-", ".manifest-"))):
                continue  # maybe another process's segment whose manifest is not written yet
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)

    @classmethod
    def load(cls, root: Path, *, cache_dir: Path | None = None) -> KeywordIndex | None:
        """The saved index, or None when absent, unreadable or of another tokenizer. A segment that
        cannot be read is left out together with its documents (they are indexed again)."""
        try:
            manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT or manifest["tokenizer_version"] != TOKENIZER_VERSION:
                return None
            entries = list(manifest["segments"])
            versions = dict(manifest["versions"])
            words = list(manifest["domain_words"])
            generation = str(manifest["generation"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if (root / MANIFEST).exists():
                log.warning("BM25 manifest at %s unreadable (%s); rebuilding", root, exc)
            return None
        segments: list[Segment] = []
        deleted: dict[str, frozenset[str]] = {}
        lost_docs: set[str] = set()
        for entry in entries:
            try:
                seg = Segment.load(root, entry["name"])
            except (OSError, ValueError, KeyError) as exc:
                lost = cls._segment_docs(root, entry)
                if lost is None:  # which documents it held is unknown: start again
                    log.warning("BM25 segment %s unreadable (%s); rebuilding", entry, exc)
                    return None
                log.warning("BM25 segment %s unreadable (%s); its documents are indexed again", entry, exc)
                versions = {d: v for d, v in versions.items() if d not in lost}
                lost_docs |= lost
                continue
            segments.append(seg)
            if entry.get("deleted"):
                deleted[seg.name] = frozenset(entry["deleted"])
        for seg in segments:  # rows of a lost document elsewhere go too: it is indexed again whole
            stale = lost_docs.intersection(seg.doc_ids)
            if stale:
                deleted[seg.name] = deleted.get(seg.name, frozenset()) | stale
        return cls(
            generation=generation,
            tokenizer=tokenizer_for(words, cache_dir=cache_dir),
            segments=tuple(segments),
            deleted=deleted,
            versions=versions,
        )

    @staticmethod
    def _segment_docs(root: Path, entry: dict) -> set[str] | None:
        try:
            return set(
                json.loads((root / entry["name"] / "meta.json").read_text(encoding="utf-8"))["doc_ids"]
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # unknown: index every document again
