"""One row per standard form in the store: who, which year, and its figures, each with where it is printed.

Read from the structured store (`Store.get_forms` and the manifest's identity), never from chunks.
A figure is a `Value`: exact Decimal, unit and the cell it was read from, so every row of a
cross-document answer can cite its document and page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ingest.form_model import parse_target
from ingest.glossary import load_glossary

# the funds block's columns a cross-document question can ask for, by glossary concept
FUND_MEASURES = {
    "budget_execution_rate": "rate",
    "adjusted_budget": "budget",
    "budget_amount": "budget",
    "expenditure": "spent",
    "total_score": "score",
    "indicator_score": "score",
}
MEASURE_ZH = {"rate": "预算执行率", "budget": "全年预算数", "spent": "全年执行数", "score": "总得分"}


@dataclass(frozen=True)
class Value:
    value: Decimal
    unit: str
    text: str  # as printed
    page: int
    where: str  # "表1!E6" or "第2页"
    label: str  # what the cell is, e.g. "年度资金总额·全年预算数"


@dataclass
class IndicatorRow:
    name: str  # 三级指标 (二级 when blank)
    path: str  # 一级 > 二级 > 三级
    concepts: set[str]
    target: str
    actual: str
    comparator: str
    target_value: Decimal | None
    actual_value: Decimal | None
    score: Value | None
    max: Value | None  # the row's weight (分值), never reported as its score
    page: int | None = None  # where the row is printed (a report's table), when no score cites it
    where: str = ""

    @property
    def met(self) -> bool | None:
        """Did the actual reach the target (by the stated comparator)? None when it cannot be told."""
        a, t = self.actual_value, self.target_value
        if a is None or t is None or self.comparator not in ("≥", "≤", ">", "<", "="):
            return None
        return {"≥": a >= t, "≤": a <= t, ">": a > t, "<": a < t, "=": a == t}[self.comparator]


def indicator_row(
    *,
    name: str,
    path: str,
    concepts: set[str],
    target: str,
    actual: str,
    score: Value | None,
    weight: Value | None,
    page: int | None,
    where: str,
) -> IndicatorRow:
    """An indicator row with its target and actual as printed and read as numbers (≥90% → ≥, 90)."""
    cmp, target_value, _unit = parse_target(target)
    _cmp, actual_value, _unit = parse_target(actual)
    return IndicatorRow(
        name=name,
        path=path,
        concepts=concepts,
        target=target,
        actual=actual,
        comparator=cmp,
        target_value=_dec(target_value),
        actual_value=_dec(actual_value),
        score=score,
        max=weight,
        page=page,
        where=where,
    )


@dataclass
class Row:
    doc_id: str
    title: str
    unit: str
    project: str
    year: int | None
    kind: str
    measures: dict[str, Value] = field(default_factory=dict)
    source: str = "form"  # form: a standard form's cells; facts: a report's fact index (may lack a figure)
    derived: dict[str, Any] = field(
        default_factory=dict
    )  # measure -> the Computation of a figure not printed
    indicators: list[IndicatorRow] = field(default_factory=list)
    grade: Value | None = None  # the 等级 the document states (text in `Value.text`)
    evaluator: str = ""  # self | third_party | fiscal | "" (identity)

    @property
    def name(self) -> str:
        return self.project or self.unit or self.title

    @property
    def label(self) -> str:
        return " · ".join(p for p in (self.unit, self.project, f"{self.year}年度" if self.year else "") if p)


def _dec(text: Any) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def _page_of(where: dict[str, Any], sheets: list[str]) -> tuple[int, str]:
    if where.get("page"):
        return int(where["page"]), f"第{where['page']}页"
    sheet = str(where.get("sheet") or "")
    page = sheets.index(sheet) + 1 if sheet in sheets else 1
    return page, f"{sheet}!{where.get('cell', '')}".strip("!")


def _value(cell: dict[str, Any] | None, label: str, sheets: list[str]) -> Value | None:
    if not cell:
        return None
    v = _dec(cell.get("value"))
    if v is None:
        return None
    page, where = _page_of(cell.get("where") or {}, sheets)
    unit = "%" if cell.get("is_percent") else str(cell.get("unit") or "")
    return Value(v, unit, str(cell.get("text") or ""), page, where, label)


@functools.lru_cache(maxsize=4096)
def concepts_of(name: str) -> frozenset[str]:
    """The glossary concepts an indicator name reads as (names repeat across a bureau's forms)."""
    return frozenset(load_glossary().concepts_in(name))


def rows_from_forms(forms: list[dict[str, Any]], identities: dict[str, dict[str, Any]]) -> list[Row]:
    """The first form of each document as a row (a document holding several forms gives one row per form)."""
    sheets_of: dict[str, list[str]] = {}
    for f in forms:
        sheets = sheets_of.setdefault(f["doc_id"], [])
        if f.get("sheet") and f["sheet"] not in sheets:
            sheets.append(f["sheet"])
    rows: list[Row] = []
    for f in forms:
        ident = identities.get(f["doc_id"]) or {}
        header = f.get("header") or {}
        sheets = sheets_of[f["doc_id"]]

        def text(key: str, header: dict[str, Any] = header) -> str:
            return str((header.get(key) or {}).get("text") or "").strip()

        row = Row(
            doc_id=f["doc_id"],
            title=str(f.get("title") or ""),
            unit=text("unit") or text("implementer") or text("agency") or str(ident.get("unit") or ""),
            project=text("project") or str(ident.get("project") or ""),
            year=f.get("year") or ident.get("year"),
            kind=str(f.get("kind") or ""),
            evaluator=str(ident.get("evaluator") or ""),
        )
        total = next((r for r in f.get("funds") or [] if r.get("kind") == "total"), None)
        if total is not None:
            for key in ("budget", "spent", "rate"):
                v = _value(total["cells"].get(key), f"{total.get('label', '')}·{MEASURE_ZH[key]}", sheets)
                if v is not None:
                    row.measures[key] = v
        score = _value(f.get("total_score"), "总分·得分", sheets)
        if score is not None:
            row.measures["score"] = score
        grade = f.get("stated_grade") or {}
        if str(grade.get("text") or "").strip():
            page, where = _page_of(grade.get("where") or {}, sheets)
            row.grade = Value(Decimal(0), "", str(grade["text"]).strip(), page, where, "等级")
        for ind in f.get("indicators") or []:
            names = [str(ind.get(k) or "") for k in ("level1", "level2", "level3")]
            concepts: set[str] = set()
            for n in names:
                concepts.update(concepts_of(n))
            row.indicators.append(
                IndicatorRow(
                    name=names[2] or names[1],
                    path=" > ".join(n for n in names if n),
                    concepts=concepts,
                    target=str((ind.get("target") or {}).get("text") or ""),
                    actual=str((ind.get("actual") or {}).get("text") or ""),
                    comparator=str(ind.get("comparator") or ""),
                    target_value=_dec(ind.get("target_value")),
                    actual_value=_dec(ind.get("actual_value")),
                    score=_value(ind.get("score"), f"{names[2]}·得分", sheets),
                    max=_value(ind.get("max"), f"{names[2]}·分值", sheets),
                )
            )
        rows.append(row)
    return rows
