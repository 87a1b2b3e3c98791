"""Report check, text claims about rates and changes: rates the document defines itself, growth
between years, and the figures a sentence takes from a table with a multi-year baseline (a derived
line's value, its baseline, and its change against the baseline). No line name is built in: the
sentence is matched against the table's own line names."""

from __future__ import annotations

import re

from service.metrics._check_core import CheckItem, call, cannot_verify, judge
from service.metrics._check_tables import (
    Grid,
    base_row_of,
    change_alternatives,
    change_metric,
    is_change_label,
    rate_alternatives,
    why_unverifiable,
)
from service.metrics._text_base import COUNT_UNITS, DECREASE, VERB, Ctx, N, last, sentences
from service.metrics.vocabulary import core


def _loose(name: str) -> str:
    """A pattern for a name as a sentence may write it: spaces, 的 or 次 between its characters, a
    "1" in "每1万" left out ("每万次…的…" is "每1万…")."""
    chars = [c for c in name if c not in "1１"]
    return r"[的次1１\s]*".join(re.escape(c) for c in chars)


def defined_rates(ctx: Ctx, items: list[CheckItem]) -> None:
    """A rate the document defines itself ("培训合格率＝合格人数÷参训人数×100%"), stated in a sentence
    ("培训合格率为98.5%"), recomputed from its operands stated in the same paragraph before it."""
    book = ctx.book
    for d in book.definitions if book is not None else ():
        num, den = d.numerator[0].terms[0], d.denominator[0].terms[0]
        for p in ctx.paras:
            for m in re.finditer(
                rf"(?<!计划)(?<!目标){_loose(d.name)}\s*(?:为|达到?|是)?\s*{N}\s*[%％]", p.text
            ):
                if (p.key, m.start(1)) in ctx.consumed:
                    continue
                ctx.take(p, m)
                before = p.text[: m.start()]
                found = [
                    last(rf"{_loose(phrase)}\s*(?:为|达到?|共|计|有|是)?\s*{N}\s*{COUNT_UNITS}", before)
                    for phrase in (num, den)
                ]
                claim = f"{d.name}（{num}÷{den}）"
                if found[0] is None or found[1] is None:
                    missing = "、".join(w for w, f in zip((num, den), found, strict=True) if f is None)
                    items.append(
                        cannot_verify(
                            claim=claim,
                            page=p.page,
                            stated_raw=f"{m.group(1)}%",
                            why=f"报告给出了公式（{d.source}），但同段未给出{missing}的数值，无法复算",
                        )
                    )
                    continue
                inputs = {
                    arg: ctx.arg(p, f.group(1), f.group(2), phrase)
                    for arg, f, phrase in zip(d.args, found, (num, den), strict=True)
                    if f is not None
                }
                item = judge(
                    claim=claim,
                    page=p.page,
                    stated_raw=f"{m.group(1)}%",
                    kind="text",
                    source=ctx.src(p, d.name),
                    alternatives=[("full_precision", call(d.metric, inputs))],
                )
                item.why += f"；公式见{d.source}"
                items.append(item)


def _topics(text: str) -> set[str]:
    """The two-character words a sentence is about (its CJK bigrams, years left out)."""
    runs = re.findall(r"[\u4e00-\u9fff]+", re.sub(r"\d+\s*年度?", " ", text))
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}


def collect_facts(ctx: Ctx) -> None:
    for p in ctx.paras:
        for segment in re.split(r"[；。]", p.text):
            year = re.search(r"(\d{4})\s*年", segment)
            total = re.search(rf"共计\s*{N}\s*{COUNT_UNITS}", segment)
            if year and total:
                ctx.facts.append((int(year.group(1)), total.group(1), total.group(2), segment, p.page))


def _fact(ctx: Ctx, year: int, unit: str, context: str) -> tuple[str, str, int] | None:
    """The total stated for `year` (in `unit`) that shares the most words with `context`; the only
    candidate, or the best one if it shares any (a tie between two is no answer)."""
    candidates = [f for f in ctx.facts if f[0] == year and (not unit or f[2] == unit)]
    topics = _topics(context)
    scored = sorted(
        ((len(topics & _topics(f[3])), n, f) for n, f in enumerate(candidates)), key=lambda x: (-x[0], x[1])
    )
    if len(scored) == 1 or (
        scored and scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0])
    ):
        best = scored[0][2]
        return best[1], best[2], best[4]
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


def _concepts(ctx: Ctx) -> list[tuple[str, Grid, int]]:
    """The lines of tables with a multi-year baseline that a sentence may restate: each derived line
    with a rule, and each line a change line ("X较均值…") is the change of. (pattern, grid, row)."""
    out = []
    for g in ctx.grids:
        if not g.baseline_cols:
            continue
        bases = {base_row_of(g, ri) for ri in g.rows if is_change_label(g.rlabel(ri))}
        for ri in g.rows:
            name = core(g.row_labels.get(ri, ""))
            if len(name) >= 3 and (g.rule(name) is not None or ri in bases):
                # the whole name, or an end of it of 3+ characters ("人员…率" of "月均人员…率")
                tails = [name[i:] for i in range(len(name) - 2)]
                out.append(("|".join(f"(?:{_loose(t)})" for t in tails), g, ri))
    return out


def _change_metric_of(g: Grid, ri: int) -> str:
    """How the table states the change of line `ri` against its baseline (a reduction or a growth)."""
    for r in g.rows:
        if is_change_label(g.rlabel(r)) and base_row_of(g, r) == ri:
            return change_metric(g.rlabel(r))
    return "change_vs_baseline"


def table_concepts(ctx: Ctx, items: list[CheckItem]) -> None:
    concepts = _concepts(ctx)
    for p in ctx.paras:
        for off, sentence in sentences(p.text):
            found_marks = [
                (m.start(), -(m.end() - m.start()), m.end(), n)
                for n, (pat, _, _) in enumerate(concepts)
                for m in re.finditer(pat, sentence)
            ]
            found_marks.sort()
            marks: list[tuple[int, int, int]] = []  # (start, end, concept), the longest at each place
            for start, neg_len, end, n in found_marks:
                if any(o[0] <= start < o[1] for o in marks):
                    continue
                rivals = [f for f in found_marks if f[0] == start and f[1] == neg_len and f[3] != n]
                if not rivals:  # two lines named equally: neither
                    marks.append((start, end, n))
            if not marks:
                continue
            for m in re.finditer(
                rf"(为|提高|增加|增长|上涨|上升|下降|降低|减少)了?\s*{N}\s*(%|万元)?", sentence
            ):
                before = [mk for mk in marks if mk[1] <= m.start()]
                if not before or (p.key, off + m.start(2)) in ctx.consumed:
                    continue  # no line named before it, or a figure another check has judged
                start, end, n = before[-1]
                between = sentence[end : m.start()]
                _, g, ri = concepts[n]
                target = core(g.row_labels.get(ri, ""))
                bcol = next(iter(g.baseline_cols))
                ycol = g.year_cols.get(max(y for y in g.year_cols)) if g.year_cols else None
                stated, num_start, unit = m.group(2), m.start(2), m.group(3) or ""
                if re.search(r"较", between) and m.group(1) != "为":  # a change against the baseline
                    verb = m.group(1)
                    metric = _change_metric_of(g, ri)
                    reduction = metric == "reduction_vs_baseline"
                    sign = (1 if verb in DECREASE else -1) if reduction else (-1 if verb in DECREASE else 1)
                    alts = change_alternatives(g, ri, ycol, bcol, metric) if ycol is not None else []
                    claim = f"{target}较历史均值{'降低程度' if reduction else '增长率'}"
                    stated_raw = f"{verb}{stated}%"
                elif (
                    m.group(1) == "为"
                    and not re.search(r"[，,]", between)
                    and g.derived(g.row_labels.get(ri, ""))  # an amount's value is a cross-check's
                ):
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
                if not alts:
                    items.append(
                        _with(
                            cannot_verify(
                                claim=claim,
                                page=p.page,
                                stated_raw=stated_raw,
                                why=why_unverifiable(g, g.row_labels.get(ri, "")),
                            ),
                            g,
                        )
                    )
                    continue
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
                if not before:
                    continue
                _, g, ri = concepts[before[-1][2]]
                if not g.derived(g.row_labels.get(ri, "")):
                    continue  # an amount's baseline: the table's own check covers it
                target = core(g.row_labels.get(ri, ""))
                ctx.consumed.add((p.key, off + m.start(1)))
                items.append(
                    _with(
                        judge(
                            claim=f"{target}（多年均值）",
                            page=p.page,
                            stated_raw=f"{m.group(1)}{m.group(2)}",
                            kind="text",
                            alternatives=rate_alternatives(g, ri, next(iter(g.baseline_cols))) or [],
                            source=ctx.src(p, target),
                        ),
                        g,
                    )
                )


def _with(item: CheckItem, g: Grid) -> CheckItem:
    item.table = item.table or g.table.caption
    if item.status == "cannot_verify" and not item.why:
        item.why = "表中找不到该指标的输入"
    return item
