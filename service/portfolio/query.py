"""A cross-document question as a query: which measure, which years, and what to do with the rows.

The measure comes from the glossary's concepts (预算执行率 -> budget_execution_rate -> the funds
block's rate column; 满意度指标 -> the indicator rows whose names the glossary reads as that
concept); the words that ask for a ranking, a filter, every document, the year before … are the
glossary's `portfolio.question` lists. Pure: no store, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.glossary import load_glossary
from service.portfolio.rows import FUND_MEASURES

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_RANGE = re.compile(r"((?:19|20)\d{2})\s*年?\s*[-－—~～至到]+\s*((?:19|20)\d{2})\s*年?")
_THRESHOLD = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|分|万元|元)?")
_CN_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_TOP_N = re.compile(r"(?:前|最\S{1,2}的|倒数)\s*([0-9]+|[一二两三四五六七八九十])\s*(?:个|家|项|名|份)?")


@dataclass
class Query:
    measure: str = ""  # rate | budget | spent | score | "" (an indicator question)
    indicator_concepts: set[str] = field(default_factory=set)
    years: list[int] = field(default_factory=list)
    op: str = ""  # rank | filter | missed | aggregate | trend | decline | compare | previous | list | ""
    order: str = ""  # asc | desc
    n: int | None = None
    cmp: str = ""  # < | >
    threshold: Decimal | None = None
    wants_sum: bool = False
    wants_mean: bool = False
    self_only: bool = False  # the question asks for 自评 scores: not a third party's or the 财政's

    @property
    def cross(self) -> bool:
        """A question about several documents at once (not a figure of one)."""
        return self.op in ("rank", "filter", "missed", "aggregate", "trend", "decline", "compare", "list")


def _has(text: str, key: str) -> str:
    words = load_glossary().portfolio.get("question", {}).get(key) or []
    return next((w for w in sorted(words, key=len, reverse=True) if w in text), "")


def years_in(text: str) -> list[int]:
    if m := _RANGE.search(text):
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        if b - a <= 20:
            return list(range(a, b + 1))
    return sorted({int(y) for y in _YEAR.findall(text)})


def parse(question: str) -> Query:
    glossary = load_glossary()
    text = re.sub(r"\s+", "", question)
    concepts = glossary.concepts_in(text)
    ops = set(glossary.operations_in(text))
    q = Query(years=years_in(text))
    indicator_ids = {c for c in concepts if glossary.concept(c).category.startswith("indicator")}
    if "service_satisfaction" in concepts or ("satisfaction_rate" in concepts and "指标" in text):
        indicator_ids.add(
            "service_satisfaction" if "service_satisfaction" in concepts else "satisfaction_rate"
        )
    fund = [FUND_MEASURES[c] for c in concepts if c in FUND_MEASURES]
    if indicator_ids:
        q.indicator_concepts = indicator_ids
    elif fund:
        q.measure = "rate" if "rate" in fund else fund[0]
    q.self_only = "自评" in text
    q.wants_sum = "sum" in ops
    q.wants_mean = "average" in ops
    if _has(text, "consecutive_decline"):
        q.op = "decline"
    elif _has(text, "missed") and q.indicator_concepts:
        q.op = "missed"
    elif (low := _has(text, "lowest")) or _has(text, "highest"):
        q.op, q.order = "rank", "asc" if low else "desc"
        m = _TOP_N.search(text)
        if m:
            g = m.group(1)
            q.n = int(g) if g.isdigit() else _CN_NUM.get(g)
    elif (below := _has(text, "below")) or (above := _has(text, "above")):
        m = _THRESHOLD.search(text[text.find(below or above) :])
        if m and not _YEAR.fullmatch(m.group(0).strip()):
            q.op, q.cmp, q.threshold = "filter", "<" if below else ">", Decimal(m.group(1))
    if not q.op and (q.wants_sum or q.wants_mean) and _has(text, "every"):
        q.op = "aggregate"
    elif not q.op and _has(text, "trend") and len(q.years) >= 2:
        q.op = "trend"
    elif not q.op and _has(text, "previous_year"):
        q.op = "previous"
    elif not q.op and _has(text, "compare") and ("和" in text or "与" in text):
        q.op = "compare"
    elif not q.op and _has(text, "every"):
        q.op = "list"
    return q
