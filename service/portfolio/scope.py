"""Which documents a question is about.

A question that names a unit, project or year goes to the matching documents (their identity, read
at ingest); a follow-up that names none keeps the conversation's scope; a question that names none
while several reports are loaded is ambiguous and must not be answered from whichever report the
search returns first. `resolve` is pure: documents in, a `Scope` out; a `NameIndex` of the reports'
names lets it look only at the names a question could name (10,000 forms: 0.3 s → 0.03 s a question).
`DocumentRouter` gives retrieval the same reading of names for a search asked with no scope (it reads
the manifest once per store generation).
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


def is_policy(record: Any) -> bool:
    return bool((record.identity or {}).get("kind") == "policy" or record.kind == "policy")


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


class NameIndex:
    """The reports' unit and project names, which reports carry each, and each name's two-character
    runs: a question is matched against the names that could reach the share that names one (or that
    it contains), not against every report — 10,000 forms carry a few thousand names."""

    def __init__(self, reports: list[Any]) -> None:
        self.carriers: dict[str, list[str]] = {}  # name -> doc_ids (a bureau's forms repeat names)
        for d in reports:
            for name in _names(d):
                self.carriers.setdefault(name, []).append(d.doc_id)
        self.by_pair: dict[str, dict[str, int]] = {}  # run -> {name: how often the name has it}
        for name in self.carriers:
            for i in range(len(name) - 1):
                runs = self.by_pair.setdefault(name[i : i + 2], {})
                runs[name] = runs.get(name, 0) + 1

    def candidates(self, text: str, suffixes: list[str]) -> list[str]:
        """The names `text` contains, or whose runs found in `text` could cover `_NAME_SHARE` of
        their own characters (a run covers at most two): no other name can name a document."""
        hits: dict[str, int] = {}
        for pair in {text[i : i + 2] for i in range(len(text) - 1)}:
            for name, times in self.by_pair.get(pair, {}).items():
                hits[name] = hits.get(name, 0) + times
        out = []
        for name, runs in hits.items():
            core = next(
                (len(name) - len(x) for x in suffixes if name.endswith(x) and len(name) > len(x)), len(name)
            )
            if 2 * runs >= _NAME_SHARE * core or name in text:
                out.append(name)
        return out


def _ordinal(text: str) -> int | None:
    m = _ORDINAL.search(text)
    if not m:
        return None
    g = m.group(1)
    return int(g) if g.isdigit() else _CN.get(g)


def named_documents(text: str, reports: list[Any], index: NameIndex) -> list[Any]:
    """The reports (in their order) that `text` (no spaces) names by unit or project — a name it
    contains, else the names most of whose own characters it holds — and, among those, the ones of
    a year it names when any is."""
    suffixes = sorted(load_glossary().portfolio.get("unit_suffixes") or [], key=len, reverse=True)
    coverage = {name: _coverage(name, text, suffixes) for name in index.candidates(text, suffixes)}
    scores: dict[str, float] = {}  # doc_id -> the best coverage of its names (0 when none shares a run)
    for name, share in coverage.items():
        for doc_id in index.carriers[name]:
            scores[doc_id] = max(scores.get(doc_id, 0.0), share)
    contained = {i for name in coverage if name in text for i in index.carriers[name]}
    chosen = {i for i in contained if scores[i] > 0}
    best = max(scores.values(), default=0.0)
    if not chosen and best >= _NAME_SHARE:
        chosen = {i for i, v in scores.items() if v == best}
    named = [d for d in reports if d.doc_id in chosen]
    years = years_in(text)
    if named and years:
        named = [d for d in named if (d.identity or {}).get("year") in years] or named
    return named


def resolve(
    question: str,
    documents: list[Any],
    *,
    explicit: list[str] | None = None,
    previous: dict[str, Any] | None = None,
    index: NameIndex | None = None,
) -> Scope:
    """The documents `question` is about, among `documents` (manifest records with `identity`);
    `index`: their reports' `NameIndex`, when the caller keeps one (built here otherwise)."""
    if explicit:
        return Scope(list(explicit), named=True, reason="explicit")
    text = re.sub(r"\s+", "", question)
    glossary = load_glossary()
    policies = [d.doc_id for d in documents if is_policy(d)]
    reports = [d for d in documents if d.doc_id not in policies]
    previous = previous or {}

    n = _ordinal(text)
    candidates = previous.get("candidates") or []
    if n is not None and 1 <= n <= len(candidates):
        return Scope([candidates[n - 1], *policies], named=True, reason="ordinal")

    named = named_documents(text, reports, index if index is not None else NameIndex(reports))
    years = years_in(text)
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
        self._cached: tuple[str, list[Any], list[str], NameIndex] | None = None

    def documents(self) -> tuple[list[Any], list[str], NameIndex]:
        """(reports, policies' ids, the reports' names index), read again when the store's
        generation moves."""
        generation = str(self.store.generation())
        with self._lock:
            if self._cached is None or self._cached[0] != generation:
                documents = self.store.list_documents(include_failed=False)
                reports = [d for d in documents if not is_policy(d)]
                policies = [d.doc_id for d in documents if is_policy(d)]
                self._cached = (generation, reports, policies, NameIndex(reports))
            return self._cached[1], self._cached[2], self._cached[3]

    def __call__(self, query: str) -> list[str] | None:
        reports, policies, index = self.documents()
        if len(reports) < 2:
            return None
        # by name only (as `resolve` names documents): a year or a kind alone does not route a
        # search — a document whose year was not read would be passed over for one whose year was
        named = named_documents(re.sub(r"\s+", "", query), reports, index)
        return [d.doc_id for d in named] + policies if named else None
