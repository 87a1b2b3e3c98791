"""Cost efficiency: unit cost (per person, per item) and cost per 10 000 units."""

from __future__ import annotations

from decimal import Decimal

from service.metrics._build import build, divide, txt
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult
from service.metrics.units import TEN_THOUSAND, convert, ten_thousand_unit

_COST = ArgSpec("cost", "成本", "成本金额（如人工费用）cost", unit_class="money", default_unit="万元")


@metric(
    name="unit_cost",
    name_zh="单位成本",
    name_en="Unit cost",
    description=("单位成本＝成本÷数量（如人均人员经费＝人员经费÷实有人数，单位为万元/人）。Cost / quantity."),
    args=[_COST, ArgSpec("quantity", "数量", "数量（人、件、次…）quantity", unit_class="count")],
)
def unit_cost(cost: MetricInput, quantity: MetricInput, places: int | None) -> MetricResult:
    value = divide(cost.value, quantity.value, what_zh=quantity.label, what_en="quantity")
    money, shown = cost.unit, cost.text
    if money in ("万元", "亿元") and abs(value) < 1:  # 30万元 ÷ 87人次: 3448.28元 a head, not 0.34万元
        value, money, shown = convert(value, cost.unit, "元"), "元", f"{cost.text}{cost.unit}"
    return _per(
        "unit_cost", value, money, shown, cost, quantity, places, "成本 ÷ 数量", "单位成本等于成本除以数量"
    )


@metric(
    name="per_unit",
    name_zh="平均每单位数量",
    name_en="Quantity per unit",
    description=(
        "平均每单位数量＝总量÷单位数（如平均每批次接待人次＝接待人次÷接待批次，单位为人次/批次）。"
        "Total / number of units, e.g. person-times per batch."
    ),
    args=[
        ArgSpec("total", "总量", "总量（人次、人、件…）total", unit_class="count"),
        ArgSpec("units", "单位数", "单位数（批次、户、个…）number of units", unit_class="count"),
    ],
)
def per_unit(total: MetricInput, units: MetricInput, places: int | None) -> MetricResult:
    value = divide(total.value, units.value, what_zh=units.label, what_en="number of units")
    return _per(
        "per_unit",
        value,
        total.unit,
        total.text,
        total,
        units,
        places,
        "总量 ÷ 单位数",
        "平均每单位数量等于总量除以单位数",
    )


def _per(
    name: str,
    value: Decimal,
    top: str,
    shown: str,
    whole: MetricInput,
    units: MetricInput,
    places: int | None,
    symbols: str,
    words: str,
) -> MetricResult:
    """A quantity per one of `units` (万元/人, 人次/批次), as both per-unit metrics build it."""
    return build(
        name,
        value=value,
        unit=f"{top}/{units.unit}" if units.unit else top,
        places=2 if places is None else places,
        formula=f"{shown} ÷ {units.text} = {{display}}",
        symbols=symbols,
        words=words,
        inputs=[whole, units],
    )


@metric(
    name="cost_per_10k_units",
    name_zh="每万单位成本",
    name_en="Cost per 10,000 units",
    description=(
        "每万单位成本＝成本÷（数量÷10000），如每万人次培训成本＝培训费用÷培训人次（万人次）。"
        "Cost / quantity in units of 10,000."
    ),
    args=[_COST, ArgSpec("quantity", "数量", "数量（次、件；万次、万件亦可）quantity", unit_class="count")],
)
def cost_per_10k_units(cost: MetricInput, quantity: MetricInput, places: int | None) -> MetricResult:
    if quantity.unit:
        wan_unit = ten_thousand_unit(quantity.unit)
        qty = convert(quantity.value, quantity.unit, wan_unit)
    else:  # unit not stated: taken as already counted in 万
        wan_unit, qty = "万", quantity.value
    value = divide(cost.value, qty, what_zh=quantity.label, what_en="quantity")
    shown_qty = txt(qty) if qty == quantity.value else f"({quantity.text} ÷ {TEN_THOUSAND})"
    return build(
        "cost_per_10k_units",
        value=value,
        unit=f"{cost.unit}/{wan_unit}",
        places=2 if places is None else places,
        formula=f"{cost.text} ÷ {shown_qty} = {{display}}",
        symbols="成本 ÷ 数量（万）",
        words="每万单位成本等于成本除以以万为单位的数量",
        inputs=[cost, quantity],
    )
