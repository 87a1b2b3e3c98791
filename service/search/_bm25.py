"""A bm25s keyword index over chunk tokens, persisted per store generation.

Layout under `root` (= data_dir/bm25):
    <key>/            bm25s arrays + vocab (bm25s.save) and meta.json
                      meta.json: generation, tokenizer version, chunk ids, doc ids, years, domain words
    .tmp-<uuid>/      a build in progress; renamed to <key>/ when complete (atomic on POSIX)
`key` hashes the store generation and the tokenizer version, so a new generation or a new
tokenizer never reads a stale index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from service.search.tokenizer import TOKENIZER_VERSION, SearchTokenizer, tokenizer_for

log = logging.getLogger(__name__)

META = "meta.json"


def index_key(generation: str) -> str:
    return hashlib.sha1(f"{generation}|{TOKENIZER_VERSION}".encode()).hexdigest()[:16]


@dataclass
class KeywordIndex:
    """BM25 over a fixed list of chunks; rows align with `chunk_ids`, `doc_ids` and `years`."""

    generation: str
    chunk_ids: list[str]
    doc_ids: np.ndarray  # object array of str
    years: np.ndarray  # int64, -1 when unknown
    tokenizer: SearchTokenizer
    bm25: bm25s.BM25 | None  # None for an empty corpus

    def __post_init__(self) -> None:
        # documents as small ints, so a filter is a fast integer mask even over 100k chunks
        self._doc_codes: dict[str, int] = {}
        codes = [self._doc_codes.setdefault(str(d), len(self._doc_codes)) for d in self.doc_ids]
        self._doc_code_array = np.array(codes, dtype=np.int32)

    @classmethod
    def build(
        cls,
        *,
        generation: str,
        chunk_ids: list[str],
        texts: list[str],
        doc_ids: list[str],
        years: list[int | None],
        tokenizer: SearchTokenizer,
    ) -> KeywordIndex:
        bm25: bm25s.BM25 | None = None
        if chunk_ids:
            corpus = [tokenizer.tokens(t) or [""] for t in texts]
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        return cls(
            generation=generation,
            chunk_ids=list(chunk_ids),
            doc_ids=np.array(doc_ids, dtype=object),
            years=np.array([-1 if y is None else y for y in years], dtype=np.int64),
            tokenizer=tokenizer,
            bm25=bm25,
        )

    def search(
        self, query: str, *, k: int, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (row, score) with score > 0, restricted to `doc_ids` / `year` when given."""
        if self.bm25 is None or k <= 0:
            return []
        ids = self.bm25.get_tokens_ids(self.tokenizer.tokens(query))
        if not ids:
            return []
        scores = self.bm25.get_scores_from_ids(ids)
        if doc_ids is not None:
            wanted = [self._doc_codes[d] for d in doc_ids if d in self._doc_codes]
            scores = np.where(np.isin(self._doc_code_array, wanted), scores, 0.0)
        if year is not None:
            scores = np.where(self.years == year, scores, 0.0)
        n = int(np.count_nonzero(scores > 0))
        if n == 0:
            return []
        k = min(k, n)
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    # ---- persistence -----------------------------------------------------------------------
    def save(self, root: Path) -> Path:
        """Write to root/<key>/ through a temp dir and a rename; returns the final dir."""
        root.mkdir(parents=True, exist_ok=True)
        final = root / index_key(self.generation)
        tmp = root / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        try:
            if self.bm25 is not None:
                self.bm25.save(str(tmp), show_progress=False)
            meta = {
                "generation": self.generation,
                "tokenizer_version": TOKENIZER_VERSION,
                "chunk_ids": self.chunk_ids,
                "doc_ids": [str(d) for d in self.doc_ids],
                "years": [int(y) for y in self.years],
                "domain_words": self.tokenizer.domain_words,
                "empty": self.bm25 is None,
            }
            (tmp / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            try:
                tmp.rename(final)
            except OSError:  # another process saved the same generation first
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for old in root.iterdir():  # best effort: drop other generations and stale temp dirs
            if old != final and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return final

    @classmethod
    def load(cls, root: Path, generation: str, *, cache_dir: Path | None = None) -> KeywordIndex | None:
        """The saved index of `generation`, or None when absent or unreadable."""
        path = root / index_key(generation)
        try:
            meta = json.loads((path / META).read_text(encoding="utf-8"))
            if meta["generation"] != generation or meta["tokenizer_version"] != TOKENIZER_VERSION:
                return None
            bm25 = None if meta["empty"] else bm25s.BM25.load(str(path), show_progress=False)
        except (OSError, ValueError, KeyError) as exc:
            if path.exists():
                log.warning("BM25 index at %s unreadable (%s); rebuilding", path, exc)
            return None
        return cls(
            generation=generation,
            chunk_ids=list(meta["chunk_ids"]),
            doc_ids=np.array(meta["doc_ids"], dtype=object),
            years=np.array(meta["years"], dtype=np.int64),
            tokenizer=tokenizer_for(meta["domain_words"], cache_dir=cache_dir),
            bm25=bm25,
        )
