"""A table's total row known by its arithmetic (no 合计 names it), a change between two years read
from one row's year columns, the document's own name in a question, and a whole stated only as its
parts (service/search/facts.py `mark_sum_rows`, service/answer/operations/growth.py, question.py).

The documents are written here for these tests; every expected figure is worked out in a comment."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

from ingest.facts import Fact
from ingest.glossary import load_glossary
from service.search.facts import index_fact, mark_sum_rows

pytestmark = pytest.mark.slow

TITLE = "示例县河道治理中心2021年度部门整体支出绩效自评报告"
PARAGRAPHS = [
    "一、部门基本情况",
    "示例县河道治理中心核定行政编制12名，事业编制8名。年末在职实有人数17人。",
    "评价指标权重统一设置为：产出指标50%、效益指标30%、服务对象满意度指标20%。",
    "二、评价结论",
    "经评价，本部门整体支出绩效良好。",
]


def _workbook(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评价得分"
    ws.append(["示例县河道治理中心2021年度绩效评价得分表"])
    ws.append(["评价准则", "权重(%)", "评价分值(百分制)", "加权平均得分"])
    ws.append(["相关性", 30, 90.00, 27.00])
    ws.append(["效率", 40, 80.50, 32.20])
    ws.append(["可持续性", 30, 70.00, 21.00])
    ws.append(["部门绩效", 100, None, 80.20])  # 30+40+30 = 100; 27.00+32.20+21.00 = 80.20
    costs = wb.create_sheet("三公经费")
    costs.append(["示例县河道治理中心“三公”经费情况表（单位：万元）"])
    costs.append(["项目", "2020年决算数", "2021年预算数", "2021年决算数"])
    costs.append(["三公经费", 20.00, 30.00, 25.00])
    costs.append(["公务接待", 8.00, 10.00, 6.00])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("sums")
    pdf = make_chinese_pdf(root / "report.pdf", title=TITLE, paragraphs=PARAGRAPHS)
    yield from deterministic_answerer(root / "data", [pdf, _workbook(root / "tables.xlsx")])


def test_an_unnamed_row_that_adds_up_is_the_total(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("河道治理中心绩效评价总分是多少？", history=[])
    assert "80.2" in a.answer, a.answer  # the 部门绩效 row: 27.00 + 32.20 + 21.00
    assert "27.0" not in a.answer.split("。")[0], a.answer


def test_a_change_between_two_year_columns(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("三公经费2021年决算比2020年决算增长了百分之多少？", history=[])
    # (25.00 − 20.00) ÷ 20.00 = 25.00%, the same row's two 决算数 columns (not the 预算数 30.00)
    assert "25.00%" in a.answer, a.answer
    assert a.computations and a.computations[-1].metric == "growth_rate"


def test_a_change_in_the_figures_unit(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("公务接待费2021年决算比2020年决算减少了多少？", history=[])
    assert "-2" in a.answer.replace(" ", ""), a.answer  # 6.00 − 8.00 = −2.00 万元
    assert a.computations and a.computations[-1].metric == "year_on_year_change"


def test_the_documents_own_name_is_no_line(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("示例县河道治理中心这张表里三公经费2021年实际花的占预算的百分之多少？", history=[])
    assert "83.33%" in a.answer, a.answer  # 25.00 ÷ 30.00 (决算数 over 预算数 of the 三公经费 row)


def test_a_whole_stated_as_its_parts_is_their_sum(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("编制多少人？", history=[])
    assert "20" in a.answer, a.answer  # 12 + 8
    assert a.computations and a.computations[-1].metric == "sum_of_parts"


def test_a_part_is_not_the_whole_it_names(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("编制比实有人数多几个？", history=[])
    # 事业编制 8 is no 编制: 8 − 17 = −9 would be a wrong figure (the right one is 20 − 17 = 3)
    assert "-9" not in a.answer and "−9" not in a.answer, a.answer


def test_a_measure_said_before_a_list_is_each_figures(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("产出、效益两类指标的权重加起来是多少？", history=[])
    assert "80%" in a.answer, a.answer  # 50% + 30%: each listed figure is a 权重 (said before the colon)
    assert a.computations and a.computations[-1].metric == "sum_of_parts"


def test_lines_summed_need_one_figure_each(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("产出指标和决策指标的权重合起来是多少？", history=[])
    assert "50" not in a.answer.split("。")[0] or "未找到" in a.answer, a.answer  # no 决策 weight stated


def _cell(row: int, col: int, label: str, header: str, value: str) -> Fact:
    return Fact(
        id=f"d:f{row}{col}", doc_id="d", value=value, unit="", description=f"{label} {header}",
        context=f"{label} {header}", page=1, quote="", source="table", table_id="t1",
        row_index=row, col_index=col, row_path=(label,), col_path=(header,),
    )  # fmt: skip


def test_rows_that_happen_to_add_up_in_one_short_column_are_no_total() -> None:
    g = load_glossary()
    cells = [_cell(1, 1, "甲", "得分", "1"), _cell(2, 1, "乙", "得分", "2"), _cell(3, 1, "丙", "得分", "3")]
    marked = mark_sum_rows([index_fact(c, "", g) for c in cells], g)
    assert all("total" not in i.qualifiers for i in marked)  # 3 = 1 + 2 over two rows only


def test_a_total_needs_every_checked_column_to_add_up() -> None:
    g = load_glossary()
    cells = [
        _cell(1, 1, "甲", "得分", "10"), _cell(2, 1, "乙", "得分", "20"), _cell(3, 1, "丙", "得分", "30"),
        _cell(4, 1, "丁", "得分", "60"),
        _cell(1, 2, "甲", "分值", "10"), _cell(2, 2, "乙", "分值", "20"), _cell(3, 2, "丙", "分值", "30"),
        _cell(4, 2, "丁", "分值", "70"),
    ]  # fmt: skip
    marked = mark_sum_rows([index_fact(c, "", g) for c in cells], g)
    assert all("total" not in i.qualifiers for i in marked)  # 60 adds up, 70 does not
