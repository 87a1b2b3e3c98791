"""A report's total score, its grade and its indicator rows, read from the structured store.

An evaluation report (a PDF or Word document without a standard form) prints its 总得分 / 综合得分
in a sentence and often in a score table (一级指标 | 分值 | 得分 | 合计), its 等级 next to a grade word,
and its indicators in tables (指标名称 | 年度目标值 | 实际完成值 | 分值 | 得分). Read generally —
glossary concepts for the facts, the forms' column words (`forms.indicator_columns`) for the tables,
learned per document — and only when exactly one reading fits (a wrong figure is worse than none):

- the total score: a table cell on a 合计/总计 row in a column read as 得分 (never a 分值/权重 column
  and never a rate: 得分率 is a percentage), else a sentence's 总得分 when the report states one
  value; its period is the report's year or unstated, and it is not a part (“其中”);
- the grade: the word after a grade label (评价等级为“良”), when the report states one grade;
- indicator rows: every body row of a table that has a 目标值 or 完成值 column (or a 得分 column
  beside 一级/二级/三级 labels); a column read twice (two 完成值 columns) is used only when one of
  them names the report's year, a column naming another year is never this year's value, and a
  blank cell stays blank. A 分值 is the row's weight (`IndicatorRow.max`), never its score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from ingest.form_model import indicator_column, is_total_label
from ingest.glossary import load_glossary
from ingest.numbers import is_empty_mark
from service.portfolio.rows import IndicatorRow, Value, concepts_of, indicator_row

_SCORE_CONCEPTS = frozenset({"total_score", "indicator_score"})
_MONEY = {"元", "万元", "亿元", "千元"}
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_QUOTED = r"[“\"「『‘']?\s*([\u4e00-\u9fff]{1,3})\s*[”\"」』’']"


def _dec(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, TypeError):
        return None


def _is_weight(words: Iterable[str]) -> bool:
    """A column or label that names a weight (分值, 权重, 满分, 标准分): never a score."""
    weights = load_glossary().forms.max_words
    return any(w in t for t in words for w in weights)


def _score_cells(items: list[Any], year: int | None) -> tuple[list[Any], list[Any]]:
    """(total-row table cells, sentences) that may state the report's total score. A table that
    holds amounts (元, 万元) is a funds table: the 得分 on its 合计 row scores the funds, not the project."""
    funds_tables = {it.fact.table_id for it in items if it.fact.source == "table" and it.fact.unit in _MONEY}
    cells, sentences = [], []
    for it in items:
        f = it.fact
        if f.unit not in ("分", "") or _dec(f.value) is None or "part" in it.qualifiers:
            continue
        if year is not None and f.period not in (None, year):
            continue
        if f.source == "table":
            if (
                "total" in it.qualifiers
                and it.fact.table_id not in funds_tables
                and it.measures & _SCORE_CONCEPTS
                and not _is_weight(f.col_path)
                and not any("率" in c for c in f.col_path)
            ):
                cells.append(it)
        elif f.unit == "分" and "total_score" in it.concepts and not _is_weight([f.description]):
            sentences.append(it)
    return cells, sentences


def _one(items: list[Any]) -> Any | None:
    values = {Decimal(it.fact.value) for it in items}
    return items[0] if len(values) == 1 else None


def total_score(items: list[Any], year: int | None) -> Value | None:
    """The report's total score (a `Value` citing its page), or None when no one figure fits."""
    cells, sentences = _score_cells(items, year)
    it = _one(cells) if cells else _one(sentences)
    if it is None:
        return None
    f = it.fact
    where = f"第{f.page}页" + (f"·{'/'.join(f.row_path + f.col_path)}" if f.source == "table" else "")
    v = Decimal(f.value)
    return Value(v, "分", f"{format(v, 'f')}分", f.page, where, "总得分")


def grade(pages: list[tuple[int, str]]) -> Value | None:
    """The grade the report states after a grade label (评价等级为“良”), when it states exactly one."""
    labels = sorted(load_glossary().forms.grade_labels, key=len, reverse=True)
    pattern = re.compile(
        rf"(?:{'|'.join(map(re.escape, labels))})\s*(?:为|是|：|:|评定为|确定为)?\s*{_QUOTED}"
    )
    found: dict[str, int] = {}
    for number, text in pages:
        for m in pattern.finditer(re.sub(r"\s+", "", text)):
            found.setdefault(m.group(1), number)
    if len(found) != 1:
        return None
    word, page = next(iter(found.items()))
    return Value(Decimal(0), "", word, page, f"第{page}页", "等级")


def _roles(table: Any, year: int | None) -> dict[str, int]:
    """role (target, actual, max, score, l1..l3) -> the one column that plays it in this table."""
    by_role: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    for col, path in _column_paths(table).items():
        role = next((r for r in (indicator_column(p) for p in reversed(path)) if r), "")
        if not role:
            continue
        years = {int(y) for p in path for y in _YEAR.findall(p)}
        if years and (year is None or years != {year}):
            continue  # another year's 完成值 (or a year the report does not state): not this year's
        if role == "score" and any("率" in p for p in path):
            continue  # 得分率 is a percentage, not a score
        by_role.setdefault(role, []).append((col, path))
    out = {}
    for role, cols in by_role.items():
        if len(cols) == 1:
            out[role] = cols[0][0]
        else:  # read twice: only a column that names the report's year is this year's
            named = [c for c, path in cols if year is not None and any(str(year) in p for p in path)]
            if len(named) == 1:
                out[role] = named[0]
    return out


def _label_roles(table: Any) -> set[str]:
    """What the label columns' headers (一级指标, 指标名称 …) read as."""
    valued = set(_column_paths(table))
    last = table.header[-1] if table.header else []
    return {indicator_column(h) for i, h in enumerate(last) if i not in valued} - {""}


def _column_paths(table: Any) -> dict[int, tuple[str, ...]]:
    paths: dict[int, tuple[str, ...]] = {}
    for c in table.cells:
        paths.setdefault(c.col_index, tuple(c.col_header))
    return paths


def indicators(tables: list[Any], year: int | None) -> list[IndicatorRow]:
    """The indicator rows of a report's tables (see the module doc)."""
    out: list[IndicatorRow] = []
    for table in tables:
        roles = _roles(table, year)
        levelled = {"l1", "l2", "l3"} & (set(roles) | _label_roles(table))
        if not ({"target", "actual"} & set(roles) or ("score" in roles and levelled)):
            continue
        rows: dict[int, dict[int, Any]] = {}
        for c in table.cells:
            rows.setdefault(c.row_index, {})[c.col_index] = c
        for cells in rows.values():
            first = next(iter(cells.values()))
            labels = [t for t in first.row_header if t and not is_empty_mark(t)]
            levels = [
                str(cells[roles[k]].raw).strip()
                for k in ("l1", "l2", "l3")
                if k in roles and roles[k] in cells
            ]
            names = list(dict.fromkeys([*labels, *(t for t in levels if t)]))
            if not names or any(is_total_label(n) for n in names):
                continue
            ind = _indicator(table, cells, roles, names)
            if ind is not None:
                out.append(ind)
    return out


def _indicator(
    table: Any, cells: dict[int, Any], roles: dict[str, int], names: list[str]
) -> IndicatorRow | None:
    def raw(role: str) -> str:
        c = cells.get(roles[role]) if role in roles else None
        text = str(c.raw).strip() if c is not None else ""
        return "" if is_empty_mark(text) else text

    def value(role: str, label: str) -> Value | None:
        c = cells.get(roles[role]) if role in roles else None
        if c is None or c.value is None or c.is_percent or raw(role) == "":
            return None
        where = f"第{c.page}页·{'/'.join((*c.row_header, *c.col_header))}"
        return Value(Decimal(c.value), "分", raw(role), c.page, where, f"{names[-1]}·{label}")

    target, actual = raw("target"), raw("actual")
    score, weight = value("score", "得分"), value("max", "分值")
    if not (target or actual or score):
        return None
    page = next(iter(cells.values())).page
    concepts: set[str] = set()
    for n in names:
        concepts.update(concepts_of(n))
    return indicator_row(
        name=names[-1],
        path=" > ".join(names),
        concepts=concepts,
        target=target,
        actual=actual,
        score=score,
        weight=weight,
        page=page or (table.pages[0] if table.pages else 1),
        where=f"第{page}页·{table.caption or '表'}",
    )
