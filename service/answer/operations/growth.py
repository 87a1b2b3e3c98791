"""A growth rate the document does not state, from its two years' figures of one line: "三公经费比
2020年增减了百分之多少" is the 2021年 and 2020年 cells of the “三公”经费 row (or one sentence's two
years), computed through `compute_metric` (growth_rate)."""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import Draft
from service.answer.operations.operands import Match
from service.answer.operations.phrases import asks_amount_change
from service.search.facts import ENTITY_LIKE, MEASURE_CATEGORIES, IndexedFact

# a change asked as a percentage ("增减了百分之多少", "变化幅度", "增长率")
_AS_PERCENT = re.compile(r"百分之|百分比|幅度|增长率|增幅|降幅|变化率|增减率|%")


def _where(i: Any) -> tuple[Any, ...]:
    f = i.fact
    return (f.doc_id, f.table_id, f.row_index) if f.source == "table" else (f.doc_id, f.quote)


class GrowthOps:
    """The attributes and helpers are the solver's."""

    g: Any
    ask: Any
    facts: list[Any]
    compute: Any
    computed_draft: Any
    searched: list[str]

    def growth_between_years(self) -> Draft | None:
        """The one line the question names by a glossary term, its figure of the year asked (else
        the document's year) over its figure of the year before (or the year it is compared with),
        both in one table row or one sentence, one unit; exactly one such pair, or nothing."""
        text = self.ask.text
        if not _AS_PERCENT.search(text):
            return None
        lines = [
            c
            for c in dict.fromkeys(self.g.concepts_in(text))
            if self.g.concept(c).category not in MEASURE_CATEGORIES and self.g.concept(c).kind == "amount"
        ]
        if len(lines) != 1:
            return None
        years = sorted(set(self.ask.years))
        if len(years) > 2:
            return None
        cands = [
            i
            for i in self.facts
            if lines[0] in i.concepts
            and i.fact.period is not None
            and i.fact.unit not in ("%", "‰", "")
            and "change" not in i.qualifiers
            and not i.fact.comparator
        ]
        docs = {i.fact.doc_id for i in cands}
        if len(docs) != 1:
            return None
        doc_years = {i.doc_year for i in cands}
        if len(years) == 2:
            base, now = years
        elif len(years) == 1 and len(doc_years) == 1 and None not in doc_years and years[0] < min(doc_years):
            base, now = years[0], next(iter(doc_years))  # "比2020年增减": against 2020, the report's year
        elif not years and len(doc_years) == 1 and None not in doc_years:
            now = next(iter(doc_years))
            base = now - 1
        else:
            return None
        pairs: dict[tuple[str, str], tuple[Any, Any]] = {}
        for a in cands:
            for b in cands:
                same = _where(a) == _where(b) and a.fact.unit == b.fact.unit
                if same and a.fact.period == now and b.fact.period == base:
                    pairs.setdefault((a.fact.value, b.fact.value), (a, b))
        self.searched.append(f"{self.g.concept(lines[0]).label}的{now}年与{base}年数字")
        if len(pairs) != 1:
            return None
        a, b = next(iter(pairs.values()))
        args = [("current", Match(a, 1.0)), ("previous", Match(b, 1.0))]
        comp = self.compute("growth_rate", args)
        if comp is None:
            return None
        label = self.g.concept(lines[0]).label
        return self.computed_draft(f"{now}年{label}较{base}年的增长率", comp, args, None)


# ---- a quantity named by measure and words, between the two years the question names -------

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
