"""Units: which can be converted into which, and by what factor.

Money: 元 / 万元 / 亿元 convert explicitly (1 万元 = 10^4 元, 1 亿元 = 10^8 元).
Counts keep their own kind: 人 (名), 人次 (万人次), 次 (万次), 件 (万件), 个, 条, 篇, 期, 项.
A 万-prefixed count converts to its base (1 万次 = 10^4 次). % is a percent point; 分 a score point.
A compound unit "A/B" (万元/人, 万元/万次) converts through both parts.
The empty unit "" means "not stated": it adopts the unit of the value it is combined with.
A measure word the table does not list (起, 批次, 宗 — one or two characters that name no money, time,
rate or magnitude) counts things of its own kind: it converts to nothing else.
Anything else — adding 万元 to 人, dividing 人 by 万次 where a rate needs the same kind — is a
`UnitMismatch`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from service.metrics.errors import UnitMismatch

TEN_THOUSAND = Decimal(10) ** 4
HUNDRED_MILLION = Decimal(10) ** 8


@dataclass(frozen=True)
class UnitInfo:
    symbol: str
    kind: str  # "money", "person", "person_time", "times", "item", ... ; "" = not stated
    factor: Decimal  # size in the kind's base unit
    name_en: str


_UNITS: dict[str, UnitInfo] = {
    u.symbol: u
    for u in (
        UnitInfo("", "", Decimal(1), "(unit not stated)"),
        UnitInfo("元", "money", Decimal(1), "yuan"),
        UnitInfo("万元", "money", TEN_THOUSAND, "10k yuan"),
        UnitInfo("亿元", "money", HUNDRED_MILLION, "100M yuan"),
        UnitInfo("人", "person", Decimal(1), "persons"),
        UnitInfo("名", "person", Decimal(1), "persons"),
        UnitInfo("万人", "person", TEN_THOUSAND, "10k persons"),
        UnitInfo("人次", "person_time", Decimal(1), "person-times"),
        UnitInfo("万人次", "person_time", TEN_THOUSAND, "10k person-times"),
        UnitInfo("次", "times", Decimal(1), "times"),
        UnitInfo("万次", "times", TEN_THOUSAND, "10k times"),
        UnitInfo("件", "item", Decimal(1), "items"),
        UnitInfo("万件", "item", TEN_THOUSAND, "10k items"),
        UnitInfo("个", "piece", Decimal(1), "pieces"),
        UnitInfo("条", "line", Decimal(1), "lines"),
        UnitInfo("篇", "article", Decimal(1), "articles"),
        UnitInfo("期", "issue", Decimal(1), "issues"),
        UnitInfo("项", "entry", Decimal(1), "entries"),
        UnitInfo("%", "percent", Decimal(1), "percent"),
        UnitInfo("分", "score", Decimal(1), "points"),
        UnitInfo("年", "year", Decimal(1), "years"),
        UnitInfo("月", "month", Decimal(1), "months"),
        UnitInfo("个月", "month", Decimal(1), "months"),
        UnitInfo("天", "day", Decimal(1), "days"),
        UnitInfo("小时", "hour", Decimal(1), "hours"),
        UnitInfo("千元", "money", Decimal(1000), "1k yuan"),
        UnitInfo("‰", "permille", Decimal(1), "per mille"),
        # counts of things the field's reports count (each its own kind: 座 and 户 never add up)
        UnitInfo("份", "copy", Decimal(1), "copies"),
        UnitInfo("户", "household", Decimal(1), "households"),
        UnitInfo("万户", "household", TEN_THOUSAND, "10k households"),
        UnitInfo("家", "organisation", Decimal(1), "organisations"),
        UnitInfo("所", "institution", Decimal(1), "institutions"),
        UnitInfo("座", "structure", Decimal(1), "structures"),
        UnitInfo("处", "site", Decimal(1), "sites"),
        UnitInfo("台", "unit_set", Decimal(1), "sets"),
        UnitInfo("套", "suite", Decimal(1), "suites"),
        UnitInfo("册", "volume", Decimal(1), "volumes"),
        UnitInfo("本", "book", Decimal(1), "books"),
        UnitInfo("场", "session", Decimal(1), "sessions"),
        UnitInfo("辆", "vehicle", Decimal(1), "vehicles"),
        UnitInfo("间", "room", Decimal(1), "rooms"),
        UnitInfo("公里", "length", Decimal(1000), "km"),
        UnitInfo("千米", "length", Decimal(1000), "km"),
        UnitInfo("米", "length", Decimal(1), "metres"),
        UnitInfo("亩", "area_mu", Decimal(1), "mu"),
        UnitInfo("万亩", "area_mu", TEN_THOUSAND, "10k mu"),
        UnitInfo("平方米", "area", Decimal(1), "square metres"),
        UnitInfo("吨", "mass", Decimal(1), "tonnes"),
        UnitInfo("万吨", "mass", TEN_THOUSAND, "10k tonnes"),
        UnitInfo("厘米", "length", Decimal("0.01"), "centimetres"),
        UnitInfo("平方公里", "area", Decimal(10) ** 6, "square kilometres"),
        UnitInfo("公顷", "area", TEN_THOUSAND, "hectares"),
        UnitInfo("立方米", "volume_m3", Decimal(1), "cubic metres"),
        UnitInfo("个百分点", "percentage_point", Decimal(1), "percentage points"),
        UnitInfo("百分点", "percentage_point", Decimal(1), "percentage points"),
    )
}
# any other measure word (起, 批次, 宗 … — the glossary's `units` list them for reading documents)
# counts things of its own kind: one or two Chinese characters, none of money, time, rate or marks
_OWN_COUNT = "count:"
_MEASURE_WORD = re.compile(r"[\u4e00-\u9fff]{1,2}")
_NOT_COUNTED = set(
    "元钱币年月日天时分秒率万亿千百倍成岁周季度斤克升以上下内"
)  # money, time, rates, magnitudes

MONEY_UNITS = ("元", "万元", "亿元")
COUNT_KINDS = (
    "person", "person_time", "times", "item", "piece", "line", "article", "issue", "entry", "copy",
    "household", "organisation", "institution", "structure", "site", "unit_set", "suite", "volume",
    "book", "session", "vehicle", "room",
)  # fmt: skip
KNOWN_UNITS = tuple(u for u in _UNITS if u)


def normalize_unit(unit: str | None) -> str:
    """Trim and map full-width / spelled variants: "％" -> "%", "（万元）" -> "万元"."""
    if unit is None:
        return ""
    u = unit.strip().strip("()（）").replace("％", "%").replace(" ", "")
    return u


def unit_info(unit: str) -> UnitInfo:
    """The unit's kind and factor; a compound "A/B" gets kind "a/b" and factor fa/fb."""
    u = normalize_unit(unit)
    if u in _UNITS:
        return _UNITS[u]
    if _MEASURE_WORD.fullmatch(u) and not set(u) & _NOT_COUNTED:
        return UnitInfo(u, _OWN_COUNT + u, Decimal(1), u)
    if "/" in u:
        top, _, bottom = u.partition("/")
        a, b = unit_info(top), unit_info(bottom)
        return UnitInfo(u, f"{a.kind}/{b.kind}", a.factor / b.factor, f"{a.name_en} per {b.name_en}")
    raise UnitMismatch(
        f"不认识的单位“{unit}”，可用单位：{'、'.join(KNOWN_UNITS)}（或 A/B 形式的复合单位）",
        f"unknown unit {unit!r}; known units: {', '.join(KNOWN_UNITS)} (or a compound A/B)",
    )


def is_count_kind(kind: str) -> bool:
    """Is the kind a count of things (persons, items, or a measure word's own things)?"""
    return kind in COUNT_KINDS or kind.startswith(_OWN_COUNT)


def kind_of(unit: str) -> str:
    return unit_info(unit).kind


def compatible(a: str, b: str) -> bool:
    """True when values in `a` and `b` can be added or compared (after conversion)."""
    ka, kb = kind_of(a), kind_of(b)
    return ka == "" or kb == "" or ka == kb


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """`value` in `from_unit` expressed in `to_unit`; exact (factors are powers of ten)."""
    fa, fb = unit_info(from_unit), unit_info(to_unit)
    if fa.kind == "" or fb.kind == "" or fa.symbol == fb.symbol:
        return value
    if fa.kind != fb.kind:
        raise UnitMismatch(
            f"单位不一致：“{from_unit}”不能换算为“{to_unit}”",
            f"unit mismatch: {from_unit!r} cannot be converted to {to_unit!r}",
        )
    return value * fa.factor / fb.factor


def ten_thousand_unit(unit: str) -> str:
    """The 万-unit of a count unit: 次 -> 万次, 万次 -> 万次, 件 -> 万件, "" -> "万"."""
    u = normalize_unit(unit)
    if u.startswith("万"):
        return u
    return f"万{u}"
