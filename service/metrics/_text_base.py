"""Report check, text: the paragraphs of a report (table lines left out) and the context the
claim recognizers share. Private to `service.metrics.check`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from service.metrics._check_tables import Grid

N = r"(\d+(?:\.\d+)?)"
COUNT_UNITS = r"(万人次|人次|万件|件|万次|次|人|名|条|个|万元|亿元|元|篇|期)"
INCREASE = ("提高", "增加", "增长", "上涨", "上升")
DECREASE = ("下降", "降低", "减少")
VERB = r"(提高|增加|增长|上涨|上升|下降|降低|减少)了?\s*"
_TABLE_LINE = re.compile(r"^\s*(续)?表\s*[0-9０-９]|^\s*[（(]?\s*(计量)?单位\s*[：:]|^\s*注\s*[0-9¹²³⁴⁵⁶⁷⁸⁹]")


@dataclass
class Para:
    page: int
    text: str
    key: int


@dataclass
class Ctx:
    doc_id: str
    paras: list[Para]
    grids: list[Grid]
    consumed: set[tuple[int, int]] = field(default_factory=set)  # (para key, start of a stated number)
    budget_total: tuple[str, int] | None = None  # (value text, page)
    facts: list[tuple[int, str, str, str, int]] = field(default_factory=list)  # year, value, unit, text, page
    grade_bands: Any = None  # the governing grade rule; None = the default bands
    book: Any = None  # the document's RuleBook (its own rate definitions and the glossary's)

    def take(self, para: Para, m: re.Match[str], group: int = 1) -> None:
        self.consumed.add((para.key, m.start(group)))

    def src(self, para: Para, label: str) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "page": para.page, "table": "", "row": label, "column": ""}

    def arg(self, para: Para, value: str, unit: str, label: str) -> dict[str, Any]:
        return {"value": value, "unit": unit, "label": label, "source": self.src(para, label)}


def _is_table_line(line: str) -> bool:
    if "\t" in line or _TABLE_LINE.search(line):
        return True
    tokens = line.split()
    numeric = sum(1 for t in tokens if re.fullmatch(r"[-—]|[+-]?\d+(\.\d+)?%?", t))
    return numeric >= 3 and not re.search(r"[，。；、：]", line)


def paragraphs(pages: list[Any]) -> list[Para]:
    out: list[Para] = []
    for page in pages:
        for line in (page.text or "").split("\n"):
            if line.strip() and not _is_table_line(line):
                out.append(Para(page.number, line.strip(), len(out)))
    return out


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) split at 。 (the sentence keeps its end mark)."""
    out, start = [], 0
    for m in re.finditer(r"。", text):
        out.append((start, text[start : m.end()]))
        start = m.end()
    if start < len(text):
        out.append((start, text[start:]))
    return out


def last(pattern: str, text: str) -> re.Match[str] | None:
    matches = list(re.finditer(pattern, text))
    return matches[-1] if matches else None
