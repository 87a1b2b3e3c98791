"""Report check, text claims about rates and changes: answer rate, growth between years, and the
figures a sentence takes from a table (per-10k cost, unit cost, turnover, and changes vs a baseline)."""

from __future__ import annotations

import re

from service.metrics._check_core import CheckItem, call, cannot_verify, judge
from service.metrics._check_tables import Grid, change_alternatives, rate_alternatives, rule_for
from service.metrics._text_base import COUNT_UNITS, DECREASE, VERB, Ctx, N, last, sentences


def answer_rate(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in re.finditer(rf"(?<!计划)(?<!目标)接听率\s*(?:为)?\s*{N}\s*%", p.text):
            ctx.take(p, m)
            before = p.text[: m.start()]
            incoming = last(rf"呼入(?:电话)?量?\s*{N}\s*(万次|次)", before)
            answered = last(rf"接听(?:量)?\s*{N}\s*(万次|次)", before)
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
                    alternatives=[("full_precision", call("answer_rate", inputs))],
                )
            )


_TOPICS = ("受理", "接听", "呼入", "培训", "支出", "经费", "人数", "人员", "派单", "求助")


def collect_facts(ctx: Ctx) -> None:
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


def growth(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for off, sentence in sentences(p.text):
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
                own = last(rf"{N}\s*{COUNT_UNITS}", sentence[: comp.start()])
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
                        alternatives=[("full_precision", call(metric, inputs))],
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


def table_concepts(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for off, sentence in sentences(p.text):
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
                    year_m = last(r"(\d{4})\s*年", sentence[: m.start()])
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
