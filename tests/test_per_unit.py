"""A quantity per unit asked of a report ("平均每批次接待多少人次", "平均每户拿到多少补助"):
service/answer/operations/per_unit.py with the metrics module's `per_unit` and `unit_cost`.

The report is written here for these tests; every expected figure is worked out in a comment."""

from __future__ import annotations

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

pytestmark = pytest.mark.slow

TITLE = "示例县住房和城乡建设局2022年度农村危房改造项目绩效自评报告"
PARAGRAPHS = [
    "一、项目基本情况",
    "2022年初农村危房改造资金预算安排300.7万元，用于农村低收入群体房屋安全，计划补助115户。",
    "经审核公示，最终确定农村危房改造264户，发放补助资金278.8万元。",
    "二、三公经费",
    "全年公务接待24批次，210人次，公务接待费支出2.05万元。",
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("per_unit")
    pdf = make_chinese_pdf(root / "report.pdf", title=TITLE, paragraphs=PARAGRAPHS)
    yield from deterministic_answerer(root / "data", [pdf])


def test_a_count_per_measure_word(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("平均每批次接待多少人次？", history=[])
    assert "8.75" in a.answer, a.answer  # 210 ÷ 24 = 8.75
    assert [c.metric for c in a.computations] == ["per_unit"], a.computations


def test_an_amount_per_household_from_what_was_done_not_the_plan(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("平均每户拿到多少补助？", history=[])
    assert "1.06万元/户" in a.answer, a.answer  # 278.8 ÷ 264 = 1.056; the plan's 300.7 ÷ 115 = 2.61 is not it
    assert "2.61" not in a.answer, a.answer


def test_a_small_amount_per_unit_is_shown_in_yuan(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("公务接待费平均每批次是多少元？", history=[])
    assert "854.17元/批次" in a.answer, a.answer  # 2.05万元 ÷ 24 = 854.1667元


def test_no_figure_per_a_unit_the_report_does_not_count(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("平均每辆公务用车花了多少钱？", history=[])
    assert not any(c.metric in ("per_unit", "unit_cost") for c in a.computations), a.answer


def test_a_count_asked_in_its_measure_word(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("实际改造了多少户危房？", history=[])
    assert "264户" in a.answer and "115" not in a.answer, a.answer  # 计划补助115户 is the plan
    b = answerer.answer("全年公务接待了多少批次？", history=[])
    assert "24批次" in b.answer, b.answer
