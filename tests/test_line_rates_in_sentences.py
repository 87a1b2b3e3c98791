"""A line's rate asked with the rate's own verb ("培训费预算执行得怎么样，执行率多少"), a 问卷 rate
and a grade stated in sentences. The document is written for this test; the expected figures are
worked out by hand in the comments."""

from __future__ import annotations

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

pytestmark = pytest.mark.slow

PARAGRAPHS = [
    "二、资金安排与使用",
    "2023年初，该项目年初预算安排资金500.00万元，年中调整后全年预算为620.00万元。",
    "全年实际到位资金600.00万元，实际支出580.50万元，预算执行率为93.63%。",
    "从支出结构看，设备购置费全年预算200.00万元，实际支出190.00万元；培训费全年预算420.00万元，实际支出390.50万元。",
    "三、评价工作开展情况",
    "评价工作组共发放问卷1,100份，回收有效问卷1,048份。",
    "四、评价结论",
    "项目综合得分84.5分，评价等级为“良”。",
    "注：评价等级划分为优（90分及以上）、良（80（含）—90分）、中（60（含）—80分）、差（60分以下）。",
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("line_rates")
    pdf = make_chinese_pdf(
        root / "report.pdf", title="示例县2023年度乡村学校设备更新项目绩效评价报告", paragraphs=PARAGRAPHS
    )
    yield from deterministic_answerer(root / "data", [pdf])


def test_a_lines_rate_asked_with_the_rates_own_verb(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("培训费预算执行得怎么样，执行率多少？", history=[])
    # 390.50 ÷ 420.00 = 92.98%, never the project's stated 93.63%
    assert "92.98%" in a.answer and "93.63" not in a.answer, a.answer


def test_the_valid_response_rate(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("问卷的有效回收率是多少？", history=[])
    # 1048 ÷ 1100 = 95.27%
    assert "95.27%" in a.answer, a.answer
    assert a.computations and a.computations[-1].metric == "share"


def test_the_grade_of_the_stated_total(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("综合得分对应哪个评价等级？", history=[])
    assert "良" in a.answer and "84.5" in a.answer, a.answer
    assert a.computations and a.computations[-1].metric == "grade_from_score"


def test_what_was_spent_is_never_a_budget(answerer) -> None:  # type: ignore[no-untyped-def]
    # the words "项目全年" are said of the 全年预算 620.00: spending asked, so not that figure
    a = answerer.answer("项目全年一共花了多少钱？", history=[])
    assert "620.00" not in a.answer, a.answer
    # a line named with the spending verb is that line's figure, not the project's spending
    a = answerer.answer("2023年培训费一共花了多少？", history=[])
    assert "580.50" not in a.answer, a.answer
