"""One measure of several named lines, added up ("产出、效益、满意度三类指标的权重加起来是多少？",
"效益指标和服务对象满意度指标合起来占多少权重？"): for each line the question names, the one figure
of that measure the document gives it; their sum through the metrics module. A line with no such
figure, or with several different ones, and the question is not this path's.
"""

from __future__ import annotations

from typing import Any

from service.answer.deterministic.render import Draft
from service.answer.operations.operands import Match
from service.search.facts import ENTITY_LIKE, MEASURE_CATEGORIES, IndexedFact


def named_sum(solver: Any) -> Draft | None:
    g = solver.g
    text = solver.ask.text
    if "sum" not in g.operations_in(text):
        return None
    hits = [h for h in g.find(text) if g.concept(h.concept_id).kind != "text"]
    measures = {
        h.concept_id
        for h in hits
        if g.concept(h.concept_id).category in MEASURE_CATEGORIES and h.concept_id not in ENTITY_LIKE
    }
    lines = [h for h in hits if h.concept_id not in measures]
    if len(measures) != 1 or len({h.concept_id for h in lines}) < 2:
        return None
    (measure,) = measures
    chosen: list[IndexedFact] = []
    for h in lines:
        found = _of_line(solver, h.concept_id, h.term, measure)
        if len({(i.fact.value, i.fact.unit) for i in found}) != 1:
            return None
        chosen.append(found[0])
    if len({i.fact.id for i in chosen}) != len(chosen) or len({i.fact.unit for i in chosen}) != 1:
        return None
    if len({i.fact.doc_id for i in chosen}) != 1:
        return None  # one document's figures only
    items = [Match(i, 1.0) for i in chosen]
    comp = solver.run_metric("sum_of_parts", {"parts": [solver.metric_input(m) for m in items]})
    if comp is None:
        return None
    names = "、".join(h.term for h in lines)
    label = next(h.term for h in hits if h.concept_id == measure)  # in the question's words (权重, 分值)
    solver.searched.append(f"{names}的{label}")
    return solver.computed_draft(
        f"{names}的{label}合计", comp, [(f"part{n}", m) for n, m in enumerate(items)], None
    )


def _of_line(solver: Any, line: str, term: str, measure: str) -> list[IndexedFact]:
    """The figures of one measure on one line: the line's concept (or its very words) and the measure's."""
    years = solver.ask.years
    out = []
    for i in solver.facts:
        f = i.fact
        if measure not in i.concepts or f.comparator or "change" in i.qualifiers:
            continue
        said = f.description if f.source == "text" else " ".join(f.row_path)
        if line not in i.concepts and term not in said:
            continue
        if years and i.year is not None and i.year not in years:
            continue
        out.append(i)
    return out
