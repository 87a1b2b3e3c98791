"""Cross-document operations over form rows: list, filter, rank, aggregate, trend, decline,
compare, the year before, indicators not met. Each returns an `Answer` with the table as data;
every figure is a cell as printed (cited) or a metrics-module computation over cited cells."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from service.answer.models import Answer, Computation
from service.metrics import compute
from service.portfolio.facts_rows import REPORT_MEASURES
from service.portfolio.query import Query
from service.portfolio.render import Column, ResultTable, answer_of, as_text, number_cell
from service.portfolio.rows import MEASURE_ZH, Row, Value


def _input(row: Row, v: Value) -> dict[str, Any]:
    return {
        "label": f"{row.label} {v.label}",
        "value": str(v.value),
        "unit": v.unit,
        "source": {"doc_id": row.doc_id, "page": v.page, "cell": v.where},
    }


def _computation(name: str, inputs: dict[str, Any]) -> Computation:
    return Computation(**compute(name, inputs).to_computation())


def _base_columns(measure_label: str) -> list[Column]:
    return [
        Column("unit", "单位"),
        Column("project", "项目"),
        Column("year", "年度"),
        Column("value", measure_label, "number"),
    ]


def _cells(row: Row, v: Value | None) -> dict[str, Any]:
    return {"unit": row.unit, "project": row.project, "year": row.year, "value": number_cell(v)}


def _years(rows: list[Row], q: Query) -> list[Row]:
    return [r for r in rows if r.year in q.years] if q.years else rows


def _missing(rows: list[Row], measures: tuple[str, ...]) -> list[Row]:
    """Reports (rows read from facts) where no fact fits one of `measures` exactly: 未找到, never a
    guess. Only the measures a report's row is read for (REPORT_MEASURES); others are not asked of it."""
    if not set(measures) <= REPORT_MEASURES:
        return []
    return [r for r in rows if r.source == "facts" and any(m not in r.measures for m in measures)]


def _missing_line(missing: list[Row], label: str, *, counted: str = "") -> str:
    # names only: a count here is no figure of a document (the count is in the notes)
    names = "、".join(r.label or r.title for r in missing[:10]) + ("等" if len(missing) > 10 else "")
    return f"另有报告未找到{label}（报告中没有恰好对应的数字）{counted}：{names}。"


def _derived(pairs: list[tuple[Row, Value]], measure: str) -> list[Computation]:
    """The computations behind the figures a report does not print (a rate from its two amounts)."""
    return [r.derived[measure] for r, _v in pairs if measure in r.derived]


def _add_missing(table: ResultTable, missing: list[Row], key: str = "value") -> None:
    for r in missing:
        cells = _cells(r, None)
        cells[key] = {"text": "未找到", "value": None, "unit": ""}
        table.rows.append({"doc_id": r.doc_id, "cite": 0, "cells": cells})


def measure_table(rows: list[Row], q: Query, *, lead: str = "") -> Answer | None:
    """list / filter / rank of a funds-block measure (预算执行率, 预算数, 执行数, 自评总分)."""
    label = MEASURE_ZH[q.measure]
    have = [(r, r.measures[q.measure]) for r in _years(rows, q) if q.measure in r.measures]
    missing = _missing(_years(rows, q), (q.measure,))
    if not have and not missing:
        return None
    what = shown = label  # `shown` is for the prose: a threshold taken from the question is no fact
    if q.op == "filter" and q.threshold is not None:
        t = q.threshold
        have = [(r, v) for r, v in have if (v.value < t if q.cmp == "<" else v.value > t)]
        unit = "%" if q.measure == "rate" else ""
        what = f"{label}{'低于' if q.cmp == '<' else '高于'}{t}{unit}"
        shown = f"{label}{'低于' if q.cmp == '<' else '高于'}问题所给标准"
    have.sort(key=lambda rv: (rv[1].value, rv[0].doc_id), reverse=q.order == "desc")
    if q.op == "rank" and q.n:
        have = have[: q.n]
    table = ResultTable(
        title=what, columns=_base_columns(label), chart={"type": "bar", "x": "bar", "y": "value"}
    )
    several_years = len({r.year for r, _v in have}) > 1
    graded = q.measure == "score" and any(r.grade is not None for r, _v in have)
    if graded:
        table.columns.append(Column("grade", "等级"))
    for r, v in have:
        # the bar's label (not a column): the year first when the rows span years, so two years of
        # one project are two distinguishable bars
        bar = f"{r.year} {r.name}" if several_years and r.year else r.name
        cells = {**_cells(r, v), "bar": bar}
        if graded:
            cells["grade"] = r.grade.text if r.grade is not None else ""
        table.add(r, cells, v)
        if graded and r.grade is not None:  # the grade is quoted too, with where it is printed
            table.citations[-1].quote += f"；{r.grade.label} {r.grade.text}（{r.grade.where}）"
    comps = _derived(have, q.measure)
    scope = f"{'、'.join(str(y) for y in q.years)}年" if q.years else ""
    kinds = "自评表和报告" if any(r.source == "facts" for r, _v in have) or missing else "自评表"
    searched = len({r.doc_id for r in _years(rows, q) if r.source == "form" or q.measure in REPORT_MEASURES})
    notes = [f"条件：{scope}{what}；已查 {searched} 份{kinds}，列出 {len(have)} 行"]
    if q.measure not in REPORT_MEASURES and any(r.source == "facts" for r in rows):
        notes.append(f"只比较自评表的{label}（报告的{label}未纳入）/ forms only")
    tail = ""
    if missing:
        tail = "\n" + _missing_line(
            missing, label, counted="，无法判断" if q.op in ("filter", "rank") else ""
        )
        if q.op != "rank":
            _add_missing(table, missing)
        notes.append(f"{len(missing)} 份报告未找到{label} / no fact fits exactly")
    if not have:
        text = f"在{scope}已入库的{kinds}中，没有{shown}的项目。" + tail
        return answer_of(table, text, computations=comps, meta={"op": q.op}, notes=notes)
    if q.op == "rank":
        order = "最低" if q.order == "asc" else "最高"
        head = lead or f"{scope}{label}{order}的项目（按{label}排序）："
    else:
        head = lead or f"{scope}{shown}的项目（按{label}排序）："
    text = as_text(table, head) + tail
    return answer_of(table, text, computations=comps, meta={"op": q.op or "list"}, notes=notes)


def aggregate(rows: list[Row], q: Query) -> Answer | None:
    """预算总额、执行总额 (sums), the execution rate of the totals and the mean of the rates, both named."""
    have = [r for r in _years(rows, q) if "budget" in r.measures and "spent" in r.measures]
    missing = _missing(_years(rows, q), ("budget", "spent"))
    if len(have) < 2:
        return None
    units = {r.measures["budget"].unit for r in have} | {r.measures["spent"].unit for r in have}
    table = ResultTable(
        title="预算与执行",
        columns=[Column("unit", "单位"), Column("project", "项目"), Column("year", "年度"),
                 Column("budget", "全年预算数", "number"), Column("spent", "全年执行数", "number")],
    )  # fmt: skip
    budgets, spents = [], []
    for r in have:
        b, s = r.measures["budget"], r.measures["spent"]
        table.add(
            r,
            {
                "unit": r.unit,
                "project": r.project,
                "year": r.year,
                "budget": number_cell(b),
                "spent": number_cell(s),
            },
            b,
        )
        # the spent figure is in the same row of the same form: cite it too
        table.rows[-1]["cite_spent"] = table.cite(r, s)
        budgets.append(_input(r, b))
        spents.append(_input(r, s))
    total_b = _computation("sum_of_parts", {"parts": budgets})
    total_s = _computation("sum_of_parts", {"parts": spents})
    comps = [total_b, total_s]
    kinds = "自评表和报告" if any(r.source == "facts" for r in _years(rows, q)) else "自评表"
    lines = [f"已入库{kinds}的预算与执行（金额单位：{'、'.join(sorted(units))}）："]
    lines.append(f"- 预算总额 {total_b.display}，执行总额 {total_s.display}。")
    ratio = _computation(
        "budget_execution_rate",
        {
            "spent": {"value": total_s.value, "unit": total_s.unit},
            "adjusted_budget": {"value": total_b.value, "unit": total_b.unit},
        },
    )
    mean = _computation("mean_of_ratios", {"numerators": spents, "denominators": budgets})
    comps += [ratio, mean]
    lines.append(f"- 合计口径的执行率（执行总额 ÷ 预算总额）为 {ratio.display}；")
    lines.append(f"- 各项目执行率的简单平均为 {mean.display}。两个口径不同，数值不同属正常。")
    notes = [f"计入 {len(have)} 份文档"]
    if missing:
        lines.append("- " + _missing_line(missing, "全年预算或实际支出", counted="，未计入合计"))
        for r in missing:
            cells = {"unit": r.unit, "project": r.project, "year": r.year}
            for key in ("budget", "spent"):
                cells[key] = number_cell(r.measures.get(key)) or {"text": "未找到", "value": None, "unit": ""}
            table.rows.append({"doc_id": r.doc_id, "cite": 0, "cells": cells})
        notes.append(f"{len(missing)} 份报告未找到全年预算或实际支出，未计入 / not counted")
    return answer_of(
        table,
        "\n".join(lines) + "\n" + as_text(table, "明细："),
        computations=comps,
        meta={"op": "aggregate"},
        notes=notes,
    )


def _series(rows: list[Row], measure: str) -> dict[tuple[str, str], list[tuple[int, Row, Value]]]:
    """(unit, project) -> [(year, row, value)] sorted by year: one unit's documents across years."""
    out: dict[tuple[str, str], list[tuple[int, Row, Value]]] = defaultdict(list)
    for r in rows:
        if r.year and measure in r.measures:
            out[(r.unit, r.project)].append((int(r.year), r, r.measures[measure]))
    for v in out.values():
        v.sort(key=lambda t: t[0])
    return out


def trend(rows: list[Row], q: Query) -> Answer | None:
    label = MEASURE_ZH[q.measure]
    series = _series([r for r in rows if not q.years or r.year in q.years], q.measure)
    series = {k: v for k, v in series.items() if len(v) >= 2}
    if not series:
        return None
    table = ResultTable(
        title=f"{label}的变化",
        columns=_base_columns(label),
        chart={"type": "line", "x": "year", "y": "value", "series": "project"},
    )
    comps: list[Computation] = []
    lines = []
    for (unit, project), points in sorted(series.items()):
        for _year, r, v in points:
            table.add(r, _cells(r, v), v)
            comps.extend(_derived([(r, v)], q.measure))
        (y0, r0, v0), (y1, r1, v1) = points[0], points[-1]
        inputs = {"current": _input(r1, v1), "previous": _input(r0, v0)}
        change = _computation("year_on_year_change", inputs)
        comps.append(change)
        shown = "、".join(f"{v.text}（{y}年）" for y, _r, v in points)
        lines.append(f"- {unit} {project}：{shown}；{y1}年比{y0}年变化 {change.display}")
    missing = [
        r for r in _missing([r for r in rows if not q.years or r.year in q.years], (q.measure,))
        if (r.unit, r.project) in series
    ]  # fmt: skip
    if missing:
        lines.append(_missing_line(missing, label))
    text = f"{label}的变化（按年度）：\n" + "\n".join(lines)
    return answer_of(table, _with_marks(text, table), computations=comps, meta={"op": "trend"})


def _with_marks(text: str, table: ResultTable) -> str:
    marks = " ".join(f"[{c.n}]" for c in table.citations[:30])
    return f"{text}\n来源：{marks}"


def decline(rows: list[Row], q: Query) -> Answer | None:
    """Projects whose measure fell two years running (three consecutive years, each lower)."""
    measure = q.measure or "score"
    label = MEASURE_ZH[measure]
    series = _series(rows, measure)
    table = ResultTable(
        title=f"连续两年{label}下降",
        columns=_base_columns(label),
        chart={"type": "line", "x": "year", "y": "value", "series": "project"},
    )
    found, names = 0, []
    checked = sum(1 for v in series.values() if len(v) >= 3)
    for (_unit, _project), points in sorted(series.items()):
        for a, b, c in zip(points, points[1:], points[2:], strict=False):
            if b[0] == a[0] + 1 and c[0] == b[0] + 1 and a[2].value > b[2].value > c[2].value:
                found += 1
                names.append(f"{a[1].unit}（{a[1].project}）")
                for _y, r, v in (a, b, c):
                    table.add(r, _cells(r, v), v)
                break
    if not found:
        return answer_of(
            table,
            f"在有连续三年文档的项目中，没有{label}连续两年下降的。",
            meta={"op": "decline"},
            notes=[f"已查 {checked} 个有连续三年文档的项目"],
        )
    return answer_of(
        table,
        as_text(table, f"{label}连续两年下降的项目：{'、'.join(names)}。每个列出三年："),
        meta={"op": "decline"},
    )


def previous_year(rows: list[Row], q: Query, scope_ids: list[str]) -> Answer | None:
    """和上年相比: the scoped document's measure against the same unit's and project's previous year."""
    current = [r for r in rows if r.doc_id in scope_ids and q.measure in r.measures]
    if len(current) != 1:
        return None
    cur = current[0]
    prev = [
        r for r in rows
        if r.unit == cur.unit and r.project == cur.project and cur.year and r.year == cur.year - 1 and q.measure in r.measures
    ]  # fmt: skip
    label = MEASURE_ZH[q.measure]
    table = ResultTable(
        title=f"{label}与上年比较",
        columns=_base_columns(label),
        chart={"type": "bar", "x": "year", "y": "value"},
    )
    if not prev:
        table.add(cur, _cells(cur, cur.measures[q.measure]), cur.measures[q.measure])
        return answer_of(
            table,
            f"{cur.label}的{label}为 {cur.measures[q.measure].text} [1]；未找到同一单位、同一项目 {cur.year - 1 if cur.year else ''} 年的自评表或报告，无法与上年比较。",
            meta={"op": "previous"},
        )
    p = prev[0]
    vp, vc = p.measures[q.measure], cur.measures[q.measure]
    table.add(p, _cells(p, vp), vp)
    table.add(cur, _cells(cur, vc), vc)
    inputs = {"current": _input(cur, vc), "previous": _input(p, vp)}
    change = _computation("year_on_year_change", inputs)
    comps = [*_derived([(p, vp), (cur, vc)], q.measure), change]
    text = (
        f"{cur.label}的{label}为 {vc.text} [2]，上年（{p.year}年度）为 {vp.text} [1]，变化 {change.display}"
    )
    if q.measure != "rate":
        growth = _computation("growth_rate", inputs)
        comps.append(growth)
        text += f"，增长率 {growth.display}"
    return answer_of(
        table, text + "。", computations=comps, meta={"op": "previous", "scope": [cur.doc_id, p.doc_id]}
    )


def indicators(rows: list[Row], q: Query) -> Answer | None:
    """Indicator rows of the asked kind (满意度指标, 成本指标 …) per document; `missed`: only those not met."""
    hits = []
    for r in _years(rows, q):
        for ind in r.indicators:
            if ind.concepts & q.indicator_concepts:
                if q.op == "missed" and ind.met is not False:
                    continue
                hits.append((r, ind))
    searched = len({r.doc_id for r in _years(rows, q)})
    kinds = "自评表和报告" if any(r.source == "facts" for r in _years(rows, q)) else "自评表"
    table = ResultTable(
        title="指标完成情况",
        columns=[Column("unit", "单位"), Column("project", "项目"), Column("year", "年度"), Column("indicator", "指标"),
                 Column("target", "目标值"), Column("actual", "实际完成值"), Column("score", "得分", "number")],
    )  # fmt: skip
    for r, ind in hits:
        cells = {"unit": r.unit, "project": r.project, "year": r.year, "indicator": ind.name,
                 "target": ind.target, "actual": ind.actual, "score": number_cell(ind.score)}  # fmt: skip
        scored = f"，得分 {ind.score.text}" if ind.score is not None else ""
        n = table.cite(r, None, f"：{ind.path} 目标值 {ind.target}，实际完成值 {ind.actual}{scored}")
        table.citations[-1].page = ind.score.page if ind.score is not None else (ind.page or 1)
        table.rows.append({"doc_id": r.doc_id, "cite": n, "cells": cells})
    if not hits:
        if q.op == "missed":
            return answer_of(
                table,
                f"已查{kinds}的相关指标均已达到目标值（或未给出可比的目标值）。",
                meta={"op": "missed"},
            )
        return None
    if q.op == "missed":
        units = sorted({r.unit for r, _ in hits})
        head = f"相关指标未达到目标值的单位：{'、'.join(units)}。明细："
    else:
        head = "相关指标："
    return answer_of(
        table, as_text(table, head), meta={"op": q.op or "list"}, notes=[f"已查 {searched} 份{kinds}"]
    )


def compare(rows: list[Row], q: Query, scope_ids: list[str]) -> Answer | None:
    """A项目和B项目的…比较: the named documents side by side (indicator rows or a funds measure)."""
    chosen = [r for r in rows if r.doc_id in scope_ids]
    if len(chosen) < 2:
        return None
    if q.indicator_concepts:
        return indicators(chosen, Query(indicator_concepts=q.indicator_concepts, op="compare"))
    if q.measure:
        return measure_table(
            chosen, Query(measure=q.measure, op="compare"), lead=f"{MEASURE_ZH[q.measure]}比较："
        )
    return None


OTHER_EVALUATORS = ("third_party", "fiscal")  # identity evaluators whose score is no 自评得分


def run(q: Query, rows: list[Row], scope_ids: list[str] | None) -> Answer | None:
    if q.self_only and q.measure == "score":  # 自评得分: not the score a third party or 财政 gave
        others = [r for r in rows if r.evaluator in OTHER_EVALUATORS]
        if others:
            answer = _run([r for r in rows if r.evaluator not in OTHER_EVALUATORS], q, scope_ids)
            if answer is not None:
                answer.notes.append(
                    f"问题问的是自评得分：{len(others)} 份第三方或财政评价的文档未计入 / not self-evaluations"
                )
            return answer
    return _run(rows, q, scope_ids)


def _run(rows: list[Row], q: Query, scope_ids: list[str] | None) -> Answer | None:
    if q.op == "previous" and scope_ids and q.measure:
        return previous_year(rows, q, scope_ids)
    if q.op == "compare":
        return compare(rows, q, scope_ids or [])
    if q.indicator_concepts:
        return indicators(rows, q)
    if not q.measure and q.op != "decline":
        return None
    if q.op == "aggregate":
        return aggregate(rows, q)
    if q.op == "trend":
        return trend(rows, q)
    if q.op == "decline":
        return decline(rows, q)
    return measure_table(rows, q)


__all__ = ["Decimal", "run"]
