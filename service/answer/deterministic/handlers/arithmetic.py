"""Arithmetic between stated figures: the difference of two figures ("额定人数和实际月均人数差多少"),
a figure derived from a stated change ("较2019年增加了24445人次" -> the 2019 value), and the
completion of a target stated in the 绩效目标 against the actual figure stated elsewhere.

Every figure comes from compute_metric with its inputs cited by page; an input not found is a
"未找到" that says what was searched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from service.answer.deterministic.calculator import Computed, ComputeFailed, compute
from service.answer.deterministic.evidence import Figure, find_years
from service.answer.deterministic.finders import FigureSpec, page_of
from service.answer.deterministic.handlers._context import (
    Context,
    computed_vars,
    refusal,
    year_reason,
    years_asked,
)
from service.answer.deterministic.render import Draft

_ASKED_UNIT = re.compile(r"多少(万元|亿元|元|万件|万次|人次|个|人|名|条|件|次|篇|项)")


def _kind(unit: str) -> str | None:
    from service.metrics.errors import MetricError
    from service.metrics.units import kind_of

    try:
        return kind_of(unit)
    except MetricError:
        return None


def unit_filter(*units: str) -> Callable[[str], bool]:
    """Accepts a unit of the same kind as every given (stated) unit; any unit when none is given."""
    kinds = {k for u in units if u and (k := _kind(u))}

    def ok(unit: str) -> bool:
        k = _kind(unit)
        if k is None:
            return False
        return not kinds or (k in kinds if k else False)

    return ok


def _same(a: Figure, b: Figure) -> bool:
    return a.value == b.value and a.quote == b.quote


# ---- difference of two figures ----------------------------------------------------------------


def handle_difference(ctx: Context) -> Draft:
    a = ctx.analysis
    ops = a.operands
    if len(ops) != 2:
        return refusal(ctx, "相比较的两个数值", reason="问题中没有指明要相减的两个数值")
    asked = _ASKED_UNIT.search(a.question)
    found: dict[int, Figure] = {}
    # figures the lexicon names first (their unit then constrains the free-worded side)
    order = sorted(range(len(ops)), key=lambda i: not (ops[i]["concept"] or ops[i]["entities"]))
    for i in order:
        op = ops[i]
        ctx.progress("searching", f"查找{op['text']}")
        others = list(found.values())
        ok = unit_filter(*([f.unit for f in others] or ([asked.group(1)] if asked else [])))
        cands = [f for f in _operand_candidates(ctx, op, ok) if not any(_same(f, o) for o in others)]
        if not cands:
            return refusal(ctx, op["text"], reason="计算差额需要两个数值")
        found[i] = replace(cands[0], label=op["text"])
    first, second = found[0], found[1]
    if a.symmetric and first.decimal() < second.decimal():
        first, second = second, first
    ctx.progress("computing", "计算差额")
    try:
        c = compute(ctx.finder, "difference", {"first": first, "second": second})
    except ComputeFailed as exc:
        return refusal(ctx, f"{first.label}与{second.label}的差额", reason=f"无法计算：{exc.message}")
    v = computed_vars(ctx, c, {"first": first.label, "second": second.label})
    negative = c.computation.display.startswith("-")
    if a.symmetric:
        subject, verb = f"{first.label}与{second.label}", "相差"
    else:
        rate = first.unit == "%"
        subject = f"{first.label}比{second.label}"
        verb = ("低" if rate else "少") if negative else ("高" if rate else "多")
    result = c.computation.display.lstrip("-")
    if first.unit == "%":
        result += "（百分点）"  # a difference of two rates is in percentage points
    return Draft(
        "answer_computation",
        {"subject": subject, "verb": verb, "result": result, "stated": None, "extra": [], **v},
        computations=[c.computation],
    )


def _operand_candidates(ctx: Context, op: dict[str, Any], ok: Callable[[str], bool]) -> list[Figure]:
    year = op["years"][0] if op["years"] else None
    if year is None and op.get("relative") is not None and ctx.report_year:
        year = ctx.report_year + op["relative"]  # "去年" / "今年": relative to the report's year
    concept = ctx.concept(op["concept"])
    if concept is None and not op["entities"]:
        return ctx.finder.phrase_figures(op["words"], qualified=op["qualified"], year=year, unit_ok=ok)
    targets = ctx.finder.target_figures(concept, unit_ok=ok) if concept is not None else []
    spec = FigureSpec(
        concept=concept, entities=list(op["entities"]), year=year, terms=[], qualified=op["qualified"]
    )
    found = [f for f in ctx.finder.figures(spec) if ok(f.unit)]
    if op["qualified"]:
        return targets + found  # "计划接听率", "目标人数"
    # an actual figure is never a planned one ("开展8000人次业务培训" is the target, not the count)
    return [f for f in found if not any(_same(f, t) for t in targets)]


# ---- a figure derived from a stated change --------------------------------------------------------


@dataclass
class Derived:
    """A previous-period value computed from a stated change, with what it was computed from."""

    computed: Computed
    figure: Figure  # the derived value, cited by the sentence stating the change
    current_year: int
    concept: str


def derived_previous(ctx: Context, key: str | None, year: int) -> Derived | None:
    """The `year` value of a figure the report gives only as a change: 2020's 33478人次 and "较2019年
    增加了24445人次" -> 2019 = 33478 − 24445. None when the report states no such change."""
    concept = ctx.concept(key)
    if concept is None or concept.kind not in ("count", "amount"):
        return None
    ctx.progress("searching", f"查找较{year}年的增减量")
    for ch in ctx.finder.stated_changes(concept, year):
        doc_year = ctx.lexicon.doc_years.get(ch.passage.doc_id)
        current_year = next((y for y in find_years(ch.sentence) if y != year), doc_year)
        if current_year is None or current_year == year:
            continue
        spec = FigureSpec(concept=concept, year=current_year, terms=[])
        cur = ctx.finder.sentence_figure(spec, ch.passage, ch.sentence)
        if cur is None or not unit_filter(ch.unit)(cur.unit):
            continue
        change = Figure(
            value=ch.amount,
            unit=ch.unit,
            doc_id=ch.passage.doc_id,
            title=ch.passage.title or ctx.lexicon.titles.get(ch.passage.doc_id, ""),
            page=page_of(ch.passage, ch.sentence),
            quote=ch.sentence,
            source="text",
            label=f"较{year}年增减量",
        )
        cur = replace(cur, label=f"{current_year}年{concept.key}")
        ctx.progress("computing", f"由{current_year}年数值和增减量推算{year}年数值")
        try:
            c = compute(ctx.finder, "value_from_change", {"current": cur, "change": change})
        except ComputeFailed:
            continue
        fig = replace(change, value=c.computation.value, label=f"{year}年{concept.key}", year=year)
        return Derived(c, fig, current_year, concept.key)
    return None


def derive_previous(ctx: Context, key: str | None, year: int) -> Draft | None:
    """A lookup of a year the report states only as a change: the derived value, with its computation."""
    d = derived_previous(ctx, key, year)
    if d is None:
        return None
    v = computed_vars(
        ctx, d.computed, {"current": f"{d.current_year}年{d.concept}", "change": f"较{year}年的增减量"}
    )
    note = {
        "text": f"报告未直接给出{year}年{d.concept}，上述数值由{d.current_year}年数值和报告所述增减量推算",
        "n": v["inputs"][-1]["n"],
    }
    return Draft(
        "answer_computation",
        {
            "subject": f"{year}年{d.concept}",
            "verb": "为",
            "result": d.computed.computation.display,
            "stated": None,
            "extra": [note],
            **v,
        },
        computations=[d.computed.computation],
        meta={"years": [year]},
    )


# ---- target vs actual ---------------------------------------------------------------------------


def handle_target_completion(ctx: Context) -> Draft:
    a = ctx.analysis
    key = a.concept or ""
    concept = ctx.concept(key)
    if concept is None:
        return refusal(ctx, f"{key}的目标值与实际值")
    ys = years_asked(ctx)
    year = ys[0] if ys else None
    ctx.progress("searching", f"查找{key}的实际值和绩效目标值")
    targets = ctx.finder.target_figures(concept, unit_ok=unit_filter())
    spec = FigureSpec(concept=concept, entities=list(a.entities), year=year, terms=[], qualified=False)
    actual = next(
        (f for f in ctx.finder.figures(spec) if not any(_same(f, t) for t in targets)),
        None,
    )
    if actual is None:
        return refusal(ctx, f"{key}的实际完成值", reason=year_reason(ctx, [y for y in [year] if y]))
    target = next(
        (t for t in targets if unit_filter(actual.unit)(t.unit) and not _same(t, actual)),
        None,
    )
    if target is None:
        return refusal(ctx, f"{key}的目标值", reason="绩效目标及计划值中没有与该指标对应的数值")
    actual = replace(actual, label=f"实际{key}")
    target = replace(target, label=f"目标{key}")
    ctx.progress("computing", "计算目标完成率")
    try:
        c = compute(ctx.finder, "target_completion", {"actual": actual, "target": target})
    except ComputeFailed as exc:
        return refusal(ctx, f"{key}目标完成率", reason=f"无法计算：{exc.message}")
    v = computed_vars(ctx, c, {"actual": f"实际{key}", "target": f"目标{key}"})
    return Draft(
        "answer_computation",
        {
            "subject": f"{year}年{key}目标完成率" if year else f"{key}目标完成率",
            "verb": "为",
            "result": c.computation.display,
            "stated": None,
            "extra": [],
            **v,
        },
        computations=[c.computation],
    )
