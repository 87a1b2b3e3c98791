"""Changes over time: growth between years, change against the multi-year average, the multi-year baseline."""

from __future__ import annotations

import re
from dataclasses import replace

from service.answer.deterministic.calculator import ComputeFailed, compute, compute_lists
from service.answer.deterministic.evidence import (
    Figure,
    normalize_space,
)
from service.answer.deterministic.finders import page_of
from service.answer.deterministic.handlers._context import (
    Context,
    agrees,
    computed_vars,
    refusal,
    subject,
    year_reason,
    years_asked,
)
from service.answer.deterministic.render import Draft

# "多了多少万次": the change in the figure's own unit, not in percent
_ABSOLUTE = re.compile(
    r"多了多少|少了多少|增加了?多少|减少了?多少|多多少|少多少|差多少|相差|增减量|增加量|减少量|增加了几|减少了几|"
    r"多少\s*(?:万|亿)?(?:件|次|元|人次|人|个|条|名)"  # "增长了多少万件": the unit asked is the figure's
)


# "比2019年", "较2019年度", "与2019年相比": the single year named is the one compared against
_AGAINST_YEAR = re.compile(r"(?:比|较|与|和|同|相较于|相比于?|对比)(?:19|20)\d{2}\s*年")


def handle_growth(ctx: Context) -> Draft:
    a = ctx.analysis
    if a.vs_baseline:
        return handle_change_vs_baseline(ctx)
    ys = years_asked(ctx)
    if len(ys) >= 2:
        current, previous = max(ys), min(ys)
    elif len(ys) == 1 and (not a.years or _AGAINST_YEAR.search(normalize_space(a.question).replace(" ", ""))):
        # "去年" / "比2019年涨了百分之几": the year compared against; the current one is the report's
        current, previous = (ctx.report_year or ys[0] + 1), ys[0]
        if current <= previous:
            current, previous = previous, previous - 1
    elif len(ys) == 1:
        current, previous = ys[0], ys[0] - 1
    else:
        current = ctx.report_year or 0
        previous = current - 1
    what = subject(ctx, year=None)
    ctx.progress("searching", f"查找{current}年和{previous}年的{what}")
    cur = ctx.finder.figure(ctx.spec(year=current))
    prev = ctx.finder.figure(ctx.spec(year=previous))
    derived = None
    if cur and not prev and not a.entities:
        # "较2019年增加了24445人次": the previous year's value computed from the stated change first
        from service.answer.deterministic.handlers.arithmetic import derived_previous

        derived = derived_previous(ctx, a.concept, previous)
        prev = derived.figure if derived else None
    if not cur or not prev:
        lacking = [y for y, f in ((current, cur), (previous, prev)) if f is None]
        return refusal(
            ctx,
            "、".join(f"{y}年{what}" for y in lacking),
            reason=year_reason(ctx, lacking) or "计算增长率需要两个年度的数值",
        )
    absolute = bool(_ABSOLUTE.search(a.question)) and not re.search(r"%|百分|率|幅|比例|倍", a.question)
    ctx.progress("computing", "计算增减量" if absolute else "计算增长率")
    cur = replace(cur, label=f"{current}年{what}")
    prev = replace(prev, label=f"{previous}年{what}")
    if derived is None and (points := _points(ctx, cur, prev, f"{current}年{what}较{previous}年")):
        return points
    try:
        c = compute(ctx.finder, "yoy_change" if absolute else "growth", {"current": cur, "previous": prev})
    except ComputeFailed as exc:
        return refusal(ctx, f"{what}增长率", reason=f"无法计算：{exc.message}")
    v = computed_vars(ctx, c, {"current": f"{current}年{what}", "previous": f"{previous}年{what}"})
    stated = None if absolute else stated_change(ctx, what, current, against=str(previous))
    down = c.computation.display.startswith("-")
    extra = []
    if derived is not None:
        extra.append(
            {
                "text": f"报告未直接给出{previous}年{what}，该数值由{current}年数值和报告所述增减量推算",
                "n": ctx.cites.figure(derived.figure),
            }
        )
    return Draft(
        "answer_computation",
        {
            "subject": f"{current}年{what}较{previous}年",
            "verb": "下降" if down else "增长",
            "result": c.computation.display.lstrip("-"),
            "stated": {
                "display": stated.display,
                "n": ctx.cites.figure(stated),
                "agrees": agrees(stated, c.computation.display),
            }
            if stated
            else None,
            "extra": extra,
            **v,
        },
        computations=([derived.computed.computation] if derived else []) + [c.computation],
        meta={"years": [current, previous]},
    )


def handle_change_vs_baseline(ctx: Context) -> Draft:
    """The change of a figure against its multi-year average (表3: 2020 vs 2018–2019 年均值), from the
    table's own (rounded) cells, as the report computes it."""
    ys = years_asked(ctx)
    # a range in the question ("比2018-2019年的均值") names the baseline, not the year compared
    year = ys[0] if len(ys) == 1 else ctx.report_year
    what = subject(ctx, year=None)
    ctx.progress("searching", f"查找{year}年与历史均值的{what}")
    cur = ctx.finder.figure(ctx.spec(year=year, baseline=False))
    base = ctx.finder.figure(ctx.spec(year=None, baseline=True))
    if base is not None and not re.search(
        r"均值|平均", base.column + (base.quote if base.source == "text" else "")
    ):
        base = None
    if (
        not cur
        or not base
        or (cur.value == base.value and cur.page == base.page and cur.column == base.column)
    ):
        return refusal(
            ctx, f"{what}的{year}年数值与历史均值", reason=year_reason(ctx, [y for y in [year] if y])
        )
    ctx.progress("computing", "计算较历史均值的变化")
    cur = replace(cur, label=f"{year}年{what}")
    base = replace(base, label=f"{what}历史均值")
    span_years = sorted(set(int(y) for y in re.findall(r"(?:19|20)\d{2}", base.column)))
    span = f"{span_years[0]}—{span_years[-1]}年" if len(span_years) >= 2 else "历史"
    if points := _points(ctx, cur, replace(base, label=f"{span}均值"), f"{year}年{what}较{span}均值"):
        return points
    try:
        c = compute(ctx.finder, "change_vs_baseline", {"current": cur, "baseline": base})
    except ComputeFailed as exc:
        return refusal(ctx, f"{what}较历史均值的变化", reason=f"无法计算：{exc.message}")
    v = computed_vars(ctx, c, {"current": f"{year}年{what}", "baseline": f"{span}均值"})
    stated = stated_change(ctx, what, year or 0, against="baseline")
    down = c.computation.display.startswith("-")
    return Draft(
        "answer_computation",
        {
            "subject": f"{year}年{what}较{span}均值",
            "verb": "下降" if down else "增长",
            "result": c.computation.display.lstrip("-"),
            "stated": {
                "display": stated.display,
                "n": ctx.cites.figure(stated),
                "agrees": agrees(stated, c.computation.display.lstrip("-")),
            }
            if stated
            else None,
            "extra": [],
            **v,
        },
        computations=[c.computation],
        meta={"years": [year] if year else []},
    )


_CHANGE = re.compile(r"(提高|增长|增加|上升|上涨|下降|降低|减少)了?\s*(-?\d+(?:\.\d+)?)%")


def stated_change(ctx: Context, what: str, year: int, *, against: str = "") -> Figure | None:
    """The change the report itself states ("较2019年…增加了37.83%"), if any, to compare."""
    concept = ctx.concept(ctx.analysis.concept)
    if concept is None:
        return None
    forms = [m for m in concept.match + concept.synonyms if len(m) >= 2]
    for p, sent in ctx.finder.sentences(
        f"{year}年 {what} 增长 提高 下降",
        must=[],
        any_of=["提高", "增长", "增加", "上升", "上涨", "下降", "降低"],
        doc_ids=ctx.finder.report_scope(),
    ):
        s = normalize_space(sent)
        # the change stated nearest after the figure's own name (a sentence may state several)
        best: tuple[int, re.Match[str]] | None = None
        for pos in _own_mentions(ctx, concept.key, forms, s):
            m = _CHANGE.search(s, pos)
            gap = s[pos : m.start()] if m is not None else ""
            near = (
                m is not None
                and not re.search(r"[；;。]", gap)
                and (len(gap) < 20 or (len(gap) < 45 and "较" in gap))
            )
            # the comparison must be the one asked: against that year, or against the average
            if near and against == "baseline":
                near = bool(re.search(r"均值|平均", gap))
            elif near and against:
                near = against in gap and not re.search(r"均值|平均", gap)
            if near and m is not None and (best is None or m.start() - pos < best[0]):
                best = (m.start() - pos, m)
        if best:
            m = best[1]
            return Figure(
                m.group(2).lstrip("-"),
                "%",
                p.doc_id,
                p.title,
                page_of(p, sent),
                sent,
                "text",
                f"{what}变化率",
            )
    return None


def _points(ctx: Context, cur: Figure, other: Figure, subject_text: str) -> Draft | None:
    """ "下降了几个百分点": the change of a rate asked in percentage points is the difference of the two
    rates, not their relative change. None when not asked so, or the figures are not both rates."""
    if "百分点" not in ctx.analysis.question or cur.unit != "%" or other.unit != "%":
        return None
    try:
        c = compute(ctx.finder, "difference", {"first": cur, "second": other})
    except ComputeFailed:
        return None
    v = computed_vars(ctx, c, {"first": cur.label, "second": other.label})
    down = c.computation.display.startswith("-")
    return Draft(
        "answer_computation",
        {
            "subject": subject_text,
            "verb": "下降" if down else "提高",
            "result": c.computation.display.lstrip("-") + "（百分点）",
            "stated": None,
            "extra": [],
            **v,
        },
        computations=[c.computation],
    )


def _own_mentions(ctx: Context, key: str, forms: list[str], s: str) -> list[int]:
    """Where the figure's own name ends in `s`, leaving out a name inside a longer figure's name
    ("接听量" in "单位接听量占用人工成本": that sentence states the cost's change, not the calls')."""
    # a longer name may be written with 的 inside it ("每万次接听量的人工成本" for 每万次接听量人工成本)
    kept = [i for i, ch in enumerate(s) if ch != "的"]
    bare = "".join(s[i] for i in kept)
    others = [
        (kept[m.start()], kept[m.end() - 1] + 1)
        for c in ctx.lexicon.concepts
        if c.key != key
        for syn in (*c.synonyms, *c.match)
        if len(syn) >= 3
        for m in re.finditer(re.escape(syn.replace("的", "")), bare)
    ]
    ends = set()
    for f in forms:
        for m in re.finditer(re.escape(f.replace("的", "")), bare):
            start, end = kept[m.start()], kept[m.end() - 1] + 1
            if not any(b <= start and end <= e and e - b > end - start for b, e in others):
                ends.add(end)
    return sorted(ends)


def handle_baseline(ctx: Context) -> Draft:
    """A multi-year baseline of a ratio figure (2018–2019 年均单位人工成本): ratio of the totals, as
    the report and the policy define it; the mean of yearly ratios shown for contrast."""
    a = ctx.analysis
    key = a.concept or ""
    num_key, den_key = ctx.lexicon.ratios[key]
    if len(a.years) >= 2:
        years = list(range(min(a.years), max(a.years) + 1))
    elif ctx.report_year:
        years = [ctx.report_year - 2, ctx.report_year - 1]
    else:
        return refusal(ctx, f"多年均值{key}", reason="问题中没有年份范围")
    span = f"{years[0]}—{years[-1]}年"
    ctx.progress("searching", f"查找{span}各年的{num_key}和{den_key}")
    nums, dens = [], []
    for y in years:
        n = ctx.finder.figure(ctx.spec(concept=num_key, year=y, entities=[], terms=[], baseline=False))
        d = ctx.finder.figure(ctx.spec(concept=den_key, year=y, entities=[], terms=[], baseline=False))
        if not n or not d:
            return refusal(ctx, f"{y}年的{num_key if not n else den_key}", reason=year_reason(ctx, [y]))
        nums.append(Figure(**{**n.__dict__, "label": f"{y}年{num_key}"}))
        dens.append(Figure(**{**d.__dict__, "label": f"{y}年{den_key}"}))
    ctx.progress("computing", "按合计数之比计算多年均值")
    try:
        c = compute_lists(ctx.finder, "baseline", {"numerators": nums, "denominators": dens})
    except ComputeFailed as exc:
        return refusal(ctx, f"{span}年均{key}", reason=f"无法计算：{exc.message}")
    computations = [c.computation]
    alt = None
    try:
        m = compute_lists(ctx.finder, "baseline_mean", {"numerators": nums, "denominators": dens})
        computations.append(m.computation)
        alt = {"display": m.computation.display, "formula": m.computation.formula}
    except ComputeFailed:
        pass
    stated = ctx.finder.figure(ctx.spec(concept=key, entities=[], terms=[], baseline=True))
    if stated is not None and not (stated.source == "cell" and re.search(r"均值|平均", stated.column)):
        stated = None
    clause = None
    for p, sent in ctx.finder.sentences(
        "多年均值 合计数之比 历史水平",
        must=[],
        any_of=["合计数之比", "多年均值", "简单平均"],
        doc_ids=ctx.finder.policy_scope(),
    ):
        clause = {
            "title": p.title,
            "text": normalize_space(sent),
            "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent),
        }
        break
    inputs = [{"label": f.label, "display": f.display, "n": ctx.cites.figure(f)} for f in nums + dens]
    return Draft(
        "answer_baseline",
        {
            "span": span,
            "subject": key,
            "numerator": num_key,
            "denominator": den_key,
            "formula": c.computation.formula,
            "display": c.computation.display,
            "inputs": inputs,
            "stated": {
                "display": stated.display,
                "n": ctx.cites.figure(stated),
                "agrees": agrees(stated, c.computation.display),
            }
            if stated
            else None,
            "alt": alt,
            "clause": clause,
        },
        computations=computations,
        meta={"years": years},
    )
