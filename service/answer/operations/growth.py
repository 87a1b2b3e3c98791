"""A change between two years the question names ("三公经费2018年决算比2017年决算增长了百分之多少？"):
the one figure of each year that the question's quantity, lines and own words name — in the same
table row and column heading, or the same phrase — through the metrics module's growth_rate (or
year_on_year_change when the change is asked in the figures' unit). Anything less than one figure a
year, or figures that are not the same quantity, is no answer here.
"""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import Draft
from service.answer.operations.operands import Match
from service.answer.operations.phrases import asks_amount_change
from service.search.facts import ENTITY_LIKE, MEASURE_CATEGORIES, IndexedFact

_YEARS = re.compile(r"(?:19|20)\d{2}\s*年?度?")


def two_year_change(solver: Any) -> Draft | None:
    years = sorted(set(solver.ask.years))
    if len(years) != 2:
        return None
    g = solver.g
    named = [c for c in g.concepts_in(solver.ask.text) if g.concept(c).kind != "rate"]
    measures = [c for c in named if g.concept(c).category in MEASURE_CATEGORIES and c not in ENTITY_LIKE]
    if len(set(measures)) > 1:
        return None  # "2018年预算比2017年决算": two quantities, not one quantity's change
    words = [w for w in solver.words if w]
    if not named and not words:
        return None
    picked = {y: _of_year(solver, set(named), words, y) for y in years}
    if any(len(v) != 1 for v in picked.values()):
        return None
    earlier, later = picked[years[0]][0], picked[years[1]][0]
    if not _same_quantity(earlier, later) or earlier.fact.unit != later.fact.unit:
        return None
    args = [("current", Match(later, 1.0)), ("previous", Match(earlier, 1.0))]
    amount = asks_amount_change(solver.ask.text)
    comp = solver.compute("year_on_year_change" if amount else "growth_rate", args)
    if comp is None:
        return None
    what = "增减额" if amount else "增长率"
    name = _plain(solver.label_of(args[0][1]))
    return solver.computed_draft(f"{name}{years[1]}年较{years[0]}年的{what}", comp, args, None)


def _of_year(solver: Any, named: set[str], words: list[str], year: int) -> list[IndexedFact]:
    """The figures of one year that every named concept and word describes (one per value)."""
    out: dict[tuple[str, str], IndexedFact] = {}
    for i in solver.facts:
        f = i.fact
        if i.year != year or f.comparator or "change" in i.qualifiers or f.unit == "%":
            continue
        if "plan" in i.qualifiers and "plan" not in solver.ask.qualifiers:
            continue
        if not named <= i.concepts:
            continue
        said = re.sub(r"\s+", "", f.description + f.context)
        if not all(w in said for w in words):
            continue
        out.setdefault((f.value, f.unit), i)
    return list(out.values())


def _same_quantity(a: IndexedFact, b: IndexedFact) -> bool:
    """Two years of one quantity: one table row under headings that differ only by their year, or
    phrases that differ only by their year."""
    if a.fact.source == "table" and b.fact.source == "table":
        return (
            a.fact.doc_id == b.fact.doc_id
            and a.fact.table_id == b.fact.table_id
            and a.fact.row_index == b.fact.row_index
            and _plain("".join(a.fact.col_path)) == _plain("".join(b.fact.col_path))
        )
    return a.fact.source == b.fact.source and _plain(a.fact.description) == _plain(b.fact.description)


def _plain(text: str) -> str:
    return _YEARS.sub("", text or "").strip()
