"""Last year's figure from this year's and the change stated beside it
(service/answer/operations/previous.py). The document is written for this test; the expected
figures are worked out by hand in the comments."""

from __future__ import annotations

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

pytestmark = pytest.mark.slow

TITLE = "示例县文化馆2025年部门预算公开说明"
PARAGRAPHS = [
    "一、部门预算安排情况",
    "2025年一般公共预算支出预算合计863210元。",
    "其中：基本支出预算735610元，同比减少12390元，下降1.66%。",
    "项目支出预算127600元，占一般公共预算支出的14.78%，同比增加30600元，增长31.55%。",
    "二、其他说明",
    "公务接待费预算8000元，主要用于公务活动接待。",
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("previous")
    pdf = make_chinese_pdf(root / "budget.pdf", title=TITLE, paragraphs=PARAGRAPHS)
    yield from deterministic_answerer(root / "data", [pdf])


@pytest.mark.parametrize(
    ("question", "expected", "working"),
    [
        # 127600 − 30600 = 97000 (an increase is taken off)
        ("上年的项目支出预算是多少？", "97000元", "127600 − 30600"),
        # 735610 + 12390 = 748000 (a decrease is added back)
        ("基本支出去年安排了多少？", "748000元", "735610 + 12390"),
    ],
)
def test_last_years_figure_from_the_stated_change(
    answerer, question: str, expected: str, working: str
) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer(question, history=[])
    assert expected in a.answer and working in a.answer, a.answer
    assert a.computations and a.computations[0].metric == "value_from_change"
    assert a.citations and "同比" in a.citations[0].quote
    assert a.grounded, a.ungrounded


def test_no_stated_change_no_figure(answerer) -> None:  # type: ignore[no-untyped-def]
    # no change is stated: this year's 8000 is not last year's figure, and nothing is derived
    a = answerer.answer("上年公务接待费预算是多少？", history=[])
    assert "8000" not in a.answer, a.answer
    assert not any(c.metric == "value_from_change" for c in a.computations)
