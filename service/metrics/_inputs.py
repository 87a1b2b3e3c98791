"""Turning what callers pass (int, str, Decimal, float, {"value", "unit", "label", "source"}) into
`MetricInput`s. Private: the registry's wrapper calls it for every argument.

Floats are converted through `str()` (Python's shortest round-trip text: 0.1 -> "0.1"), never through
the binary value; NaN and infinity are refused. Strings may carry thousands separators ("11,092.40")
and a trailing "%" (then the unit is "%").
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from service.metrics.errors import BadNumber, MissingInput, NegativeValue, UnitMismatch
from service.metrics.result import MetricInput
from service.metrics.units import COUNT_KINDS, is_count_kind, kind_of, normalize_unit

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋％，", "0123456789.-+%,")

UNIT_CLASSES: dict[str, tuple[str, ...]] = {
    "money": ("money",),
    "count": COUNT_KINDS,
    "percent": ("percent",),
    "score": ("score",),
}
UNIT_CLASS_ZH = {"money": "金额单位（元/万元/亿元）", "count": "计数单位", "percent": "%", "score": "分"}


def to_decimal(raw: Any, *, field: str = "") -> tuple[Decimal, str]:
    """(value, unit-from-text) — unit is "%" when a string ends in "%", else ""."""
    where = f"“{field}”" if field else ""
    if raw is None:
        raise MissingInput(f"缺少输入{where}", f"missing input {field!r}", field=field or None)
    if isinstance(raw, bool):
        raise BadNumber(
            f"输入{where}应为数字，而不是布尔值", f"{field or 'input'}: a bool is not a number", field=field
        )
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise BadNumber(
                f"输入{where}不是有限数值：{raw}", f"{field or 'input'} is not finite: {raw}", field=field
            )
        return raw, ""
    if isinstance(raw, int):
        return Decimal(raw), ""
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise BadNumber(
                f"输入{where}不是有限数值：{raw}", f"{field or 'input'} is not finite: {raw}", field=field
            )
        return Decimal(str(raw)), ""
    if isinstance(raw, str):
        text = raw.strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "")
        unit = ""
        if text.endswith("%"):
            text, unit = text[:-1], "%"
        if not _NUMBER.match(text):
            raise BadNumber(
                f"输入{where}不是数字：“{raw}”（请只填数值，单位另填）",
                f"{field or 'input'} is not a number: {raw!r} (give the number alone, the unit separately)",
                field=field or None,
            )
        try:
            return Decimal(text), unit
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards
            raise BadNumber(f"输入{where}不是数字：“{raw}”", f"not a number: {raw!r}", field=field) from exc
    raise BadNumber(
        f"输入{where}应为数字（整数、小数文本或 Decimal），收到 {type(raw).__name__}",
        f"{field or 'input'} must be a number (int, decimal text or Decimal), got {type(raw).__name__}",
        field=field or None,
    )


def take(
    name: str,
    raw: Any,
    *,
    label: str,
    unit_class: str = "any",
    default_unit: str = "",
    nonnegative: bool = True,
) -> MetricInput:
    """One argument -> MetricInput, checking its unit class and sign."""
    if isinstance(raw, MetricInput):
        value, unit, source, label_given = raw.value, raw.unit, raw.source, raw.label
    elif isinstance(raw, dict):
        if "value" not in raw:
            raise MissingInput(
                f"输入“{name}”缺少 value 字段", f"input {name!r} has no 'value' field", field=name
            )
        value, text_unit = to_decimal(raw["value"], field=name)
        unit = normalize_unit(raw.get("unit")) or text_unit
        source = raw.get("source") or None
        label_given = str(raw.get("label") or "")
        extra = set(raw) - {"value", "unit", "label", "source"}
        if extra:
            raise BadNumber(
                f"输入“{name}”含有未知字段：{'、'.join(sorted(extra))}（只允许 value、unit、label、source）",
                f"input {name!r} has unknown fields {sorted(extra)} (allowed: value, unit, label, source)",
                field=name,
            )
    else:
        value, unit = to_decimal(raw, field=name)
        source, label_given = None, ""
    unit = unit or default_unit
    kind = kind_of(unit)  # raises UnitMismatch for an unknown unit
    allowed = UNIT_CLASSES.get(unit_class)
    if (
        allowed is not None
        and kind != ""
        and kind not in allowed
        and not (unit_class == "count" and is_count_kind(kind))
    ):
        raise UnitMismatch(
            f"输入“{label}”（{name}）的单位“{unit}”不适用，应为{UNIT_CLASS_ZH[unit_class]}",
            f"input {name!r} has unit {unit!r}; expected a {unit_class} unit",
            field=name,
        )
    if nonnegative and value < 0:
        raise NegativeValue(
            f"输入“{label}”（{name}）不能为负数：{value}",
            f"input {name!r} cannot be negative: {value}",
            field=name,
        )
    return MetricInput(name=name, label=label_given or label, value=value, unit=unit, source=source)
