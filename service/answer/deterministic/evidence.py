"""Evidence as the deterministic answerer handles it: passages, sentences, figures.

Pure text work (sentence splitting, numbers with units, years) plus the adapters that turn the
Toolbox's JSON results into these types. No I/O here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

# ---------------------------------------------------------------------------------------------
# types


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of a document."""

    doc_id: str
    title: str
    page: int
    text: str
    section: str = ""
    kind: str = "text"
    score: float = 0.0
    end_page: int | None = None


@dataclass(frozen=True)
class Figure:
    """One number found in the evidence, with where it came from and the exact quote to cite."""

    value: str  # Decimal text, "99.86" for 99.86%
    unit: str  # "万元", "%", "万件", "" ...
    doc_id: str
    title: str
    page: int
    quote: str  # the exact sentence or table row the number is in
    source: str = "text"  # "cell" | "text"
    label: str = ""  # what the number is, e.g. "合计 预算执行率" or the matched term
    table: str = ""  # caption of the table, for cells
    table_id: str = ""
    row: str = ""
    column: str = ""
    year: int | None = None
    score: float = 0.0

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def display(self) -> str:
        return f"{self.value}{self.unit}"

    def decimal(self) -> Decimal:
        return Decimal(self.value)

    def source_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc_id": self.doc_id, "page": self.page}
        if self.table:
            out["table"] = self.table
        if self.row:
            out["row"] = self.row
        if self.column:
            out["column"] = self.column
        return out


@dataclass
class Sentence:
    text: str
    passage: Passage
    numbers: list[NumberMention] = field(default_factory=list)


@dataclass(frozen=True)
class NumberMention:
    value: str
    unit: str
    start: int
    end: int
    year: int | None  # the year the number belongs to (nearest preceding year in its clause)


# ---------------------------------------------------------------------------------------------
# sentences

_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+\s*[.．、]|[（(]\d+[）)]"
    r"|表\s*\d|单位[:：]|注.{0,2}[:：]|第[一二三四五六七八九十百]+[章条])"
)
_SENT_END = re.compile(r"(?<=[。！？!?])")


def normalize_space(text: str) -> str:
    """Drop whitespace between CJK characters/digits (PDF layout spaces), keep one elsewhere."""
    text = text.replace("\u3000", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f0-9])", "", text)
    text = re.sub(r"(?<=[^\x00-\x7f]) (?=[0-9])", "", text)
    text = re.sub(r"(?<=[0-9%]) (?=[^\x00-\x7f])", "", text)
    return text.strip()


def split_lines(text: str) -> list[str]:
    """Logical lines: PDF line breaks inside a paragraph joined, headings and table rows kept apart."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        starts_block = bool(_HEADING.match(line)) or "\t" in line
        prev_closed = (
            not out
            or "\t" in out[-1]
            or bool(_HEADING.match(out[-1]) and not re.search(r"[，,、；]$", out[-1]) and len(out[-1]) < 40)
            or out[-1].endswith(("。", "：", ":", "；"))
        )
        if starts_block or prev_closed:
            out.append(line)
        else:
            out[-1] = out[-1] + line
    return out


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for line in split_lines(text):
        if "\t" in line:
            sentences.append(line)
            continue
        for part in _SENT_END.split(line):
            part = part.strip()
            if part:
                sentences.append(part)
    return sentences


# ---------------------------------------------------------------------------------------------
# numbers

_UNITS = (
    "万元",
    "亿元",
    "元",
    "万件",
    "万次",
    "人次",
    "万人",
    "%",
    "％",
    "个",
    "人",
    "条",
    "件",
    "次",
    "篇",
    "期",
    "分",
    "名",
)
_NUM = re.compile(
    r"(?<![\d.０-９A-Za-z/\-—])"
    r"(?P<sign>[-−－])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s*(?P<unit>" + "|".join(re.escape(u) for u in _UNITS) + r"|年)?"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_YEAR_OR_RANGE = re.compile(r"(?<!\d)(?:((?:19|20)\d{2})\s*年?\s*[-－—~至到]\s*)?((?:19|20)\d{2})\s*年")
_CLAUSE = re.compile(r"[；;。]")


def to_halfwidth(text: str) -> str:
    return text.translate({ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．％"})


def find_years(text: str) -> list[int]:
    return [int(m.group(1)) for m in _YEAR.finditer(to_halfwidth(text))]


def number_mentions(sentence: str) -> list[NumberMention]:
    """Numbers with units in a sentence; years, table/footnote numbers and list markers excluded."""
    s = to_halfwidth(sentence)
    out: list[NumberMention] = []
    clause_start = 0
    for m in _NUM.finditer(s):
        unit = (m.group("unit") or "").replace("％", "%")
        num = m.group("num").replace(",", "")
        before = s[max(0, m.start() - 2) : m.start()]
        after = s[m.end() : m.end() + 2]
        if unit == "年" or (len(num) == 4 and num.startswith(("19", "20")) and not unit and "." not in num):
            continue
        if before.endswith(("表", "第", "注", "（", "(", "级")) and not unit:
            continue
        if after.startswith(("-", "－", "）", ")", "、", "月", "日", "号", ".", "条", "〕")) and not unit:
            continue
        if after.startswith(("月", "日", "号", "〕")) or (after.startswith("万") and not unit):
            continue
        sign = "-" if m.group("sign") else ""
        try:
            Decimal(num)
        except InvalidOperation:
            continue
        # the year a number belongs to: the nearest year mention before it in the same clause
        for c in _CLAUSE.finditer(s, clause_start, m.start()):
            clause_start = c.end()
        years = list(_YEAR_OR_RANGE.finditer(s, clause_start, m.start()))
        # a range ("2018-2019 年均值") is a baseline, not one year
        year = int(years[-1].group(2)) if years and not years[-1].group(1) else None
        out.append(NumberMention(sign + num, unit, m.start(), m.end(), year))
    return _respective_years(s, out)


def _respective_years(s: str, out: list[NumberMention]) -> list[NumberMention]:
    """ "2018-2020年…月均人数分别为621人、777人、909人": the k-th figure after 分别 is of the k-th
    year named before it (a range counts each of its years), when the counts agree; when they do not,
    none of those figures has a year it can be trusted with."""
    for at in (m.start() for m in re.finditer("分别", s)):
        years: list[int] = []
        for y in _YEAR_OR_RANGE.finditer(s, 0, at):
            last = int(y.group(2))
            first = int(y.group(1)) if y.group(1) else last
            years += [v for v in range(first, last + 1) if v not in years] if last - first < 30 else []
        end = min((c.start() for c in _CLAUSE.finditer(s, at)), default=len(s))
        after = [i for i, n in enumerate(out) if at < n.start < end and n.unit]
        if len(years) < 2 or not after:
            continue
        for k, i in enumerate(after):
            out[i] = replace(out[i], year=years[k] if len(after) == len(years) else None)
    return out


def percent_value(raw: str) -> tuple[str, str] | None:
    """'99.86%' -> ('99.86', '%'); '7937.43' -> ('7937.43', ''); '-' -> None."""
    mentions = number_mentions(raw)
    if not mentions:
        return None
    m = mentions[0]
    return m.value, m.unit


# ---------------------------------------------------------------------------------------------
# tool result adapters (the Toolbox returns JSON-able dicts)


def _first(d: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return default


def _items(result: Any, *keys: str) -> list[dict[str, Any]]:
    if isinstance(result, list):
        return [r for r in result if isinstance(r, dict)]
    if not isinstance(result, dict) or "error" in result:
        return []
    for k in keys:
        v = result.get(k)
        if isinstance(v, list):
            return [r for r in v if isinstance(r, dict)]
    return []


def _header(v: Any) -> str:
    if isinstance(v, list | tuple):
        return " ".join(str(x) for x in v if str(x).strip())
    return str(v or "")


def _first_label(v: Any) -> str:
    if isinstance(v, list | tuple):
        return next((str(x) for x in v if str(x).strip()), "")
    return str(v or "")


def passages_from(result: Any) -> list[Passage]:
    out = []
    for r in _items(result, "results", "passages", "hits", "items"):
        text = _first(r, "text", "quote", "content", default="")
        if not text:
            continue
        out.append(
            Passage(
                doc_id=str(_first(r, "doc_id", "document_id", default="")),
                title=str(_first(r, "title", default="")),
                page=int(_first(r, "page", default=0) or 0),
                text=str(text),
                section=str(_first(r, "section", default="")),
                kind=str(_first(r, "kind", default="text")),
                score=float(_first(r, "score", default=0.0) or 0.0),
                end_page=_first(r, "end_page"),
            )
        )
    return out


def cells_from(result: Any) -> list[dict[str, Any]]:
    """find_figure / get_table cells normalised to {value, unit, raw, page, doc_id, title, table, row,
    column, row_text, score}."""
    out = []
    for r in _items(result, "figures", "matches", "results", "cells", "items"):
        raw = str(_first(r, "raw", "text", default=""))
        value = _first(r, "value")
        unit = str(_first(r, "unit", default="") or "")
        if _first(r, "is_percent", default=False) or raw.strip().endswith(("%", "％")):
            unit = "%"
        if value is None:
            pv = percent_value(raw)
            if pv is None:
                continue
            value = pv[0]
        table = _first(r, "table", "caption", "table_caption", default="")
        if isinstance(table, dict):
            table = table.get("caption", "")
        out.append(
            {
                "value": str(value),
                "unit": unit,
                "raw": raw,
                "page": int(_first(r, "page", default=0) or 0),
                "doc_id": str(_first(r, "doc_id", "document_id", default="")),
                "title": str(_first(r, "title", "document_title", default="")),
                "table": str(table),
                "table_id": str(_first(r, "table_id", default="")),
                "row": normalize_space(_header(_first(r, "row_header", "row", default=""))),
                "row_first": normalize_space(_first_label(_first(r, "row_header", "row", default=""))),
                "column": normalize_space(_header(_first(r, "col_header", "column", "col", default=""))),
                "row_text": str(_first(r, "row_text", "quote", default="")).lstrip("：: "),
                "score": float(_first(r, "score", default=0.0) or 0.0),
            }
        )
    return out
