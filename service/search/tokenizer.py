"""Chinese search tokens: jieba (search mode) plus a domain dictionary, numbers and Latin words whole.

One jieba prefix dictionary is loaded per process (quietly, its cache file in a writable dir);
each `SearchTokenizer` gets a private copy to which its domain words are added, so two stores
with different vocabularies never leak words into each other's segmentation.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import jieba

from ingest.fold import fold

# bumped whenever the tokens of a chunk change: the tokenizer or the text indexed (`indexed_text`)
TOKENIZER_VERSION = "jieba-search-4-fold"

# Full-width ASCII (U+FF01..U+FF5E) -> ASCII, and the Unicode minus -> "-"; one char to one char.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x2212: ord("-"), 0x3000: ord(" ")}

_PIECE = re.compile(r"[0-9]+(?:\.[0-9]+)?|[a-z]+|[\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
_PAREN = re.compile(r"[（(][^（）()]*[)）]")

STOPWORDS = frozenset(
    (  # noqa: SIM905 - a word list reads better as text
        "的 了 是 在 和 与 及 或 有 为 对 把 被 吗 呢 吧 啊 呀 么 嘛 什么 多少 怎么 "
        "怎样 如何 哪些 哪个 哪 是否 有没有 请问 请 这 那 这个 那个 这些 那些 其 之 等 中 "
        "个 也 都 就 还 又 并 而 以 于 由 从 向 到 给 让 我 你 他 她 它 我们 你们 他们 "
        "一下 一共 共 情况 方面 里 多 少 能 会 要 该 着 过 将 所 被 其中 "
    ).split()
)


def base_domain_words() -> tuple[str, ...]:
    """Terms that stay whole before any table is ingested: the field's glossary (ingest/glossary.yaml).
    A document's own words come from its table headers (see `header_terms`)."""
    from ingest.glossary import load_glossary

    return tuple(t for t in load_glossary().all_terms() if 2 <= len(t) <= 12 and not re.search(r"\s", t))


_log_quieted = False
_base_lock = threading.Lock()
_base: jieba.Tokenizer | None = None


def normalize_width(text: str) -> str:
    """Full-width digits/Latin/punctuation to ASCII, U+2212 to "-"; keeps string length."""
    return text.translate(_WIDTH)


def _base_tokenizer(cache_dir: Path | None) -> jieba.Tokenizer:
    global _base, _log_quieted
    with _base_lock:
        if _base is None:
            if not _log_quieted:
                jieba.setLogLevel(logging.WARNING)
                _log_quieted = True
            tk = jieba.Tokenizer()
            if cache_dir is not None:
                try:
                    cache_dir.mkdir(parents=True, exist_ok=True)
                    tk.tmp_dir = str(cache_dir)
                except OSError:
                    pass  # jieba falls back to the system temp dir
            tk.initialize()
            _base = tk
        return _base


def header_terms(labels: Iterable[str]) -> list[str]:
    """Domain words from table row/column header labels: the CJK runs (length >= 2) of each label
    after removing whitespace and parenthesised units, e.g. "工资福利 支出总额" -> "工资福利支出总额",
    "接听量（万次）" -> "接听量"."""
    out: set[str] = set()
    for label in labels:
        s = _PAREN.sub("", re.sub(r"\s+", "", normalize_width(label)))
        for run in _CJK_RUN.findall(s):
            if 2 <= len(run) <= 16:
                out.add(run)
    return sorted(out)


def tokenizer_for(domain_words: Iterable[str], *, cache_dir: Path | None = None) -> SearchTokenizer:
    """A shared tokenizer for this set of domain words (each private dictionary copy costs ~15 MB)."""
    return _cached_tokenizer(tuple(sorted(set(domain_words))), cache_dir)


@functools.lru_cache(maxsize=4)
def _cached_tokenizer(words: tuple[str, ...], cache_dir: Path | None) -> SearchTokenizer:
    return SearchTokenizer(words, cache_dir=cache_dir)


class SearchTokenizer:
    """Tokens for BM25 and header matching. Immutable and thread-safe after construction."""

    def __init__(self, domain_words: Iterable[str] = (), *, cache_dir: Path | None = None) -> None:
        base = _base_tokenizer(cache_dir)
        tk = jieba.Tokenizer(base.dictionary)
        tk.FREQ = dict(base.FREQ)
        tk.total = base.total
        tk.initialized = True
        self.domain_words = sorted({*base_domain_words(), *domain_words})
        for word in self.domain_words:
            tk.add_word(word)
        self._tk = tk

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens: numbers ("96.12", "2019") and Latin words whole, CJK runs through
        jieba's search mode (whole words plus their dictionary sub-words); punctuation and
        stopwords dropped. Traditional characters are read as simplified (ingest/fold.py), so a
        simplified question finds a traditional-character document."""
        out: list[str] = []
        for piece in _PIECE.findall(normalize_width(fold(text)).lower()):
            if piece[0].isascii():
                out.append(piece)
                continue
            for w in self._tk.cut_for_search(piece):
                if w not in STOPWORDS:
                    out.append(w)
        return out

    def words(self, text: str) -> list[str]:
        """Plain (non-overlapping) segmentation with the same rules, for header matching."""
        out: list[str] = []
        for piece in _PIECE.findall(normalize_width(fold(text)).lower()):
            if piece[0].isascii():
                out.append(piece)
                continue
            out.extend(w for w in self._tk.cut(piece) if w not in STOPWORDS)
        return out
