"""Figure lookup: one or several figures, a whole row or column ("各…分别"), and the execution-rate recheck."""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.calculator import ComputeFailed, compute
from service.answer.deterministic.evidence import (
    Figure,
    normalize_space,
)
from service.answer.deterministic.handlers._context import (
    Context,
    agrees,
    cite_all,
    clean_col,
    computed_vars,
    fig_var,
    refusal,
    subject,
    year_reason,
    years_asked,
)
from service.answer.deterministic.handlers.arithmetic import derive_previous
from service.answer.deterministic.handlers.fit import asks_percent, fitting_figure
from service.answer.deterministic.render import Draft


def handle_lookup(ctx: Context) -> Draft:
    a = ctx.analysis
    ctx.progress("searching", "查找数据")
    years = years_asked(ctx) or [None]  # type: ignore[list-item]
    found: list[dict[str, Any]] = []
    missing: list[str] = []
    each = bool(EACH.search(a.question)) and not a.years and a.concept is not None
    # "决策、过程、产出、效益各得了多少分": find the row through the first item named, then read it whole
    ents = a.entities[:1] if each and len(a.entities) > 1 else None
    derived: list[Draft] = []
    misfits: list[str] = []
    for key in _lookup_targets(ctx):
        for y in years:
            # only a figure that answers what is asked (a percentage for "几成", a per-unit figure for
            # "每万次…成本") is stated; others are passed over and named in the 未找到 answer
            f, why = fitting_figure(ctx, ctx.spec(concept=key, year=y, entities=ents))
            c = ctx.concept(key)
            if f is None and a.entities and c is not None and c.key in _GENERIC_CONCEPTS:
                # "组长岗位的保险支出": the named row and column are the figure; "支出" only says it is money
                f, why2 = fitting_figure(ctx, ctx.spec(concept="", year=y))
                why = why or why2
            if why and f is None:
                misfits.append(why)
            if f is None:
                # not stated for that year: perhaps as a change ("较2019年增加了24445人次")
                d = derive_previous(ctx, key, y) if y and not a.entities and not asks_percent(ctx) else None
                if d is not None:
                    derived.append(d)
                    continue
                missing.append(subject(ctx, year=y, concept=key))
                continue
            what = subject(ctx, year=y or f.year, concept=key)
            if (
                key is None
                and f.source == "cell"
                and f.unit == "%"
                and (col := clean_col(f.column))
                and col not in what
            ):
                what += col  # "资本性支出的比例": say which rate of the row is stated (预算执行率)
            found.append(fig_var(ctx, f, what))
    if not found and len(derived) == 1 and not missing:
        return derived[0]
    if not found:
        return refusal(
            ctx,
            "、".join(missing) or subject(ctx, year=years[0]),
            reason="；".join(dict.fromkeys(misfits)) or year_reason(ctx, [y for y in years if y]),
        )
    if len(found) == 1 and each:
        # "四个方面各得了多少分？": the whole row of the table the figure is in
        found = expand_each(ctx, found)
    found = cite_all(ctx, found)
    check = None
    if a.op == "execution_rate" and len(found) == 1 and a.concept == "预算执行率":
        check = _verify_execution_rate(ctx, found[0]["figure"])
    computations = [check["computation"]] if check else []
    meta_figs = [
        {
            "value": v["figure"].value,
            "unit": v["figure"].unit,
            "page": v["figure"].page,
            "quote": " ".join((v["figure"].quote, v["figure"].table, v["figure"].row, v["figure"].column)),
        }
        for v in found
    ]
    return Draft(
        "answer_lookup",
        {
            "figures": found,
            "missing": missing,
            "check": check,
        },
        computations=computations,
        meta={"figures": meta_figs},
    )


def expand_each(ctx: Context, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The whole row (or column) the one figure found is in: the concept names the row or the column."""
    fig: Figure = found[0]["figure"]
    concept = ctx.concept(ctx.analysis.concept)
    forms = [m for m in (concept.match + concept.synonyms if concept else ()) if len(m) >= 2]
    along = (
        "column"
        if any(m in clean_col(fig.column) for m in forms) and not any(m in fig.row for m in forms)
        else "row"
    )
    line = ctx.finder.row_figures(fig, along=along)
    if len(line) <= 1:
        return found
    key = ctx.analysis.concept or ""
    label = (lambda f: clean_col(f.column)) if along == "row" else (lambda f: f.label)
    return [fig_var(ctx, f, f"{label(f)}{key}") for f in line]


EACH = re.compile(r"各[项个自]?|分别|每个|每项|几个方面|四个方面|三个方面|各方面")


_GENERIC_CONCEPTS = frozenset({"支出金额", "预算金额", "到位金额"})


_SEVERAL = re.compile(r"分别|和|及|与|、|以及")


def _lookup_targets(ctx: Context) -> list[str | None]:
    """The figures asked for: "受理量和接听量分别是多少" names two; most questions one."""
    a = ctx.analysis
    main = a.concept
    others = [
        k
        for k in a.concepts
        if k != main and (c := ctx.concept(k)) is not None and c.kind in ("rate", "amount", "count")
    ]
    if others and _SEVERAL.search(a.question):
        ordered = [k for k in a.concepts if k == main or k in others]
        return list(dict.fromkeys(ordered))
    return [main]


def _verify_execution_rate(ctx: Context, stated: Figure) -> dict[str, Any] | None:
    """Recompute a stated execution rate from the same row's spending and budget cells."""
    if stated.source != "cell" or not stated.row:
        return None
    row = [normalize_space(stated.row).replace(" ", "")]
    spent = ctx.finder.figure(
        ctx.spec(concept="支出金额", entities=row, year=None, terms=[], columns=("支出",))
    )
    budget = ctx.finder.figure(
        ctx.spec(concept="预算金额", entities=row, year=None, terms=[], columns=("预算",))
    )
    if not spent or not budget or spent.table != stated.table or budget.table != stated.table:
        return None
    ctx.progress("computing", "复核预算执行率")
    try:
        c = compute(ctx.finder, "execution_rate", {"spent": spent, "budget": budget})
    except ComputeFailed:
        return None
    v = computed_vars(ctx, c, {"spent": "支出金额", "budget": "预算金额"})
    v["agrees"] = agrees(stated, c.computation.display)
    v["computation"] = c.computation
    return v
