"""The fact index: every number of the visible documents (ingest/facts.py, stored at ingest),
annotated with the glossary — the concepts its labels name, the qualifiers around it, what its
column measures — and cached per store generation. The general answerer, the fit check and the
`find_facts` tool read it."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
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
    concepts = frozenset(glossary.concepts_in(described)) | _led_measure(fact, glossary)
    return IndexedFact(
        fact=fact,
        title=title,
        concepts=concepts,
        qualifiers=frozenset(glossary.qualifiers_in(fact.context + " " + described)),
        bigrams=bigrams(described),
        measures=measures,
        doc_year=doc_year,
    )


_LEAD = re.compile(r"^([^:：。；]{2,30})[:：]")


def _led_measure(fact: Fact, glossary: Any) -> frozenset[str]:
    """What a listed figure measures when the sentence says it before a colon ("指标权重统一设置为：
    产出指标50%、效益指标30%…": each a 权重), and the figure's own words name no measure."""
    if fact.source != "text" or not fact.quote:
        return frozenset()
    m = _LEAD.match(fact.quote)
    if m is None:
        return frozenset()
    rest = re.sub(r"\s+", "", fact.quote[m.end() :])
    if re.sub(r"\s+", "", fact.context)[:6] not in rest:
        return frozenset()  # the figure is not in the list the lead introduces
    own = set(glossary.concepts_in(fact.description))
    if any(glossary.concept(c).category in MEASURE_CATEGORIES for c in own):
        return frozenset()
    return frozenset(
        c
        for c in glossary.concepts_in(m.group(1))
        if glossary.concept(c).category in MEASURE_CATEGORIES and c not in ENTITY_LIKE
    )


def mark_sum_rows(items: list[IndexedFact], glossary: Any) -> list[IndexedFact]:
    """A table's first or last row that is the sum of all its other rows ("项目绩效" under four
    criteria: weights 100 = 20+50+20+10, scores 82.68 = 20.00+38.70+14.78+9.20) is the table's total
    even when no 合计 names it: its cells take the total qualifier and the concept their parts make
    up (得分 -> 总分, glossary `part_of`). Learned from the document's own arithmetic: every column
    the row can be checked on must add up, in two columns or over at least three rows."""
    tables: dict[tuple[str, str], dict[int, dict[int, IndexedFact]]] = {}
    for i in items:
        f = i.fact
        if f.source == "table" and f.table_id and f.row_index >= 0 and f.col_index >= 0:
            tables.setdefault((f.doc_id, f.table_id), {}).setdefault(f.row_index, {})[f.col_index] = i
    marked: dict[int, IndexedFact] = {}
    for rows in tables.values():
        if len(rows) < 3 or any("total" in c.qualifiers for r in rows.values() for c in r.values()):
            continue  # a table with a named total (or subtotals) says its own sums
        order = sorted(rows)
        for r in {order[0], order[-1]}:
            if _sums_the_rest(rows[r], [rows[o] for o in order if o != r]):
                for cell in rows[r].values():
                    wholes = {w for c in cell.concepts for w in glossary.concept(c).part_of}
                    marked[id(cell)] = replace(
                        cell,
                        qualifiers=cell.qualifiers | {"total"},
                        concepts=cell.concepts | wholes,
                        measures=cell.measures
                        | {w for c in cell.measures for w in glossary.concept(c).part_of},
                    )
                break
    return [marked.get(id(i), i) for i in items] if marked else items


def _sums_the_rest(row: dict[int, IndexedFact], others: list[dict[int, IndexedFact]]) -> bool:
    checked, deepest = 0, 0
    for col, cell in row.items():
        parts = [o[col] for o in others if col in o]
        if len(parts) < 2 or any(p.fact.unit != cell.fact.unit for p in parts):
            continue
        values = [_decimal(p.fact.value) for p in parts]
        whole = _decimal(cell.fact.value)
        if whole is None or any(v is None for v in values):
            continue
        places = max(_places(p.fact.value) for p in [cell, *parts])
        tolerance = Decimal(len(parts)) * Decimal(5) / Decimal(10) ** (places + 1)
        if abs(whole - sum(v for v in values if v is not None)) > tolerance or whole == 0:
            return False
        checked, deepest = checked + 1, max(deepest, len(parts))
    return checked >= 2 or (checked == 1 and deepest >= 3)


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def _places(value: str) -> int:
    text = str(value)
    return len(text.split(".", 1)[1]) if "." in text else 0


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
                self._items = mark_sum_rows(
                    [
                        index_fact(f, titles.get(f.doc_id, ""), self.glossary, years.get(f.doc_id))
                        for f in self.store.get_facts()
                    ],
                    self.glossary,
                )
                self._generation = gen
            items = self._items
        if doc_ids:
            wanted = set(doc_ids)
            items = [i for i in items if i.fact.doc_id in wanted]
        return items
