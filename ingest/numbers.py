"""Exact number and unit parsing for table cells and labels. Pure: stdlib, and the glossary's
`unit_kinds` words (which column of a table a unit belongs to).

Numbers stay Decimal *text*: "11092.40" keeps its trailing zero, no float is ever involved.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


# The units figures are written in: data (glossary.yaml `units`), longest first so "万元" wins over "元".
def _units() -> tuple[str, ...]:
    from ingest.glossary import load_glossary

    units = tuple(sorted(load_glossary().units, key=len, reverse=True))
    if not units:  # an older glossary file: no figure would have a unit, every reading would be wrong
        raise RuntimeError("glossary.yaml 缺少 units（数字的单位）/ glossary.yaml has no `units` list")
    return units


UNITS: tuple[str, ...] = _units()
# Units a bare cell may carry as a suffix ("11092.4万元"); "年" is left out so "2020 年" stays text.
_SUFFIX_UNITS = tuple(u for u in UNITS if u not in {"年", "月", "天", "%", "‰"})

_EMPTY_MARKS = {"", "-", "--", "—", "——", "–", "－", "/", "／", "无", "N/A", "n/a", "NA", "—/—", "*"}
_MINUS = "-−－–—‒"
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NUMBER_RE = re.compile(
    r"^(?P<sign>[+\-])?\s*(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?P<frac>\.\d+)?\s*(?P<pct>%)?\s*(?P<unit>\S*)$"
)
_PAREN_NEG_RE = re.compile(r"^\((?P<body>[^()]+)\)$")
_LABEL_UNIT_RE = re.compile(r"[（(]\s*(?P<unit>[^（）()]{1,8}?)\s*[）)]\s*[" + _SUPERSCRIPTS + r"\s]*$")
# "单位：万元", "金额单位：万元", and the same after a form's other header ("部门：某局  金额单位：万元")
_UNIT_LINE_RE = re.compile(
    r"^(?:.*?\s)?\s*[（(]?\s*(?:计量|金额)?单位\s*[：:]\s*(?P<units>(?:万元|元|亿元|千元|万|人|%)[^：:]*?)\s*[）)]?\s*$"
    r"|^\s*[（(]?\s*(?:计量|金额)?单位\s*[：:]\s*(?P<units2>.+?)\s*[）)]?\s*$"
)


@dataclass(frozen=True)
class ParsedNumber:
    """`value` is exact Decimal text ("99.86" for "99.86%"); `unit` a suffix unit if the text had one."""

    value: str
    is_percent: bool = False
    unit: str = ""

    def decimal(self) -> Decimal:
        return Decimal(self.value)


def normalize_text(raw: str) -> str:
    """Full-width digits, letters and ASCII punctuation to half-width (NFKC), minus signs to '-'."""
    text = unicodedata.normalize("NFKC", raw)
    for ch in _MINUS:
        text = text.replace(ch, "-")
    return text


def is_empty_mark(raw: str) -> bool:
    """A cell that means "no value": "-", "—", "/", "无", blank."""
    return normalize_text(raw).strip() in _EMPTY_MARKS


def parse_number(raw: str) -> ParsedNumber | None:
    """Parse a table cell exactly: "11092.40" -> 11092.40, "99.86%" -> 99.86 (percent),
    "−15.03%" / "-15.03%" -> -15.03 (percent), "1,234.5" -> 1234.5, "１２３" -> 123,
    "(12.5)" -> -12.5, "11092.4万元" -> 11092.4 万元; "-", "—", "" and text -> None."""
    text = re.sub(r"\s+", "", raw or "")
    text = text.rstrip(_SUPERSCRIPTS)  # a footnote mark on a figure ("19.45%⁴")
    text = normalize_text(text).replace("，", ",")
    if text in _EMPTY_MARKS:
        return None
    paren = _PAREN_NEG_RE.match(text)
    if paren:
        inner = parse_number(paren.group("body"))
        if inner is None or inner.value.startswith("-"):
            return None
        return ParsedNumber("-" + inner.value, inner.is_percent, inner.unit)
    m = _NUMBER_RE.match(text)
    if not m or not (m.group("int") or m.group("frac")):
        return None
    unit = m.group("unit")
    if unit and unit not in _SUFFIX_UNITS:
        return None
    digits = (m.group("int") or "0").replace(",", "") + (m.group("frac") or "")
    sign = "-" if m.group("sign") == "-" else ""
    try:
        Decimal(digits)
    except InvalidOperation:
        return None
    return ParsedNumber(sign + digits, is_percent=bool(m.group("pct")), unit=unit)


def unit_in_label(label: str) -> str:
    """The unit a row or column label states in brackets: "接听量（万次）" -> "万次",
    "月均流失人数 ¹ （人）" -> "人", "金额(万元)" -> "万元"; "" when none."""
    m = _LABEL_UNIT_RE.search(label or "")
    if not m:
        return ""
    unit = normalize_text(m.group("unit")).strip()
    unit = unit.removeprefix("单位:").strip()
    return unit if unit in UNITS else ""


def units_of_unit_line(line: str) -> list[str]:
    """Units of a unit line: "单位：万元" -> ["万元"]; "单位：人、万元、年" -> ["人", "万元", "年"]; not a unit line -> []."""
    m = _UNIT_LINE_RE.match(line or "")
    if not m:
        return []
    parts = re.split(r"[、，,/／;；\s]+", m.group("units") or m.group("units2"))
    return [p for p in (normalize_text(x).strip() for x in parts) if p]


def unit_for_header(header: str, units: list[str]) -> str:
    """Pick the unit of a column from a unit line's list by what its header says.
    One unit: that unit. Several: the one whose kind the header names ("2020 年末 人数" -> 人,
    "工资福利支出总额" -> 万元); "" when the header names none of them."""
    if not units:
        return ""
    if len(units) == 1:
        return units[0]
    from ingest.glossary import load_glossary  # the field's words (glossary.yaml `unit_kinds`)

    for kind_units, keywords in load_glossary().unit_kinds:
        present = [u for u in units if u in kind_units]
        if present and any(k in header for k in keywords):
            return present[0]
    return ""
