"""Across documents: the mean of several documents' ratios, named apart from the ratio of their totals.

"全部项目的平均执行率" has two readings: Σ执行数 ÷ Σ预算数 (the ratio of totals, `budget_execution_rate`
over summed inputs) and the simple mean of each document's own rate (this metric). Both are stated,
each under its own name.
"""

from __future__ import annotations

from decimal import Decimal

from service.metrics._build import HUNDRED, align_all, build, divide, ratio_unit, txt
from service.metrics.errors import MissingInput
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult


@metric(
    name="mean_of_ratios",
    name_zh="各项比率的简单平均",
    name_en="Mean of ratios (each item's ratio, then the arithmetic mean)",
    description=(
        "各项比率的简单平均＝(分子₁÷分母₁＋…＋分子ₙ÷分母ₙ)÷n；与合计数之比（Σ分子÷Σ分母）不同，须注明口径。"
        "Mean of the items' ratios, not the ratio of the totals."
    ),
    args=[
        ArgSpec("numerators", "各项分子", "各项分子（如各项目执行数）numerators", kind="quantity_list"),
        ArgSpec("denominators", "各项分母", "各项分母（如各项目预算数）denominators", kind="quantity_list"),
    ],
)
def mean_of_ratios(
    numerators: list[MetricInput], denominators: list[MetricInput], places: int | None
) -> MetricResult:
    if len(numerators) != len(denominators):
        raise MissingInput(
            f"分子与分母的项数不一致：{len(numerators)} 与 {len(denominators)}",
            f"numerators and denominators differ in length: {len(numerators)} vs {len(denominators)}",
        )
    nums, num_unit = align_all(numerators)
    dens, den_unit = align_all(denominators)
    unit, is_percent = ratio_unit(num_unit, den_unit)
    ratios = [
        divide(n, d, what_zh=f"第{i + 1}项分母", what_en=f"denominator {i + 1}")
        for i, (n, d) in enumerate(zip(nums, dens, strict=True))
    ]
    value = sum(ratios, Decimal(0)) / Decimal(len(ratios))
    if is_percent:
        value *= HUNDRED
    pct = " × 100%" if is_percent else ""
    terms = " + ".join(f"{txt(n)} ÷ {txt(d)}" for n, d in zip(nums, dens, strict=True))
    return build(
        "mean_of_ratios",
        value=value,
        unit=unit,
        places=2 if places is None else places,
        formula=f"({terms}) ÷ {len(ratios)}{pct} = {{display}}",
        symbols=f"(分子₁÷分母₁ + … + 分子ₙ÷分母ₙ) ÷ n{pct}",
        words="先算各项比率，再取算术平均（不是合计数之比）",
        inputs=[*numerators, *denominators],
        details={"ratios": [r * HUNDRED if is_percent else r for r in ratios]},
    )
