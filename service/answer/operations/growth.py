"""A growth rate the document does not state, from its two years' figures of one line: "三公经费比
2020年增减了百分之多少" is the 2021年 and 2020年 cells of the “三公”经费 row (or one sentence's two
years), computed through `compute_metric` (growth_rate)."""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import Draft
from service.answer.operations.operands import Match
from service.search.facts import MEASURE_CATEGORIES

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
