"""An execution rate where the document states one budget and no stage of it: the budget it states
is the denominator and the answer says so; where it states only 年初预算 (an alternative to the
standard 调整后预算), nothing is substituted. The documents are written for this test; the expected
figures are worked out by hand in the comments."""

from __future__ import annotations

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def one_budget(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("one-budget")
    pdf = make_chinese_pdf(
        root / "report.pdf",
        title="示例县2024年度农村道路养护项目支出绩效自评报告",
        paragraphs=[
            "一、项目资金情况",
            "1、项目预算安排总额80.00万元。",
            "2、项目实际支出总额72.00万元。",
        ],
    )
    yield from deterministic_answerer(root / "data", [pdf])


@pytest.fixture(scope="module")
def initial_only(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("initial-only")
    pdf = make_chinese_pdf(
        root / "report.pdf",
        title="示例县2024年度村级公益事业项目支出绩效自评报告",
        paragraphs=[
            "一、项目资金情况",
            "项目年初预算60.00万元，年中追加预算20.00万元。",
            "项目实际支出总额72.00万元。",
        ],
    )
    yield from deterministic_answerer(root / "data", [pdf])


def test_the_one_budget_stated_is_the_denominator_and_the_answer_says_so(one_budget) -> None:  # type: ignore[no-untyped-def]
    a = one_budget.answer("预算执行率是多少？", history=[])
    # 72.00 ÷ 80.00 × 100% = 90.00%
    assert "90.00%" in a.answer, a.answer
    assert a.computations and a.computations[-1].metric == "budget_execution_rate"
    assert any("预算安排总额" in n for n in a.notes), a.notes


def test_initial_budget_is_never_substituted_for_the_adjusted(initial_only) -> None:  # type: ignore[no-untyped-def]
    a = initial_only.answer("预算执行率是多少？", history=[])
    # 72 ÷ 60 = 120% would divide by the 年初预算, not the 全年预算 the policy asks for
    assert "120" not in a.answer, a.answer
