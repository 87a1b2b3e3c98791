"""The metric catalogue as data: name -> spec (function, names, definition, argument schema).

Every metric is a plain function registered with `@metric(...)`; the wrapper turns the caller's
arguments into `MetricInput`s (checking presence, numbers, units and sign) before the body runs, so
`compute(name, inputs)` (used by the agent's `compute_metric` tool, the HTTP API and MCP) and a direct
Python call validate identically. `registry_schema()` is the JSON schema those callers expose.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Context, DivisionByZero, InvalidOperation, Overflow, localcontext
from typing import Any

from service.metrics._inputs import UNIT_CLASSES, take
from service.metrics.errors import MetricError, MissingInput, UnexpectedInput, UnknownMetric
from service.metrics.result import MetricResult
from service.metrics.units import KNOWN_UNITS, kind_of


@dataclass(frozen=True)
class ArgSpec:
    """One argument. kind: "quantity" (one number), "quantity_list" (a list of numbers),
    "integer", "bands" (a grade rule) or "rule" (a structured scoring rule).
    unit_class: money | count | percent | score | any."""

    name: str
    label: str  # Chinese label, shown in formulas: "实际支出"
    description: str
    kind: str = "quantity"
    unit_class: str = "any"
    default_unit: str = ""
    required: bool = True
    default: Any = None
    nonnegative: bool = True
    min_items: int = 1

    def coerce(self, raw: Any) -> Any:
        if self.kind == "quantity":
            return take(
                self.name,
                raw,
                label=self.label,
                unit_class=self.unit_class,
                default_unit=self.default_unit,
                nonnegative=self.nonnegative,
            )
        if self.kind == "quantity_list":
            if isinstance(raw, str | bytes | Mapping) or not hasattr(raw, "__iter__"):
                raise MissingInput(
                    f"输入“{self.label}”（{self.name}）应为数值列表",
                    f"input {self.name!r} must be a list of numbers",
                    field=self.name,
                )
            items = [
                take(
                    f"{self.name}[{i}]",
                    item,
                    label=f"{self.label}{i + 1}",
                    unit_class=self.unit_class,
                    default_unit=self.default_unit,
                    nonnegative=self.nonnegative,
                )
                for i, item in enumerate(raw)
            ]
            if len(items) < self.min_items:
                raise MissingInput(
                    f"输入“{self.label}”（{self.name}）至少需要 {self.min_items} 个数值",
                    f"input {self.name!r} needs at least {self.min_items} values",
                    field=self.name,
                )
            return items
        if self.kind == "integer":
            from service.metrics._inputs import to_decimal

            value, _ = to_decimal(raw, field=self.name)
            if value != value.to_integral_value() or value <= 0:
                raise MissingInput(
                    f"输入“{self.label}”（{self.name}）应为正整数：{raw}",
                    f"input {self.name!r} must be a positive integer: {raw!r}",
                    field=self.name,
                )
            return int(value)
        return raw  # "bands": validated by the metric itself

    def json_schema(self) -> dict[str, Any]:
        desc = self.description
        if self.kind == "bands":
            return {
                "description": desc,
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "label": {"type": "string"},
                        "min": {"type": ["number", "string"]},
                        "include_min": {"type": "boolean", "default": True},
                    },
                    "required": ["label", "min"],
                },
            }
        if self.kind == "rule":
            return {
                "description": desc,
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "percent": {"type": "boolean"},
                    "proportional": {"type": "boolean"},
                    "capped": {"type": "boolean"},
                    "bands": {"type": "array", "items": {"type": "object"}},
                    "deduction": {"type": ["object", "null"]},
                    "linear": {"type": ["object", "null"]},
                },
            }
        if self.kind == "integer":
            out: dict[str, Any] = {"description": desc, "type": "integer", "minimum": 1}
            if self.default is not None:
                out["default"] = self.default
            return out
        units = _units_for(self.unit_class)
        number = {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": r"^\s*[+-]?[0-9,]*\.?[0-9]+\s*%?\s*$"},
                {
                    "type": "object",
                    "properties": {
                        "value": {"type": ["number", "string"]},
                        "unit": {"type": "string", "enum": units} if units else {"type": "string"},
                        "label": {"type": "string"},
                        "source": {
                            "type": "object",
                            "description": "where the figure comes from: {doc_id, page, table, row, column}",
                        },
                    },
                    "required": ["value"],
                    "additionalProperties": False,
                },
            ]
        }
        unit_note = f"单位 unit: {self.default_unit or '（随输入 as given）'}"
        if units:
            unit_note += f"; 可用 allowed: {', '.join(units)}"
        item = {**number}
        if self.kind == "quantity_list":
            out = {
                "description": f"{desc}（{unit_note}）",
                "type": "array",
                "items": item,
                "minItems": self.min_items,
            }
        else:
            out = {"description": f"{desc}（{unit_note}）", **item}
        if self.default is not None:
            out["default"] = self.default
        return out


def _units_for(unit_class: str) -> list[str]:
    kinds = UNIT_CLASSES.get(unit_class)
    if kinds is None:
        return []
    return [u for u in KNOWN_UNITS if kind_of(u) in kinds]


@dataclass(frozen=True)
class MetricSpec:
    name: str
    func: Callable[..., MetricResult]
    name_zh: str
    name_en: str
    description: str  # definition, Chinese then English
    args: tuple[ArgSpec, ...]
    source: str = ""  # the rule that defines it, when there is one

    def arg(self, name: str) -> ArgSpec:
        return next(a for a in self.args if a.name == name)

    def json_schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "description": self.description + (f" 依据 Source: {self.source}" if self.source else ""),
            "parameters": {
                "type": "object",
                "properties": {a.name: a.json_schema() for a in self.args},
                "required": [a.name for a in self.args if a.required],
                "additionalProperties": False,
            },
        }


REGISTRY: dict[str, MetricSpec] = {}

# full precision: 28 significant digits; any stray division by zero / NaN raises instead of leaking
DECIMAL_CONTEXT = Context(prec=28, traps=[DivisionByZero, InvalidOperation, Overflow])


def metric(
    *, name: str, name_zh: str, name_en: str, description: str, args: list[ArgSpec], source: str = ""
) -> Callable[[Callable[..., MetricResult]], Callable[..., MetricResult]]:
    """Register a metric. The decorated body receives coerced arguments (MetricInput, lists of
    them, ints) plus `places`; callers pass raw values as keyword arguments."""

    def decorate(body: Callable[..., MetricResult]) -> Callable[..., MetricResult]:
        params = inspect.signature(body).parameters
        assert {a.name for a in args} | {"places"} == set(params), f"{name}: args != signature"

        @functools.wraps(body)
        def wrapper(*, places: int | None = None, **raw: Any) -> MetricResult:
            spec = REGISTRY[name]
            unknown = sorted(set(raw) - {a.name for a in spec.args})
            if unknown:
                allowed = ", ".join(a.name for a in spec.args)
                raise UnexpectedInput(
                    f"指标“{spec.name_zh}”没有参数：{'、'.join(unknown)}；可用参数：{allowed}",
                    f"metric {name!r} takes no argument(s) {unknown}; arguments: {allowed}",
                    field=unknown[0],
                )
            kwargs: dict[str, Any] = {}
            for a in spec.args:
                value = raw.get(a.name)
                if value is None:
                    if a.required:
                        raise MissingInput(
                            f"计算“{spec.name_zh}”缺少输入“{a.label}”（{a.name}）",
                            f"{name}: missing input {a.name!r} ({a.description})",
                            field=a.name,
                        )
                    value = a.default
                kwargs[a.name] = None if value is None else a.coerce(value)
            if places is not None and (
                not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 10
            ):
                raise UnexpectedInput(
                    f"小数位数 places 应为 0–10 的整数：{places!r}", f"places must be an int 0-10: {places!r}"
                )
            with localcontext(DECIMAL_CONTEXT):
                return body(**kwargs, places=places)

        REGISTRY[name] = MetricSpec(
            name=name,
            func=wrapper,
            name_zh=name_zh,
            name_en=name_en,
            description=description,
            args=tuple(args),
            source=source,
        )
        return wrapper

    return decorate


def compute(name: str, inputs: Mapping[str, Any], *, places: int | None = None) -> MetricResult:
    """Compute a catalogue metric by name. Raises MetricError (UnknownMetric, MissingInput,
    UnexpectedInput, BadNumber, UnitMismatch, NegativeValue, ZeroDenominator)."""
    spec = REGISTRY.get(name)
    if spec is None:
        names = ", ".join(sorted(REGISTRY))
        raise UnknownMetric(
            f"没有名为“{name}”的指标；可用指标：{names}", f"unknown metric {name!r}; known: {names}"
        )
    if not isinstance(inputs, Mapping):
        raise MissingInput(
            f"指标“{spec.name_zh}”的输入应为对象（参数名 -> 数值）",
            f"inputs of {name!r} must be an object (argument name -> value)",
        )
    return spec.func(**dict(inputs), places=places)


def registry_schema() -> list[dict[str, Any]]:
    """One JSON-schema entry per metric, sorted by name (stable for snapshots and tool specs)."""
    return [REGISTRY[n].json_schema() for n in sorted(REGISTRY)]


__all__ = ["REGISTRY", "ArgSpec", "MetricError", "MetricSpec", "compute", "metric", "registry_schema"]
