"""One handler per intent. Each finds its evidence through the Finder (Toolbox tools), computes through
`compute_metric`, cites what it uses, and returns a Draft (template + variables). When the evidence is
missing it returns a refusal draft that says what was searched — it never makes a number up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.answer.base import emit
from service.answer.deterministic.analysis import Analysis
from service.answer.deterministic.calculator import Computed, ComputeFailed, compute, compute_lists
from service.answer.deterministic.evidence import (
    Figure,
    Passage,
    normalize_space,
    split_lines,
    split_sentences,
)
from service.answer.deterministic.finders import FigureSpec, Finder, page_of
from service.answer.deterministic.lexicon import RATIOS, Lexicon
from service.answer.deterministic.render import CitationSet, Draft, zh_count
from service.answer.models import ProgressEvent

_SUBHEAD = re.compile(r"^\s*[（(]([一二三四五六七八九十]+)[）)]\s*(.+)$")
_TOPHEAD = re.compile(r"^\s*([一二三四五六七八九十]+)、\s*(.+)$")
_CLAUSE_NO = re.compile(r"^第[一二三四五六七八九十百]+条")

SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "存在的主要问题": ("存在的主要问题", "存在问题", "主要问题"),
    "相关建议": ("相关建议", "建议"),
    "绩效目标": ("项目绩效目标", "绩效目标", "总体绩效目标"),
    "评价结论": ("绩效评价结果", "评价结论", "评价结果"),
    "绩效评价方法": ("绩效评价方法", "评价方法"),
}


_BASELINE_ASKED = re.compile(
    r"均值|年均|历史|以前年度|往年|(?:19|20)\d{2}\s*年?\s*[-—–至到~]\s*(?:19|20)\d{2}\s*年?\s*(?:的)?平均"
)


@dataclass
class Context:
    finder: Finder
    lexicon: Lexicon
    analysis: Analysis
    cites: CitationSet

    def progress(self, stage: str, detail: str) -> None:
        emit(self.finder.on_event, ProgressEvent(stage=stage, detail=detail))  # type: ignore[arg-type]

    @property
    def report_year(self) -> int | None:
        ids = self.finder.document_ids or self.lexicon.report_doc_ids()
        years = [self.lexicon.doc_years.get(d) for d in ids]
        known = [y for y in years if y]
        return max(known) if known else None

    def concept(self, key: str | None):
        return self.lexicon.concept(key) if key else None

    def spec(
        self,
        *,
        concept: str | None = None,
        year: int | None = None,
        entities: list[str] | None = None,
        columns: tuple[str, ...] = (),
        terms: list[str] | None = None,
        baseline: bool | None = None,
    ) -> FigureSpec:
        a = self.analysis
        q = a.question
        return FigureSpec(
            concept=self.concept(concept if concept is not None else a.concept),
            entities=list(a.entities if entities is None else entities),
            year=year,
            terms=list(a.terms if terms is None else terms),
            baseline=bool(_BASELINE_ASKED.search(q)) if baseline is None else baseline,
            qualified=bool(re.search(r"计划|目标|预期", q)),
            columns=columns,
        )


# ---------------------------------------------------------------------------------------------
# helpers


def subject(
    ctx: Context, *, year: int | None = None, concept: str | None = None, entities: list[str] | None = None
) -> str:
    ents = [e for e in (ctx.analysis.entities if entities is None else entities) if e != "合计"]
    key = concept if concept is not None else (ctx.analysis.concept or "")
    parts = ([f"{year}年"] if year else []) + ents + ([key] if key and key not in ents else [])
    return "".join(parts) or "所问数据"


def years_asked(ctx: Context) -> list[int]:
    a = ctx.analysis
    if a.years:
        return a.years
    if a.relative_year and ctx.report_year:
        return [ctx.report_year - 1]
    return []


def refusal(ctx: Context, what: str, *, reason: str = "") -> Draft:
    searched = list(dict.fromkeys(ctx.finder.searched))
    covered = sorted(ctx.lexicon.years())
    return Draft(
        "refusal",
        {
            "subject": what,
            "reason": reason,
            "searched": searched,
            "years": [f"{y}年" for y in covered],
            "titles": sorted(
                {
                    t
                    for d, t in ctx.lexicon.titles.items()
                    if not ctx.finder.document_ids or d in ctx.finder.document_ids
                }
            ),
        },
        found=False,
        notes=[f"未找到：{what}；已检索：{'；'.join(searched) or '（无）'}"],
    )


def year_reason(ctx: Context, years: list[int]) -> str:
    covered = ctx.lexicon.years()
    missing = [y for y in years if covered and y not in covered]
    if missing and ctx.report_year:
        return f"所收录报告的评价年度为{ctx.report_year}年，报告中没有{'、'.join(f'{y}年' for y in missing)}的该项数据"
    return ""


def fig_var(ctx: Context, f: Figure, subject_text: str) -> dict[str, Any]:
    """A figure for a template; its citation number is assigned by `cite_all` once the list is final."""
    return {"subject": subject_text, "display": f.display, "n": 0, "figure": f}


def cite_all(ctx: Context, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for v in found:
        v["n"] = ctx.cites.figure(v["figure"])
    return found


def _computed_vars(ctx: Context, c: Computed, labels: dict[str, str]) -> dict[str, Any]:
    inputs = [
        {"label": labels.get(role, role), "display": f.display, "n": ctx.cites.figure(f)}
        for role, f in c.figures.items()
    ]
    comp = c.computation
    return {
        "name_zh": comp.name_zh or comp.metric,
        "formula": comp.formula,
        "formula_words": comp.formula_words,
        "display": comp.display,
        "inputs": inputs,
    }


def _agrees(stated: Figure, comp_display: str) -> bool:
    m = re.match(r"-?[\d.]+", comp_display.replace(",", ""))
    if not m:
        return False
    try:
        from decimal import Decimal

        return abs(Decimal(m.group(0)) - stated.decimal()) <= Decimal("0.011")
    except Exception:
        return False


# ---------------------------------------------------------------------------------------------
# lookup


def handle_lookup(ctx: Context) -> Draft:
    a = ctx.analysis
    ctx.progress("searching", "查找数据")
    years = years_asked(ctx) or [None]  # type: ignore[list-item]
    found: list[dict[str, Any]] = []
    missing: list[str] = []
    each = bool(_EACH.search(a.question)) and not a.years
    # "决策、过程、产出、效益各得了多少分": find the row through the first item named, then read it whole
    ents = a.entities[:1] if each and len(a.entities) > 1 else None
    for key in _lookup_targets(ctx):
        for y in years:
            f = ctx.finder.figure(ctx.spec(concept=key, year=y, entities=ents))
            c = ctx.concept(key)
            if f is None and a.entities and c is not None and c.key in _GENERIC_CONCEPTS:
                # "组长岗位的保险支出": the named row and column are the figure; "支出" only says it is money
                f = ctx.finder.figure(ctx.spec(concept="", year=y))
            if f is None:
                missing.append(subject(ctx, year=y, concept=key))
                continue
            found.append(fig_var(ctx, f, subject(ctx, year=y or f.year, concept=key)))
    if not found:
        return refusal(
            ctx,
            "、".join(missing) or subject(ctx, year=years[0]),
            reason=year_reason(ctx, [y for y in years if y]),
        )
    if len(found) == 1 and each:
        # "四个方面各得了多少分？": the whole row of the table the figure is in
        found = _expand_each(ctx, found)
    found = cite_all(ctx, found)
    check = None
    if a.op == "execution_rate" and len(found) == 1 and a.concept == "预算执行率":
        check = _verify_execution_rate(ctx, found[0]["figure"])
    computations = [check["computation"]] if check else []
    meta_figs = [
        {"value": v["figure"].value, "unit": v["figure"].unit, "page": v["figure"].page} for v in found
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


def _expand_each(ctx: Context, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


_EACH = re.compile(r"各[项个自]?|分别|每个|每项|几个方面|四个方面|三个方面|各方面")
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
    v = _computed_vars(ctx, c, {"spent": "支出金额", "budget": "预算金额"})
    v["agrees"] = _agrees(stated, c.computation.display)
    v["computation"] = c.computation
    return v


# ---------------------------------------------------------------------------------------------
# computations


def handle_growth(ctx: Context) -> Draft:
    a = ctx.analysis
    if a.vs_baseline:
        return handle_change_vs_baseline(ctx)
    ys = years_asked(ctx)
    if len(ys) >= 2:
        current, previous = max(ys), min(ys)
    elif len(ys) == 1 and not a.years:  # "去年": the year before the report's
        current, previous = (ctx.report_year or ys[0] + 1), ys[0]
    elif len(ys) == 1:
        current, previous = ys[0], ys[0] - 1
    else:
        current = ctx.report_year or 0
        previous = current - 1
    what = subject(ctx, year=None)
    ctx.progress("searching", f"查找{current}年和{previous}年的{what}")
    cur = ctx.finder.figure(ctx.spec(year=current))
    prev = ctx.finder.figure(ctx.spec(year=previous))
    if not cur or not prev:
        lacking = [y for y, f in ((current, cur), (previous, prev)) if f is None]
        return refusal(
            ctx,
            "、".join(f"{y}年{what}" for y in lacking),
            reason=year_reason(ctx, lacking) or "计算增长率需要两个年度的数值",
        )
    ctx.progress("computing", "计算增长率")
    try:
        c = compute(ctx.finder, "growth", {"current": cur, "previous": prev})
    except ComputeFailed as exc:
        return refusal(ctx, f"{what}增长率", reason=f"无法计算：{exc.message}")
    v = _computed_vars(ctx, c, {"current": f"{current}年{what}", "previous": f"{previous}年{what}"})
    stated = _stated_change(ctx, what, current, against=str(previous))
    down = c.computation.display.startswith("-")
    return Draft(
        "answer_computation",
        {
            "subject": f"{current}年{what}较{previous}年",
            "verb": "下降" if down else "增长",
            "result": c.computation.display.lstrip("-"),
            "stated": {
                "display": stated.display,
                "n": ctx.cites.figure(stated),
                "agrees": _agrees(stated, c.computation.display),
            }
            if stated
            else None,
            "extra": [],
            **v,
        },
        computations=[c.computation],
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
    try:
        c = compute(ctx.finder, "change_vs_baseline", {"current": cur, "baseline": base})
    except ComputeFailed as exc:
        return refusal(ctx, f"{what}较历史均值的变化", reason=f"无法计算：{exc.message}")
    span_years = sorted(set(int(y) for y in re.findall(r"(?:19|20)\d{2}", base.column)))
    span = f"{span_years[0]}—{span_years[-1]}年" if len(span_years) >= 2 else "历史"
    v = _computed_vars(ctx, c, {"current": f"{year}年{what}", "baseline": f"{span}均值"})
    stated = _stated_change(ctx, what, year or 0, against="baseline")
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
                "agrees": _agrees(stated, c.computation.display.lstrip("-")),
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


def _stated_change(ctx: Context, what: str, year: int, *, against: str = "") -> Figure | None:
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
        for pos in sorted(m.end() for f in forms for m in re.finditer(re.escape(f), s)):
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
    v = _computed_vars(ctx, c, {"spent": "实际支出", "budget": "预算金额"})
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
        c = compute(ctx.finder, "score_rate", {"score": _as_score(score), "full": _as_score(full)})
    except ComputeFailed as exc:
        return refusal(ctx, f"{what}得分率", reason=f"无法计算：{exc.message}")
    v = _computed_vars(ctx, c, {"score": f"{what}得分", "full": f"{what}分值"})
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
                "agrees": _agrees(stated, c.computation.display),
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
    from service.answer.deterministic.lexicon import DERIVED

    a = ctx.analysis
    key = a.concept or ""
    op, num_key, den_key = DERIVED[key]
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
    v = _computed_vars(ctx, c, {r_num: f"{year}年{num_key}", r_den: f"{year}年{den_key}"})
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
                "agrees": _agrees(stated, c.computation.display),
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
    v = _computed_vars(ctx, c, {"part": "".join(before), "whole": whole_label})
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


def handle_per_capita(ctx: Context) -> Draft:
    """ "话务岗人均工资福利支出": the row's money figure divided by its headcount (月均人数 by default)."""
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
    people = ctx.finder.figure(
        ctx.spec(
            concept="月均人员数量",
            entities=[cost.row.replace(" ", "")] if cost.row else ents[:1],
            terms=[],
            year=None,
        )
    )
    if people is None or people.table != cost.table:
        people = (
            ctx.finder.figure(ctx.spec(concept="月均人员数量", entities=ents[:1], terms=[], year=None))
            or people
        )
    if people is None:
        return refusal(ctx, f"{''.join(ents)}的人数")
    ctx.progress("computing", "计算人均值")
    try:
        c = compute(ctx.finder, "unit_cost", {"part": cost, "whole": people})
    except ComputeFailed as exc:
        return refusal(ctx, "人均值", reason=f"无法计算：{exc.message}")
    what = "".join(ents)
    v = _computed_vars(
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


def clean_col(column: str) -> str:
    from service.answer.deterministic.lexicon import clean_header

    return clean_header(column.split(" ")[-1]) if column else ""


def handle_baseline(ctx: Context) -> Draft:
    """A multi-year baseline of a ratio figure (2018–2019 年均单位人工成本): ratio of the totals, as
    the report and the policy define it; the mean of yearly ratios shown for contrast."""
    a = ctx.analysis
    key = a.concept or ""
    num_key, den_key = RATIOS[key]
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
                "agrees": _agrees(stated, c.computation.display),
            }
            if stated
            else None,
            "alt": alt,
            "clause": clause,
        },
        computations=computations,
        meta={"years": years},
    )


def _as_score(f: Figure) -> Figure:
    return f if f.unit in ("分", "") else Figure(**{**f.__dict__, "unit": ""})


# ---------------------------------------------------------------------------------------------
# grades


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
    return compute(ctx.finder, "grade", {"score": _as_score(score)})


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


# ---------------------------------------------------------------------------------------------
# sections


def handle_section(ctx: Context) -> Draft:
    key = ctx.analysis.section or ""
    heads = SECTION_HEADINGS.get(key, (key,))
    ctx.progress("searching", f"查找“{key}”部分")
    passages = ctx.finder.search(key, doc_ids=ctx.finder.report_scope(), k=20)
    in_section = [
        p for p in passages if any(_heading_core(x) in heads for x in re.split(r"\s*>\s*", p.section))
    ]
    focus = [w for w in _question_words(ctx) if w not in _SECTION_WORDS and not any(w in h for h in heads)]
    if focus:  # "在预算执行约束方面，报告指出了什么问题？": the item about that, quoted
        extra = ctx.finder.search(" ".join([key, *focus]), doc_ids=ctx.finder.report_scope(), k=10)
        ranked = [
            (
                sc + (0.2 if any(_heading_core(x) in heads for x in re.split(r"\s*>\s*", p.section)) else 0),
                p,
                sent,
            )
            for sc, p, sent in rank_sentences(ctx, focus, in_section + extra)
            if sc >= 0.5
        ]
        ranked.sort(key=lambda t: -t[0])
        if ranked:
            top = ranked[0][0]
            return _quote_draft(ctx, "、".join(focus), [t for t in ranked[:3] if t[0] >= 0.7 * top])
    items = _section_items(in_section, heads)
    if items:
        out = [
            {"text": text, "n": ctx.cites.add(p.doc_id, p.title, page, quote)}
            for text, p, page, quote in items
        ]
        return Draft(
            "answer_section",
            {"section": key, "count": zh_count(len(out)), "items": out, "paragraphs": []},
            meta={"pages": sorted({i[2] for i in items})},
        )
    # a section without sub-items (绩效目标, 评价结论): quote its sentences
    paras = []
    for p in in_section[:2] or [p for p in passages if any(h in p.text for h in heads)][:1]:
        for sent in split_sentences(p.text):
            s = normalize_space(sent)
            if (
                len(s) < 12
                or _TOPHEAD.match(s)
                or (_SUBHEAD.match(s) and len(s) < 30)
                or "\t" in sent
                or re.match(r"表\s*\d|单位[:：]", s)
            ):
                continue
            paras.append({"text": s, "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent)})
            if len(paras) >= 4:
                break
        if len(paras) >= 4:
            break
    if not paras:
        return refusal(ctx, f"“{key}”部分")
    return Draft("answer_section", {"section": key, "count": "", "items": [], "paragraphs": paras})


def _heading_core(heading: str) -> str:
    """ "四、存在的主要问题" -> "存在的主要问题"; "（二）项目绩效目标" -> "项目绩效目标"."""
    return re.sub(
        r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、])\s*", "", heading
    ).strip()


def _section_items(passages: list[Passage], heads: tuple[str, ...]) -> list[tuple[str, Passage, int, str]]:
    """The numbered sub-headings ((一), (二) …) under the section, with the page each starts on."""
    found: dict[str, tuple[str, Passage, int, str]] = {}
    order: dict[str, int] = {}
    for p in passages:
        parts = [x.strip() for x in re.split(r"\s*>\s*", p.section) if x.strip()]
        idx = next((i for i, x in enumerate(parts) if _heading_core(x) in heads), None)
        if idx is None:
            continue
        sub = parts[idx + 1] if idx is not None and idx + 1 < len(parts) else None
        candidates: list[tuple[str, int, str]] = []
        if _SUBHEAD.match(parts[idx]):  # the section is itself a sub-heading: its text has no items
            continue
        if sub and _SUBHEAD.match(sub):
            line = next(
                (ln for ln in split_lines(p.text) if normalize_space(ln) == normalize_space(sub)), None
            )
            page = page_of(p, line) if line else p.page
            candidates.append((normalize_space(sub), page, line or sub))
        for ln in split_lines(p.text):
            s = normalize_space(ln)
            if _SUBHEAD.match(s) and len(s) <= 40 and not re.search(r"[。；]", s):
                candidates.append((s, page_of(p, ln), ln))
        for text, page, quote in candidates:
            m = _SUBHEAD.match(text)
            if not m or _heading_core(text) in heads:
                continue
            label = m.group(1)
            if label not in found or page < found[label][2]:
                found[label] = (text, p, page, quote)
                order[label] = "一二三四五六七八九十".find(label[0]) * 10 + len(label)
    return [found[k] for k in sorted(found, key=lambda k: order[k])]


# ---------------------------------------------------------------------------------------------
# report check, policy, documents, open questions


def handle_check(ctx: Context) -> Draft:
    ids = ctx.finder.report_scope() or []
    if not ids:
        return refusal(ctx, "可供核对的报告")
    ctx.progress("computing", "复核报告数字")
    rows: list[dict[str, Any]] = []
    title = ""
    for doc in ids[:1]:
        title = ctx.lexicon.titles.get(doc, doc)
        ctx.finder.searched.append(f"复核报告《{title}》")
        res = ctx.finder.call("check_report", doc=doc)
        items = res.get("items") if isinstance(res, dict) else res
        if not isinstance(items, list):
            return refusal(
                ctx,
                "报告核对结果",
                reason=str((res or {}).get("error", {}).get("message", "")) if isinstance(res, dict) else "",
            )
        for it in items:
            if isinstance(it, dict):
                rows.append({**it, "doc_id": doc, "title": title})
    focus = _focused_items(ctx, rows)
    if focus:
        return _focused_check(ctx, focus, title)
    by_status: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_status.setdefault(_status(r), []).append(r)
    mismatches = []
    for r in by_status.get("mismatch", []):
        quote = str(r.get("claim") or r.get("quote") or "")
        page = int(r.get("page") or 0)
        n = ctx.cites.add(r["doc_id"], r["title"], page, quote) if quote and page else None
        mismatches.append(
            {"claim": quote, "stated": r.get("stated"), "recomputed": r.get("recomputed"), "n": n}
        )
    return Draft(
        "answer_check",
        {
            "title": title,
            "total": zh_count(len(rows)),
            "ok": zh_count(len(by_status.get("ok", []))),
            "mismatch": zh_count(len(mismatches)),
            "unverifiable": zh_count(len(by_status.get("cannot_verify", []))),
            "mismatches": mismatches,
        },
        notes=[f"check_report: {len(rows)} 项"],
    )


_SUM_ASKED = re.compile(r"相加|加起来|之和|合计|总和|加总|各项")
_NUM_IN_Q = re.compile(r"\d+(?:\.\d+)?")
_TABLE_NO = re.compile(r"表\s*(\d+(?:\s*[-－—]\s*\d+)?)")


def _focused_items(ctx: Context, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The check items a specific question is about ("表1-1 … 加起来与合计数一致吗？", "59.56% 算得对吗？")."""
    a = ctx.analysis
    q = normalize_space(a.question).replace(" ", "")
    numbers = {
        n.rstrip("0").rstrip(".") for n in _NUM_IN_Q.findall(q) if not re.fullmatch(r"(19|20)\d{2}", n)
    }
    tables = {
        re.sub(r"\s|[－—]", lambda m: "-" if m.group(0) in "－—" else "", t) for t in _TABLE_NO.findall(q)
    }
    words = list(a.entities) + list(a.terms)
    for key in a.concepts:
        c = ctx.concept(key)
        if c:
            words += [w for w in c.synonyms + c.match if len(w) >= 2]
    scored: list[tuple[float, int, dict[str, Any]]] = []
    for i, r in enumerate(rows):
        claim = normalize_space(str(r.get("claim", ""))).replace(" ", "")
        stated = re.sub(r"[^\d.]", "", str(r.get("stated", ""))).rstrip("0").rstrip(".")
        score = 0.0
        if stated and stated in numbers:
            score += 3
        m = _TABLE_NO.match(claim)
        if m and tables:
            score += 2 if m.group(1).replace(" ", "") in tables else -2
        score += sum(1.5 if len(w) >= 3 else 1 for w in dict.fromkeys(words) if w in claim)
        if _SUM_ASKED.search(q):
            score += 1 if "+" in str(r.get("formula", "")) else -1
        if score > 0:
            scored.append((score, i, r))
    if not scored:
        return []
    top = max(sc for sc, _, _ in scored)
    if top < 2:
        return []
    return [r for sc, _, r in sorted(scored, key=lambda t: (-t[0], t[1])) if sc >= top][:2]


def _focused_check(ctx: Context, items: list[dict[str, Any]], title: str) -> Draft:
    from service.answer.models import Computation

    out, computations = [], []
    for r in items:
        comp = r.get("computation")
        if isinstance(comp, dict):
            try:
                computations.append(
                    Computation(**{k: v for k, v in comp.items() if k in Computation.model_fields})
                )
            except Exception:
                comp = None
        n = _cite_stated(ctx, r)
        status = _status(r)
        verdict = {"ok": "与复算结果一致", "mismatch": "与复算结果不一致"}.get(status, "无法核实")
        if status == "cannot_verify" and r.get("why"):
            verdict += f"（{r['why']}）"
        out.append(
            {
                "claim": str(r.get("claim", "")),
                "stated": str(r.get("stated", "")),
                "n": n,
                "formula": str((comp or {}).get("formula") or "").split("；")[0] if comp else "",
                "convention": str(r.get("convention_zh") or ""),
                "verdict": verdict,
            }
        )
    return Draft(
        "answer_check",
        {
            "title": title,
            "total": "",
            "ok": "",
            "mismatch": "",
            "unverifiable": "",
            "mismatches": [],
            "focus": out,
        },
        computations=computations,
    )


def _cite_stated(ctx: Context, item: dict[str, Any]) -> int | None:
    """Cite the sentence or table row on the item's page that states the checked figure."""
    page = int(item.get("page") or 0)
    stated = re.sub(r"[^\d.\-]", "", str(item.get("stated", "")))
    claim = str(item.get("claim", ""))
    if not page or not stated:
        return None
    query = re.sub(r"（[^）]*）", "", claim) or claim
    for q in (f"{query} {stated}", stated):
        for p in ctx.finder.search(q, doc_ids=[item["doc_id"]], k=8):
            if not (p.page <= page <= (p.end_page or p.page)):
                continue
            for sent in split_sentences(p.text):
                if stated in normalize_space(sent).replace(" ", "") and page_of(p, sent) == page:
                    return ctx.cites.add(p.doc_id, p.title, page, sent)
    return None


def _status(item: dict[str, Any]) -> str:
    s = str(item.get("status", "")).lower().replace(" ", "_").replace("-", "_")
    if s in ("ok", "mismatch"):
        return s
    return "cannot_verify"


def handle_policy(ctx: Context) -> Draft:
    """Quote the clause(s) of the policy that answer the question: words weighted by rarity, the
    concept's own names counting double."""
    import math

    a = ctx.analysis
    ids = ctx.finder.policy_scope()
    concept = ctx.concept(a.concept)
    forms = [m for m in (concept.synonyms + concept.match if concept else ()) if len(m) >= 2]
    words = list(dict.fromkeys([*forms[:1], *a.entities, *_question_words(ctx)]))
    words = [w for w in words if w not in _RULE_WORDS]
    if not words and not forms:
        return refusal(ctx, f"“{a.question}”所问的条款")
    query = " ".join(words[:6]) or a.question
    ctx.progress("searching", "检索政策条款")
    if (
        concept is not None
        and concept.kind in ("score", "amount", "count")
        and re.search(r"多少|几|分别|各", a.question)
    ):
        # "细则里四个一级指标的分值分别是多少？": the policy's own table
        spec = ctx.spec(concept=concept.key, terms=[], year=None, baseline=False)
        spec.policy = True
        f = ctx.finder.figure(spec)
        if f is not None:
            found = [fig_var(ctx, f, f"{''.join(a.entities) or f.row}{concept.key}")]
            if _EACH.search(a.question):
                found = _expand_each(ctx, found)
            found = cite_all(ctx, found)
            return Draft("answer_lookup", {"figures": found, "missing": [], "check": None})
    clauses: list[tuple[int, Passage, str, str]] = []
    seen: set[str] = set()
    for rank, p in enumerate(ctx.finder.search(query, doc_ids=ids, k=8)):
        for sent in _clauses(p.text):
            c = normalize_space(sent)
            if c not in seen and len(c) >= 6:
                seen.add(c)
                clauses.append((rank, p, sent, c))
    n = len(clauses) or 1
    weight = {w: len(w) * math.log(1 + n / (1 + sum(1 for *_, c in clauses if w in c))) for w in words}
    for f in forms:
        weight[f] = max(weight.get(f, 0.0), 2.0 * len(f))
    total = sum(weight[w] for w in words) or 1.0
    best: list[tuple[float, Passage, str]] = []
    for rank, p, sent, c in clauses:
        covered = sum(weight[w] for w in words if w in c) + max(
            (weight[f] for f in forms if f in c), default=0.0
        )
        if covered:
            bonus = (0.1 if _CLAUSE_NO.match(c) else 0) + 0.05 / (1 + rank)
            best.append((covered / total + bonus, p, sent))
    best.sort(key=lambda t: -t[0])
    if not best or best[0][0] < 0.3:
        return refusal(ctx, f"关于“{query}”的政策条款")
    top = best[0][0]
    out = []
    for _, p, sent in [t for t in best[:2] if t[0] >= 0.75 * top]:
        out.append(
            {
                "text": normalize_space(sent),
                "title": p.title,
                "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent),
            }
        )
    return Draft("answer_policy", {"topic": a.concept or "、".join(words[:3]), "clauses": out})


_RULE_WORDS = frozenset(
    [
        "细则",
        "实施细则",
        "管理办法",
        "办法",
        "规定",
        "制度",
        "政策",
        "条款",
        "按照",
        "根据",
        "依据",
        "规则",
        "文件",
    ]
)


def _clauses(text: str) -> list[str]:
    """A policy's clauses (第N条 … up to the next clause), else its sentences."""
    lines = split_lines(text)
    out: list[str] = []
    for ln in lines:
        s = ln.strip()
        if (
            _CLAUSE_NO.match(normalize_space(s))
            or not out
            or "\t" in s
            or re.match(r"^第[一二三四五六七八九十]+章", normalize_space(s))
        ):
            out.append(s)
        else:
            out[-1] += s
    return out or split_sentences(text)


def handle_documents(ctx: Context) -> Draft:
    res = ctx.finder.call("list_documents")
    docs = res.get("documents") if isinstance(res, dict) else res
    docs = [d for d in (docs or []) if isinstance(d, dict)]
    return Draft(
        "answer_documents",
        {
            "documents": [
                {"title": d.get("title") or d.get("path"), "status": d.get("status", "")} for d in docs
            ],
            "count": zh_count(len(docs)),
        },
    )


_SECTION_WORDS = frozenset(
    [
        "问题",
        "建议",
        "存在",
        "设定",
        "设置",
        "制定",
        "内容",
        "总体",
        "具体",
        "主要",
        "不足",
        "不足之处",
        "指出",
        "评价",
        "评价组",
        "整改",
        "改进",
        "提出",
        "列出",
        "报告",
        "项目",
        "方面",
        "哪些",
        "什么",
        "有何",
        "相关",
        "结论",
        "目标",
        "方法",
    ]
)
_OPEN_WORDS = frozenset(
    [
        "哪些",
        "什么",
        "哪一年",
        "哪年",
        "何时",
        "什么时候",
        "哪个",
        "哪家",
        "为什么",
        "为何",
        "原因",
        "怎样",
        "如何",
        "怎么",
        "是谁",
        "谁",
    ]
)


def _question_words(ctx: Context) -> list[str]:
    """Every content-bearing word of the question (verbs included), for ranking sentences."""
    from service.answer.deterministic.lexicon import STOPWORDS, segment

    q = normalize_space(ctx.analysis.question)
    out = []
    for w in segment(q):
        w = w.strip()
        if len(w) < 2 or w in STOPWORDS or w in _OPEN_WORDS or re.fullmatch(r"[\W\d]+", w):
            continue
        if w[0] in "哪这那该此其" or w.startswith("什么"):  # "哪些方面", "这笔": pointing, not content
            continue
        out.append(w)
    return list(dict.fromkeys(out))


def rank_sentences(
    ctx: Context, words: list[str], passages: list[Passage]
) -> list[tuple[float, Passage, str]]:
    """Sentences by how much of the question they contain: each word weighs by its length and its
    rarity among the retrieved sentences (a word every sentence has says little)."""
    import math

    sents: list[tuple[int, Passage, str, str]] = []
    seen: set[str] = set()
    for rank, p in enumerate(passages):
        for sent in split_sentences(p.text):
            s = normalize_space(sent)
            if s in seen or len(s) < 8 or "\t" in sent:
                continue
            seen.add(s)
            sents.append((rank, p, sent, s))
    n = len(sents) or 1
    weight = {w: len(w) * math.log(1 + n / (1 + sum(1 for *_, s in sents if w in s))) for w in words}
    total = sum(weight.values()) or 1.0
    out: list[tuple[float, Passage, str]] = []
    for rank, p, sent, s in sents:
        covered = sum(weight[w] for w in words if w in s or w in p.section)
        if covered:
            density = sum(len(w) for w in words if w in s) / len(s)  # to the point beats long-winded
            out.append((covered / total + 0.2 * density + 0.05 / (1 + rank), p, sent))
    out.sort(key=lambda t: -t[0])
    return out


def handle_open(ctx: Context) -> Draft:
    """A what/which/why question, or nothing recognised: quote the sentences that answer it best."""
    a = ctx.analysis
    words = _question_words(ctx)
    if not words:
        ctx.finder.searched.append(f"问题分析：未识别出指标、表格项目或章节（{a.question}）")
        return refusal(ctx, f"“{a.question}”所问的内容")
    ctx.progress("searching", "检索原文")
    passages = ctx.finder.search(" ".join(words), doc_ids=ctx.finder.document_ids, k=8)
    ranked = [t for t in rank_sentences(ctx, words, passages) if t[0] >= 0.5]
    if not ranked:
        return refusal(ctx, f"与“{'、'.join(words)}”相关的内容")
    top = ranked[0][0]
    return _quote_draft(ctx, "、".join(a.terms or words), [t for t in ranked[:2] if t[0] >= 0.9 * top])


def _quote_draft(ctx: Context, topic: str, ranked: list[tuple[float, Passage, str]]) -> Draft:
    clauses = [
        {
            "text": normalize_space(sent),
            "title": p.title,
            "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent),
        }
        for _, p, sent in ranked
    ]
    return Draft("answer_policy", {"topic": topic, "clauses": clauses, "kind": "quote"})


HANDLERS = {
    "lookup": handle_lookup,
    "section": handle_section,
    "check": handle_check,
    "policy": handle_policy,
    "documents": handle_documents,
    "unknown": handle_open,
}

OPERATIONS = {
    "growth": handle_growth,
    "over_budget": handle_over_budget,
    "score_rate": handle_score_rate,
    "grade": handle_grade,
    "baseline": handle_baseline,
    "derive": handle_derive,
    "share": handle_share,
    "per_capita": handle_per_capita,
}


def dispatch(ctx: Context) -> Draft:
    a = ctx.analysis
    if a.op in OPERATIONS:
        return OPERATIONS[a.op](ctx)
    return HANDLERS.get(a.intent, handle_open)(ctx)
