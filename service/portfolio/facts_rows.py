"""One row per evaluation report (a document without a standard form): its 全年预算, 实际支出 and
预算执行率 read from the fact index (`ingest/facts.py`, the `facts` table), each with its page.

A report prints many figures of the same kind — the project's total and each item's, this year's and
earlier years' — so a figure is taken only when exactly one fits; otherwise the row says 未找到
(a wrong figure is worse than none):

- the fact's concept (glossary) is the measure's (调整后预算 / 全年预算, else a plain 预算 that is not a
  年初预算; 实际支出; 预算执行率), its period is the report's year (or unstated), it is not a part
  ("其中", "分别为");
- a table cell on a 合计/总计 row is the total; when there is one such value, that is the figure;
- else a sentence's figure, when only one value is stated;
- else, for the amounts, the one (预算, 支出) pair whose ratio is the report's stated 预算执行率
  (a total and its items' figures never share the rate by accident often; when two pairs do, 未找到);
- a rate the report does not state is computed from the two amounts by the metrics module
  (`budget_execution_rate`, with both inputs cited), never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from service.answer.models import Computation
from service.metrics import MetricError, compute
from service.portfolio import prose_scores, report_scores
from service.portfolio.rows import MEASURE_ZH, Row, Value

# measure -> glossary concepts, in order of preference
_CONCEPTS = {
    "budget": (("adjusted_budget",), ("budget_amount",)),
    "spent": (("expenditure",),),
    "rate": (("budget_execution_rate",),),
}
REPORT_MEASURES = frozenset({*_CONCEPTS, "score"})  # what a report's row is read for
_MONEY_UNITS = {"元", "万元", "亿元", "千元"}


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


def _fits_unit(measure: str, unit: str) -> bool:
    return unit == "%" if measure == "rate" else unit in _MONEY_UNITS


def _candidates(items: list[Any], measure: str, year: int | None) -> list[Any]:
    for concepts in _CONCEPTS[measure]:
        out = []
        for it in items:
            f = it.fact
            named = (it.measures or it.concepts) if f.source == "table" else it.concepts
            if not set(concepts) & named or "part" in it.qualifiers:
                continue
            if measure == "budget" and "initial_budget" in it.concepts:
                continue
            if year is not None and f.period not in (None, year):
                continue
            if _fits_unit(measure, f.unit) and _dec(f.value) is not None:
                out.append(it)
        if out:
            return out
    return []


def _is_total_cell(it: Any) -> bool:
    return it.fact.source == "table" and "total" in it.qualifiers


def _one_value(items: Iterable[Any]) -> Any | None:
    """The first of `items` when they all state one value (and unit); None when they differ or are none."""
    items = list(items)
    values = {(Decimal(it.fact.value), it.fact.unit) for it in items}
    return items[0] if len(values) == 1 else None


def _value(it: Any, label: str) -> Value:
    f = it.fact
    where = f"第{f.page}页" + (f"·{'/'.join(f.row_path + f.col_path)}" if f.source == "table" else "")
    return Value(Decimal(f.value), f.unit, f"{_plain(Decimal(f.value))}{f.unit}", f.page, where, label)


def _plain(v: Decimal) -> str:
    return format(v, "f")


def _rate_matches(spent: Decimal, budget: Decimal, rate: Decimal) -> bool:
    if budget <= 0:
        return False
    places = max(-rate.as_tuple().exponent, 0)  # type: ignore[operator]
    half = Decimal(1).scaleb(-places) / 2
    return abs(spent / budget * 100 - rate) <= half + Decimal("1e-9")


def pick(items: list[Any], year: int | None) -> dict[str, Any]:
    """measure -> the one fact that fits (an `IndexedFact`), for 'budget', 'spent', 'rate'."""
    cands = {m: _candidates(items, m, year) for m in _CONCEPTS}
    chosen: dict[str, Any] = {}
    for m, cs in cands.items():
        totals = [c for c in cs if _is_total_cell(c)]
        one = _one_value(totals) if totals else _one_value(c for c in cs if c.fact.source == "text")
        if one is not None:
            chosen[m] = one
    rate = chosen.get("rate")
    if rate is not None and not ("budget" in chosen and "spent" in chosen):
        r = Decimal(rate.fact.value)
        bs = [c for c in cands["budget"] if c.fact.source == "text" or _is_total_cell(c)]
        ss = [c for c in cands["spent"] if c.fact.source == "text" or _is_total_cell(c)]
        if "budget" in chosen:
            bs = [chosen["budget"]]
        if "spent" in chosen:
            ss = [chosen["spent"]]
        pairs = {
            (Decimal(b.fact.value), Decimal(s.fact.value)): (b, s)
            for b in bs
            for s in ss
            if b.fact.unit == s.fact.unit and _rate_matches(Decimal(s.fact.value), Decimal(b.fact.value), r)
        }
        if len(pairs) == 1:
            chosen["budget"], chosen["spent"] = next(iter(pairs.values()))
    return chosen


def rows_from_facts(
    items_by_doc: dict[str, list[Any]],
    documents: list[Any],
    tables_by_doc: dict[str, list[Any]] | None = None,
    pages_by_doc: dict[str, list[tuple[int, str]]] | None = None,
) -> list[Row]:
    """One row per report; a rate the report does not print is in `Row.derived` (its computation).
    Its total score, grade and indicator rows come from `report_scores` (facts, tables, page text)."""
    rows: list[Row] = []
    for record in documents:
        ident = record.identity or {}
        year = ident.get("year")
        row = Row(
            doc_id=record.doc_id,
            title=record.title or "",
            unit=str(ident.get("unit") or ""),
            project=str(ident.get("project") or ""),
            year=year,
            kind=str(ident.get("kind") or "report"),
            source="facts",
            evaluator=str(ident.get("evaluator") or ""),
        )
        items = items_by_doc.get(record.doc_id, [])
        chosen = pick(items, year)
        score = report_scores.total_score(items, year)
        if score is not None:
            row.measures["score"] = score
        row.grade = report_scores.grade((pages_by_doc or {}).get(record.doc_id, []))
        row.indicators = report_scores.indicators((tables_by_doc or {}).get(record.doc_id, []), year)
        _add_prose(row, items, year)
        for m, it in chosen.items():
            row.measures[m] = _value(it, MEASURE_ZH[m])
        if "rate" not in row.measures and "budget" in row.measures and "spent" in row.measures:
            b, s = row.measures["budget"], row.measures["spent"]
            try:
                result = compute(
                    "budget_execution_rate",
                    {
                        "spent": _input(row, s),
                        "adjusted_budget": _input(row, b),
                    },
                )
            except MetricError:  # a figure that cannot be computed stays 未找到
                result = None
            if result is not None:
                comp = Computation(**result.to_computation())
                row.derived["rate"] = comp
                row.measures["rate"] = Value(
                    Decimal(comp.display.rstrip("%")),
                    "%",
                    comp.display,
                    s.page,
                    f"{s.where}；由实际支出与全年预算计算",
                    "预算执行率（计算）",
                )
        rows.append(row)
    return rows


def _add_prose(row: Row, items: list[Any], year: int | None) -> None:
    """The part scores and targets the report states only in sentences (`prose_scores`): an
    indicator its tables already give is not read twice; a report that states no total gets the sum
    of its parts, computed by the metrics module, when they make up the whole."""
    covered = {c for ind in row.indicators for c in ind.concepts}
    parts = [p for p in prose_scores.part_scores(items, year) if not p.concepts & covered]
    row.indicators += parts
    row.indicators += [t for t in prose_scores.targets(items, year) if not t.concepts & covered]
    found = prose_scores.parts_total_inputs(parts) if "score" not in row.measures else None
    if found is None:
        return
    scores, maxes = found
    try:
        result = compute(
            "total_score",
            {"scores": [_input(row, v) for v in scores], "max_scores": [_input(row, v) for v in maxes]},
        )
    except MetricError:  # a part above its 分值: the parts do not add up, the total stays 未找到
        return
    comp = Computation(**result.to_computation())
    row.derived["score"] = comp
    first = scores[0]
    row.measures["score"] = Value(
        Decimal(result.value),
        "分",
        comp.display,
        first.page,
        f"{first.where}；由各一级指标得分计算",
        "总得分（计算）",
    )


def _input(row: Row, v: Value) -> dict[str, Any]:
    return {
        "label": f"{row.label} {v.label}",
        "value": str(v.value),
        "unit": v.unit,
        "source": {"doc_id": row.doc_id, "page": v.page},
    }
