"""Checking a self-evaluation form (自评表) or a score table (得分表) read by `ingest.forms`.

Duck-typed over the record's dict (`FormRecord.to_dict()`): no import of ingest. Every figure is
recomputed through the metrics registry (`compute`) and every finding cites the cells it used
(sheet/page, row, column). Rules (财预〔2020〕10号 自评表 and its filling instructions):
- 执行率 = 全年执行数 ÷ 全年预算数 (the 年初预算数 variant is named when the two budgets differ; a
  stated rate that used it is a finding);
- 预算执行得分 = 分值 × min(执行率, 100%) (from the recomputed rate at full precision or rounded as
  forms print it, or from the rate as printed);
- every 得分 ≤ its 分值; 总分 = Σ 得分; Σ 分值 = the stated 总分 分值 (else 100);
- a quantitative indicator whose 实际完成值 misses its 年度指标值 with full marks;
- a 得分 below its 分值 with no 偏差原因; required cells left blank;
- grade from the (recomputed) 总分 by the grade bands (default or a policy's).
A figure compared with a recomputation matches when the recomputation, rounded half-up to the
figure's printed decimals, equals it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service.metrics._check_core import stated_number
from service.metrics.errors import MetricError
from service.metrics.form_scores import SOURCE
from service.metrics.registry import compute
from service.metrics.result import fmt, round_half_up

FINDING_KINDS = {
    "rate": "执行率与全年执行数÷全年预算数不符",
    "fund_score": "预算执行得分与分值×执行率不符",
    "score_over_max": "得分超过分值",
    "total": "总分与各项得分之和不符",
    "weights": "分值合计与总分值不符",
    "full_marks_miss": "指标未达年度指标值却得满分",
    "missing_reason": "扣分指标未填偏差原因",
    "blank_required": "必填项为空",
    "subtotal": "小计与分项之和不符",
    "funds_sum": "年度资金总额与其中各项之和不符",
    "grade": "填报等级与总分不符",
}
FINDING_KINDS_EN = {
    "rate": "execution rate differs from spent ÷ budget",
    "fund_score": "execution score differs from weight × rate",
    "score_over_max": "score above its weight",
    "total": "total differs from the sum of the scores",
    "weights": "weights do not add up to the stated total",
    "full_marks_miss": "target missed but full marks given",
    "missing_reason": "score below its weight without a reason",
    "blank_required": "required cell left blank",
    "subtotal": "subtotal differs from the sum of its rows",
    "funds_sum": "the funds total differs from the sum of its parts",
    "grade": "the stated grade does not follow from the stated total",
}
_ZERO = Decimal(0)


def _default_grade_source() -> str:
    from service.metrics.grades import DEFAULT_GRADE_RULE

    return f"通用档次：{DEFAULT_GRADE_RULE.describe()}"


def _val(cell: Any) -> Any:  # Decimal | None (Any: mypy cannot narrow a call)
    if not cell or cell.get("value") is None:
        return None
    return Decimal(cell["value"])


def _blank(cell: Any) -> bool:
    if cell is None:
        return True
    return (cell.get("text") or "").strip() in ("", "-", "—", "——", "/", "／", "－", "--")


def _cite(label: str, cell: Any) -> dict[str, Any]:
    return {"label": label, "text": (cell or {}).get("text", ""), "where": (cell or {}).get("where", {})}


def _arg(label: str, cell: Any, unit: str | None = None) -> dict[str, Any]:
    return {
        "value": cell["value"],
        "unit": unit if unit is not None else cell.get("unit", ""),
        "label": label,
        "source": cell.get("where", {}),
    }


def _places(cell: Any) -> int | None:
    parsed = stated_number(cell.get("text", ""))
    return parsed[1] if parsed else None


def _matches(value: Any, cell: Any) -> bool:
    places = _places(cell)
    stated = _val(cell)
    return places is not None and stated is not None and round_half_up(value, places) == stated


class _Findings(list[dict[str, Any]]):
    def add(
        self, kind: str, zh: str, en: str, cells: list[dict[str, Any]], *, stated: str = "",
        expected: str = "", computation: dict[str, Any] | None = None, severity: str = "error",
        rule: str = "",
    ) -> None:  # fmt: skip
        self.append({
            "kind": kind, "kind_zh": FINDING_KINDS[kind], "severity": severity, "message": zh,
            "message_en": en, "stated": stated, "expected": expected, "cells": cells,
            "computation": computation, **({"rule": rule} if rule else {}),
        })  # fmt: skip


def _fund_label(row: dict[str, Any]) -> str:
    return row.get("label") or "资金"


def _check_funds(rec: dict[str, Any], out: _Findings, summary: dict[str, Any], rule: Any = None) -> None:
    funds = rec.get("funds") or []
    total_row = next((r for r in funds if r.get("kind") == "total"), funds[0] if funds else None)
    for row in funds:
        cells = row["cells"]
        label = _fund_label(row)
        budget, spent, rate, initial = (cells.get(k) for k in ("budget", "spent", "rate", "initial"))
        if _val(budget) is None or _val(spent) is None:
            continue
        try:
            official = compute("budget_execution_rate", {
                "spent": _arg(f"{label} 全年执行数", spent), "adjusted_budget": _arg(f"{label} 全年预算数", budget),
            })  # fmt: skip
        except MetricError:
            continue  # a zero budget: nothing to divide by
        variant = None
        if _val(initial) not in (None, _ZERO) and _val(initial) != _val(budget):
            try:
                variant = compute("budget_execution_rate_initial_budget", {
                    "spent": _arg(f"{label} 全年执行数", spent), "initial_budget": _arg(f"{label} 年初预算数", initial),
                })  # fmt: skip
            except MetricError:
                variant = None
        if row is total_row:
            summary["rate"] = official.to_computation()
            summary["rate_initial_budget"] = variant.to_computation() if variant else None
        if rate is None or _val(rate) is None:
            continue
        assert not isinstance(official.value, str)
        if _matches(official.value, rate):
            continue
        if (
            not rate.get("is_percent")
            and _val(rate) <= Decimal("1.5")
            and _matches(official.value / 100, rate)
        ):
            continue  # a rate written as a fraction (0.9986 for 99.86%)
        cited = [
            _cite(f"{label} 执行率", rate),
            _cite(f"{label} 全年执行数", spent),
            _cite(f"{label} 全年预算数", budget),
        ]
        if variant is not None and not isinstance(variant.value, str) and _matches(variant.value, rate):
            out.add(
                "rate",
                f"{label}执行率 {rate['text']} 是以年初预算数为分母算得（{variant.formula}）；按全年预算数应为 {official.display}",
                f"{label}: the stated rate {rate['text']} uses the initial budget; against the full-year budget it is {official.display}",
                [*cited, _cite(f"{label} 年初预算数", initial)], stated=rate["text"], expected=official.display,
                computation=official.to_computation(),
            )  # fmt: skip
        else:
            out.add(
                "rate",
                f"{label}执行率填报 {rate['text']}，按全年执行数÷全年预算数应为 {official.display}（{official.formula}）",
                f"{label}: stated execution rate {rate['text']}, spent ÷ budget gives {official.display}",
                cited, stated=rate["text"], expected=official.display, computation=official.to_computation(),
            )  # fmt: skip
    if total_row is None:
        return
    cells = total_row["cells"]
    mx, score, rate = cells.get("max"), cells.get("score"), cells.get("rate")
    if _val(mx) is None or _val(score) is None:
        return
    rates: list[tuple[str, dict[str, Any]]] = []
    if summary.get("rate"):
        full = Decimal(summary["rate"]["value"])
        rates.append(
            ("全精度执行率", {"value": summary["rate"]["value"], "unit": "%", "label": "执行率（复算）"})
        )
        places = (_places(rate) if rate and _val(rate) is not None else None) or 2
        rounded = round_half_up(full, places)  # the recomputed rate as a form prints it (2 decimals)
        rates.append(
            ("复算执行率（舍入）", {"value": fmt(rounded), "unit": "%", "label": "执行率（复算，舍入）"})
        )
    if _val(rate) is not None:
        rates.append(("填报执行率", _arg("执行率（填报）", rate, "%")))
    results = []
    for name, r in rates:
        try:
            results.append(
                (name, compute("execution_score", {"max_score": _arg("分值", mx, "分"), "rate": r}))
            )
        except MetricError:
            continue
    if not results:
        return
    summary["fund_score"] = results[0][1].to_computation()
    if rule is not None and rule.zero_below is not None and summary.get("rate"):
        full = Decimal(summary["rate"]["value"])
        if rule.scores_zero(full):  # the policy gives no points at this rate: 0 is the rule's, not a sum
            summary["fund_score"] = None
            if _val(score) != _ZERO:
                out.add(
                    "fund_score",
                    f"预算执行得分填报 {score['text']}，执行率 {summary['rate']['display']} 按{rule.source}"
                    f"（{rule.describe()}）应不得分",
                    f"stated execution score {score['text']}; at a rate of {summary['rate']['display']} the policy"
                    f" ({rule.source}) gives no points",
                    [_cite("预算执行 得分", score), _cite("预算执行 分值", mx), _cite("执行率", rate)],
                    stated=score["text"], expected="0", rule=rule.source,
                )  # fmt: skip
            return
    if any(not isinstance(res.value, str) and _matches(res.value, score) for _, res in results):
        return
    res = results[0][1]
    out.add(
        "fund_score",
        f"预算执行得分填报 {score['text']}，按分值×min(执行率,100%)应为 {res.display}（{res.formula}）",
        f"stated execution score {score['text']}, weight × min(rate, 100%) gives {res.display}",
        [_cite("预算执行 得分", score), _cite("预算执行 分值", mx), _cite("执行率", rate)],
        stated=score["text"], expected=res.display, computation=res.to_computation(),
        rule=rule.source if rule is not None else SOURCE,
    )  # fmt: skip


def _check_funds_sum(rec: dict[str, Any], out: _Findings) -> None:
    """年度资金总额 = Σ the rows under it, per amount column. A form may break the total down twice
    (by source of funds and by kind of spending): the parts then add up to twice the total."""
    funds = rec.get("funds") or []
    total_row = next((r for r in funds if r.get("kind") == "total"), None)
    parts = [r for r in funds if r is not total_row]
    if total_row is None or not parts:
        return
    for col, zh in (("initial", "年初预算数"), ("budget", "全年预算数"), ("spent", "全年执行数")):
        stated = total_row["cells"].get(col)
        cells = [(r, r["cells"].get(col)) for r in parts if _val(r["cells"].get(col)) is not None]
        if _val(stated) is None or not cells:
            continue
        try:
            res = compute("sum_check", {
                "parts": [_arg(f"{_fund_label(r)} {zh}", c) for r, c in cells],
                "stated_total": _arg(f"{_fund_label(total_row)} {zh}", stated),
            })  # fmt: skip
        except MetricError:
            continue
        if isinstance(res.value, str) or res.value in (_val(stated), 2 * _val(stated)):  # type: ignore[operator]
            continue
        out.add(
            "funds_sum",
            f"{_fund_label(total_row)}{zh}填报 {stated['text']}，其中各项之和为 {res.display}（{res.formula}）",
            f"{_fund_label(total_row)} {col}: stated {stated['text']}, its parts add up to {res.display}",
            [_cite(f"{_fund_label(total_row)} {zh}", stated), *[_cite(f"{_fund_label(r)} {zh}", c) for r, c in cells]],
            stated=stated["text"], expected=res.display, computation=res.to_computation(),
        )  # fmt: skip


def _scored_items(rec: dict[str, Any]) -> list[tuple[str, Any, Any, dict[str, Any]]]:
    """(label, 分值 cell, 得分 cell, the row) of everything that carries points."""
    items: list[tuple[str, Any, Any, dict[str, Any]]] = []
    funds = rec.get("funds") or []
    total_row = next((r for r in funds if r.get("kind") == "total"), funds[0] if funds else None)
    if total_row is not None and (
        _val(total_row["cells"].get("max")) is not None or _val(total_row["cells"].get("score")) is not None
    ):
        items.append(("预算执行", total_row["cells"].get("max"), total_row["cells"].get("score"), total_row))
    for ind in rec.get("indicators") or []:
        items.append(
            (ind.get("level3") or ind.get("level2") or "指标", ind.get("max"), ind.get("score"), ind)
        )
    for node in rec.get("nodes") or []:
        if node.get("kind") == "leaf":
            items.append(
                ("/".join(node.get("path") or []) or "指标", node.get("max"), node.get("score"), node)
            )
    return items


def _check_scores(rec: dict[str, Any], out: _Findings, summary: dict[str, Any]) -> None:
    items = _scored_items(rec)
    for label, mx, sc, _row in items:
        if _val(mx) is not None and _val(sc) is not None and _val(sc) > _val(mx):
            out.add(
                "score_over_max", f"“{label}”得分 {sc['text']} 超过分值 {mx['text']}",
                f"{label}: score {sc['text']} exceeds its weight {mx['text']}",
                [_cite(f"{label} 得分", sc), _cite(f"{label} 分值", mx)], stated=sc["text"], expected=f"≤{mx['text']}",
            )  # fmt: skip
    tmax: Any = rec.get("total_max")
    tscore: Any = rec.get("total_score")
    scores = [sc for _, _, sc, _ in items]
    if items and all(_val(s) is not None for s in scores):
        try:
            res = compute(
                "total_score", {"scores": [_arg(f"{lab} 得分", sc, "分") for lab, _, sc, _ in items]}
            )
        except MetricError:
            res = None
        if res is not None and not isinstance(res.value, str):
            summary["total"] = res.to_computation()
            if _val(tscore) is not None and not _matches(res.value, tscore):
                out.add(
                    "total", f"总分填报 {tscore['text']}，各项得分之和为 {res.display}（{res.formula}）",
                    f"stated total {tscore['text']}, the scores add up to {res.display}",
                    [_cite("总分", tscore), *[_cite(f"{lab} 得分", sc) for lab, _, sc, _ in items]],
                    stated=tscore["text"], expected=res.display, computation=res.to_computation(),
                )  # fmt: skip
    maxes = [mx for _, mx, _, _ in items]
    if items and all(_val(m) is not None for m in maxes):
        stated_total: Any = tmax if _val(tmax) is not None else {"value": "100", "text": "100", "where": {}}
        try:
            res = compute("sum_check", {
                "parts": [_arg(f"{lab} 分值", mx, "分") for lab, mx, _, _ in items],
                "stated_total": _arg("总分值", stated_total, "分"),
            })  # fmt: skip
        except MetricError:
            res = None
        if res is not None and not isinstance(res.value, str) and res.value != _val(stated_total):
            out.add(
                "weights", f"各项分值合计 {res.display}，与总分值 {stated_total['text']} 不符",
                f"the weights add up to {res.display}, not the stated {stated_total['text']}",
                [_cite("总分值", stated_total), *[_cite(f"{lab} 分值", mx) for lab, mx, _, _ in items]],
                stated=stated_total["text"], expected=res.display, computation=res.to_computation(),
            )  # fmt: skip


def missed(ind: dict[str, Any]) -> bool | None:
    """Did the actual value miss the target? None when it cannot be told (qualitative, units differ)."""
    t, a, cmp = ind.get("target_value"), ind.get("actual_value"), ind.get("comparator") or ""
    if t is None or a is None or not cmp:
        return None
    tu, au = ind.get("target_unit") or "", ind.get("actual_unit") or ""
    if tu and au and tu != au:
        return None
    tv, av = Decimal(t), Decimal(a)
    return {"≥": av < tv, ">": av <= tv, "≤": av > tv, "<": av >= tv, "=": av != tv}.get(cmp)


def _check_indicators(rec: dict[str, Any], out: _Findings) -> None:
    for ind in rec.get("indicators") or []:
        label = ind.get("level3") or ind.get("level2") or "指标"
        mx, sc, reason = ind.get("max"), ind.get("score"), ind.get("reason")
        full = _val(mx) is not None and _val(sc) is not None and _val(sc) == _val(mx)
        if full and missed(ind):
            comp = None
            try:
                comp = compute("target_completion_rate", {
                    "actual": {"value": ind["actual_value"], "unit": "", "label": f"{label} 实际完成值", "source": ind["actual"]["where"]},
                    "target": {"value": ind["target_value"], "unit": "", "label": f"{label} 年度指标值", "source": ind["target"]["where"]},
                }).to_computation()  # fmt: skip
            except MetricError:
                comp = None
            out.add(
                "full_marks_miss",
                f"“{label}”实际完成值 {ind['actual']['text']} 未达到年度指标值 {ind['target']['text']}，却得满分 {sc['text']}",
                f"{label}: actual {ind['actual']['text']} misses the target {ind['target']['text']} but has full marks",
                [_cite(f"{label} 年度指标值", ind.get("target")), _cite(f"{label} 实际完成值", ind.get("actual")),
                 _cite(f"{label} 得分", sc), _cite(f"{label} 分值", mx)],
                stated=sc["text"], expected=f"<{mx['text']}", computation=comp, severity="warning",
            )  # fmt: skip
        if _val(mx) is not None and _val(sc) is not None and _val(sc) < _val(mx) and _blank(reason):
            out.add(
                "missing_reason", f"“{label}”得分 {sc['text']} 低于分值 {mx['text']}，未填写偏差原因分析",
                f"{label}: score {sc['text']} below its weight {mx['text']} and no reason given",
                [_cite(f"{label} 得分", sc), _cite(f"{label} 偏差原因", reason)], severity="warning",
            )  # fmt: skip


def _check_blanks(rec: dict[str, Any], out: _Findings) -> None:
    required: list[tuple[str, dict[str, Any] | None]] = []
    header = rec.get("header") or {}
    name_key = "project" if rec.get("kind") == "project_form" else "unit"
    if name_key in header:
        required.append(("项目名称" if name_key == "project" else "部门（单位）名称", header[name_key]))
    funds = rec.get("funds") or []
    total_row = next((r for r in funds if r.get("kind") == "total"), funds[0] if funds else None)
    if total_row is not None:
        for k, zh in (("budget", "全年预算数"), ("spent", "全年执行数")):
            if k in total_row["cells"]:
                required.append((f"{_fund_label(total_row)} {zh}", total_row["cells"][k]))
    for ind in rec.get("indicators") or []:
        label = ind.get("level3") or ind.get("level2") or "指标"
        for k, zh in (("target", "年度指标值"), ("actual", "实际完成值"), ("max", "分值"), ("score", "得分")):
            if k in ind and ind[k] is not None:
                required.append((f"{label} {zh}", ind[k]))
    for node in rec.get("nodes") or []:
        if node.get("kind") == "leaf":
            label = "/".join(node.get("path") or [])
            required += [(f"{label} 分值", node.get("max")), (f"{label} 得分", node.get("score"))]
    if rec.get("total_score") is not None or rec.get("indicators") or rec.get("nodes"):
        required.append(("总分", rec.get("total_score")))
    for label, cell in required:
        if _blank(cell):
            out.add(
                "blank_required", f"必填项“{label}”为空", f"required cell {label!r} is blank",
                [_cite(label, cell)], severity="warning",
            )  # fmt: skip


def _check_subtotals(rec: dict[str, Any], out: _Findings) -> None:
    group: list[dict[str, Any]] = []
    for node in rec.get("nodes") or []:
        if node.get("kind") == "leaf":
            group.append(node)
            continue
        if node.get("kind") != "subtotal" or not group:
            continue
        for field, zh in (("score", "得分"), ("max", "分值")):
            stated = node.get(field)
            parts = [g.get(field) for g in group]
            if _val(stated) is None or any(_val(p) is None for p in parts):
                continue
            try:
                res = compute("sum_check", {
                    "parts": [_arg("/".join(g["path"]) + zh, p, "分") for g, p in zip(group, parts, strict=True)],
                    "stated_total": _arg("小计" + zh, stated, "分"),
                })  # fmt: skip
            except MetricError:
                continue
            if not isinstance(res.value, str) and not _matches(res.value, stated):
                label = "/".join(node.get("path") or []) or "小计"
                out.add(
                    "subtotal", f"“{label}”{zh}填报 {stated['text']}，分项之和为 {res.display}",
                    f"{label}: stated {field} {stated['text']}, its rows add up to {res.display}",
                    [_cite(f"{label} {zh}", stated), *[_cite("/".join(g["path"]) + f" {zh}", p) for g, p in zip(group, parts, strict=True)]],
                    stated=stated["text"], expected=res.display, computation=res.to_computation(),
                )  # fmt: skip
        group = []


def _check_group_weights(rec: dict[str, Any], out: _Findings) -> None:
    """A 得分表 group that states its weight in its label ("决策（20分）"): Σ its leaves' 分值 must equal it."""
    for group in rec.get("tree") or []:
        stated = group.get("stated_max")
        leaves = [leaf for l2 in group["children"] for leaf in l2["children"]]
        if stated is None or not leaves or any(_val(leaf["max"]) is None for leaf in leaves):
            continue
        label = {
            "value": stated,
            "text": stated,
            "unit": "分",
            "where": (leaves[0]["max"] or {}).get("where", {}),
        }
        res = compute("sum_check", {
            "parts": [_arg(f"{group['name']}/{leaf['name']} 分值", leaf["max"], "分") for leaf in leaves],
            "stated_total": _arg(f"{group['name']}（{stated}分）", label, "分"),
        })  # fmt: skip
        if not isinstance(res.value, str) and res.value != Decimal(stated):
            out.add(
                "weights", f"“{group['name']}”标明 {stated} 分，其下各项分值合计 {res.display}",
                f"{group['name']}: labelled {stated} points, its rows' weights add up to {res.display}",
                [_cite(f"{group['name']}/{leaf['name']} 分值", leaf["max"]) for leaf in leaves],
                stated=stated, expected=res.display, computation=res.to_computation(),
            )  # fmt: skip


def check_form(rec: dict[str, Any], *, grade_bands: Any = None, execution_rule: Any = None) -> dict[str, Any]:
    """All checks of one form record (a `FormRecord.to_dict()`): {"findings": [...], "summary": {...}}.
    The summary holds the recomputed rate (and its 年初预算数 variant when the budgets differ), the
    execution score, the recomputed 总分 and the grade, each as a computation, and `rules`: which
    rule gave the execution score and the grade (a policy's — `grade_bands` a GradeRule,
    `execution_rule` an ExecutionRule — else the usual one). A blank template (`template`) has no
    findings: nothing on it is filled in to check."""
    grade_source = getattr(grade_bands, "source", "") or _default_grade_source()
    exec_source = execution_rule.source if execution_rule is not None else SOURCE
    summary: dict[str, Any] = {"rules": {"fund_score": exec_source, "grade": grade_source}}
    if rec.get("template"):
        return {"findings": [], "summary": {**summary, "template": True, "grade": None}}
    out = _Findings()
    _check_funds(rec, out, summary, execution_rule)
    _check_scores(rec, out, summary)
    _check_funds_sum(rec, out)
    _check_indicators(rec, out)
    _check_subtotals(rec, out)
    _check_group_weights(rec, out)
    _check_blanks(rec, out)
    total = summary.get("total", {}).get("value") if summary.get("total") else None
    if total is None and _val(rec.get("total_score")) is not None:
        total = rec["total_score"]["value"]
    stated_grade: Any = rec.get("stated_grade")
    tscore: Any = rec.get("total_score")
    if stated_grade and stated_grade.get("text") and _val(tscore) is not None:
        try:
            by_rule = compute("grade_from_score", {"score": tscore["value"], "bands": grade_bands})
        except MetricError:
            by_rule = None
        labels = (
            {band["label"] for band in (by_rule.details.get("rule") or [])} if by_rule is not None else set()
        )
        stated_label = stated_grade["text"].strip()
        if by_rule is not None and any(f["kind"] == "total" for f in out) and total is not None:
            try:  # a wrong 总分 is the error; a grade that follows from the scores' sum is not another
                if compute("grade_from_score", {"score": total, "bands": grade_bands}).value == stated_label:
                    by_rule = None
            except MetricError:
                pass
        if by_rule is not None and stated_label in labels and by_rule.value != stated_label:
            out.add(
                "grade",
                f"填报等级“{stated_grade['text']}”，按总分 {tscore['text']} 应为“{by_rule.value}”（{by_rule.formula}）",
                f"stated grade {stated_grade['text']!r}, the stated total {tscore['text']} gives {by_rule.value!r}",
                [_cite("评价等级", stated_grade), _cite("总分", tscore)],
                stated=stated_grade["text"], expected=str(by_rule.value), computation=by_rule.to_computation(),
                rule=grade_source,
            )  # fmt: skip
    summary["grade"] = None
    if total is not None:
        try:
            summary["grade"] = compute(
                "grade_from_score", {"score": total, "bands": grade_bands}
            ).to_computation()
        except MetricError as exc:
            summary["grade_error"] = exc.message_zh
    return {"findings": list(out), "summary": summary}
