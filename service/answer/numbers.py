"""Find the numbers in Chinese answer text, with their units normalised (pure, stdlib only).

`extract_numbers(text)` returns every run of Arabic digits as a `FoundNumber`: the value as
written (exact Decimal, sign applied, thousands separators removed, full-width digits read), the
unit as written ("万元", "%", "万次", "人" …) and its base unit and scale (万元 -> 元 × 10000,
% -> a fraction × 0.01, 约1.1万 -> × 10000), the number of decimals shown, and a `kind`:

    figure     a quantity to verify (the default)
    year       2020年, 2018-2019年, 〔2020〕, a bare integer 1900–2100
    date       5月20日, 1-12月, 9时
    citation   [1], 【2】, [1, 3]
    marker     list markers: "1." / "1、" at the start of a line, (1), （2）
    reference  表1-2, 第3页, 第18号, p. 4, GB/T 33358-2016, "8890" in 8890热线 (a name, not a quantity)

Only `figure` numbers are checked by grounding; the others are exempt. Chinese numerals (四个问题)
are not extracted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

NumberKind = Literal["figure", "year", "date", "citation", "marker", "reference"]

# Full-width ASCII -> ASCII except the full-width comma, which separates Chinese list items
# ("621，777，909人" is three numbers, never 621777909). One char to one char, so offsets hold.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if c != 0xFF0C} | {
    0x2212: ord("-"),
    0x2013: ord("-"),
    0x3000: ord(" "),
}

# unit as written -> (base unit, scale). Longest first in the regex.
_MONEY = {
    "亿元": ("元", Decimal(10) ** 8),
    "万元": ("元", Decimal(10) ** 4),
    "千元": ("元", Decimal(1000)),
    "元": ("元", Decimal(1)),
}
_COUNT_UNITS = tuple(
    (  # noqa: SIM905 - a word list reads better as text
        "个百分点 百分点 人次 小时 页 分钟 平方米 公里 人 次 件 个 条 篇 期 名 户 家 项 所 "
        "台 套 批 份 座 辆 岗 天 周 倍 岁 年 月 日 号 时 点 分 "
    ).split()
)
_PERCENT = {"%": ("%", Decimal("0.01")), "‰": ("%", Decimal("0.001"))}
_DATE_UNITS = {"月", "日", "时", "点"}
_REFERENCE_UNITS = {"号"}

_UNIT_ALTS = sorted([*_MONEY, *_COUNT_UNITS, *_PERCENT], key=len, reverse=True)
# a unit character that starts an ordinary word is not a unit: 8890项目, 台账, 批复, 天津, 分别 …
_NOT_UNIT_BEFORE = {
    "分": "别析配布类之享担期子数值",
    "项": "目",
    "台": "账",
    "批": "复准",
    "天": "津",
    "所": "有属",
    "座": "谈",
    "家": "庭",
}
_UNIT_RE = "|".join(
    re.escape(u) + (f"(?![{_NOT_UNIT_BEFORE[u]}])" if u in _NOT_UNIT_BEFORE else "") for u in _UNIT_ALTS
)

_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.])(?P<sign>[-+])?"
    r"(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)(?![0-9])"
    r"(?:(?P<sp>[ \t]?)(?P<more>余|多)?(?P<mult>万亿|亿|万)?(?P<unit>" + _UNIT_RE + r")?)"
)
_CITATION = re.compile(r"[\[【]\s*\^?[0-9]+(?:\s*[,，、\-]\s*\^?[0-9]+)*\s*[\]】]")
_RANGE_GAP = re.compile(r"^\s?[-~～—至到]\s?$")
_REF_PREFIX = re.compile(r"(?:第|表|图|注|附件|附表|附录|[A-Za-z]/?[A-Za-z]*\s|[pP]\.\s?)\s*$")
_APPROX_PREFIX = re.compile(r"(?:约|近|逾|超过|大约|将近|接近|约为)\s*$")
# a number that names something: 8890项目, 12345政务服务平台, “8890” (and, once quoted, the same
# digits anywhere else in the text: "8890" named in quotes makes the 8890 of a later phrase a name too)
_NAME_SUFFIX = re.compile(r"\s?(?:项目|微博|平台|号码|服务|系统|工程|政务|短号)")
_QUOTED_NAME = re.compile(r"[“\"「]\s*([0-9]{3,})\s*[”\"」]")
_QUOTES = {("“", "”"), ('"', '"'), ("「", "」")}


@dataclass(frozen=True)
class FoundNumber:
    raw: str  # the span as written, unit included ("1,036.39 万件", "−15.03%")
    start: int
    end: int
    value: Decimal  # as written, sign applied: Decimal("1036.39")
    unit: str  # as written, normalised: "万件", "%", "万元", "" when none
    base_unit: str  # "件", "%", "元", "" ...
    scale: Decimal  # value * scale is in base units (% -> fraction)
    decimals: int  # digits shown after the decimal point
    kind: NumberKind = "figure"
    approx: bool = False  # 约 / 近 / 逾 / 余 / 多 / 左右

    @property
    def base_value(self) -> Decimal:
        """The value in base units: 8.93万元 -> 89300 (元); 99.86% -> 0.9986."""
        return self.value * self.scale

    @property
    def checkable(self) -> bool:
        return self.kind == "figure"


_FW_THOUSANDS = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")


def normalize_digits(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII, "−"/"–" to "-"; keeps length. "，" stays
    (it separates Chinese list items) except between full-width digits as a thousands separator
    ("１，０３６．３９")."""
    return _FW_THOUSANDS.sub(",", text).translate(_WIDTH)


def _unit_info(mult: str, unit: str) -> tuple[str, str, Decimal]:
    """(unit as written, base unit, scale)."""
    written = mult + unit
    if unit in _MONEY and not mult:
        base, scale = _MONEY[unit]
    elif unit == "元":
        base, scale = "元", Decimal(10) ** (8 if mult == "亿" else 12 if mult == "万亿" else 4)
    elif unit in _PERCENT:
        base, scale = _PERCENT[unit]
    else:
        base = "百分点" if unit == "个百分点" else unit
        scale = Decimal(1)
    if mult and unit not in _MONEY:
        scale = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "万亿": Decimal(10) ** 12}[mult]
    return written, base, scale


def extract_numbers(text: str) -> list[FoundNumber]:
    """Every number in `text`, in order, with unit, scale and kind (see the module docstring)."""
    norm = normalize_digits(text)
    cited = [m.span() for m in _CITATION.finditer(norm)]
    references = _non_measures(norm)
    named = frozenset(m.group(1) for m in _QUOTED_NAME.finditer(norm))
    found: list[FoundNumber] = []
    for m in _NUMBER.finditer(norm):
        num = m.group("num")
        value = Decimal(num.replace(",", ""))
        if m.group("sign") == "-":
            value = -value
        mult, unit = m.group("mult") or "", m.group("unit") or ""
        end = m.end() if mult or unit else m.end("num")  # no unit: stop at the digits, not a space
        written, base, scale = _unit_info(mult, unit)
        decimals = len(num.split(".")[1]) if "." in num else 0
        start = m.start()
        approx = bool(m.group("more")) or bool(_APPROX_PREFIX.search(norm[max(0, start - 4) : start]))
        approx = approx or norm[end : end + 2] == "左右"
        kind = _classify(norm, start, end, value, decimals, unit, cited)
        if kind == "figure" and not unit and not mult and num in named:
            kind = "reference"
        found.append(
            FoundNumber(
                raw=text[start:end],
                start=start,
                end=end,
                value=value,
                unit=written,
                base_unit=base,
                scale=scale,
                decimals=decimals,
                kind=kind,
                approx=approx,
            )
        )
    resolved = _resolve_ranges(norm, text, found)
    return [
        _with(n, kind="reference")
        if n.kind == "figure" and any(a <= n.start < b for a, b in references)
        else n
        for n in resolved
    ]


def _non_measures(text: str) -> list[tuple[int, int]]:
    """Spans the glossary says are not measures (dates, document numbers, codes, phone numbers,
    URLs, clause numbers): their digits are never figures, so never "未核实"."""
    try:
        from ingest.glossary import load_glossary

        return [(a, b) for a, b, _name in load_glossary().non_measure_spans(text)]
    except Exception:  # pragma: no cover - the glossary ships with the package
        return []


def _classify(
    norm: str, start: int, end: int, value: Decimal, decimals: int, unit: str, cited: list[tuple[int, int]]
) -> NumberKind:
    if any(a <= start < b for a, b in cited):
        return "citation"
    before = norm[max(0, start - 8) : start]
    after = norm[end : end + 1]
    is_int = decimals == 0 and "," not in norm[start:end]
    if _REF_PREFIX.search(before) or unit in _REFERENCE_UNITS or unit == "页" or after == "页":
        return "reference"
    if unit == "年" and is_int and 1900 <= value <= 2100:
        return "year"
    if unit in _DATE_UNITS and is_int:
        return "date"
    if not unit and is_int:
        line_head = norm[norm.rfind("\n", 0, start) + 1 : start].strip()
        if (
            line_head in ("", "-", "*", "•")
            and after in (".", "、", ")")
            and norm[end + 1 : end + 2][:1] not in "0123456789"
        ):
            return "marker"
        if before[-1:] == "(" and after == ")" and value <= 99:
            return "marker"
        if 1900 <= value <= 2100:
            return "year"
        if value >= 1000 and (_NAME_SUFFIX.match(norm, end) or (before[-1:], after) in _QUOTES):
            return "reference"  # a name such as 8890热线 or “12345”
    return "figure"


def _resolve_ranges(norm: str, text: str, found: list[FoundNumber]) -> list[FoundNumber]:
    """In "2018-2019年", "1-12月", "80~90分" the first number takes the second one's unit and kind;
    in "表1-2", "33358-2016" the part after the hyphen takes the first one's (reference) kind."""
    out = list(found)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        gap = norm[a.end : b.start]
        if not _RANGE_GAP.match(gap):
            continue
        if a.kind == "reference" and gap.strip() == "-" and b.kind != "reference":
            out[i + 1] = _with(b, kind="reference")
        elif not a.unit and b.unit and a.kind in ("figure", "year"):
            kind: NumberKind = b.kind if b.kind in ("year", "date", "reference") else "figure"
            if kind == "year" and not (a.decimals == 0 and 1900 <= a.value <= 2100):
                kind = "figure"
            out[i] = _with(a, unit=b.unit, base_unit=b.base_unit, scale=b.scale, kind=kind)
    return out


def _with(n: FoundNumber, **changes: object) -> FoundNumber:
    from dataclasses import replace

    return replace(n, **changes)  # type: ignore[arg-type]
