"""Finding an operand among a document's facts, by meaning, and saying whether it fits.

A fact fits an operand when it measures the same quantity (the glossary concept is in what the
fact describes — its row and column path or its phrase — or, for a document's own words, most of
those words are), in a compatible unit (a rate in %, money in 元/万元/亿元 …), for the asked year,
and with the asked qualifiers (a target is not an actual, last year is not this year, a part is
not the total). Anything less is not an answer: the caller refuses and says what was searched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingest.facts import Fact
from service.search.facts import (
    ACTUAL_MEASURES,
    ENTITY_LIKE,
    MEASURE_CATEGORIES,
    IndexedFact,
    bigrams,
    index_fact,
)

__all__ = ["Match", "bigrams", "distinct_values", "find", "index_fact", "unit_fits"]
from service.answer.operations.cells import covered, names_a_parent
from service.answer.operations.question import Operand

MONEY = {"元", "万元", "亿元", "千元"}
_UNIT_KINDS = {
    "amount": lambda u: u in MONEY,
    "rate": lambda u: u in ("%", "‰"),
    "people": lambda u: u in ("人", "名", "万人", "人次", ""),
    "score": lambda u: u in ("分", ""),
    "weight": lambda u: u in ("分", ""),
    "count": lambda u: u not in MONEY and u not in ("%", "‰"),
    "duration": lambda u: u in ("天", "小时", "个月", "月", "年"),
}
# qualifiers a fact must share with the question when either side has them
_EXCLUSIVE = ("plan", "previous_year")


@dataclass
class Match:
    item: IndexedFact
    score: float
    why: str = ""

    @property
    def fact(self) -> Fact:
        return self.item.fact


def unit_fits(kind: str, unit: str) -> bool:
    test = _UNIT_KINDS.get(kind)
    return True if test is None else test(unit)


def _qualifiers_fit(asked: frozenset[str], have: frozenset[str]) -> str | None:
    for q in _EXCLUSIVE:
        if (q in asked) != (q in have):
            return q
    return None


def find(
    operand: Operand,
    facts: list[IndexedFact],
    glossary: Any,
    *,
    years: list[int],
    kind: str | None = None,
    words: tuple[str, ...] = (),
    measures: frozenset[str] | None = None,
) -> list[Match]:
    """Facts that fit the operand, best first. Empty when none fits. `words`: the question's own
    content words (not in the glossary) — each must be in what the fact says or in its document's
    title ("公用经费的全年执行数" is not any row's 全年执行数)."""
    concept = glossary.concept(operand.concept) if operand.concept else None
    kind = kind or (concept.kind if concept else None)
    asked_measures = frozenset(measures or ())
    want = bigrams(operand.words)
    # a title word names a line when a figure of the asked quantity uses it, not a figure of another
    of_kind = [i for i in facts if concept is None or concept.id in i.concepts]
    titled = set(words) & _words_of_figures(words, of_kind)
    # a budget states every figure as planned (拟安排): a question that says neither 计划 nor 实际
    # asks those figures when the documents give no other of the quantity
    only_planned = (
        concept is not None
        and "plan" not in operand.qualifiers
        and "actual" not in operand.qualifiers
        and bool(of_kind)
        and all("plan" in i.qualifiers for i in of_kind)
    )
    out: list[Match] = []
    for item in facts:
        f = item.fact
        if concept is not None:
            if concept.id not in item.concepts:
                continue
            extra = len(item.concepts - {concept.id})
            score = 10.0 - 1.5 * extra
            if item.measures:
                if concept.category in MEASURE_CATEGORIES and concept.id not in ENTITY_LIKE:
                    if concept.id not in item.measures:
                        continue  # "部门整体支出总额·预算数" is a budget, not the expenditure asked
                elif not (item.measures & ACTUAL_MEASURES) and not (asked_measures & item.measures):
                    score -= 2.5  # "基本支出是多少": the actual column before the budget column
        else:
            if not want:
                continue
            overlap = len(want & item.bigrams) / len(want)
            if overlap < 0.75:
                continue
            score = 5.0 * overlap - 0.05 * max(0, len(item.bigrams) - len(want))
        if kind and not unit_fits(kind, f.unit):
            continue
        if words:
            said = f.description + f.context + f.quote
            # a word of the document's title only names the document; one its figures also use
            # ("服务补贴" in 居家养老服务补贴项目 and in its line 服务补贴全年预算) names a line
            if not all(w in said or (w not in titled and _in_title(w, item.title)) for w in words):
                continue
            if names_a_parent(list(words), f):
                continue  # "预算编制部分" names the group; this cell is one of its items
        if years and item.year is not None and item.year not in years:
            continue  # a cell without a year of its own is of its document's year
        misfit = _qualifiers_fit(operand.qualifiers, item.qualifiers)
        if misfit is not None and not (misfit == "plan" and only_planned):
            continue
        if "part" in item.qualifiers and "part" not in operand.qualifiers:
            score -= 1.0
        if "total" in item.qualifiers:
            score += 0.5
        if f.source == "table":
            score += 0.5  # cells are exact and labelled; sentences are read from their phrase
        if f.comparator and "plan" not in operand.qualifiers:
            score -= 2.0  # a target ("≥95%") is not an achieved value unless a target is asked
        out.append(Match(item, score))
    out.sort(key=lambda m: (-m.score, m.fact.page, m.fact.id))
    return out


def _in_title(word: str, title: str) -> bool:
    """The word in the title, verbatim or nearly ("河道治理中心绩效" for 河道治理中心…绩效评价…)."""
    return word in title or covered(word, title)


def _words_of_figures(words: tuple[str, ...], facts: list[IndexedFact]) -> set[str]:
    """The words some figure's own phrase or labels use (not only a document title)."""
    if not words:
        return set()
    return {w for w in words if any(w in i.fact.description for i in facts)}


def distinct_values(matches: list[Match], top: float) -> list[Match]:
    """The best matches that tie with the top score, one per distinct value."""
    seen: dict[tuple[str, str], Match] = {}
    for m in matches:
        if m.score < top - 1e-9:
            break
        key = (_norm_value(m.fact.value), m.fact.unit)
        seen.setdefault(key, m)
    return list(seen.values())


def _norm_value(v: str) -> str:
    from decimal import Decimal

    try:
        return format(Decimal(v).normalize(), "f")
    except Exception:
        return v
