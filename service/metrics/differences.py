"""Arithmetic between two stated figures: the difference of two figures, and a figure derived from a
stated change ("较2019年增加了24445人次": 前值 = 当前值 − 增加量)."""

from __future__ import annotations

from service.metrics._build import align, build, places_of, txt
from service.metrics.errors import OutOfRange
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult
from service.metrics.units import COUNT_KINDS, is_count_kind, kind_of

# quantities that cannot be negative: a derived count or amount below zero means the inputs are wrong
_NEVER_NEGATIVE = ("money", *COUNT_KINDS)


@metric(
    name="difference",
    name_zh="差额",
    name_en="Difference between two figures",
    description=(
        "差额＝甲数－乙数（两数须为同类单位，换算到甲数的单位；正数表示甲多于乙，负数表示甲少于乙；"
        "两个百分比之差为百分点）。Difference = first - second, both of the same kind of unit "
        "(converted to the first's unit); positive when the first is larger."
    ),
    args=[
        ArgSpec("minuend", "甲数", "被减数（如额定人数）first figure", nonnegative=False),
        ArgSpec("subtrahend", "乙数", "减数（如实际月均人数）second figure", nonnegative=False),
    ],
)
def difference(minuend: MetricInput, subtrahend: MetricInput, places: int | None) -> MetricResult:
    second, unit = align(minuend, subtrahend)
    value = minuend.value - second
    relation = "多于" if value > 0 else ("少于" if value < 0 else "等于")
    points = "（百分点）" if unit == "%" else ""
    return build(
        "difference",
        value=value,
        unit=unit,
        places=places_of(minuend.value, second) if places is None else places,
        formula=f"{minuend.text}（{minuend.label}）− {txt(second)}（{subtrahend.label}）= {{display}}{points}",
        symbols="甲数 − 乙数",
        words=(
            f"差额等于“{minuend.label}”减“{subtrahend.label}”{points}；"
            "正数表示前者多于后者，负数表示前者少于后者"
        ),
        inputs=[minuend, subtrahend],
        details={"relation": relation, "absolute": abs(value), "percentage_points": unit == "%"},
    )


@metric(
    name="value_from_change",
    name_zh="由增减量推算的上期值",
    name_en="Previous value from a stated change",
    description=(
        "上期值＝本期值－增减量（增减量：增加为正数，减少为负数，即“减少了N”时上期值＝本期值＋N）；"
        "用于报告只给出本期值和“较上期增加/减少了多少”的情形。"
        "Previous = current - change (an increase is positive, a decrease negative)."
    ),
    args=[
        ArgSpec("current", "本期值", "本期数值（如2020年培训33478人次）current value"),
        ArgSpec(
            "change",
            "增减量",
            "较上期的增减量：增加为正，减少为负（如“较2019年增加了24445人次”为 24445）"
            " change since the previous period, positive for an increase",
            nonnegative=False,
        ),
    ],
)
def value_from_change(current: MetricInput, change: MetricInput, places: int | None) -> MetricResult:
    delta, unit = align(current, change)
    value = current.value - delta
    if value < 0 and (kind_of(unit) in _NEVER_NEGATIVE or is_count_kind(kind_of(unit))):
        raise OutOfRange(
            f"推算出的上期值为负数（{txt(current.value)} − {txt(delta)}），“{change.label}”不可能大于“{current.label}”，请核对输入",
            f"the derived previous value is negative ({current.text} - {txt(delta)}): the change cannot "
            "exceed the current value for a count or an amount",
            field="change",
        )
    op = f"− {txt(delta)}" if delta >= 0 else f"+ {txt(-delta)}"
    direction = "增加" if delta > 0 else ("减少" if delta < 0 else "持平")
    return build(
        "value_from_change",
        value=value,
        unit=unit,
        places=places_of(current.value, delta) if places is None else places,
        formula=f"{current.text} {op} = {{display}}",
        symbols="本期值 − 增减量（增加为正，减少为负）",
        words="上期值等于本期值减去较上期的增加量（若为减少，则加上减少量）",
        inputs=[current, change],
        details={"direction": direction},
    )
