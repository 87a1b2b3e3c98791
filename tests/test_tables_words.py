"""Tables printed without rules (or with rules only between rows), read from the words' positions
(`ingest.tables_words` through `ingest.tables.extract_tables`), on real PDFs that LibreOffice renders
from HTML at test time. The oracle is the HTML each PDF was rendered from (its `<table>` grids,
parsed by `evals.table_reading` without any of the code under test), never the extractor itself.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from evals.corpus.build import render
from evals.table_reading import source_tables
from ingest.models import Table
from ingest.pdf import read_pdf
from ingest.tables import extract_tables

_STYLE = (
    "@page { size: 21cm 29.7cm; margin: 2.4cm 2.2cm; }\n"
    'body { font-family: "Noto Serif CJK SC"; font-size: 11pt; }\n'
    "td, th { font-size: 9.5pt; }\n"
)


def _html(body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><style>'
        + _STYLE
        + "</style></head><body>\n"
        + body
        + "\n</body></html>\n"
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _tables(pdf: Path) -> list[Table]:
    return extract_tables(pdf, doc_id=pdf.stem, pages=read_pdf(pdf).pages)


# ---- the report generator's unruled tables, cell for cell --------------------------------------------


def _unruled_generated(limit: int) -> list[tuple[str, str]]:
    """(name, html) of generated reports and score tables whose tables are unruled, drawn from fixed
    seeds (the generator's own HTML decides, not the code under test): of each document type, and
    of each place of the total row (first or last), at least one."""
    from evals.generator.batch import TYPES, make_document, plan

    out: list[tuple[str, str]] = []
    seen: set[tuple[str, bool]] = set()
    for seed in range(20261202, 20261202 + 60):
        for i, t, s in plan(seed, 10):
            kind = TYPES[t][0]
            if kind in ("project_form", "synthetic_report"):
                continue
            g = make_document(seed, i, t, s, i % 2 == 0)
            key = (kind, g.doc.ctx.total_first)
            html = g.doc.html()
            if 'border="0"' in html and (key not in seen or len(seen) == 6):
                out.append((g.doc.name, html))
                seen.add(key)
            if len(out) >= limit:
                return out
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, Path]]:
    root = tmp_path_factory.mktemp("unruled")
    docs = _unruled_generated(9)
    sources = []
    for name, html in docs:
        src = root / f"{name}.html"
        src.write_text(html, encoding="utf-8")
        sources.append(src)
    render(sources, root / "pdf")
    return [(name, html, root / "pdf" / f"{name}.pdf") for name, html in docs]


def test_the_fixture_draws_unruled_reports_and_score_tables(generated: list[tuple[str, str, Path]]) -> None:
    kinds = {name.rsplit("-", 1)[-1] for name, _, _ in generated}
    assert len(generated) == 9 and {"prj", "dept", "score"} <= kinds, kinds


def test_every_number_of_an_unruled_table_is_read_in_its_row_and_column(
    generated: list[tuple[str, str, Path]],
) -> None:
    """Each number of each HTML table is a cell with the same text, its row's label in the cell's
    row header and its column's heading in the cell's column header."""
    problems: list[str] = []
    for name, html, pdf in generated:
        cells = [
            (_squash(c.raw), _squash("".join(c.row_header)), _squash("".join(c.col_header)))
            for t in _tables(pdf)
            for c in t.cells
        ]
        for table in source_tables(html):
            for number, label, heading in table.numbers():
                if not any(n == number and label in r and _squash(heading) in h for n, r, h in cells):
                    problems.append(f"{name}: {number} ({label} / {heading})")
    assert not problems, "\n".join(problems[:20])


def test_no_table_is_made_of_what_is_not_in_a_table(generated: list[tuple[str, str, Path]]) -> None:
    """Every table read holds numbers of the HTML's tables only: sentences stay sentences."""
    for name, html, pdf in generated:
        printed = {text for t in source_tables(html) for row in t.grid for text in row}
        for table in _tables(pdf):
            numbers = [_squash(c.raw) for c in table.cells if c.value is not None]
            strays = [n for n in numbers if n not in printed]
            assert not strays, f"{name} {table.caption or table.id}: {strays}"


def test_a_score_table_without_rules_knows_each_indicators_path(
    generated: list[tuple[str, str, Path]],
) -> None:
    """A 得分表 whose 一级/二级 labels are merged cells centred over their rows: every row of the
    HTML grid is read with its whole path, as the HTML's rowspans give it."""
    scores = [(name, html, pdf) for name, html, pdf in generated if name.endswith("-score")]
    assert scores
    for name, html, pdf in scores:
        (source,) = source_tables(html)
        tables = [t for t in _tables(pdf) if len(t.rows) > 5]
        rows = [[_squash(x) for x in r] for t in tables for r in t.rows]
        for want in source.grid[source.header_rows :]:
            labels = list(dict.fromkeys(_squash(x) for x in want[:3] if x))
            numbers = [x for x in want[3:] if re.fullmatch(r"[\d.]+", x)]
            if not numbers:
                continue  # a row of words (评价等级 | 良): no figure to place
            got = [r for r in rows if r[-len(numbers) :] == numbers[: len(r)] and labels[-1] in r]
            assert got, f"{name}: no row {want}"
            path = [x for x in got[0] if x and not re.fullmatch(r"[\d.%]+", x)]
            assert path == labels, f"{name}: {path} read, {labels} printed"


# ---- documents written for these tests -------------------------------------------------------------

_TWO_LEVEL = """
<p>（二）项目资金情况。资金支出明细见表1。</p>
<p style="text-align:center">表1　资金预算及执行情况</p>
<p style="text-align:right">单位：万元</p>
<table border="0" cellspacing="0" cellpadding="4" width="100%">
<thead><tr><th rowspan="2">项目</th><th colspan="2">预算数</th><th rowspan="2">实际支出</th></tr>
<tr><th>年初预算</th><th>调整预算</th></tr></thead>
<tbody>
<tr><td>设备购置及安装调试费用（含运输）</td><td>1,234.50</td><td>1,300.05</td><td>1,111.10</td></tr>
<tr><td>培训费</td><td>20.00</td><td>19.90</td><td>18.00</td></tr>
<tr><td>合计</td><td>1,254.50</td><td>1,319.95</td><td>1,129.10</td></tr>
</tbody></table>
<p>以上数据来自单位财务账。</p>
"""

_THREE_LINE = """
<p style="text-align:center">表2　人员情况</p>
<table cellspacing="0" cellpadding="4" width="100%" style="border-top:1.5pt solid #000;border-bottom:1.5pt solid #000">
<tr><th style="border-bottom:0.75pt solid #000">类别</th><th style="border-bottom:0.75pt solid #000">编制数（人）</th>
<th style="border-bottom:0.75pt solid #000">实有人数（人）</th></tr>
<tr><td>行政编制</td><td>12</td><td>11</td></tr>
<tr><td>事业编制</td><td>30</td><td>28</td></tr>
</table>
"""

_NOT_TABLES = """
<h2>目录</h2>
<table border="0" width="100%"><tr><td>一、项目基本情况</td><td align="right">3</td></tr>
<tr><td>二、绩效评价工作开展情况</td><td align="right">5</td></tr>
<tr><td>三、综合评价情况及评价结论</td><td align="right">8</td></tr></table>
<p>四、主要绩效……………………………………………………………………12</p>
<p>五、存在的问题……………………………………………………………………15</p>
<p>评价组织单位：某市财政局　　　　项目主管部门：某市民政局</p>
<p>2023年该项目年初批复预算 12,623,147.15 元，经年中调整，全年预算为 13,523,318.48 元；
实际到位资金 13,274,817.56 元；截至 2023 年 12 月 31 日，全年实际支出 11,748,311.88 元，
预算执行率 86.87%。其中管理费 4,609,059.82 元，服务补贴 3,453,656.69 元，设施建设费 4,560,430.64 元。</p>
<p>1. 开展培训 1740 人次，完成率 112.24%。</p>
<p>2. 建设服务站 41 个，完成率 87.80%。</p>
<p>3. 问卷 190 份，有效 187 份。</p>
<p style="text-align:justify">评价工作组于 2024 年 3 月至 6 月开展评价，采取资料核查、现场勘查、座谈访谈和问卷调查等方式，
共发放问卷 190 份，回收有效问卷 187 份，有效率 98.42%，满意度 97.70%，较上年提高 1.20 个百分点，
评价得分 92.4 分，其中决策 17.8 分、过程 24.7 分、产出 27.7 分、效益 22.2 分。</p>
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("written")
    docs = {"two_level": _TWO_LEVEL, "three_line": _THREE_LINE, "not_tables": _NOT_TABLES}
    for name, body in docs.items():
        (root / f"{name}.html").write_text(_html(body), encoding="utf-8")
    render([root / f"{name}.html" for name in docs], root / "pdf")
    return {name: root / "pdf" / f"{name}.pdf" for name in docs}


def test_a_heading_over_two_columns_and_a_wrapped_label(written: dict[str, Path]) -> None:
    (table,) = _tables(written["two_level"])
    assert table.caption.replace(" ", "").replace("\u3000", "") == "表1资金预算及执行情况"
    assert table.unit_line == "单位：万元"
    by = {(c.row_header, c.col_header): c for c in table.cells}
    first = by[(("设备购置及安装调试费用（含运输）",), ("预算数", "年初预算"))]
    assert (first.value, first.unit) == ("1234.50", "万元")
    assert by[(("设备购置及安装调试费用（含运输）",), ("预算数", "调整预算"))].value == "1300.05"
    assert by[(("合计",), ("实际支出",))].value == "1129.10"
    assert by[(("培训费",), ("预算数", "调整预算"))].value == "19.90"  # the trailing zero kept
    assert len(table.rows) == 3
    assert all(isinstance(Decimal(c.value), Decimal) for c in table.cells if c.value is not None)


def test_a_table_with_rules_between_rows_only(written: dict[str, Path]) -> None:
    (table,) = _tables(written["three_line"])
    by = {(c.row_header, c.col_header): c for c in table.cells}
    assert by[(("事业编制",), ("实有人数（人）",))].value == "28"
    assert by[(("行政编制",), ("编制数（人）",))].unit == "人"


def test_lists_and_paragraphs_with_numbers_are_no_tables(written: dict[str, Path]) -> None:
    """A table of contents, a line of two labelled fields, numbered items with figures and
    justified paragraphs full of figures: none of them is a table."""
    assert _tables(written["not_tables"]) == []
