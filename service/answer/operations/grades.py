"""A document's grade from its own total score: "按得分这个项目评为什么等级" is the 总分 of the
document (its 总计/总分 row's score, or the sentence stating its 综合得分 — all of them one value)
graded by the rule the document itself states ("评价等级划分为优（90分及以上）、良…"), else by the
glossary's standard bands, through `compute_metric` (grade_from_score)."""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import Draft
from service.answer.operations.fit import same_number
from service.answer.operations.operands import Match

_CARRY = 200  # characters of the next page a rule may run on into
_STATED_GRADE = re.compile(r"(?:评价|绩效|自评)?等级(?:为|是|评定为|：|:)\s*[“\"「]?([优良中差])")


def _is_total_score(item: Any, glossary: Any) -> bool:
    """A figure that is the whole document's score: a 总分/总计 row's score cell, or a sentence's
    综合得分 — never a group's subtotal (决策小计) or a fund line's execution score."""
    f = item.fact
    if f.unit not in ("分", "") or "weight" in item.concepts:
        return False
    if f.source == "table":
        if "indicator_score" not in item.measures and "total_score" not in item.measures:
            return False
        row = " ".join(f.row_path)
        others = set(glossary.concepts_in(row)) - {"total_score"}
        return not others and ("total_score" in item.concepts or "total" in glossary.qualifiers_in(row))
    if f.unit != "分" or "total_score" not in item.concepts:
        return False
    return all(
        glossary.concept(c).category not in ("indicator_level1", "indicator_level2") for c in item.concepts
    )


def total_scores(facts: list[Any], glossary: Any) -> list[Any]:
    """The document's total score, each place it is stated; [] unless one document and one value."""
    # a sentence's 总分 equal to a full-marks figure of the document ("指标体系总分100分") is its maximum
    full = {(i.fact.doc_id, i.fact.value) for i in facts if {"weight", "total_weight"} & i.concepts}
    found = [
        i
        for i in facts
        if _is_total_score(i, glossary)
        and not (
            i.fact.source == "text"
            and any(d == i.fact.doc_id and same_number(v, i.fact.value) for d, v in full)
        )
    ]
    if len({i.fact.doc_id for i in found}) != 1:
        return []
    if any(not same_number(i.fact.value, found[0].fact.value) for i in found):
        return []  # the document states two different totals: which one grades it is unclear
    return found


def _own_rule(store: Any, doc_id: str, title: str) -> Any | None:
    """The grade bands the document itself states, or None."""
    from ingest.models import Page
    from service.metrics._check_policy import grade_rule_from_policy
    from service.metrics.errors import MetricError

    pages = store.get_pages(doc_id)
    # a rule broken by a page end reads on into the next page; it is cited on the page it starts
    joined = [
        Page(number=p.number, text=(p.text or "") + (nxt.text or "")[:_CARRY])
        for p, nxt in zip(pages, [*pages[1:], Page(number=0, text="")], strict=True)
    ]
    try:
        return grade_rule_from_policy(joined, title=title, doc_id=doc_id)
    except MetricError:
        return None


def _stated(store: Any, doc_id: str) -> tuple[str, int, str] | None:
    for page in store.get_pages(doc_id):
        text = re.sub(r"\s+", "", page.text or "")
        m = _STATED_GRADE.search(text)
        if m:
            start = max(
                text.rfind("。", 0, m.start()) + 1, text.rfind("：", 0, m.start() - 8) + 1, m.start() - 30
            )
            end = text.find("。", m.end())
            return m.group(1), page.number, text[start : end + 1 if end >= 0 else len(text)]
    return None


def _rule_sentence(text: str, labels: list[str]) -> str:
    """The sentence of the rule's text that names the most of its grades with their scores."""
    sentences = [x for x in re.split(r"(?<=。)", text) if re.search(r"\d", x)]
    return max(sentences, key=lambda x: sum(x.count(lab) for lab in labels), default=text)


def grade_answer(solver: Any, store: Any) -> Draft | None:
    """The grade of the one document's total score; None when the question gives its own score,
    or no single total score is found (the caller's other paths answer or refuse)."""
    text = solver.ask.text
    if "grade" not in solver.g.operations_in(text) or re.search(r"\d", text):
        return None
    found = total_scores(solver.facts, solver.g)
    if not found:
        return None
    score = Match(sorted(found, key=lambda i: i.fact.source != "table")[0], 1.0)
    doc_id = score.fact.doc_id
    rule = _own_rule(store, doc_id, score.item.title)
    inputs: dict[str, Any] = {"score": {**solver.metric_input(score), "unit": "分"}}
    if rule is not None:
        inputs["bands"] = [
            {"label": b.label, "min": str(b.min), "include_min": b.include_min} for b in rule.bands
        ]
    comp = solver.run_metric("grade_from_score", inputs)
    if comp is None:
        return None
    rule_var = None
    if rule is not None:
        said = _rule_sentence(rule.text, [b.label for b in rule.bands])
        rule_var = {
            "text": said,
            "title": score.item.title,
            "n": solver.cites.add(doc_id, score.item.title, rule.page, said),
        }
    stated = _stated(store, doc_id)
    stated_var = None
    if stated is not None:
        stated_var = {
            "grade": stated[0],
            "n": solver.cites.add(doc_id, score.item.title, stated[1], stated[2]),
        }
    return Draft(
        "answer_grade",
        {
            "score": score.fact.value,
            "score_n": solver.cite(score),
            "grade": str(comp.value),
            "rule": rule_var,
            "rule_source": solver.g.grade_source if rule is None else "",
            "stated": stated_var,
            "formula": comp.formula,
        },
        computations=[comp],
        meta={"score": score.fact.value},
    )
