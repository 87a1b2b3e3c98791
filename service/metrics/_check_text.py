"""Report check, text: figures stated in sentences, found by patterns over the page text (numbers near
keywords — never page numbers), paired with inputs from the same sentence, the rest of the text, or
the report's tables. Every percentage left unpaired is listed as cannot_verify, never dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from service.metrics._check_core import CheckItem, Thunk, cannot_verify, from_sum, judge
from service.metrics._check_tables import Grid, change_alternatives, rate_alternatives, rule_for
from service.metrics.errors import MetricError
from service.metrics.registry import compute

N = r"(\d+(?:\.\d+)?)"
COUNT_UNITS = r"(万人次|人次|万件|件|万次|次|人|名|条|个|万元|亿元|元|篇|期)"
INCREASE = ("提高", "增加", "增长", "上涨", "上升")
DECREASE = ("下降", "降低", "减少")
VERB = r"(提高|增加|增长|上涨|上升|下降|降低|减少)了?\s*"
_TABLE_LINE = re.compile(r"^\s*(续)?表\s*[0-9０-９]|^\s*[（(]?\s*(计量)?单位\s*[：:]|^\s*注\s*[0-9¹²³⁴⁵⁶⁷⁸⁹]")


@dataclass
class Para:
    page: int
    text: str
    key: int


@dataclass
class Ctx:
    doc_id: str
    paras: list[Para]
    grids: list[Grid]
    consumed: set[tuple[int, int]] = field(default_factory=set)  # (para key, start of a stated number)
    budget_total: tuple[str, int] | None = None  # (value text, page)
    facts: list[tuple[int, str, str, str, int]] = field(default_factory=list)  # year, value, unit, text, page

    def take(self, para: Para, m: re.Match[str], group: int = 1) -> None:
        self.consumed.add((para.key, m.start(group)))

    def src(self, para: Para, label: str) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "page": para.page, "table": "", "row": label, "column": ""}

    def arg(self, para: Para, value: str, unit: str, label: str) -> dict[str, Any]:
        return {"value": value, "unit": unit, "label": label, "source": self.src(para, label)}


def _is_table_line(line: str) -> bool:
    if "\t" in line or _TABLE_LINE.search(line):
        return True
    tokens = line.split()
    numeric = sum(1 for t in tokens if re.fullmatch(r"[-—]|[+-]?\d+(\.\d+)?%?", t))
    return numeric >= 3 and not re.search(r"[，。；、：]", line)


def paragraphs(pages: list[Any]) -> list[Para]:
    out: list[Para] = []
    for page in pages:
        for line in (page.text or "").split("\n"):
            if line.strip() and not _is_table_line(line):
                out.append(Para(page.number, line.strip(), len(out)))
    return out


def _sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) split at 。 (the sentence keeps its end mark)."""
    out, start = [], 0
    for m in re.finditer(r"。", text):
        out.append((start, text[start : m.end()]))
        start = m.end()
    if start < len(text):
        out.append((start, text[start:]))
    return out


def _last(pattern: str, text: str) -> re.Match[str] | None:
    matches = list(re.finditer(pattern, text))
    return matches[-1] if matches else None


# ---- budget ----------------------------------------------------------------------------------------

_BUDGET = re.compile(
    rf"预算(?:资金|总额)?\s*{N}\s*万元\s*[，,]\s*其中\s*年初预算\s*{N}\s*万元"
    rf"(?:\s*[、，,]\s*追加(?:预算)?\s*{N}\s*万元)?(?:\s*[、，,]\s*调减(?:预算)?\s*{N}\s*万元)?"
)


def _budget(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in _BUDGET.finditer(p.text):
            total, initial, add, red = m.groups()
            ctx.take(p, m)
            ctx.budget_total = ctx.budget_total or (total, p.page)
            inputs = {
                "initial_budget": ctx.arg(p, initial, "万元", "年初预算"),
                "additions": ctx.arg(p, add or "0", "万元", "追加预算"),
                "reductions": ctx.arg(p, red or "0", "万元", "调减预算"),
            }
            items.append(
                judge(
                    claim="预算资金（年初预算＋追加预算－调减预算）",
                    page=p.page,
                    stated_raw=total,
                    alternatives=[("exact", lambda inputs=inputs: compute("adjusted_budget", inputs))],
                    kind="text",
                    source=ctx.src(p, "预算资金"),
                )
            )
    if ctx.budget_total is None:
        for p in ctx.paras:
            m = re.search(rf"(?:调整后预算|预算资金|全年预算)(?:金额|总额)?为?\s*{N}\s*万元", p.text)
            if m:
                ctx.budget_total = (m.group(1), p.page)
                break


def _funds(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in re.finditer(rf"(?<!及时)到位率为?\s*{N}\s*%", p.text):
            ctx.take(p, m)
            arrived = _last(rf"到位(?:财政)?资金\s*(?:为)?\s*{N}\s*万元", p.text[: m.start()])
            if arrived is None or ctx.budget_total is None:
                items.append(
                    cannot_verify(
                        claim="资金到位率",
                        page=p.page,
                        stated_raw=f"{m.group(1)}%",
                        why="报告未给出实际到位资金或预算金额",
                    )
                )
                continue
            inputs = {
                "arrived_funds": ctx.arg(p, arrived.group(1), "万元", "实际到位资金"),
                "budget": {
                    **ctx.arg(p, ctx.budget_total[0], "万元", "预算资金"),
                    "source": {**ctx.src(p, "预算资金"), "page": ctx.budget_total[1]},
                },
            }
            items.append(
                judge(
                    claim="资金到位率",
                    page=p.page,
                    stated_raw=f"{m.group(1)}%",
                    kind="text",
                    alternatives=[("full_precision", lambda i=inputs: compute("funds_arrival_rate", i))],
                    source=ctx.src(p, "资金到位率"),
                )
            )
        for m in re.finditer(rf"(?:到位及时率|及时到位率)为?\s*{N}\s*%", p.text):
            ctx.take(p, m)
            on_time = re.search(rf"(?:按时|及时)到位(?:的)?(?:财政)?资金\s*(?:为)?\s*{N}\s*万元", p.text)
            arrived = _last(rf"到位(?:财政)?资金\s*(?:为)?\s*{N}\s*万元", p.text[: m.start()])
            if on_time is None or arrived is None:
                items.append(
                    cannot_verify(
                        claim="资金到位及时率",
                        page=p.page,
                        stated_raw=f"{m.group(1)}%",
                        why="报告未列出按时到位的资金金额（到位及时率的分子），无法复算",
                    )
                )
                continue
            inputs = {
                "on_time_funds": ctx.arg(p, on_time.group(1), "万元", "按时到位资金"),
                "due_funds": ctx.arg(p, arrived.group(1), "万元", "应到位资金"),
            }
            items.append(
                judge(
                    claim="资金到位及时率",
                    page=p.page,
                    stated_raw=f"{m.group(1)}%",
                    kind="text",
                    alternatives=[("full_precision", lambda i=inputs: compute("funds_timeliness_rate", i))],
                )
            )


def _execution(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in re.finditer(rf"预算执行率为?\s*{N}\s*%", p.text):
            ctx.take(p, m)
            spent = _last(
                rf"(?:实际使用经费|实际支出金额|实际支出|实际使用资金|支出金额|使用经费)\s*(?:为)?\s*{N}\s*万元",
                p.text[: m.start()],
            )
            if spent is None or ctx.budget_total is None:
                items.append(
                    cannot_verify(
                        claim="预算执行率",
                        page=p.page,
                        stated_raw=f"{m.group(1)}%",
                        why="同段未给出实际支出金额，或全文未给出调整后预算",
                    )
                )
                continue
            inputs = {
                "spent": ctx.arg(p, spent.group(1), "万元", "实际支出"),
                "adjusted_budget": {
                    **ctx.arg(p, ctx.budget_total[0], "万元", "调整后预算（预算资金）"),
                    "source": {**ctx.src(p, "预算资金"), "page": ctx.budget_total[1]},
                },
            }
            items.append(
                judge(
                    claim="预算执行率（实际支出÷调整后预算）",
                    page=p.page,
                    stated_raw=f"{m.group(1)}%",
                    kind="text",
                    source=ctx.src(p, "预算执行率"),
                    alternatives=[("full_precision", lambda i=inputs: compute("budget_execution_rate", i))],
                )
            )


def _over_budget(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for off, sentence in _sentences(p.text):
            for m in re.finditer(rf"超预算(?:金额)?(?:为)?\s*{N}\s*万元", sentence):
                ctx.consumed.add((p.key, off + m.start(1)))
                budget = _last(rf"预算(?:金额)?为?\s*{N}\s*万元", sentence[: m.start()])
                spent = _last(rf"实际支出(?:金额)?为?\s*{N}\s*万元", sentence[: m.start()])
                if budget is None or spent is None:
                    items.append(
                        cannot_verify(
                            claim="超预算金额",
                            page=p.page,
                            stated_raw=f"{m.group(1)}万元",
                            why="同句未给出预算金额和实际支出",
                        )
                    )
                    continue
                inputs = {
                    "spent": ctx.arg(p, spent.group(1), "万元", "实际支出"),
                    "budget": ctx.arg(p, budget.group(1), "万元", "预算金额"),
                }
                items.append(
                    judge(
                        claim="超预算金额（实际支出－预算金额）",
                        page=p.page,
                        stated_raw=m.group(1),
                        kind="text",
                        source=ctx.src(p, "超预算金额"),
                        alternatives=[("exact", lambda i=inputs: compute("over_budget_amount", i))],
                    )
                )


# ---- scores ----------------------------------------------------------------------------------------


def _scores(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        total = re.search(rf"(?:得分|评价结果为|总分为?)\s*{N}\s*分", p.text)
        rest = p.text[total.end() :] if total else ""
        k = rest.find("其中")
        if total and k >= 0:
            tail = re.split(r"。", rest[k:], maxsplit=1)[0]
            parts = list(re.finditer(rf"([\u4e00-\u9fff]{{2,8}}?)\s*{N}\s*分", tail))
            if len(parts) >= 2:
                ctx.take(p, total)
                result = compute(
                    "sum_check",
                    {
                        "parts": [ctx.arg(p, q.group(2), "分", q.group(1)) for q in parts],
                        "stated_total": ctx.arg(p, total.group(1), "分", "总分"),
                    },
                )
                items.append(
                    from_sum(
                        claim="总分（各一级指标得分之和）",
                        page=p.page,
                        stated_raw=total.group(1),
                        result=result,
                        kind="text",
                        source=ctx.src(p, "总分"),
                    )
                )
        for off, sentence in _sentences(p.text):
            for m in re.finditer(r"评价等级为?\s*[“\"「『]?(优秀|优|良好|良|中|合格|差|不合格)[”\"」』]?(?!的)", sentence):
                score = _last(rf"{N}\s*分", sentence[: m.start()])
                stated = m.group(1)
                if score is None:
                    items.append(
                        cannot_verify(
                            claim="评价等级",
                            page=p.page,
                            stated_raw=stated,
                            why="同句未给出总分，无法按评级规则复核",
                        )
                    )
                    continue
                ctx.consumed.add((p.key, off + score.start(1)))
                try:
                    result = compute("grade_from_score", {"score": ctx.arg(p, score.group(1), "分", "总分")})
                except MetricError as exc:
                    items.append(
                        cannot_verify(claim="评价等级", page=p.page, stated_raw=stated, why=exc.message_zh)
                    )
                    continue
                ok = result.value == stated[:1]
                items.append(
                    CheckItem(
                        claim=f"评价等级（总分 {score.group(1)} 分）",
                        page=p.page,
                        stated=stated,
                        recomputed=result.display,
                        formula=result.formula,
                        status="ok" if ok else "mismatch",
                        why=("与评级规则一致：" if ok else "与评级规则不符：") + result.formula_words,
                        convention="exact",
                        metric=result.metric,
                        kind="text",
                        source=ctx.src(p, "评价等级"),
                        computation=result.to_computation(),
                    )
                )


# ---- rates and changes in sentences ----------------------------------------------------------------


def _answer_rate(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in re.finditer(rf"(?<!计划)(?<!目标)接听率\s*(?:为)?\s*{N}\s*%", p.text):
            ctx.take(p, m)
            before = p.text[: m.start()]
            incoming = _last(rf"呼入(?:电话)?量?\s*{N}\s*(万次|次)", before)
            answered = _last(rf"接听(?:量)?\s*{N}\s*(万次|次)", before)
            if incoming is None or answered is None:
                items.append(
                    cannot_verify(
                        claim="接听率",
                        page=p.page,
                        stated_raw=f"{m.group(1)}%",
                        why="同段未给出呼入量和接听量",
                    )
                )
                continue
            inputs = {
                "answered": ctx.arg(p, answered.group(1), answered.group(2), "接听量"),
                "incoming": ctx.arg(p, incoming.group(1), incoming.group(2), "呼入量"),
            }
            items.append(
                judge(
                    claim="接听率（接听量÷呼入量）",
                    page=p.page,
                    stated_raw=f"{m.group(1)}%",
                    kind="text",
                    source=ctx.src(p, "接听率"),
                    alternatives=[("full_precision", lambda i=inputs: compute("answer_rate", i))],
                )
            )


_TOPICS = ("受理", "接听", "呼入", "培训", "支出", "经费", "人数", "人员", "派单", "求助")


def _collect_facts(ctx: Ctx) -> None:
    for p in ctx.paras:
        for segment in re.split(r"[；。]", p.text):
            year = re.search(r"(\d{4})\s*年", segment)
            total = re.search(rf"共计\s*{N}\s*{COUNT_UNITS}", segment)
            if year and total:
                ctx.facts.append((int(year.group(1)), total.group(1), total.group(2), segment, p.page))


def _fact(ctx: Ctx, year: int, unit: str, context: str) -> tuple[str, str, int] | None:
    candidates = [f for f in ctx.facts if f[0] == year and (not unit or f[2] == unit)]
    topics = [t for t in _TOPICS if t in context]
    scored = sorted(candidates, key=lambda f: -sum(t in f[3] for t in topics))
    if scored and (len(scored) == 1 or any(t in scored[0][3] for t in topics)):
        return scored[0][1], scored[0][2], scored[0][4]
    return None


def _growth(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for off, sentence in _sentences(p.text):
            comp = re.search(r"(?:比|较)\s*(\d{4})\s*年", sentence)
            if comp is None or re.search(r"均值|平均", sentence):
                continue
            prev_year = int(comp.group(1))
            years = [int(y) for y in re.findall(r"(\d{4})\s*年", sentence[: comp.start()])]
            cur_year = years[-1] if years else prev_year + 1
            for m in re.finditer(rf"{VERB}{N}\s*(%|{COUNT_UNITS[1:-1]})", sentence):
                if m.start() < comp.start():
                    continue
                ctx.consumed.add((p.key, off + m.start(2)))
                pct = m.group(3) == "%"
                verb, stated = m.group(1), m.group(2)
                own = _last(rf"{N}\s*{COUNT_UNITS}", sentence[: comp.start()])
                unit = own.group(2) if own else ("" if pct else m.group(3))
                current = (
                    (own.group(1), own.group(2), p.page) if own else _fact(ctx, cur_year, unit, sentence)
                )
                previous = _fact(ctx, prev_year, current[1] if current else unit, sentence)
                claim = f"{cur_year}年较{prev_year}年{'增长率' if pct else '增减量'}"
                shown = f"{stated}{m.group(3)}"
                if current is None or previous is None:
                    missing = prev_year if previous is None else cur_year
                    items.append(
                        cannot_verify(
                            claim=claim,
                            page=p.page,
                            stated_raw=shown,
                            why=f"报告未给出{missing}年的对应数值，无法复算",
                        )
                    )
                    continue
                inputs = {
                    "current": {
                        **ctx.arg(p, current[0], current[1], f"{cur_year}年"),
                        "source": {**ctx.src(p, f"{cur_year}年"), "page": current[2]},
                    },
                    "previous": {
                        **ctx.arg(p, previous[0], previous[1], f"{prev_year}年"),
                        "source": {**ctx.src(p, f"{prev_year}年"), "page": previous[2]},
                    },
                }
                metric = "growth_rate" if pct else "year_on_year_change"
                items.append(
                    judge(
                        claim=claim,
                        page=p.page,
                        stated_raw=shown,
                        kind="text",
                        sign=-1 if verb in DECREASE else 1,
                        source=ctx.src(p, claim),
                        alternatives=[("full_precision", lambda i=inputs, k=metric: compute(k, i))],
                    )
                )


_CONCEPTS: tuple[tuple[str, str], ...] = (
    (r"每\s*1?\s*万次?接听量?的?人工成本", "每1万接听量人工成本"),
    (r"单位人工成本", "单位人工成本"),
    (r"流失率", "流失率"),
)


def _concept_row(ctx: Ctx, target: str) -> tuple[Grid, int] | None:
    for g in ctx.grids:
        for ri in g.rows:
            rule = rule_for(g.rlabel(ri))
            if rule is not None and target in g.rlabel(ri) and g.baseline_cols:
                return g, ri
    return None


def _table_concepts(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for off, sentence in _sentences(p.text):
            marks = sorted(
                (m.start(), m.end(), target) for pat, target in _CONCEPTS for m in re.finditer(pat, sentence)
            )
            marks = [mk for i, mk in enumerate(marks) if not any(o[0] <= mk[0] < o[1] for o in marks[:i])]
            if not marks:
                continue
            for m in re.finditer(
                rf"(为|提高|增加|增长|上涨|上升|下降|降低|减少)了?\s*{N}\s*(%|万元)?", sentence
            ):
                before = [mk for mk in marks if mk[1] <= m.start()]
                if not before:
                    continue
                start, end, target = before[-1]
                between = sentence[end : m.start()]
                found = _concept_row(ctx, target)
                if found is None:
                    continue
                g, ri = found
                bcol = next(iter(g.baseline_cols))
                ycol = g.year_cols.get(max(y for y in g.year_cols)) if g.year_cols else None
                stated, num_start, unit = m.group(2), m.start(2), m.group(3) or ""
                if re.search(r"较", between) and m.group(1) != "为":  # a change against the baseline
                    verb = m.group(1)
                    metric = "turnover_reduction" if target == "流失率" else "change_vs_baseline"
                    sign = (
                        (1 if verb in DECREASE else -1)
                        if metric == "turnover_reduction"
                        else (-1 if verb in DECREASE else 1)
                    )
                    alts = change_alternatives(g, ri, ycol, bcol, metric) if ycol is not None else []
                    claim = f"{target}较历史均值{'降低程度' if metric == 'turnover_reduction' else '增长率'}"
                    stated_raw = f"{verb}{stated}%"
                elif m.group(1) == "为" and not re.search(r"[，,]", between):
                    context = sentence[max(0, start - 24) : m.start()]
                    is_base = bool(re.search(r"均值|平均|\d{4}\s*[-—–至]\s*\d{4}", context))
                    year_m = _last(r"(\d{4})\s*年", sentence[: m.start()])
                    ci = bcol if is_base else g.year_cols.get(int(year_m.group(1)) if year_m else -1, ycol)
                    if ci is None:
                        continue
                    alts = rate_alternatives(g, ri, ci) or []
                    claim = f"{target}（{'多年均值' if is_base else g.col_labels.get(ci, '')}）"
                    stated_raw = f"{stated}{unit}"
                else:
                    continue
                ctx.consumed.add((p.key, off + num_start))
                items.append(
                    _with(
                        judge(
                            claim=claim,
                            page=p.page,
                            stated_raw=stated_raw,
                            kind="text",
                            alternatives=alts,
                            source=ctx.src(p, claim),
                            sign=sign if "较历史均值" in claim else 1,
                        ),
                        g,
                    )
                )
            for m in re.finditer(
                rf"较\s*\d{{4}}\s*[-—–至]\s*\d{{4}}\s*年(?:均值|平均)\s*{N}\s*(万元|%)", sentence
            ):
                before = [mk for mk in marks if mk[1] <= m.start()]
                found = _concept_row(ctx, before[-1][2]) if before else None
                if found is None:
                    continue
                g, ri = found
                ctx.consumed.add((p.key, off + m.start(1)))
                items.append(
                    _with(
                        judge(
                            claim=f"{before[-1][2]}（多年均值）",
                            page=p.page,
                            stated_raw=f"{m.group(1)}{m.group(2)}",
                            kind="text",
                            alternatives=rate_alternatives(g, ri, next(iter(g.baseline_cols))) or [],
                            source=ctx.src(p, before[-1][2]),
                        ),
                        g,
                    )
                )


def _with(item: CheckItem, g: Grid) -> CheckItem:
    item.table = item.table or g.table.caption
    if item.status == "cannot_verify" and not item.why:
        item.why = "表中找不到该指标的输入"
    return item


# ---- sums in sentences -----------------------------------------------------------------------------


def _text_sums(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for segment_m in re.finditer(r"[^；。]+", p.text):
            segment, off = segment_m.group(0), segment_m.start()
            total = re.search(rf"共计\s*{N}\s*{COUNT_UNITS}", segment)
            if total:
                parts = [
                    q
                    for q in re.finditer(rf"{N}\s*{COUNT_UNITS}", segment[: total.start()])
                    if q.group(2) == total.group(2)
                ]
                if len(parts) >= 2 and (p.key, off + total.start(1)) not in ctx.consumed:
                    ctx.consumed.add((p.key, off + total.start(1)))
                    items.append(
                        _text_sum(ctx, p, total.group(1), total.group(2), [q.group(1) for q in parts], "共计")
                    )
        for off, sentence in _sentences(p.text):
            for m in re.finditer(rf"{N}\s*{COUNT_UNITS}\s*[，,（(]?\s*其中[：:，,]?", sentence):
                if (p.key, off + m.start(1)) in ctx.consumed:
                    continue
                parts: list[str] = []
                for clause in re.split(r"[，,、；]", sentence[m.end() :]):
                    if re.search(r"较|比|增加|减少|提高|下降|调减|扣除", clause):
                        break
                    parts += [
                        q.group(1)
                        for q in re.finditer(rf"{N}\s*{COUNT_UNITS}", clause)
                        if q.group(2) == m.group(2)
                    ]
                if len(parts) >= 2:
                    ctx.consumed.add((p.key, off + m.start(1)))
                    items.append(_text_sum(ctx, p, m.group(1), m.group(2), parts, "其中"))


def _text_sum(ctx: Ctx, p: Para, total: str, unit: str, parts: list[str], how: str) -> CheckItem:
    result = compute(
        "sum_check",
        {
            "parts": [ctx.arg(p, v, unit, f"分项{i + 1}") for i, v in enumerate(parts)],
            "stated_total": ctx.arg(p, total, unit, "合计"),
        },
    )
    return from_sum(
        claim=f"{how} {total}{unit}（分项之和）",
        page=p.page,
        stated_raw=f"{total}{unit}",
        result=result,
        kind="text",
        source=ctx.src(p, how),
    )


# ---- everything else -------------------------------------------------------------------------------


def _sweep(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in re.finditer(rf"(?<![\d.]){N}\s*%", p.text):
            if (p.key, m.start(1)) in ctx.consumed or re.search(r"[×*]\s*$", p.text[: m.start()]):
                continue  # a stated figure already checked, or the "×100%" of a formula
            clause_start = max(p.text.rfind(ch, 0, m.start()) for ch in "，。；、：,") + 1
            context = p.text[clause_start : m.start()].strip()
            if re.search(r"计划|目标|预期|预计", context[-12:]):
                why = "计划（目标）值，不是由报告数据计算的结果"
            elif re.search(r"超过|达到?|高于|低于|不低于|不少于", context[-8:]):
                why = "阈值表述（超过／达到），不是精确的计算结果，报告也未给出计算依据"
            else:
                why = "报告未给出计算该比率所需的分子和分母，无法复算"
            items.append(
                cannot_verify(
                    claim=context[-24:] or "百分比", page=p.page, stated_raw=f"{m.group(1)}%", why=why
                )
            )


RECOGNIZERS = (
    _budget,
    _funds,
    _execution,
    _over_budget,
    _scores,
    _answer_rate,
    _growth,
    _table_concepts,
    _text_sums,
)


def check_text(pages: list[Any], grids: list[Grid], doc_id: str) -> list[CheckItem]:
    ctx = Ctx(doc_id=doc_id, paras=paragraphs(pages), grids=grids)
    _collect_facts(ctx)
    items: list[CheckItem] = []
    for recognize in RECOGNIZERS:
        recognize(ctx, items)
    _sweep(ctx, items)
    return items


__all__ = ["Thunk", "check_text"]
