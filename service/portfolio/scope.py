"""Which documents a question is about.

A question that names a unit, project or year goes to the matching documents (their identity, read
at ingest); a follow-up that names none keeps the conversation's scope; a question that names none
while several reports are loaded is ambiguous and must not be answered from whichever report the
search returns first. Pure: documents in, a `Scope` out.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from ingest.glossary import load_glossary
from service.portfolio.query import years_in

_ORDINAL = re.compile(r"第\s*([0-9]+|[一二两三四五六七八九十])\s*(?:个|份|项|家)")
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NAME_SHARE = 0.6  # a question naming most of a unit's or project's own characters names it
_UNRESOLVED_NAME = 6  # a run this long the glossary does not know names something we could not match


@dataclass
class Scope:
    doc_ids: list[str] | None  # None: every document (nothing named)
    named: bool = False  # the question (or the conversation) chose these documents
    ambiguous: list[Any] = field(default_factory=list)  # the candidate records when it did not
    reason: str = ""
    policies: list[str] = field(default_factory=list)  # loaded rule documents, kept in any scope


def _coverage(name: str, text: str, suffixes: list[str]) -> float:
    """The share of `name`'s own characters (its unit-name ending such as 局 or 人民政府 left out) that
    `text` contains in runs of two or more: 塘湖镇人民政府 covers all of 塘湖镇政府, only 人民政府 of
    衡山县贯塘乡人民政府 — which is a unit-name ending, so nothing of it."""
    core = next((name[: -len(x)] for x in suffixes if name.endswith(x) and len(name) > len(x)), name)
    covered = [False] * len(core)
    for i in range(len(core)):
        for j in range(len(core), i + 1, -1):
            if core[i:j] in text:
                covered[i:j] = [True] * (j - i)
                break
    return sum(covered) / len(core) if core else 0.0


def _names(record: Any) -> list[str]:
    ident = record.identity or {}
    return [n for n in (ident.get("unit"), ident.get("project"), ident.get("agency")) if n and len(n) >= 2]


def _residue(text: str) -> str:
    """The question without the glossary's words, years, figures and punctuation: what is left names
    a thing (a unit, a project) when it is long."""
    glossary = load_glossary()
    spans = sorted((h.start, h.end) for h in glossary.find(text))
    out, pos = [], 0
    for s, e in spans:
        if s >= pos:
            out.append(text[pos:s])
            pos = e
    out.append(text[pos:])
    rest = " ".join(out)
    words = [w for ws in glossary.operations.values() for w in ws]
    words += [w for ws in (glossary.portfolio.get("question") or {}).values() for w in ws]
    words += [t for e in glossary.portfolio.get("kinds") or [] for t in e["terms"]]
    words += list(glossary.portfolio.get("kind_words") or [])
    for w in sorted(words, key=len, reverse=True):
        rest = rest.replace(w, " ")
    return re.sub(
        r"[0-9０-９.%％\s，。？！?!、：:；;（）()“”\"'《》年度是多少的了吗呢个份几什么这那该本]+", " ", rest
    )


def _ordinal(text: str) -> int | None:
    m = _ORDINAL.search(text)
    if not m:
        return None
    g = m.group(1)
    return int(g) if g.isdigit() else _CN.get(g)


def resolve(
    question: str,
    documents: list[Any],
    *,
    explicit: list[str] | None = None,
    previous: dict[str, Any] | None = None,
) -> Scope:
    """The documents `question` is about, among `documents` (manifest records with `identity`)."""
    if explicit:
        return Scope(list(explicit), named=True, reason="explicit")
    text = re.sub(r"\s+", "", question)
    glossary = load_glossary()
    policies = [
        d.doc_id for d in documents if (d.identity or {}).get("kind") == "policy" or d.kind == "policy"
    ]
    reports = [d for d in documents if d.doc_id not in policies]
    previous = previous or {}

    n = _ordinal(text)
    candidates = previous.get("candidates") or []
    if n is not None and 1 <= n <= len(candidates):
        return Scope([candidates[n - 1], *policies], named=True, reason="ordinal")

    suffixes = sorted(glossary.portfolio.get("unit_suffixes") or [], key=len, reverse=True)
    pairs = {text[i : i + 2] for i in range(len(text) - 1)}
    names = {d.doc_id: _names(d) for d in reports}
    coverage: dict[str, float] = {}  # per distinct name: a bureau's forms repeat their units' names
    for name in {n for ns in names.values() for n in ns}:
        shares = any(name[i : i + 2] in pairs for i in range(len(name) - 1))
        coverage[name] = _coverage(name, text, suffixes) if shares else 0.0
    scores = {d.doc_id: max((coverage[n] for n in names[d.doc_id]), default=0.0) for d in reports}
    full = [d for d in reports if scores[d.doc_id] > 0 and any(n in text for n in names[d.doc_id])]
    best = max(scores.values(), default=0.0)
    named = full or ([d for d in reports if scores[d.doc_id] == best] if best >= _NAME_SHARE else [])
    years = years_in(text)
    if named and years:
        dated = [d for d in named if (d.identity or {}).get("year") in years]
        named = dated or named
    if named:
        return Scope([d.doc_id for d in named] + policies, named=True, reason="named")

    if previous.get("scope"):
        return Scope(list(previous["scope"]), named=True, reason="follow-up")
    if len(reports) < 2 or "grade" in glossary.operations_in(text):
        return Scope(None)
    if len(max(_residue(text).split(), key=len, default="")) >= _UNRESOLVED_NAME:
        return Scope(None, reason="unresolved-name")
    pool = reports
    if years:
        pool = [d for d in pool if (d.identity or {}).get("year") in years] or pool
    # a kind named by a word of its own (自评表, 得分表, 部门整体); 项目 or 资金 alone name no kind
    kinds = [
        e["id"]
        for e in glossary.portfolio.get("kinds") or []
        if any(len(t) >= 3 and t in text for t in e["terms"])
    ]
    if kinds:
        pool = [d for d in pool if (d.identity or {}).get("kind") in kinds] or pool
    if len(pool) == 1:
        return Scope([pool[0].doc_id, *policies], named=True, reason="only-match")
    return Scope(None, ambiguous=pool, reason="ambiguous", policies=policies)


class DocumentRouter:
    """The documents a search query names by unit or project (and, among those, year), as `resolve`
    reads them without a conversation, for a search asked with no scope: `Retriever(router=...)`
    searches only those (and the loaded policies) instead of every loaded document. A query that
    names none (这个项目…, 2018年…) gives None: the search stays over every document. The manifest
    is read once per store generation."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._cached: tuple[str, list[Any]] = ("", [])

    def documents(self) -> list[Any]:
        generation = str(self.store.generation())
        with self._lock:
            if self._cached[0] != generation or not self._cached[0]:
                self._cached = (generation, self.store.list_documents(include_failed=False))
            return self._cached[1]

    def __call__(self, query: str) -> list[str] | None:
        documents = self.documents()
        if len(documents) < 2:
            return None
        scope = resolve(query, documents)
        # by name only: a year or a kind alone ("only-match") does not route a search — a document
        # whose year was not read would be passed over for the one 2018 report that was
        return list(scope.doc_ids) if scope.reason == "named" and scope.doc_ids else None
