"""A cross-document result as an `Answer`: a short text, the table as data (each row cited), and
the computations behind any total or average (from the metrics module, with their inputs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.answer.models import Answer, Citation, Computation
from service.portfolio.rows import Row, Value


@dataclass
class Column:
    key: str
    label: str
    type: str = "text"  # text | number


@dataclass
class ResultTable:
    """Columns, rows of cells (text as printed, exact value for numbers) and the row's citation."""

    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] | None = None  # {"type": "bar"|"line", "x": key, "y": key}
    citations: list[Citation] = field(default_factory=list)

    def cite(self, row: Row, value: Value | None, what: str = "") -> int:
        n = len(self.citations) + 1
        quote = f"{row.label}：{value.label} {value.text}（{value.where}）" if value else f"{row.label}{what}"
        self.citations.append(
            Citation(
                n=n,
                doc_id=row.doc_id,
                title=row.title or row.label,
                page=value.page if value else 1,
                quote=quote,
            )
        )
        return n

    def add(self, row: Row, cells: dict[str, Any], value: Value | None, what: str = "") -> dict[str, Any]:
        n = self.cite(row, value, what)
        out = {"doc_id": row.doc_id, "cite": n, "cells": cells}
        self.rows.append(out)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": [{"key": c.key, "label": c.label, "type": c.type} for c in self.columns],
            "rows": self.rows,
            "chart": self.chart,
        }


def number_cell(v: Value | None) -> dict[str, Any] | None:
    return None if v is None else {"text": v.text, "value": str(v.value), "unit": v.unit}


def as_text(table: ResultTable, lead: str, *, limit: int = 20) -> str:
    """The lead sentence, then one line per row with its citation mark (the table carries them all)."""
    lines = [lead]
    for r in table.rows[:limit]:
        parts = []
        for c in table.columns:
            cell = r["cells"].get(c.key)
            shown = cell.get("text") if isinstance(cell, dict) else cell
            if shown not in (None, ""):
                named = c.type == "number" or c.key not in ("unit", "project", "year", "document")
                parts.append(f"{c.label} {shown}" if named else str(shown))
        # "；" between cells: a "，" between two figures reads (after NFKC) as a thousands separator
        mark = f" [{r['cite']}]" if r.get("cite") else ""
        lines.append(f"- {'；'.join(parts)}{mark}")
    if len(table.rows) > limit:
        lines.append(f"- ……共 {len(table.rows)} 行，完整结果见表格数据")
    return "\n".join(lines)


def answer_of(
    table: ResultTable,
    text: str,
    *,
    computations: list[Computation] | None = None,
    meta: dict[str, Any] | None = None,
    notes: list[str] | None = None,
) -> Answer:
    answer = Answer(
        answer=text,
        citations=table.citations,
        computations=computations or [],
        notes=notes or [],
        meta={"portfolio": True, **(meta or {})},
    )
    answer.table = table.to_dict()
    return answer
