"""Grades: a score (asked or found) to its grade through the catalogue, with the rule that defines the bands."""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.calculator import Computed, ComputeFailed, compute
from service.answer.deterministic.evidence import (
    Figure,
    normalize_space,
)
from service.answer.deterministic.finders import page_of
from service.answer.deterministic.handlers._context import Context, as_score, refusal
from service.answer.deterministic.render import Draft


def handle_grade(ctx: Context) -> Draft:
    a = ctx.analysis
    score_fig: Figure | None = None
    if a.score:
        score_value = a.score
    else:
        ctx.progress("searching", "查找评价得分")
        ents = [e for e in a.entities if e not in ("得分", "分值")] or ["合计"]
        score_fig = ctx.finder.figure(ctx.spec(concept="得分", entities=ents, terms=[]))
        if score_fig is None:
            return refusal(ctx, "评价得分")
        score_value = score_fig.value
    ctx.progress("computing", "按评分规则确定等级")
    try:
        score_input = score_fig or Figure(score_value, "分", "", "", 0, "", "question", "评价得分")
        c = _grade(ctx, score_input)
    except ComputeFailed as exc:
        return refusal(ctx, "评价等级", reason=f"无法确定等级：{exc.message}")
    grade = str(c.computation.value)
    rule = _grade_rule(ctx)
    stated = _stated_grade(ctx) if not a.score else None
    return Draft(
        "answer_grade",
        {
            "score": score_value,
            "score_n": ctx.cites.figure(score_fig) if score_fig else None,
            "grade": grade,
            "rule": rule,
            "rule_source": c.details.get("source") or _spec_source("grade"),
            "stated": stated,
            "formula": c.computation.formula,
        },
        computations=[c.computation],
        meta={"score": score_value},
    )


def _grade(ctx: Context, score: Figure) -> Computed:
    if not score.doc_id:  # a score given in the question has no source document
        from service.answer.deterministic.calculator import argument_names, metric_name

        name = metric_name("grade")
        arg = argument_names("grade")["score"]
        result = ctx.finder.call(
            "compute_metric",
            name=name,
            inputs={arg: {"value": score.value, "unit": "分", "label": "评价得分"}},
        )
        from service.answer.deterministic.calculator import _computation

        comp = _computation(result)
        if comp is None:
            err = result.get("error", {}) if isinstance(result, dict) else {}
            raise ComputeFailed(str(err.get("message_zh") or err.get("message") or "计算失败"))
        return Computed(comp, {}, result.get("details", {}) if isinstance(result, dict) else {})
    return compute(ctx.finder, "grade", {"score": as_score(score)})


def _spec_source(op: str) -> str:
    from service.answer.deterministic.calculator import _registry, metric_name

    spec = _registry().get(metric_name(op) or "")
    return str(getattr(spec, "source", "") or "")


def _grade_rule(ctx: Context) -> dict[str, Any] | None:
    """The clause that defines the grade bands, from a policy document (else from the report)."""
    for ids in (ctx.lexicon.policy_doc_ids(), None):
        if ids == [] and ids is not None:
            continue
        for p, sent in ctx.finder.sentences(
            "评价等级 分为 优 良 中 差 90分", must=["优"], any_of=["90", "良", "差"], doc_ids=ids
        ):
            s = normalize_space(sent)
            if "90" in s and "良" in s:
                return {
                    "text": sent,
                    "title": p.title,
                    "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent),
                }
    return None


def _stated_grade(ctx: Context) -> dict[str, Any] | None:
    ids = ctx.finder.report_scope()
    for p, sent in ctx.finder.sentences(
        "评价等级 评价结果 得分", must=["等级"], any_of=["优", "良", "中", "差"], doc_ids=ids
    ):
        if ctx.lexicon.doc_kinds.get(p.doc_id) == "policy":
            continue
        m = re.search(r"等级为[“\"]?([优良中差])", normalize_space(sent))
        if m:
            return {"grade": m.group(1), "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent)}
    return None
