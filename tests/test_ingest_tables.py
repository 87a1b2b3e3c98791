"""Table extraction (ingest.tables) against an independent oracle: the TAB-separated table lines of
`tests/fixtures/reference.txt` (the text the PDF was typeset from), parsed here without any of the
code under test. Cell texts are compared with whitespace removed: where a cell's text wraps in the
PDF, whether the source had a space at the wrap cannot be recovered from the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.models import Cell, Table
from ingest.pdf import read_pdf
from ingest.tables import GridCell, RawTable, build_tables, extract_tables

FIXTURES = Path(__file__).parent / "fixtures"
REPORT = FIXTURES / "report_2020_8890.pdf"
_NUM = re.compile(r"^-?[0-9][0-9,]*(?:\.[0-9]+)?%?$")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class RefTable:
    caption: str
    unit_line: str
    header: list[list[str]]
    rows: list[list[str]]


def reference_tables() -> list[RefTable]:
    """Table blocks of reference.txt: a `表 …` caption, an optional `单位：` line, then TAB lines.
    Header rows: the leading TAB lines with no number after the first column."""
    lines = (FIXTURES / "reference.txt").read_text(encoding="utf-8").splitlines()
    out: list[RefTable] = []
    i = 0
    while i < len(lines):
        if re.match(r"^表\s*\d", lines[i]) and i + 1 < len(lines):
            caption, i = lines[i], i + 1
            unit = ""
            if lines[i].startswith("单位"):
                unit, i = lines[i], i + 1
            block: list[list[str]] = []
            while i < len(lines) and "\t" in lines[i]:
                block.append(lines[i].split("\t"))
                i += 1
            n_header = next(k for k, row in enumerate(block) if any(_NUM.match(c.strip()) for c in row[1:]))
            out.append(RefTable(caption, unit, block[:n_header], block[n_header:]))
        else:
            i += 1
    return out


@pytest.fixture(scope="module")
def tables() -> list[Table]:
    content = read_pdf(REPORT)
    return extract_tables(REPORT, doc_id="doc8890", pages=content.pages)


@pytest.fixture(scope="module")
def by_number(tables: list[Table]) -> dict[str, Table]:
    return {t.number: t for t in tables}


def cell(table: Table, row: str, col: str) -> Cell:
    found = [
        c
        for c in table.cells
        if squash(c.row_header[0]) == squash(row) and squash(c.col_header[-1]) == squash(col)
    ]
    assert len(found) == 1, (row, col, found)
    return found[0]


def test_five_tables_with_captions_and_units(tables: list[Table]) -> None:
    ref = reference_tables()
    assert len(ref) == 5
    assert [t.caption for t in tables] == [r.caption for r in ref]
    assert [t.unit_line for t in tables] == [r.unit_line for r in ref]
    assert [t.number for t in tables] == ["1-1", "1-2", "1-3", "2", "3"]
    assert [t.id for t in tables] == [f"doc8890:t{i:02d}" for i in range(5)]


def test_every_cell_equals_reference(tables: list[Table]) -> None:
    for table, ref in zip(tables, reference_tables(), strict=True):
        assert len(table.rows) == len(ref.rows), table.caption
        for r, ref_row in enumerate(ref.rows):
            assert [squash(x) for x in table.rows[r]] == [squash(x) for x in ref_row], (table.caption, r)
        value_cols = len(ref.rows[0]) - 1
        assert len(table.cells) == len(ref.rows) * value_cols, table.caption
        for c in table.cells:
            want = ref.rows[c.row_index][c.col_index].strip()
            assert squash(c.raw) == squash(want), (table.caption, c)
            assert c.row_header == (table.rows[c.row_index][0],)
            assert squash(c.row_header[0]) == squash(ref.rows[c.row_index][0])
            if _NUM.match(want):
                assert c.value == want.rstrip("%").replace(",", ""), (table.caption, c)  # exact text
                assert c.is_percent == want.endswith("%")
            else:
                assert c.value is None, c
            ref_col = [
                squash(h[c.col_index]) for h in ref.header if c.col_index < len(h) and h[c.col_index].strip()
            ]
            assert squash(c.col_header[-1]) == ref_col[-1], (table.caption, c)


def test_done_means_cells(by_number: dict[str, Table]) -> None:
    c = cell(by_number["1-2"], "话务岗", "工资福利支出总额")
    assert (c.value, c.unit, c.page) == ("7937.43", "万元", 2)
    c = cell(by_number["3"], "接听量（万次）", "2019 年")
    assert (c.value, c.unit, c.page) == ("562.05", "万次", 4)
    c = cell(by_number["1-1"], "合计", "预算执行率")
    assert (c.value, c.is_percent, c.unit, c.page) == ("99.86", True, "%", 2)
    c = cell(by_number["1-1"], "合计", "预算金额")
    assert c.value == "11092.40" and Decimal(c.value) == Decimal("11092.4")  # trailing zero kept


def test_two_level_header_of_table_1_2(by_number: dict[str, Table]) -> None:
    t = by_number["1-2"]
    c = cell(t, "组长", "保险")
    assert c.col_header == ("其中：", "保险")
    assert (c.value, c.unit) == ("181.28", "万元")
    assert cell(t, "组长", "基本工资等").col_header == ("其中：", "基本工资等")
    # Merged cells filled: 职务 spans both header rows, 其中： spans three columns.
    assert len(t.header) == 2
    assert t.header[0][4:] == ["其中：", "其中：", "其中："]
    assert t.header[1][0] == "职务"
    # A header cell wrapped in the PDF ("2020 年\n末 人数"): one line in the header path.
    people = cell(t, "话务岗", "2020 年末 人数")
    assert people.col_header == ("2020 年末 人数",)
    assert (people.value, people.unit) == ("780", "人")  # 单位：人、万元、年 applied per column
    assert cell(t, "质检", "2020 年末 人数").value is None  # "-"
    wrapped = next(r for r in t.rows if r[0].startswith("新媒体"))
    assert wrapped[0] == "新媒体专业组班长"


@pytest.mark.parametrize(("number", "pages", "rows"), [("1-3", [2, 3], 13), ("3", [4, 5], 10)])
def test_tables_across_page_break(
    by_number: dict[str, Table], number: str, pages: list[int], rows: int
) -> None:
    t = by_number[number]
    assert t.pages == pages
    assert len(t.rows) == rows
    header = [squash(h) for h in t.header[-1]]
    assert all([squash(x) for x in row] != header for row in t.rows), "repeated header row kept"
    first, last = t.cells[0], t.cells[-1]
    assert (first.page, last.page) == (pages[0], pages[1])


def test_cells_keep_their_own_page(by_number: dict[str, Table]) -> None:
    assert cell(by_number["1-3"], "网络信息化费用", "实际支出金额").page == 2
    assert cell(by_number["1-3"], "工会经费", "实际支出金额").page == 3
    rate = cell(by_number["3"], "月均人员流失率", "2020 年")
    assert (rate.page, rate.value, rate.is_percent) == (5, "1.10", True)
    growth = cell(by_number["3"], "每 1 万接听量人工成本较历史均值增长率 ³", "2020 年")
    assert (growth.value, growth.is_percent) == ("-15.03", True)


def test_row_label_units_override(by_number: dict[str, Table]) -> None:
    t = by_number["3"]
    assert cell(t, "人工费用（万元）", "2020 年").unit == "万元"
    assert cell(t, "月均人员数量（人）", "2018 年").unit == "人"
    assert cell(t, "月均流失人数 ¹ （人）", "2019 年").unit == "人"


def test_policy_table_without_caption() -> None:
    path = FIXTURES / "policy_sample.pdf"
    [t] = extract_tables(path, doc_id="p", pages=read_pdf(path).pages)
    assert t.caption == "" and t.pages == [1]
    weights = {c.row_header[0]: c.value for c in t.cells}
    assert weights == {"决策": "17", "过程": "23", "产出": "38", "效益": "22", "合计": "100"}
    decision = next(c for c in t.cells if c.row_header[0] == "决策")
    assert decision.row_header == ("决策", "项目立项、绩效目标、资金投入")
    assert decision.col_header == ("分值",)


def test_encrypted_tables_need_the_password() -> None:
    path = FIXTURES / "encrypted.pdf"
    pages = read_pdf(path, password="userpw-8890").pages
    assert len(extract_tables(path, doc_id="e", pages=pages, password="userpw-8890")) == 5


def _grid(rows: list[list[str]]) -> list[list[GridCell]]:
    return [[GridCell(x, x, True) for x in row] for row in rows]


def test_join_without_repeated_header_and_not_across_captions() -> None:
    """Pure join logic: a table continued with no repeated header (nothing printed above it) joins;
    the next page's table with its own caption does not."""
    a = RawTable(
        page=1, grid=_grid([["项目", "金额"], ["甲", "1.50"]]), caption="表 1 测试", row_pages=[1, 1]
    )
    b = RawTable(page=2, grid=_grid([["乙", "2.00"], ["合计", "3.50"]]), row_pages=[2, 2])
    c = RawTable(page=3, grid=_grid([["项目", "金额"], ["丙", "4"]]), caption="表 2 另一张", row_pages=[3, 3])
    joined = build_tables([a, b, c], doc_id="x")
    assert [t.caption for t in joined] == ["表 1 测试", "表 2 另一张"]
    assert joined[0].pages == [1, 2]
    assert [r[0] for r in joined[0].rows] == ["甲", "乙", "合计"]
    assert [c.page for c in joined[0].cells] == [1, 2, 2]
    b_text = RawTable(page=2, grid=_grid([["乙", "2.00"]]), text_above=True, row_pages=[2])
    assert len(build_tables([a, b_text], doc_id="x")) == 2  # text between: a separate table


def test_score_table_unit(by_number: dict[str, Table]) -> None:
    t = by_number["2"]
    assert (cell(t, "得分", "合计").value, cell(t, "得分", "合计").unit) == ("92.37", "分")
    assert cell(t, "得分", "项目过程").value == "19.50"
    assert cell(t, "得分率", "项目决策").unit == "%"


def test_serial_number_column_is_a_label() -> None:
    raw = RawTable(
        page=1,
        grid=_grid([["序号", "项目", "金额"], ["1", "物业费", "178.06"], ["2", "办公费", "122.85"]]),
        caption="表 9 示例",
        unit_line="单位：万元",
        row_pages=[1, 1, 1],
    )
    [t] = build_tables([raw], doc_id="x")
    assert [(c.row_header, c.col_header, c.value, c.unit) for c in t.cells] == [
        (("1", "物业费"), ("金额",), "178.06", "万元"),
        (("2", "办公费"), ("金额",), "122.85", "万元"),
    ]


def _ruled_table_pdf(path: Path, rows: int) -> list[list[str]]:
    """A real PDF (reportlab platypus, built-in CJK font): caption, unit line, then a ruled table with
    a two-level merged header that runs over a page break with its header rows repeated."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle
    from reportlab.platypus import Table as RLTable

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=11, leading=16)
    data = [["项目", "金额", "其中：", ""], ["", "", "人员", "公用"]]
    data += [
        [f"支出项{i + 1}", f"{i * 10 + 0.5:.2f}", f"{i:.2f}", "-" if i % 7 == 0 else f"{i * 3}.10"]
        for i in range(rows)
    ]
    table = RLTable(data, repeatRows=2)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "STSong-Light", 10),
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("SPAN", (2, 0), (3, 0)),
                ("SPAN", (0, 0), (0, 1)),
                ("SPAN", (1, 0), (1, 1)),
            ]
        )
    )
    story = [Paragraph(t, style) for t in ("一、测试", "表 5 测试支出明细表", "单位：万元")]
    SimpleDocTemplate(str(path), pagesize=A4).build([*story, table, Paragraph("表后正文。", style)])
    return data


def test_generated_table_across_pages(tmp_path: Path) -> None:
    from ingest.chunk import build_chunks

    path = tmp_path / "table.pdf"
    data = _ruled_table_pdf(path, rows=60)
    content = read_pdf(path)
    [t] = extract_tables(path, doc_id="g", pages=content.pages)
    assert (t.caption, t.unit_line) == ("表 5 测试支出明细表", "单位：万元")
    assert t.pages == [1, 2] and content.page_count == 2
    assert t.rows == data[2:]  # no repeated header rows, every cell as written
    assert {c.col_header for c in t.cells} == {("金额",), ("其中：", "人员"), ("其中：", "公用")}
    for c in t.cells:
        want = data[2 + c.row_index][c.col_index]
        assert c.value == (None if want == "-" else want) and c.unit == "万元"
    amounts = [c.page for c in t.cells if c.col_index == 1]
    assert (amounts[0], amounts[-1]) == (1, 2)
    chunks = build_chunks(doc_id="g", title="", year=None, pages=content.pages, tables=[t])
    assert not any("支出项" in c.text for c in chunks if c.kind == "text")
    assert sum(c.text.count("支出项") for c in chunks if c.kind == "table") == 60
    assert any("表后正文。" in c.text for c in chunks if c.kind == "text")


@pytest.mark.parametrize(
    ("line", "is_caption"),
    [
        ("表 1-1 预算执行情况明细表", True),
        ("表1-1预算执行情况明细表", True),
        ("表2：绩效得分情况", True),
        ("续表3", True),
        ("表1所示，预算执行率较高", False),
        ("表中数据来源于财务系统", False),
    ],
)
def test_caption_lines(line: str, is_caption: bool) -> None:
    from ingest.tables import CAPTION_RE

    assert bool(CAPTION_RE.match(line)) is is_caption


def test_a_score_column_keeps_its_points_under_a_money_unit_line() -> None:
    """ "单位：亿元" above a table of projects with 已发债券规模 and 自评分数: the bonds are in 亿元, the
    scores in 分 — a table-wide money unit is its amounts' unit, not its scores'."""
    from ingest.numbers import parse_number
    from ingest.tables import cell_unit

    units = ["亿元"]
    bonds = cell_unit(parse_number("0.49"), ("示例医院重建项目",), ("截至年底已发债券规模",), units)
    score = cell_unit(parse_number("91"), ("示例医院重建项目",), ("自评分数",), units)
    assert (bonds, score) == ("亿元", "分")
