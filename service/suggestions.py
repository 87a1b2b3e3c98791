"""Suggested questions for a fresh conversation, made from what is actually loaded: the figures
its tables hold (rates the glossary knows), its score table, its sections, its policies."""

from __future__ import annotations

import re
import threading
from typing import Any

from ingest.store import Store

_SECTIONS = (("存在的主要问题", "报告指出了哪些主要问题？"), ("相关建议", "报告提出了哪些建议？"))


_cache: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
_cache_lock = threading.Lock()


def suggest_questions(store: Store, *, doc_ids: list[str] | None = None, limit: int = 5) -> list[str]:
    """Up to `limit` questions the loaded documents can answer, most useful first. Every widget
    opening asks for them, so they are computed once per store generation and document filter."""
    key = (store.settings.sql_url, store.generation(), tuple(sorted(doc_ids or ())))
    with _cache_lock:
        cached = _cache.get(key)
    if cached is None:
        cached = _suggest(store, doc_ids)
        with _cache_lock:
            if len(_cache) > 256:  # generations move on; never grow without bound
                _cache.clear()
            _cache[key] = cached
    return cached[:limit]


def _suggest(store: Store, doc_ids: list[str] | None) -> list[str]:
    docs = [d for d in store.list_documents(include_failed=False) if d.status == "ok"]
    if doc_ids:
        docs = [d for d in docs if d.doc_id in doc_ids]
    reports = [d for d in docs if d.kind != "policy"]
    policies = [d for d in docs if d.kind == "policy"]
    out: list[str] = []
    for doc in reports:
        year = f"{doc.year}年" if doc.year else ""
        headers = _headers(store.get_tables(doc.doc_id))
        for concept in _rates_in(headers):
            out.append(
                "评价得分和等级是多少？" if concept.id == "score_rate" else f"{year}{concept.label}是多少？"
            )
        text = "\n".join(c.section for c in store.get_chunks([doc.doc_id]))
        out += [q for key, q in _SECTIONS if key in text]
        out.append("这份报告的数字对得上吗？")
    for doc in policies:
        short = re.sub(r"[（(].*?[)）]", "", doc.title)
        out.append(f"按《{short}》，评价等级怎么划分？")
    return list(dict.fromkeys(out))


def _rates_in(headers: set[str]) -> list[Any]:
    """The glossary's rates the headers name, in the glossary's order (the field's usual order:
    execution and arrival of funds first, the score rate last)."""
    from ingest.glossary import load_glossary

    glossary = load_glossary()
    named = set()
    for header in headers:
        bare = re.sub(r"[（(][^）)]*[）)]|(?:19|20)\d{2}\s*年度?|[\d\s]", "", header)
        hits = glossary.find(bare)
        # the header is the rate's name itself (预算执行率), not a change of another line that ends in one
        if len(hits) == 1 and (hits[0].start, hits[0].end) == (0, len(bare)):
            named.add(hits[0].concept_id)
    return [c for c in glossary.concepts.values() if c.id in named and c.kind == "rate"]


def _headers(tables: list[Any]) -> set[str]:
    out: set[str] = set()
    for table in tables:
        for row in table.header:
            out.update(re.sub(r"\s+", "", h) for h in row)
        out.update(re.sub(r"\s+", "", r[0]) for r in table.rows if r)
    return out
