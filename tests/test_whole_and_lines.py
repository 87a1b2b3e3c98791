"""A difference of the document's whole, stated in two sentences, when its lines are stated in pairs:
the whole is the pair named by the asked terms alone (words that place a figure in its year, 全年 or
年中, name no line), never another year's figure. The document is written for this test; the
expected figures are worked out by hand in the comments."""

from __future__ import annotations

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

pytestmark = pytest.mark.slow

PARAGRAPHS = [
    "二、资金安排与使用",
    "2023年初，该项目年初预算安排资金500.00万元，年中调整后全年预算为620.00万元。",
    "全年实际到位资金600.00万元，实际支出580.50万元，预算执行率为93.63%。",
    "从支出结构看，设备购置费全年预算200.00万元，实际支出190.00万元；培训费全年预算420.00万元，实际支出390.50万元。",
    "从历年情况看，该项目2022年实际支出410.00万元。",
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("whole")
    pdf = make_chinese_pdf(
        root / "report.pdf", title="示例县2023年度乡村学校设备更新项目绩效评价报告", paragraphs=PARAGRAPHS
    )
    yield from deterministic_answerer(root / "data", [pdf])


def test_the_whole_is_the_pair_named_by_the_asked_terms_alone(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("全年预算和实际支出差了多少？", history=[])
    # 620.00 − 580.50 = 39.50, not a line's 10.00 or 29.50, not against 2022's 410.00
    assert "39.50" in a.answer, a.answer
    assert a.computations and a.computations[-1].metric == "difference"


def test_a_line_named_is_that_lines(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("培训费全年预算和实际支出差了多少？", history=[])
    # 420.00 − 390.50 = 29.50
    assert "29.50" in a.answer, a.answer
