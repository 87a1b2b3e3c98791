"""Figures a report states about its figures: a change it states ("较2022年度…提高了12.5%") quoted
for the figure it is of, never for a longer name or against an average of years; the two figures a
stated rate is the quotient of; last year's figure beside the one just given, for "比上一年增长了
多少"; the figure a listing calls its total; a goal in one place and the result in another.

The document is written here for these tests (a library's reading programme, none of the sample
report's words); each expected figure is computed by hand in the comments."""

from __future__ import annotations

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

from service.answer.models import Turn

TITLE = "示例市图书馆2023年度公共文化服务项目绩效评价报告"
PARAGRAPHS = [
    "一、项目绩效目标",
    "2023年项目绩效目标为：开展阅读推广活动120场。",
    "二、项目产出情况",
    "全年累计开展阅读推广活动150场，其中线上活动90场、线下活动60场。",
    "2023年馆内接待12.6万人次、馆外接待5.4万人次，共计18万人次；2022年馆内接待10.2万人次、馆外接待4.8万人次，共计15万人次。",
    "2023年度比2022年度读者接待量提高了12.5%。",
    "每万人次接待量的服务成本为3.2万元，较2021-2022年均值下降8.6%。",
    "全年发放问卷400份，回收有效问卷376份，有效回收率94.0%。",
    "2023年开展讲座40场，2022年开展讲座32场，讲座场次较2022年增长25%。",
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("stated")
    pdf = make_chinese_pdf(root / "report.pdf", title=TITLE, paragraphs=PARAGRAPHS)
    yield from deterministic_answerer(root / "data", [pdf])


def _ask(answerer, question: str, history: list[Turn] | None = None):  # type: ignore[no-untyped-def]
    return answerer.answer(question, history=history or [])


def _head(a) -> str:  # type: ignore[no-untyped-def]
    return a.answer.split("\n")[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    "question", ["读者接待量比2022年涨了百分之几？", "2023年接待量比2022年增长了百分之几？"]
)
def test_a_stated_change_is_quoted_for_its_own_figure(answerer, question) -> None:  # type: ignore[no-untyped-def]
    a = _ask(answerer, question)
    assert "12.5%" in _head(a), a.answer
    assert "8.6" not in a.answer  # the 服务成本's change (a longer name holding 接待量), not this one


@pytest.mark.slow
def test_a_stated_change_with_the_two_levels_it_is_computed_from(answerer) -> None:  # type: ignore[no-untyped-def]
    # 40 and 32 場 are the pair whose growth is the stated 25%: (40 − 32) ÷ 32 = 25.00%
    a = _ask(answerer, "讲座场次比2022年增长了多少？")
    comp = next(c for c in a.computations if c.metric == "growth_rate")
    assert {i["value"] for i in comp.inputs} == {"40", "32"}
    assert "25.00%" in a.answer and "报告所载为25%" in a.answer.replace(" ", "")
    # the 接待量's 12.5% has no such pair on its page (18 over 15 is 20%): quoted, not recomputed
    b = _ask(answerer, "读者接待量比2022年涨了百分之几？")
    assert not b.computations and "12.5%" in _head(b)


@pytest.mark.slow
def test_a_change_against_an_average_is_no_change_against_a_year(answerer) -> None:  # type: ignore[no-untyped-def]
    a = _ask(answerer, "服务成本比2022年下降了百分之几？")
    assert "8.6%" not in _head(a), a.answer  # stated against the 2021-2022 average, not 2022


@pytest.mark.slow
def test_the_two_figures_a_stated_rate_is_computed_from(answerer) -> None:  # type: ignore[no-untyped-def]
    a = _ask(answerer, "有效回收率94.0%是用哪两个数算出来的？")
    comp = next(c for c in a.computations if c.metric == "ratio")
    assert {i["value"] for i in comp.inputs} == {"376", "400"}  # 376 ÷ 400 = 94.0%
    assert "376" in a.answer and "400" in a.answer


@pytest.mark.slow
def test_a_total_then_its_growth_on_the_previous_year(answerer) -> None:  # type: ignore[no-untyped-def]
    q = "2023年一共接待了多少万人次？"
    first = _ask(answerer, q)
    assert "18万人次" in _head(first), first.answer  # the listing's 共计, not 12.6 or 5.4
    history = [
        Turn(role="user", content=q),
        Turn(role="assistant", content=first.answer, meta=first.meta),
    ]
    second = _ask(answerer, "比上一年增长了多少？", history)
    comp = next(c for c in second.computations if c.metric == "growth_rate")
    assert {i["value"] for i in comp.inputs} == {"18", "15"}
    assert "20.00%" in second.answer  # (18 − 15) ÷ 15


@pytest.mark.slow
def test_a_goal_and_its_result_stated_apart(answerer) -> None:  # type: ignore[no-untyped-def]
    a = _ask(answerer, "阅读推广活动和目标相比完成程度如何？")
    comp = next(c for c in a.computations if c.metric == "target_completion_rate")
    assert {i["value"] for i in comp.inputs} == {"150", "120"}  # 150 ÷ 120 = 125.00%, not the 90 online
    assert "125.00%" in a.answer
