"""Computations from found inputs: over/under budget, score rate, derived rates, shares, per-capita figures."""

from __future__ import annotations

import re

from service.answer.deterministic.calculator import ComputeFailed, compute
from service.answer.deterministic.evidence import (
    normalize_space,
)
from service.answer.deterministic.finders import page_of
from service.answer.deterministic.handlers._context import (
    Context,
    agrees,
    as_score,
    clean_col,
    computed_vars,
    refusal,
    year_reason,
    years_asked,
)
from service.answer.deterministic.render import Draft


def handle_over_budget(ctx: Context) -> Draft:
    a = ctx.analysis
    ents = [e for e in a.entities] or ["合计"]
    what = "".join(e for e in ents if e != "合计") or "项目"
    ctx.progress("searching", f"查找{what}的预算与支出")
    budget = ctx.finder.figure(ctx.spec(concept="预算金额", entities=ents, columns=("预算",), terms=[]))
    spent = ctx.finder.figure(ctx.spec(concept="支出金额", entities=ents, columns=("支出",), terms=[]))
    if not budget or not spent:
        return refusal(ctx, f"{what}的预算金额与实际支出")
    ctx.progress("computing", "计算超预算金额")
    try:
        c = compute(ctx.finder, "over_budget", {"spent": spent, "budget": budget})
    except ComputeFailed as exc:
        return refusal(ctx, f"{what}超预算金额", reason=f"无法计算：{exc.message}")
    v = computed_vars(ctx, c, {"spent": "实际支出", "budget": "预算金额"})
    over = not c.computation.display.startswith("-") and c.computation.value not in ("0", "0.00")
    extra = []
    if a.wants_procedure or over:
        for p, sent in ctx.finder.sentences(
            f"{what} 超预算 预算调整 程序 手续",
            must=[],
            any_of=["调整程序", "调整手续", "预算调整", "超预算"],
            doc_ids=ctx.finder.report_scope(),
        ):
            s = normalize_space(sent)
            if re.search(r"程序|手续", s) and ("超预算" in s or what in s):
                extra.append(
                    {
                        "text": _procedure_text(s),
                        "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent),
                    }
                )
                break
    return Draft(
        "answer_computation",
        {
            "subject": f"{what}实际支出较预算",
            "verb": "超出" if over else "结余",
            "result": c.computation.display.lstrip("-"),
            "stated": None,
            "extra": extra,
            **v,
        },
        computations=[c.computation],
    )


def _procedure_text(sentence: str) -> str:
    if re.search(r"未履行|没有履行|未按", sentence):
        return "报告指出，针对超预算部分未履行相应的预算调整程序"
    return "报告关于预算调整程序的表述如下"


def handle_score_rate(ctx: Context) -> Draft:
    a = ctx.analysis
    ents = [e for e in a.entities if e not in ("得分", "分值", "得分率")] or ["合计"]
    what = "".join(e for e in ents if e != "合计") or "总体"
    ctx.progress("searching", f"查找{what}的得分与分值")
    score = ctx.finder.figure(ctx.spec(concept="得分", entities=ents, terms=[]))
    full = ctx.finder.figure(ctx.spec(concept="分值", entities=ents, terms=[]))
    if not score or not full:
        return refusal(ctx, f"{what}的得分与分值")
    ctx.progress("computing", "计算得分率")
    try:
        c = compute(ctx.finder, "score_rate", {"score": as_score(score), "full": as_score(full)})
    except ComputeFailed as exc:
        return refusal(ctx, f"{what}得分率", reason=f"无法计算：{exc.message}")
    v = computed_vars(ctx, c, {"score": f"{what}得分", "full": f"{what}分值"})
    stated = ctx.finder.figure(ctx.spec(concept="得分率", entities=ents, terms=[]))
    return Draft(
        "answer_computation",
        {
            "subject": f"{what}得分率",
            "verb": "为",
            "result": c.computation.display,
            "stated": {
                "display": stated.display,
                "n": ctx.cites.figure(stated),
                "agrees": agrees(stated, c.computation.display),
            }
            if stated
            else None,
            "extra": [],
            **v,
        },
        computations=[c.computation],
        meta={"entities": ents},
    )


def handle_derive(ctx: Context) -> Draft:
    """A figure the report derives from two others of the same year (接听率 = 接听量 ÷ 呼入量): find the
    inputs, compute through the catalogue, compare with the stated figure, cite the rule if any."""
    a = ctx.analysis
    key = a.concept or ""
    op, num_key, den_key = ctx.lexicon.derived[key]
    ys = years_asked(ctx)
    year = max(ys) if ys else ctx.report_year
    ctx.progress("searching", f"查找{year}年的{num_key}和{den_key}")
    num = ctx.finder.figure(
        ctx.spec(concept=num_key, year=year, entities=a.entities, terms=[], baseline=False)
    )
    den = ctx.finder.figure(
        ctx.spec(concept=den_key, year=year, entities=a.entities, terms=[], baseline=False)
    )
    if not num or not den:
        return refusal(
            ctx,
            f"{year}年的{num_key if not num else den_key}",
            reason=year_reason(ctx, [y for y in [year] if y]),
        )
    ctx.progress("computing", f"计算{key}")
    try:
        from service.answer.deterministic.calculator import roles

        r_num, r_den = roles(op)[:2]
        c = compute(ctx.finder, op, {r_num: num, r_den: den})
    except ComputeFailed as exc:
        return refusal(ctx, key, reason=f"无法计算：{exc.message}")
    v = computed_vars(ctx, c, {r_num: f"{year}年{num_key}", r_den: f"{year}年{den_key}"})
    stated = ctx.finder.figure(ctx.spec(concept=key, year=year, terms=[], baseline=False))
    rule = None
    if ctx.lexicon.policy_doc_ids():
        concept = ctx.concept(key)
        forms = [f for f in (concept.synonyms if concept else (key,)) if len(f) >= 3]
        for p, sent in ctx.finder.sentences(
            f"{key} 计算", must=[], any_of=forms, doc_ids=ctx.finder.policy_scope()
        ):
            if "＝" in sent or "=" in sent or "÷" in sent:
                rule = {
                    "text": normalize_space(sent),
                    "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent),
                }
                break
    return Draft(
        "answer_computation",
        {
            "subject": f"{year}年{key}" if year else key,
            "verb": "为",
            "result": c.computation.display,
            "stated": {
                "display": stated.display,
                "n": ctx.cites.figure(stated),
                "agrees": agrees(stated, c.computation.display),
            }
            if stated
            else None,
            "extra": [rule] if rule else [],
            **v,
        },
        computations=[c.computation],
        meta={"years": [year] if year else []},
    )


_TOTAL_WORDS = re.compile(r"全部|全体|总|合计|整体|所有")


def handle_share(ctx: Context) -> Draft:
    """The share of a part in its whole ("话务岗的工资福利支出占全部工资福利支出的比重"): the part's cell,
    and the whole as the same column's 合计 row of the same table (or the named whole)."""
    a = ctx.analysis
    q = normalize_space(a.question).replace(" ", "")
    split = q.find("占")
    before = [e for e in a.entities if 0 <= q.find(e) < split] if split > 0 else list(a.entities)
    after = [e for e in a.entities if split > 0 and q.find(e, split) > split and e not in before]
    in_whole = re.search(r"在(.+?)中占", q)
    if in_whole:  # "经营用房租赁费在商品和服务支出中占多大比例"
        after = [e for e in a.entities if e in in_whole.group(1)]
        before = [e for e in a.entities if e not in after]
    if not before:
        return refusal(ctx, "占比的分子（部分）")
    ctx.progress("searching", "查找部分与合计")
    part = ctx.finder.figure(ctx.spec(entities=before, terms=[], year=None))
    if part is None:
        return refusal(ctx, "".join(before))
    whole = None
    if part.source == "cell":
        col = clean_col(part.column)
        for cand in ctx.finder.figures(
            ctx.spec(concept=None, entities=["合计"], terms=[], year=None, columns=(col,) if col else ())
        ):
            if cand.table == part.table and cand.column == part.column:
                whole = cand
                break
    if whole is None and after:
        whole = ctx.finder.figure(ctx.spec(entities=after, terms=[], year=None))
    if whole is None:
        return refusal(ctx, f"{''.join(before)}所占比例的合计数")
    ctx.progress("computing", "计算占比")
    try:
        c = compute(ctx.finder, "share", {"part": part, "whole": whole})
    except ComputeFailed as exc:
        return refusal(ctx, "占比", reason=f"无法计算：{exc.message}")
    whole_label = "".join(after) or "合计"
    v = computed_vars(ctx, c, {"part": "".join(before), "whole": whole_label})
    return Draft(
        "answer_computation",
        {
            "subject": f"{''.join(before)}占{whole_label}的比重",
            "verb": "为",
            "result": c.computation.display,
            "stated": None,
            "extra": [],
            **v,
        },
        computations=[c.computation],
    )


_YEAR_WORDS = re.compile(r"(?:19|20)\d{2}\s*年(?:末|初|度)?")


def handle_per_capita(ctx: Context) -> Draft:
    """ "某岗位人均工资福利支出": the row's money figure divided by its headcount — the row's one figure
    counted in people, or the one the question names; several and none named is not answered."""
    a = ctx.analysis
    ents = list(a.entities)
    ctx.progress("searching", "查找金额与人数")
    cost = next(
        (
            f
            for f in ctx.finder.figures(ctx.spec(concept="", entities=ents, terms=[], year=None))
            if "元" in f.unit
        ),
        None,
    )
    if cost is None:
        return refusal(ctx, f"{''.join(ents)}的金额")
    # the row's headcount: a figure of the same table row counted in people, the one the question
    # names by its column ("按月均人数算") when the row has several (年末人数, 月均人数)
    row_figs = ctx.finder.figures(
        ctx.spec(
            concept="",
            entities=[cost.row.replace(" ", "")] if cost.row else ents[:1],
            terms=[],
            year=None,
        )
    )
    heads = list(
        {
            (f.column, f.value): f for f in row_figs if f.unit in ("人", "名") and f.table == cost.table
        }.values()
    )
    cols = {id(f): _YEAR_WORDS.sub("", clean_col(f.column)) for f in heads}
    named = [f for f in heads if cols[id(f)] and cols[id(f)] in a.question]
    # "月均人数" names 2020年月均人数, not the 人数 of 2020年末人数 inside it
    named = [f for f in named if not any(cols[id(f)] in cols[id(g)] != cols[id(f)] for g in named)]
    people = (named or heads)[0] if len(named or heads) == 1 else None
    if people is None:
        return refusal(ctx, f"{''.join(ents)}的人数")
    ctx.progress("computing", "计算人均值")
    try:
        c = compute(ctx.finder, "unit_cost", {"part": cost, "whole": people})
    except ComputeFailed as exc:
        return refusal(ctx, "人均值", reason=f"无法计算：{exc.message}")
    what = "".join(ents)
    v = computed_vars(
        ctx,
        c,
        {"part": f"{cost.row}{clean_col(cost.column)}", "whole": f"{people.row}{clean_col(people.column)}"},
    )
    return Draft(
        "answer_computation",
        {
            "subject": f"{what}人均",
            "verb": "为",
            "result": c.computation.display,
            "stated": None,
            "extra": [],
            **v,
        },
        computations=[c.computation],
    )
