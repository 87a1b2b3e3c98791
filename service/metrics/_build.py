"""Shared arithmetic for the metric bodies: checked division, unit alignment, result assembly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service.metrics.errors import UnitMismatch, ZeroDenominator
from service.metrics.result import ROUNDING_RULE_ZH, MetricInput, MetricResult, display, fmt
from service.metrics.units import compatible, convert, kind_of, normalize_unit

HUNDRED = Decimal(100)


def divide(numerator: Decimal, denominator: Decimal, *, what_zh: str, what_en: str) -> Decimal:
    if denominator.is_zero():
        raise ZeroDenominator(
            f"无法计算：{what_zh}为 0，不能作除数", f"cannot compute: {what_en} is zero (division by zero)"
        )
    return numerator / denominator


def align(ref: MetricInput, other: MetricInput) -> tuple[Decimal, str]:
    """`other`'s value in `ref`'s unit (same kind required); the unit both are now in."""
    if not compatible(ref.unit, other.unit):
        raise UnitMismatch(
            f"单位不一致：“{ref.label}”为{ref.unit or '（未注明）'}，“{other.label}”为{other.unit or '（未注明）'}",
            f"unit mismatch: {ref.name} is in {ref.unit!r}, {other.name} in {other.unit!r}",
        )
    unit = ref.unit or other.unit
    if not ref.unit or not other.unit:
        return other.value, unit
    return convert(other.value, other.unit, ref.unit), unit


def align_all(items: list[MetricInput], to_unit: str | None = None) -> tuple[list[Decimal], str]:
    """All values in one unit (the first stated unit, or `to_unit`)."""
    target = to_unit if to_unit is not None else next((i.unit for i in items if i.unit), "")
    values = []
    for i in items:
        if not compatible(i.unit, target):
            raise UnitMismatch(
                f"单位不一致：“{i.label}”为{i.unit}，不能与{target}相加或比较",
                f"unit mismatch: {i.name} is in {i.unit!r}, cannot be combined with {target!r}",
            )
        values.append(convert(i.value, i.unit, target) if i.unit and target else i.value)
    return values, target


def ratio_unit(num_unit: str, den_unit: str) -> tuple[str, bool]:
    """(unit of num/den, is_percent): same kind -> a rate in %, else the compound "num/den"."""
    n, d = normalize_unit(num_unit), normalize_unit(den_unit)
    if n and d and kind_of(n) == kind_of(d):
        return "%", True
    if not n or not d:  # a unit not stated: a plain ratio, no guessed unit
        return "", False
    return f"{n}/{d}", False


def places_of(*values: Decimal) -> int:
    """Most decimals among the values (for sums: display like the inputs)."""
    best = 0
    for v in values:
        exponent = v.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            best = max(best, -exponent)
    return best


def txt(v: Decimal) -> str:
    return fmt(v)


def build(
    spec_name: str,
    *,
    value: Decimal | str,
    unit: str,
    places: int,
    formula: str,
    symbols: str,
    words: str,
    inputs: list[MetricInput],
    details: dict[str, Any] | None = None,
) -> MetricResult:
    """Assemble a MetricResult; `formula` may use "{display}" for the rounded result."""
    from service.metrics.registry import REGISTRY

    spec = REGISTRY[spec_name]
    shown = value if isinstance(value, str) else display(value, unit, places)
    return MetricResult(
        metric=spec_name,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        value=value,
        unit=unit,
        display=shown,
        places=places,
        formula=formula.replace("{display}", shown),
        formula_symbols=symbols,
        formula_words=words + (f"（依据：{spec.source}）" if spec.source else ""),
        inputs=tuple(inputs),
        rounding=ROUNDING_RULE_ZH.format(places=places) if not isinstance(value, str) else "不舍入（等级）",
        source=spec.source,
        details=details or {},
    )


def simple_rate(
    spec_name: str,
    num: MetricInput,
    den: MetricInput,
    *,
    places: int | None,
    words: str,
    symbols: str,
) -> MetricResult:
    """num ÷ den × 100% (same kind of unit, converted), value in percent points."""
    den_value, _ = align(num, den)
    value = divide(num.value, den_value, what_zh=den.label, what_en=den.name) * HUNDRED
    p = 2 if places is None else places
    den_text = txt(den_value) + (f"（{txt(den.value)}{den.unit}）" if den_value != den.value else "")
    return build(
        spec_name,
        value=value,
        unit="%",
        places=p,
        formula=f"{num.text} ÷ {den_text} × 100% = {{display}}",
        symbols=symbols,
        words=words,
        inputs=[num, den],
    )
