"""What a metric returns: the value and its audit record.

Conventions (binding for every metric):
- `value` is the full-precision Decimal (28 significant digits); nothing is rounded before display.
- Rates are in **percent points** with unit "%": 11076.79 / 11092.40 gives value 99.859…, unit "%",
  display "99.86%" — the same convention as the table store (a cell "99.86%" has value "99.86").
- `display` = the value rounded half-up (ROUND_HALF_UP) to `places` decimals (2 by default; sums use
  the most decimals among their inputs) followed by the unit: "99.86%", "8.93万元", "8.99万元/万次".
- A categorical result (a grade) has a str value, e.g. "优", and display "优".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ROUNDING_RULE_ZH = "四舍五入（ROUND_HALF_UP）保留{places}位小数；value 为未经舍入的全精度值"

COMPUTATION_KEYS = ("metric", "name_zh", "inputs", "formula", "formula_words", "value", "unit", "display")


def round_half_up(value: Decimal, places: int) -> Decimal:
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return q + Decimal(0) if q.is_zero() else q  # no "-0.00"


def fmt(value: Decimal, places: int | None = None) -> str:
    """Plain decimal text (never scientific notation); rounded half-up when `places` is given."""
    v = round_half_up(value, places) if places is not None else value
    if v.is_zero():
        v = abs(v)
    return format(v, "f")


def display(value: Decimal, unit: str, places: int) -> str:
    return f"{fmt(value, places)}{unit}"


@dataclass(frozen=True)
class MetricInput:
    """One input of a computation. `source`: {doc_id, page, table, row, column} when known."""

    name: str
    label: str
    value: Decimal
    unit: str = ""
    source: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return fmt(self.value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "value": fmt(self.value),
            "unit": self.unit,
            "source": dict(self.source) if self.source else None,
        }


@dataclass(frozen=True)
class MetricResult:
    metric: str
    name_zh: str
    name_en: str
    value: Decimal | str
    unit: str
    display: str
    places: int
    formula: str  # symbols with the inputs substituted: "11076.79 ÷ 11092.40 × 100% = 99.86%"
    formula_symbols: str  # symbols with names: "实际支出 ÷ 调整后预算 × 100%"
    formula_words: str  # definition in words, with its source when there is one
    inputs: tuple[MetricInput, ...] = ()
    rounding: str = ""
    source: str = ""  # the rule that defines the metric, e.g. a policy clause
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def rounded(self) -> Decimal:
        """The value as displayed (rounded half-up to `places`); ValueError for a categorical value."""
        if isinstance(self.value, str):
            raise ValueError("categorical result has no numeric value")
        return round_half_up(self.value, self.places)

    @property
    def value_text(self) -> str:
        return self.value if isinstance(self.value, str) else fmt(self.value)

    def to_computation(self) -> dict[str, Any]:
        """Exactly the fields of `service.answer.models.Computation`."""
        return {
            "metric": self.metric,
            "name_zh": self.name_zh,
            "inputs": [i.to_dict() for i in self.inputs],
            "formula": self.formula,
            "formula_words": self.formula_words,
            "value": self.value_text,
            "unit": self.unit,
            "display": self.display,
        }

    def to_dict(self) -> dict[str, Any]:
        """The full audit record (a superset of `to_computation()`)."""
        out = self.to_computation()
        out.update(
            {
                "name_en": self.name_en,
                "formula_symbols": self.formula_symbols,
                "places": self.places,
                "rounding": self.rounding,
                "source": self.source,
                "details": _jsonable(self.details),
            }
        )
        return out


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return fmt(obj)
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj
