"""Standard forms as typed records: 项目支出绩效自评表, 部门整体支出绩效自评表 (the national format,
annex of 财预〔2020〕10号) and the 得分表/评分表 of evaluation reports.

Forms are recognised wherever they are (a whole file, pages of a longer report, several in one
sheet) and read **by their header words, never by fixed positions**: the funds block by its
column headers (年初预算数, 全年预算数 / 调整后预算数, 全年执行数, 分值 / 权重, 执行率, 得分), the
indicator block by its own (一级/二级/三级指标, 年度指标值, 实际完成值, 分值, 得分, 偏差原因…).
Units in a header ("全年预算数（万元）", "执行率(B/A)") do not change what a column is. A blank cell,
"/" or "—" stays blank (value None), never 0. Every value keeps where it is printed
(`SheetGrid.where`: sheet/page, row, column).

The vocabulary and the record types are in `ingest.form_model`. Pure: grids in
(`ingest.grids.SheetGrid`), records out; `read_forms(path)` is the one I/O entry.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Any

from ingest.form_model import (
    FUND_ROW_KINDS,
    NAME_LABELS,
    PAREN,
    START_LABELS,
    SUBTOTAL_WORDS,
    VOCAB,
    FormCell,
    FormRecord,
    FundRow,
    Indicator,
    ScoreNode,
    fund_column,
    indicator_column,
    is_total_label,
    key,
    parse_target,
)
from ingest.grids import SheetGrid, grids_of
from ingest.numbers import is_empty_mark, parse_number
from ingest.tables import GridCell

FORMS_VERSION = "4"  # 2: an xlsx form cell knows its sheet's page; 3: a narrower table after a form keeps its columns; 4: the glossary's units (168起, 32座)

# ---- reading a grid ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, g: SheetGrid, rows: range, unit_hint: str = "") -> None:
        self.g = g
        self.rows = rows
        self.unit_hint = unit_hint

    def text(self, r: int, c: int) -> str:
        return self.g.grid[r][c].text

    def cell(self, r: int, c: int, unit: str = "") -> FormCell:
        gc = self.g.grid[r][c]
        parsed = parse_number(gc.raw)
        value, is_pct, u = None, False, unit
        if parsed is not None:
            value, is_pct = parsed.value, parsed.is_percent
            u = "%" if is_pct else (parsed.unit or unit)
        return FormCell(gc.text, value, u, self.g.where(r, c), is_pct)

    def row_texts(self, r: int) -> list[str]:
        return [c.text for c in self.g.grid[r]]

    def find(self, pred: Any, rows: range | None = None) -> tuple[int, int] | None:
        for r in rows if rows is not None else self.rows:
            for c in range(self.g.ncols):
                if pred(self.g.grid[r][c].text):
                    return r, c
        return None


def _right_value(rd: _Reader, r: int, c: int) -> tuple[int, int] | None:
    """The value cell right of a label cell: the next distinct (merged) cell that is not a label."""
    label = rd.text(r, c)
    for cc in range(c + 1, rd.g.ncols):
        gc = rd.g.grid[r][cc]
        if gc.text == label and not gc.origin:
            continue
        if key(gc.text) in NAME_LABELS:
            return None
        return r, cc
    return None


def _money_unit(*texts: str) -> str:
    for t in texts:
        m = re.search(r"(亿元|万元|千元|元)", t or "")
        if m:
            return m.group(1)
    return ""


def _header_map(rd: _Reader, r: int, classify: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in range(rd.g.ncols):
        gc = rd.g.grid[r][c]
        below = rd.g.grid[r + 1][c] if r + 1 < rd.g.nrows else None
        if below is not None and not below.origin and below.text == gc.text:
            continue  # a block title spanning the rows below ("项目资金（万元）"), not a column header
        name = classify(gc.text)
        if name and name not in out:
            out[name] = c
    return out


def _funds(rd: _Reader, hr: int, cols: dict[str, int], stop: int) -> list[FundRow]:
    first = min(cols.values())
    block_labels = {rd.text(hr, c) for c in range(first) if rd.text(hr, c)}
    rows: list[FundRow] = []
    for r in range(hr + 1, stop):
        labels = [rd.text(r, c) for c in range(first) if rd.text(r, c) and rd.text(r, c) not in block_labels]
        labels = list(dict.fromkeys(labels))
        if not labels:
            if any(parse_number(rd.g.grid[r][c].raw) for c in cols.values()):
                labels = [""]
            else:
                continue
        label = labels[-1]
        k = key(label)
        if any(any(w in key(t) for w in VOCAB.block_words) for t in labels):
            break
        if k in NAME_LABELS:
            break
        kind = next((name for name, words in FUND_ROW_KINDS if any(w in k for w in words)), "")
        cells = {
            name: rd.cell(
                r, c, "%" if name == "rate" else ("分" if name in ("max", "score") else rd.unit_hint)
            )
            for name, c in cols.items()
        }
        rows.append(FundRow(label, kind, cells))
    return rows


def _goals(rd: _Reader, stop: int) -> tuple[FormCell | None, FormCell | None]:
    hit = rd.find(
        lambda t: key(t).startswith(VOCAB.goal_label) and not any(w in key(t) for w in VOCAB.goal_actual),
        rd.rows,
    )
    if hit is None:
        return None, None
    r, c = hit
    for rr in range(r, min(r + 2, stop)):
        texts = {key(rd.text(rr, cc)): cc for cc in range(rd.g.ncols)}
        exp_c = next((cc for k, cc in texts.items() if k in VOCAB.goal_expected), None)
        act_c = next((cc for k, cc in texts.items() if any(w in k for w in VOCAB.goal_actual)), None)
        if exp_c is not None and rr + 1 < stop:
            exp = rd.cell(rr + 1, exp_c)
            act = rd.cell(rr + 1, act_c) if act_c is not None else None
            if act is not None and act.text == exp.text and act_c != exp_c:
                act = None
            return exp, act
    right = _right_value(rd, r, c)
    return (rd.cell(*right) if right else None), None


def _indicators(rd: _Reader, hr: int, cols: dict[str, int], stop: int) -> tuple[list[Indicator], int | None]:
    out: list[Indicator] = []
    for r in range(hr + 1, stop):
        texts = rd.row_texts(r)
        if any(is_total_label(t) for t in texts[: min(cols.values()) + 4]):
            return out, r
        first = min(cols.values())
        distinct = {t for t in texts[first:] if t}
        if len(distinct) <= 1 or indicator_column(texts[cols.get("l1", 0)]) == "l1":
            continue  # a banner row ("年度绩效目标2（40分）", "……") or a repeated header
        lv = [rd.text(r, cols[k]) if k in cols else "" for k in ("l1", "l2", "l3")]
        if (
            not any(k in cols and rd.text(r, cols[k]) for k in ("target", "actual", "max", "score"))
            and not lv[2]
        ):
            continue
        get = {
            k: (rd.cell(r, cols[k]) if k in cols else None)
            for k in ("target", "actual", "max", "score", "reason")
        }
        if get["max"] is not None:
            get["max"].unit = get["max"].unit or "分"
        if get["score"] is not None:
            get["score"].unit = get["score"].unit or "分"
        ind = Indicator(
            lv[0], lv[1], lv[2], get["target"], get["actual"], get["max"], get["score"], get["reason"]
        )
        if ind.target is not None:
            cmp_text = rd.text(r, cols["cmp"]) if "cmp" in cols else ""
            unit_text = rd.text(r, cols["unit"]) if "unit" in cols else ""
            cmp, value, unit = parse_target(
                (cmp_text if cmp_text not in VOCAB.qualitative_marks else "") + ind.target.text
            )
            ind.comparator, ind.target_value, ind.target_unit = cmp, value, unit or unit_text
            if ind.actual is not None:
                _, avalue, aunit = parse_target(ind.actual.text)
                ind.actual_value, ind.actual_unit = avalue, aunit or unit_text
        out.append(ind)
    return out, None


def _score_nodes(rd: _Reader, hr: int, cols: dict[str, int], stop: int) -> tuple[list[ScoreNode], int | None]:
    out: list[ScoreNode] = []
    total_r: int | None = None
    for r in range(hr + 1, stop):
        texts = rd.row_texts(r)
        label_texts = [t for t in texts[: min(cols.get("max", 99), cols.get("score", 99))] if t]
        if any(is_total_label(t) for t in label_texts):  # the 合计 row may come first or last
            if total_r is None:
                out.append(ScoreNode([], "total", _opt(rd, r, cols, "max"), _opt(rd, r, cols, "score")))
                total_r = r
            continue
        if len({t for t in texts if t}) <= 1:
            continue
        numbers = [rd.g.grid[r][cols[k]].raw for k in ("max", "score") if k in cols]
        if not any(parse_number(x) for x in numbers):
            if not ("l3" in cols and rd.text(r, cols["l3"])):
                continue  # the rest of a label cut by a page break ("分）"), no figures
            if any(not is_empty_mark(x) for x in numbers):
                continue  # a row of words under the figures ("评价等级 | 良"), not an indicator
        path = list(
            dict.fromkeys(
                rd.text(r, cols[k]) for k in ("l1", "l2", "l3") if k in cols and rd.text(r, cols[k])
            )
        )
        if not path:
            continue
        kind = "subtotal" if any(w in t for w in SUBTOTAL_WORDS for t in label_texts) else "leaf"
        stated = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]", path[0])
        out.append(
            ScoreNode(
                [PAREN.sub("", p).strip() for p in path], kind, _opt(rd, r, cols, "max"), _opt(rd, r, cols, "score"),
                stated.group(1) if stated else None,
            )
        )  # fmt: skip
    return out, total_r


def _opt(rd: _Reader, r: int, cols: dict[str, int], name: str) -> FormCell | None:
    if name not in cols:
        return None
    cell = rd.cell(r, cols[name])
    cell.unit = cell.unit or "分"
    return cell


def _total(rd: _Reader, r: int, cols: dict[str, int]) -> tuple[FormCell | None, FormCell | None]:
    """The 总分 row: 分值 and 得分 under their columns, else its numbers in order (分值, 得分)."""
    mx = _opt(rd, r, cols, "max")
    sc = _opt(rd, r, cols, "score")
    if sc is not None and sc.value is not None:
        return mx, sc
    nums = [
        (r, c) for c in range(rd.g.ncols)
        if rd.g.grid[r][c].origin and parse_number(rd.g.grid[r][c].raw) is not None
    ]  # fmt: skip
    if len(nums) >= 2:
        return rd.cell(*nums[-2], "分"), rd.cell(*nums[-1], "分")
    if len(nums) == 1 and nums[0][1] != cols.get("max"):  # a lone number under 分值 is the 分值
        return mx, rd.cell(*nums[0], "分")
    return mx, sc


_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年度|年)")


def read_grid_forms(g: SheetGrid, *, source: str = "") -> list[FormRecord]:
    """Every form found in one grid (several forms stacked in one sheet are split at their name rows)."""
    if not g.grid:
        return []
    starts = [r for r in range(g.nrows) if any(key(c.text) in START_LABELS for c in g.grid[r])]
    bounds: list[tuple[int, int]] = []
    if starts:
        # a form starts after the 总分 row of the one above (its title lines belong to it)
        totals = [r for r in range(g.nrows) if any(is_total_label(c.text) for c in g.grid[r])]
        lows = [0]
        for prev, start in pairwise(starts):
            ends = [t for t in totals if prev < t < start]
            lows.append(ends[-1] + 1 if ends else start)
        bounds = [(lows[i], lows[i + 1] if i + 1 < len(lows) else g.nrows) for i in range(len(starts))]
    else:
        bounds = [(0, g.nrows)]
    out: list[FormRecord] = []
    for lo, hi in bounds:
        rec = _read_segment(g, lo, hi, source)
        if rec is not None:
            out.append(rec)
    return out


def _read_segment(g: SheetGrid, lo: int, hi: int, source: str) -> FormRecord | None:
    rd = _Reader(g, range(lo, hi))
    fund_hr = ind_hr = None
    fund_cols: dict[str, int] = {}
    ind_cols: dict[str, int] = {}
    for r in rd.rows:
        if fund_hr is None:
            cols = _header_map(rd, r, fund_column)
            if {"budget", "spent"} <= set(cols) and len(cols) >= 3:
                fund_hr, fund_cols = r, cols
                continue
        if ind_hr is None:
            cols = _header_map(rd, r, indicator_column)
            if ("l3" in cols or "l2" in cols) and ("score" in cols or "max" in cols):
                ind_hr, ind_cols = r, cols
    if fund_hr is None and ind_hr is None:
        return None
    first = next((r for r in rd.rows if any(key(c.text) in START_LABELS for c in g.grid[r])), lo)
    head_text = "\n".join(c.text for r in range(lo, max(first, lo + 1)) for c in g.grid[r] if c.origin)
    context = (g.context if lo == 0 else "") + "\n" + head_text
    has_targets = "target" in ind_cols or "actual" in ind_cols
    names = {key(c.text) for r in rd.rows for c in g.grid[r]}
    if fund_hr is None and not has_targets:
        kind = "score_table"
    elif any(w in context for w in VOCAB.department_words) or (
        not names & _labels_of("project") and names & _labels_of("unit")
    ):
        kind = "department_form"
    else:
        kind = "project_form"
    title_m = re.search(rf"[^\n]*(?:{'|'.join(map(re.escape, VOCAB.title_words))})[^\n]*", context)
    year_m = _YEAR.search(context) or _YEAR.search("\n".join(c.text for r in rd.rows for c in g.grid[r][:2]))
    rec = FormRecord(
        kind=kind,
        title=title_m.group(0).strip() if title_m else "",
        year=int(year_m.group(1)) if year_m else None,
        source=source,
        sheet=g.name,
    )
    for r in rd.rows:
        for c in range(g.ncols):
            k = key(g.grid[r][c].text)
            name = NAME_LABELS.get(k)
            if name and name not in rec.header and g.grid[r][c].origin:
                right = _right_value(rd, r, c)
                if right is not None:
                    rec.header[name] = rd.cell(*right)
    if fund_hr is not None:
        rec.money_unit = _money_unit(*rd.row_texts(fund_hr), g.context if lo == 0 else "", head_text)
        rd.unit_hint = rec.money_unit
        rec.funds = _funds(rd, fund_hr, fund_cols, ind_hr if ind_hr is not None and ind_hr > fund_hr else hi)
    rec.goal_expected, rec.goal_actual = _goals(rd, hi)
    rec.stated_grade = _stated_grade(rd)
    if ind_hr is not None:
        if kind == "score_table":
            rec.nodes, total_r = _score_nodes(rd, ind_hr, ind_cols, hi)
            tot = next((n for n in rec.nodes if n.kind == "total"), None)
            if tot is not None:
                rec.total_max, rec.total_score = tot.max, tot.score
        else:
            rec.indicators, total_r = _indicators(rd, ind_hr, ind_cols, hi)
            if total_r is not None:
                rec.total_max, rec.total_score = _total(rd, total_r, ind_cols)
        if total_r is None:
            rec.notes.append("未找到总分行 / no 总分 row found")
    if not _has_scores(rec):
        if not _is_blank_template(rec, fund_cols, ind_cols):
            return None  # an indicator framework (a policy's table), not a form
        rec.template = True
        rec.notes.append(
            "空白模板：表中未填写任何数值，未作检查 / a blank template: nothing filled in, not checked"
        )
    return rec


GRADE_LABELS = VOCAB.grade_labels


def _labels_of(field: str) -> set[str]:
    return {label for label, f in NAME_LABELS.items() if f == field}


def _stated_grade(rd: _Reader) -> FormCell | None:
    """The grade a form prints next to a 评价等级 label (优/良/中/差 or any one-to-three-character word)."""
    hit = rd.find(lambda t: key(t) in GRADE_LABELS)
    if hit is None:
        return None
    right = _right_value(rd, *hit)
    if right is None:
        return None
    cell = rd.cell(*right)
    text = key(cell.text)
    return cell if text and len(text) <= 3 and not re.search(r"\d", text) else None


def _is_blank_template(rec: FormRecord, fund_cols: dict[str, int], ind_cols: dict[str, int]) -> bool:
    """A self-evaluation form with its columns but nothing filled in: a funds block with a score
    column, or indicators with targets and a score column, and no amount spent or value achieved.
    (A policy's indicator framework has neither: it stays no form.)"""
    form_like = ({"budget", "spent"} <= set(fund_cols) and bool({"score", "max"} & set(fund_cols))) or (
        "score" in ind_cols and ("target" in ind_cols or "actual" in ind_cols)
    )
    filled = [f.cells.get("spent") for f in rec.funds] + [i.actual for i in rec.indicators]
    return form_like and not any(c is not None and not c.blank for c in filled)


def _has_scores(rec: FormRecord) -> bool:
    """Is any score filled in (an indicator's, a leaf's, the budget block's or the total)?"""
    cells = [i.score for i in rec.indicators] + [n.score for n in rec.nodes]
    cells += [f.cells.get("score") for f in rec.funds] + [rec.total_score]
    return any(c is not None and c.value is not None for c in cells)


def continue_split(grids: list[SheetGrid]) -> list[SheetGrid]:
    """A form printed over two pages whose second part was not joined by the table reader (no
    总分 row yet; the next page's table has no name row and the same columns, or fewer: a
    continuation drawn with fewer column rules is right-aligned to it): join them. A table that
    does not continue the one before keeps its own columns."""
    out: list[SheetGrid] = []
    for g in grids:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "page"
            and g.kind == "page"
            and 0 < g.ncols <= prev.ncols
            and not any(is_total_label(c.text) for row in prev.grid for c in row)
            and not any(key(c.text) in START_LABELS for row in g.grid for c in row)
            and (prev.row_pages[-1] or 0) + 1 == (g.row_pages[0] or 0)
        ):
            if g.ncols < prev.ncols:
                g = _widened(g, prev.ncols)
            prev.grid = prev.grid + g.grid
            prev.row_refs = prev.row_refs + [prev.row_refs[-1] + i + 1 for i in range(len(g.grid))]
            prev.row_pages = prev.row_pages + g.row_pages
            continue
        out.append(g)
    return out


def _widened(g: SheetGrid, ncols: int) -> SheetGrid:
    """A continuation printed with fewer column rules (its rows merge the leading columns, like a
    lone 总分 row): right-aligned to the table above, the first cell covering the columns it spans."""
    extra = ncols - g.ncols
    grid = [[GridCell(row[0].text, row[0].raw, False) for _ in range(extra)] + row for row in g.grid]
    for row in grid:
        row[0] = GridCell(row[0].text, row[0].raw, True)
        row[extra] = GridCell(row[extra].text, row[extra].raw, False)
    return SheetGrid(g.name, grid, g.row_refs, list(range(1, ncols + 1)), g.kind, g.row_pages, g.context)


def read_forms(path: Path | str, *, password: str | None = None) -> list[FormRecord]:
    """Every form in a PDF, xlsx or docx file. Raises BadDocument (unsupported or damaged file)."""
    path = Path(path)
    grids = continue_split(grids_of(path, password=password))
    out: list[FormRecord] = []
    for g in grids:
        out += read_grid_forms(g, source=path.name)
    return out


def forms_from_grids(grids: list[SheetGrid], *, source: str) -> list[FormRecord]:
    out: list[FormRecord] = []
    for g in continue_split(list(grids)):
        out += read_grid_forms(g, source=source)
    return out
