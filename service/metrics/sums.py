"""Sum check: do the parts add up to the stated total (合计), allowing for rounding?"""

from __future__ import annotations

from decimal import Decimal

from service.metrics._build import align, align_all, build, places_of, txt
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult, fmt


def default_tolerance(parts: list[Decimal], stated: Decimal, unit: str) -> Decimal:
    """Each part rounded to p decimals is off by at most half a unit of its last place, so n parts
    may miss the rounded total by n × 0.5 × 10^-p. When every figure is a whole number (人, 件, 分, or
    whole 万元 such as a budget of 913) they are taken as exact: the parts must add up exactly."""
    p = places_of(*parts, stated)
    if p == 0:
        return Decimal(0)
    return Decimal("0.5").scaleb(-p) * len(parts)


@metric(
    name="sum_check",
    name_zh="合计校验",
    name_en="Sum check",
    description=(
        "合计校验：各分项之和与列示合计之差不超过舍入容差即为一致（默认容差＝分项数×末位半个单位；全为整数时须严格相等）。"
        "Sum of parts vs the stated total, within a rounding tolerance."
    ),
    args=[
        ArgSpec("parts", "分项", "各分项数值 parts", kind="quantity_list", nonnegative=False),
        ArgSpec("stated_total", "列示合计", "报告列示的合计 the stated total", nonnegative=False),
        ArgSpec(
            "tolerance",
            "容差",
            "允许的舍入误差（可选，默认按小数位数推定）rounding tolerance",
            required=False,
        ),
    ],
)
def sum_check(
    parts: list[MetricInput], stated_total: MetricInput, tolerance: MetricInput | None, places: int | None
) -> MetricResult:
    values, unit = align_all(parts, stated_total.unit or None)
    unit = unit or stated_total.unit
    total = sum(values, Decimal(0))
    stated, _ = align(MetricInput("sum", "分项之和", total, unit), stated_total)
    tol = tolerance.value if tolerance is not None else default_tolerance(values, stated, unit)
    difference = total - stated
    ok = abs(difference) <= tol
    p = places_of(*values, stated) if places is None else places
    verdict = "一致" if ok else "不一致"
    return build(
        "sum_check",
        value=total,
        unit=unit,
        places=p,
        formula=(
            f"{' + '.join(txt(v) for v in values)} = {{display}}；列示合计 {txt(stated)}，"
            f"差 {fmt(difference)}（容差 ±{fmt(tol)}）→ {verdict}"
        ),
        symbols="分项₁ + 分项₂ + … + 分项ₙ ≟ 合计",
        words="各分项之和应等于列示的合计，差额在舍入容差以内视为一致",
        inputs=[*parts, stated_total],
        details={"stated_total": stated, "difference": difference, "tolerance": tol, "ok": ok},
    )


@metric(
    name="sum_of_parts",
    name_zh="合计",
    name_en="Sum of figures",
    description=(
        "合计＝各分项之和（须为同类单位，换算到第一项的单位；如各三级指标得分之和、各明细支出之和）。"
        "Sum of the parts, all of one kind of unit (converted to the first part's unit)."
    ),
    args=[ArgSpec("parts", "各分项", "各分项 parts", kind="quantity_list", nonnegative=False)],
)
def sum_of_parts(parts: list[MetricInput], places: int | None) -> MetricResult:
    nums, unit = align_all(parts)
    value = sum(nums, Decimal(0))
    return build(
        "sum_of_parts",
        value=value,
        unit=unit,
        places=places_of(*nums) if places is None else places,
        formula=f"{' + '.join(txt(n) for n in nums)} = {{display}}",
        symbols="分项1 + 分项2 + … + 分项n",
        words="合计等于各分项之和",
        inputs=list(parts),
    )
