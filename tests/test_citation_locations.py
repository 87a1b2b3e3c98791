"""Where in an xlsx or docx a citation points (#18, Office documents): the sheet (or Word table or
paragraph), row and column of each cell and paragraph kept at ingest, and in the citations.

Expected positions come from openpyxl and python-docx reading the files written here, never from
jixiao's own readers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from openpyxl import Workbook

from ingest.office import read_office

SHEET = "预算 执行"  # a space: its A1 address is quoted ('预算 执行'!D6)


def write_budget_xlsx(path: Path) -> Path:
    """A budget table under a merged title and unit line, with a two-level merged header, offset from
    A1; an empty sheet; a second table."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([])
    ws.append([None, "2021年度便民服务项目预算执行情况表"])
    ws.merge_cells("B2:F2")
    ws.append([None, "单位：万元"])
    ws.merge_cells("B3:F3")
    ws.append([None, "项目", "预算", None, "全年执行数", "预算执行率"])
    ws.append([None, None, "年初预算数", "全年预算数"])
    for rng in ("B4:B5", "C4:D4", "E4:E5", "F4:F5"):
        ws.merge_cells(rng)
    ws.append([None, "合计", 1200, 1100.5, 1050.25, "95.43%"])
    ws.append([None, "基本支出", 700, 650, 640.75, "98.58%"])
    ws.append([None, "项目支出", 500, 450.5, 409.5, "90.90%"])
    wb.create_sheet("空白")
    staff = wb.create_sheet("人员")
    staff.append(["岗位", "人数"])
    staff.append(["话务岗", 36])
    staff.append(["管理岗", 5])
    wb.save(path)
    return path


def write_report_docx(path: Path) -> Path:
    """Paragraphs (an empty one among them), an empty table, a table with a vertically merged row
    label, a table with a horizontally merged header."""
    d = docx.Document()
    d.add_paragraph("便民服务项目绩效评价报告")
    d.add_paragraph("")
    d.add_paragraph("一、项目基本情况。项目总投资1000万元，由市财政全额保障。")
    d.add_table(rows=0, cols=2)  # no rows: not a grid, but it is the body's first table
    t = d.add_table(rows=4, cols=3)
    for r, row in enumerate([["指标", "年度目标", "实际完成"], ["产出", "120", "118"], [None, "60", "57"]]):
        for c, text in enumerate(row):
            if text is not None:
                t.cell(r, c).text = text
    t.cell(1, 0).merge(t.cell(2, 0)).text = "产出"
    t.cell(3, 0).text, t.cell(3, 1).text, t.cell(3, 2).text = "满意度", "90%", "93.5%"
    d.add_paragraph("二、主要结论。话务接通率为97.2%，较上年提高1.3个百分点。")
    t2 = d.add_table(rows=2, cols=3)
    t2.cell(0, 0).merge(t2.cell(0, 1)).text = "岗位与类别"
    t2.cell(0, 2).text = "人数"
    t2.cell(1, 0).text, t2.cell(1, 1).text, t2.cell(1, 2).text = "话务岗", "全职", "36"
    d.save(str(path))
    return path


def _xlsx_value(value: object) -> str:
    """A cell's value as text, the way openpyxl gives it (numbers without float noise)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format(Decimal(repr(value)).normalize(), "f")
    return re.sub(r"\s+", " ", str(value)).strip()


def _same_number(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except ArithmeticError:
        return a == b


# ---- what ingest keeps -------------------------------------------------------------------------------


def test_xlsx_locations_are_where_openpyxl_has_them(tmp_path: Path) -> None:
    path = write_budget_xlsx(tmp_path / "budget.xlsx")
    content = read_office(path, doc_id="x")
    wb = openpyxl.load_workbook(path)
    cells = [loc for loc in content.locations if loc.kind == "cell"]
    assert cells and len(cells) == len(content.locations)
    for loc in cells:
        ws = wb[loc.sheet]
        value = ws.cell(loc.row, loc.col).value
        assert value is not None and _same_number(_xlsx_value(value), loc.text), (loc, value)
        # the page a location is on is the page whose text is that sheet's
        assert loc.text in content.pages[loc.page - 1].text
    merged = {
        (r.min_row, r.min_col, r.max_row, r.max_col) for ws in wb.worksheets for r in ws.merged_cells.ranges
    }
    spans = {
        (loc.row, loc.col, loc.row + loc.row_span - 1, loc.col + loc.col_span - 1)
        for loc in cells
        if (loc.row_span, loc.col_span) != (1, 1)
    }
    assert spans == merged  # every merged range once, at its top-left, with its extent
    assert {loc.sheet for loc in cells} == {SHEET, "人员"} and {loc.page for loc in cells} == {1, 2}
    # a body cell names its stored table cell, so a cited table row maps to the sheet
    d6 = next(loc for loc in cells if (loc.sheet, loc.row, loc.col) == (SHEET, 6, 4))
    table = next(t for t in content.tables if t.id == d6.table_id)
    assert table.rows[d6.row_index][d6.col_index] == d6.text == "1100.5"
    assert wb[SHEET]["D6"].value == 1100.5


def test_docx_locations_are_where_python_docx_has_them(tmp_path: Path) -> None:
    path = write_report_docx(tmp_path / "report.docx")
    content = read_office(path, doc_id="y")
    d = docx.Document(str(path))
    paragraphs = [loc for loc in content.locations if loc.kind == "paragraph"]
    assert [p.paragraph for p in paragraphs] == [1, 3, 4]  # the empty second paragraph is counted
    for loc in paragraphs:
        assert d.paragraphs[loc.paragraph - 1].text.strip() == loc.text
    cells = [loc for loc in content.locations if loc.kind == "cell"]
    assert {loc.table for loc in cells} == {2, 3}  # the empty first table is counted, not shown
    for loc in cells:
        table = d.tables[loc.table - 1]
        cell = table.cell(loc.row - 1, loc.col - 1)
        assert cell.text.strip() == loc.text, loc
        last = table.cell(loc.row + loc.row_span - 2, loc.col + loc.col_span - 2)
        assert last._tc is cell._tc  # the span stays inside the merged cell …
        if loc.row + loc.row_span - 1 < len(table.rows):
            assert table.cell(loc.row + loc.row_span - 1, loc.col - 1)._tc is not cell._tc  # … and covers it
    label = next(loc for loc in cells if loc.text == "产出")
    assert (label.table, label.row, label.col, label.row_span, label.col_span) == (2, 2, 1, 2, 1)
    header = next(loc for loc in cells if loc.text == "岗位与类别")
    assert (header.table, header.row, header.col, header.row_span, header.col_span) == (3, 1, 1, 1, 2)
    # reading order: the paragraph after the first shown table comes after its cells
    order = [loc.text for loc in content.locations]
    assert order.index("93.5%") < order.index(paragraphs[-1].text) < order.index("岗位与类别")
