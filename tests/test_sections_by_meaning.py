"""Sections found by meaning (the glossary's section terms), not by one heading list: a report
that calls its problems "存在的问题和原因分析" and its suggestions "下一步拟改进措施及有关建议", and
says "无。" under one of them, is answered from those sections. The document is written for this test."""

from __future__ import annotations

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

pytestmark = pytest.mark.slow

TITLE = "示例县第二小学2024年度项目支出绩效自评报告"
PARAGRAPHS = [
    "一、自评结论",
    "（一）自评得分",
    "通过项目绩效自评小组的全方位评价，我校课后服务经费项目自评得分96分，自评结果为优。",
    "（二）存在的问题和原因分析",
    "无。",
    "（三）下一步拟改进措施及有关建议",
    "进一步规范课后服务经费的核算，按月公开收支明细，提高资金使用效益。",
    "二、佐证材料",
    "课后服务经费项目资金总额12.50万元，全部为县级资金。",
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("sections")
    pdf = make_chinese_pdf(root / "report.pdf", title=TITLE, paragraphs=PARAGRAPHS)
    yield from deterministic_answerer(root / "data", [pdf])


def test_a_section_that_says_none_is_quoted_not_refused(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("报告里提了哪些问题？", history=[])
    assert "存在的问题和原因分析" in a.answer and "无。" in a.answer, a.answer
    assert "未找到" not in a.answer, a.answer
    assert a.citations and a.citations[0].page == 1


def test_suggestions_under_a_longer_heading(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("报告提出了哪些建议？", history=[])
    assert "按月公开收支明细" in a.answer, a.answer
    assert "未找到" not in a.answer, a.answer
