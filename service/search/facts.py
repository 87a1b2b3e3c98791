"""The fact index: every number of the visible documents (ingest/facts.py, stored at ingest),
annotated with the glossary — the concepts its labels name, the qualifiers around it, what its
column measures — and cached per store generation. The general answerer, the fit check and the
`find_facts` tool read it."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from typing import Any

from ingest.facts import Fact
from ingest.fold import fold

# concepts that name what a column measures (a stage of the budget, a form column, a score) as
# opposed to what a row is about (an expenditure class, a funding source, an indicator)
MEASURE_CATEGORIES = frozenset({"budget_stage", "form_column", "score"})
ENTITY_LIKE = frozenset({"total_funds"})
ACTUAL_MEASURES = frozenset({"expenditure", "final_account_amount", "indicator_score", "actual_value"})


@dataclass
class IndexedFact:
    fact: Fact
    title: str
    concepts: frozenset[str]
    qualifiers: frozenset[str]
    bigrams: frozenset[str]
    measures: frozenset[str] = frozenset()  # what its column measures (table cells)
    doc_year: int | None = None  # the one year its document is about (identity), when it names one

    @property
    def year(self) -> int | None:
        """The fact's own period, else its document's year: a form cell of a 2023 自评表 is a 2023
        figure even though the cell itself names no year."""
        return self.fact.period if self.fact.period is not None else self.doc_year


def bigrams(text: str) -> frozenset[str]:
    cjk = re.sub(r"[^\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9]", "", text or "")
    return frozenset(cjk[i : i + 2] for i in range(len(cjk) - 1))


def _folded(fact: Fact) -> Fact:
    """The fact with what is matched (phrase, labels, sentence) in simplified characters; its quote,
    which citations show, stays the document's own."""
    desc = fold(fact.description)
    rows = tuple(fold(p) for p in fact.row_path)
    cols = tuple(fold(p) for p in fact.col_path)
    context = fold(fact.context)
    if (desc, rows, cols, context) == (fact.description, fact.row_path, fact.col_path, fact.context):
        return fact
    return replace(fact, description=desc, row_path=rows, col_path=cols, context=context)


def index_fact(fact: Fact, title: str, glossary: Any, doc_year: int | None = None) -> IndexedFact:
    fact, title = _folded(fact), fold(title)  # a traditional-character document is matched as simplified
    labels = " ".join((*fact.row_path, *fact.col_path))
    # a table cell is what its labels name; a 合计 row's also what the table's caption names, which
    # ingest puts in front of its description ("2019年“三公”经费支出…合计 2019年")
    described = (
        fact.description if fact.source == "text" or not fact.description.startswith(labels) else labels
    )
    if fact.unit and fact.unit not in ("%", "元", "万元", "亿元"):
        described += fact.unit  # "累计开展培训" + 人次: what a count counts is in its unit
    measures = frozenset(
        c
        for c in glossary.concepts_in(" ".join(fact.col_path))
        if glossary.concept(c).category in MEASURE_CATEGORIES and c not in ENTITY_LIKE
    )
    return IndexedFact(
        fact=fact,
        title=title,
        concepts=frozenset(glossary.concepts_in(described)),
        qualifiers=frozenset(glossary.qualifiers_in(fact.context + " " + described)),
        bigrams=bigrams(described),
        measures=measures,
        doc_year=doc_year,
    )


def document_year(doc: Any) -> int | None:
    """The one year a document is about (its identity's year), None when it covers a period of
    several years or names none."""
    ident = getattr(doc, "identity", None) or {}
    if ident.get("period"):
        return None
    year = ident.get("year") or getattr(doc, "year", None)
    try:
        return int(year) if year else None
    except (TypeError, ValueError):
        return None


class FactIndex:
    """The facts of the visible documents, annotated with the glossary, cached per store generation."""

    def __init__(self, store: Any, glossary: Any) -> None:
        self.store, self.glossary = store, glossary  # the glossary is read by answerer and tools alike
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._items: list[IndexedFact] = []

    def items(self, doc_ids: list[str] | None) -> list[IndexedFact]:
        gen = str(self.store.generation())
        with self._lock:
            if gen != self._generation:
                docs = self.store.list_documents(include_failed=False)
                titles = {d.doc_id: d.title for d in docs}
                years = {d.doc_id: document_year(d) for d in docs}
                self._items = [
                    index_fact(f, titles.get(f.doc_id, ""), self.glossary, years.get(f.doc_id))
                    for f in self.store.get_facts()
                ]
                self._generation = gen
            items = self._items
        if doc_ids:
            wanted = set(doc_ids)
            items = [i for i in items if i.fact.doc_id in wanted]
        return items
