"""The report check's shared pieces: `CheckItem`, conventions, and judging a stated figure against
the values recomputed under each rounding convention. Private to `service.metrics.check`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from service.metrics.errors import MetricError
from service.metrics.result import MetricResult, fmt, round_half_up

Status = Literal["ok", "mismatch", "cannot_verify"]

CONVENTIONS: dict[str, str] = {
    "full_precision": "全精度（由原始数据直接计算，中间值不舍入）",
    "rounded_intermediates": "由报告列示的舍入后中间值计算",
    "ratio_of_totals": "多年均值按合计数之比（Σ分子÷Σ分母）",
    "mean_of_ratios": "多年均值按各年比率的简单平均",
    "exact": "直接计算",
    "rounded_display": "同一数字小数位不同，按较少位数舍入后相同",
}

_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"


def norm(text: str) -> str:
    """Label for matching: no whitespace, no footnote marks, full-width brackets kept."""
    return (
        re.sub(r"\s+", "", text or "").strip(_SUPERSCRIPTS).translate({ord(c): None for c in _SUPERSCRIPTS})
    )


def stated_number(raw: str) -> tuple[Decimal, int] | None:
    """("−15.03%" -> (-15.03, 2)), ("11092.4" -> (11092.4, 1)), ("8.99万元" -> (8.99, 2)); None when
    the text is not a number (optionally followed by % or a unit)."""
    text = re.sub(r"\s+", "", raw or "").translate({ord(c): None for c in _SUPERSCRIPTS})
    text = text.replace("−", "-").replace("－", "-").replace(",", "")
    m = re.fullmatch(
        r"(?:[\u4e00-\u9fff]{1,4}(?=[+-]?\d))?([+-]?\d+(?:\.\d+)?)(?:%|％|[\u4e00-\u9fff/]{1,6})?", text
    )
    if not m:
        return None
    try:
        value = Decimal(m.group(1))
    except InvalidOperation:  # pragma: no cover
        return None
    exponent = value.as_tuple().exponent
    return value, (-exponent if isinstance(exponent, int) and exponent < 0 else 0)


@dataclass
class CheckItem:
    """One stated figure and its verdict. `status`: ok / mismatch / cannot_verify."""

    claim: str  # what the figure is, in Chinese: "表1-1 商品和服务支出 预算执行率"
    page: int | None
    stated: str  # as printed
    recomputed: str  # display of the recomputation (the matching convention, else full precision)
    formula: str
    status: Status
    why: str = ""  # the convention used, the difference, or why it cannot be verified
    convention: str = ""  # key of CONVENTIONS when one matched
    metric: str = ""
    kind: str = ""  # table_sum | table_breakdown | table_rate | table_baseline | table_change | text
    table: str = ""
    source: dict[str, Any] = field(default_factory=dict)
    alternatives: list[dict[str, str]] = field(default_factory=list)
    computation: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "page": self.page,
            "stated": self.stated,
            "recomputed": self.recomputed,
            "formula": self.formula,
            "status": self.status,
            "why": self.why,
            "convention": self.convention,
            "convention_zh": CONVENTIONS.get(self.convention, ""),
            "metric": self.metric,
            "kind": self.kind,
            "table": self.table,
            "source": self.source,
            "alternatives": self.alternatives,
            "computation": self.computation,
        }


Thunk = Callable[[], MetricResult]


def call(metric: str, inputs: dict[str, Any]) -> Thunk:
    """A deferred `compute(metric, inputs)` (errors surface inside `judge`)."""
    from service.metrics.registry import compute

    return lambda: compute(metric, inputs)


def judge(
    *,
    claim: str,
    page: int | None,
    stated_raw: str,
    alternatives: list[tuple[str, Thunk]],
    kind: str,
    table: str = "",
    source: dict[str, Any] | None = None,
    sign: int = 1,
) -> CheckItem:
    """Compare a stated figure with each convention's recomputation (rounded half-up to the stated
    number of decimals). ok if any matches — naming it — mismatch if none, cannot_verify if none
    could be computed. `sign=-1` when the text states a decrease as a positive number (“下降15.03%”)."""
    parsed = stated_number(stated_raw)
    base = CheckItem(
        claim=claim,
        page=page,
        stated=stated_raw,
        recomputed="",
        formula="",
        status="cannot_verify",
        kind=kind,
        table=table,
        source=source or {},
    )
    if parsed is None:
        base.why = f"报告值“{stated_raw}”不是数字，无法比较"
        return base
    stated, places = parsed
    stated *= sign
    results: list[tuple[str, MetricResult]] = []
    errors: list[str] = []
    for convention, thunk in alternatives:
        try:
            results.append((convention, thunk()))
        except MetricError as exc:
            errors.append(exc.message_zh)
    if not results:
        base.why = "无法复算：" + ("；".join(dict.fromkeys(errors)) or "缺少输入")
        return base
    base.alternatives = [
        {
            "convention": c,
            "convention_zh": CONVENTIONS.get(c, c),
            "value": r.value_text,
            "display": _at(r, places),
            "formula": r.formula,
        }
        for c, r in results
    ]
    matched = [(c, r) for c, r in results if _matches(r, stated, places)]
    convention, result = matched[0] if matched else results[0]
    base.metric = result.metric
    base.computation = result.to_computation()
    base.formula = result.formula
    base.recomputed = _at(result, places)
    if matched:
        base.status = "ok"
        base.convention = convention
        others = [f"{CONVENTIONS.get(c, c)}得 {_at(r, places)}" for c, r in results if (c, r) not in matched]
        base.why = f"与复算一致（{CONVENTIONS.get(convention, convention)}）"
        if others:
            base.why += "；另一口径" + "，".join(others)
    else:
        base.status = "mismatch"
        shown = "；".join(f"{CONVENTIONS.get(c, c)}得 {_at(r, places)}" for c, r in results)
        base.why = f"报告值 {fmt(stated)} 与复算结果不符：{shown}"
    return base


def _matches(r: MetricResult, stated: Decimal, places: int) -> bool:
    v = _numeric(r)
    return v is not None and round_half_up(v, places) == stated


def _numeric(r: MetricResult) -> Decimal | None:
    return None if isinstance(r.value, str) else r.value


def _at(r: MetricResult, places: int) -> str:
    """The result rounded to the stated number of decimals, with its unit."""
    v = _numeric(r)
    if v is None:
        return r.display
    return f"{fmt(v, places)}{r.unit}"


def from_sum(
    *,
    claim: str,
    page: int | None,
    stated_raw: str,
    result: MetricResult,
    kind: str,
    table: str = "",
    source: dict[str, Any] | None = None,
    note: str = "",
) -> CheckItem:
    """A CheckItem from a `sum_check` result (tolerance already applied)."""
    ok = bool(result.details.get("ok"))
    diff = result.details.get("difference", Decimal(0))
    why = (
        "各分项之和与合计一致"
        if ok and diff == 0
        else (
            f"差额 {fmt(diff)} 在舍入容差 ±{fmt(result.details['tolerance'])} 以内"
            if ok
            else f"各分项之和 {result.display} 与列示合计 {stated_raw} 相差 {fmt(diff)}"
        )
    )
    if note:
        why += f"；{note}"
    return CheckItem(
        claim=claim,
        page=page,
        stated=stated_raw,
        recomputed=result.display,
        formula=result.formula,
        status="ok" if ok else "mismatch",
        why=why,
        convention="exact",
        metric=result.metric,
        kind=kind,
        table=table,
        source=source or {},
        computation=result.to_computation(),
    )


def cannot_verify(
    *, claim: str, page: int | None, stated_raw: str, why: str, kind: str = "text"
) -> CheckItem:
    return CheckItem(
        claim=claim,
        page=page,
        stated=stated_raw,
        recomputed="",
        formula="",
        status="cannot_verify",
        why=why,
        kind=kind,
    )


def internal_error(where: str, exc: Exception) -> CheckItem:
    """A part of the check that failed: shown as an item (never a silent gap, never a crash)."""
    return CheckItem(
        claim=f"复核程序出错（{where}）",
        page=None,
        stated="",
        recomputed="",
        formula="",
        status="cannot_verify",
        why=f"这一部分未能复核：{type(exc).__name__}: {exc}",
        kind="internal_error",
    )
