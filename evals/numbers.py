"""The evals' own reader of the figures an answer states.

Deliberately independent of the product: an eval never judges jixiao with jixiao's own number
extractor (a bug shared by both would pass unseen). It reads decimal numbers with an optional unit
(元/万元/亿元, %, 分, 人, 万件 …) and leaves out what is not a stated quantity: years and dates,
citation marks [n], table and clause references (表1-2, 第三条, 第2页), document numbers
(〔2020〕10号), list markers at the start of a line, and digits inside words or addresses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# unit -> (base unit, scale); longest first when matching
_SCALED = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "千": Decimal(1000), "百": Decimal(100)}
_BASE_UNITS = (
    "人次", "户次", "平方米", "公里", "小时", "个月", "课时", "元", "%", "‰", "分", "人", "名", "位",
    "个", "次", "项", "件", "户", "天", "日", "年", "月", "周", "家", "辆", "台", "套", "所", "场",
    "期", "篇", "份", "条", "册", "本", "株", "亩", "吨", "米", "间", "座", "处", "批", "起", "宗",
    "笔", "张", "部", "单", "万",
)  # fmt: skip
_SAME_BASE = {"名": "人", "位": "人"}

_UNIT_RE = "|".join(
    sorted(
        {f"{s}{b}" for s in _SCALED for b in _BASE_UNITS if b not in ("%", "‰", "万")}, key=len, reverse=True
    )
    + sorted(_BASE_UNITS, key=len, reverse=True)
    + ["万", "亿", "千"]
)
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.])(?P<sign>[-−–])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"\s*(?P<unit>{_UNIT_RE})?"
)
_NOT_FIGURES = re.compile(
    r"\[\d+\]"  # citation marks
    r"|〔\d{4}〕\s*\d+\s*号|\(\d{4}\)\s*\d+\s*号|\d+\s*号文"  # document numbers
    r"|表\s*[\d一二三四五六七八九十]+(?:[-－—.]\d+)*"  # table references
    r"|第\s*[\d一二三四五六七八九十百]+\s*(?:条|款|章|节|页|轮|项|部分|次会议)"
    r"|[pP]\.?\s*\d+"  # page marks
    r"|\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"  # dates
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|(?:19|20)\d{2}\s*(?:年度|年|[-—–~至到]\s*(?:19|20)\d{2}\s*年?)"  # years and year ranges
    r"|https?://\S+|www\.\S+|\S+@\S+"
    r"|^\s*(?:\d+|[（(]\d+[)）])\s*[.、．)](?!\d)"  # list markers at the start of a line
    r"|[（(]\s*\d+\s*[)）]",  # (1) markers anywhere
    re.MULTILINE,
)


@dataclass(frozen=True)
class Figure:
    raw: str
    value: Decimal  # as written (in `unit`)
    unit: str  # as written, '' when none
    base_unit: str  # 万元 -> 元, 万件 -> 件, % -> %
    scale: Decimal  # 万元 -> 10000
    start: int
    end: int

    @property
    def base_value(self) -> Decimal:
        return self.value * self.scale


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("％", "%")


def split_unit(unit: str) -> tuple[str, Decimal]:
    """(base unit, scale) of a unit as written: 万元 -> (元, 10000); 万 -> ('', 10000)."""
    if not unit:
        return "", Decimal(1)
    if unit in _SCALED:
        return "", _SCALED[unit]
    if unit[0] in _SCALED and unit[1:] in _BASE_UNITS:
        return _SAME_BASE.get(unit[1:], unit[1:]), _SCALED[unit[0]]
    return _SAME_BASE.get(unit, unit), Decimal(1)


def read_figures(text: str) -> list[Figure]:
    """Every stated quantity in `text`, in order (NFKC-normalised positions)."""
    norm = normalize(text)
    blocked = [m.span() for m in _NOT_FIGURES.finditer(norm)]
    out: list[Figure] = []
    for m in _NUMBER.finditer(norm):
        s = m.start("num")
        if any(bs <= s < be for bs, be in blocked):
            continue
        unit = m.group("unit") or ""
        digits = m.group("num")
        if unit in ("年", "月", "日") and "." not in digits:
            continue  # 3年, 5月: periods and dates, not figures
        if not unit and re.fullmatch(r"(?:19[5-9]|20\d)\d", digits) and not m.group("sign"):
            continue  # a bare 2021: a year
        try:
            value = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:
            continue
        if m.group("sign"):
            value = -value
        base, scale = split_unit(unit)
        out.append(Figure(m.group(0).strip(), value, unit, base, scale, m.start(), m.end()))
    return out
