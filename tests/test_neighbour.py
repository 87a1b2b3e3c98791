"""The figure the question's own words describe, not its neighbour (service/answer/operations/fit.py
`neighbour_named`, the answerer's `_neighbour`), a follow-up on the same table row
(`same_row_followup`), and the year a figure is of (its own, else its document's).

The documents are written here for these tests; each expected figure is in their text."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

from ingest.facts import Fact
from ingest.glossary import load_glossary
from service.answer.models import Turn
from service.answer.operations.operands import find, index_fact
from service.answer.operations.question import Operand

TITLE = "示例区社区服务中心2024年度项目支出绩效评价报告"
PARAGRAPHS = [
    "一、项目资金情况",
    "2024年本项目财政资金合计560万元，其中年初预算500万元、追加预算60万元。",
    "二、项目产出情况",
    "全年累计开展技能培训1500人次，其中线上培训1200人次、现场培训300人次。",
    "全年受理投诉类事项820件、建议类事项180件，共计1000件。",
    "全年来访登记1000人次，当日接待960人次。",
    "群众对窗口服务的满意度每月均超过95%，全年总体满意度97.20%。",
    "评价组共发放问卷1,250份，回收有效问卷1,180份。",
    "2022年、2023年本项目实际支出分别为3,456,789.10元和4,567,891.20元。",
    "三、绩效目标完成情况",
    "2024年度计划开展技能鉴定400人次、建设服务站6个。",
    "开展技能鉴定年度目标为400人次，实际完成452人次，上年同期380人次。",
]


def _wage_table(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "工资福利支出"
    ws.append(["示例区社区服务中心2024年工资福利支出明细表（单位：万元）"])
    ws.append(["岗位", "人数", "工资福利支出总额", "基本工资", "公积金"])
    ws.append(["管理岗", 12, 180.50, 120.30, 20.10])
    ws.append(["技术岗", 30, 410.20, 290.40, 44.60])
    ws.append(["合计", 42, 590.70, 410.70, 64.70])
    scores = wb.create_sheet("评分表")
    scores.append(["示例区社区服务中心2024年项目绩效评价评分表"])
    scores.append(["一级指标", "三级指标", "分值", "得分"])
    scores.append(["产出", "培训完成率", 12, 10.5])
    scores.append(["产出", "服务及时率", 8, 7.2])
    scores.append(["效益", "群众满意度", 10, 9.6])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("neighbour")
    pdf = make_chinese_pdf(root / "report.pdf", title=TITLE, paragraphs=PARAGRAPHS)
    xlsx = _wage_table(root / "wages.xlsx")
    yield from deterministic_answerer(root / "data", [pdf, xlsx])


def _ask(answerer, question: str, history: list[Turn] | None = None):  # type: ignore[no-untyped-def]
    return answerer.answer(question, history=history or [])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected", "not_expected"),
    [
        ("年初给这个项目安排了多少预算？", ["500万元"], ["560万元"]),
        ("线上培训和现场培训各开展了多少人次？", ["1200人次", "300人次"], ["1500人次"]),
        ("投诉类事项受理了多少？", ["820件"], ["1000件"]),
        # 1180 ÷ 1250 = 94.40% (a count of 份 is a unit the metrics module computes with)
        ("有效问卷占发放问卷的比例是多少？", ["94.40%"], []),
        # the second figure after 分别 is the second year's; 4567891.20 − 3456789.10 = 1111102.10
        ("2023年本项目实际支出是多少？", ["4567891.20"], ["3456789.10"]),
        ("评价组给服务及时率打了几分？", ["7.2"], []),
        # a sum asked beside a check of it: the sum (10.5 + 7.2), not a check of the whole report
        ("产出下面各项的得分加起来是多少？跟产出的分值对得上吗？", ["17.7"], []),
        # a group's items counted and summed: their 得分 (10.5 + 7.2), never their 分值 (12 + 8)
        ("产出这一块两项加起来得了多少分？", ["17.7"], ["20"]),
        # a group's 扣分: its items' 分值 (12 + 8) less their 得分 (10.5 + 7.2), both sums shown
        ("产出维度失分多少？", ["2.3分", "20", "17.7"], []),
    ],
)
def test_the_figure_the_questions_words_describe(answerer, question, expected, not_expected) -> None:  # type: ignore[no-untyped-def]
    a = _ask(answerer, question)
    assert all(e in a.answer for e in expected), a.answer
    assert not any(n in a.answer for n in not_expected), a.answer
    assert a.citations and a.grounded, a.ungrounded


@pytest.mark.slow
def test_a_planned_figure_is_never_the_actual(answerer) -> None:  # type: ignore[no-untyped-def]
    a = _ask(answerer, "2024年开展技能鉴定实际完成了多少？")
    first = a.answer.split("\n")[0]
    assert "400" not in first, a.answer  # 计划 400: what was planned, not what was done (452)


@pytest.mark.slow
def test_a_negated_quantity_no_sentence_states_is_refused(answerer) -> None:  # type: ignore[no-untyped-def]
    a = _ask(answerer, "全年有多少人次来访没有被接待？")
    first = a.answer.split("\n")[0]
    assert "未找到" in first, a.answer
    assert "1000" not in first and "960" not in first and "40" not in first  # no figure is the answer


@pytest.mark.slow
def test_a_follow_up_names_another_column_of_the_same_row(answerer) -> None:  # type: ignore[no-untyped-def]
    first = _ask(answerer, "技术岗的工资福利支出总额是多少？")
    assert "410.2" in first.answer, first.answer
    history = [
        Turn(role="user", content="技术岗的工资福利支出总额是多少？"),
        Turn(role="assistant", content=first.answer, meta=first.meta),
    ]
    second = _ask(answerer, "其中公积金呢？", history)
    assert "44.6" in second.answer, second.answer  # the 技术岗 row, not the first row's 20.10
    assert "20.1" not in second.answer and "64.7" not in second.answer


def test_a_cell_without_its_own_year_is_of_its_documents_year() -> None:
    g = load_glossary()
    fact = Fact(
        id="d:f00000", doc_id="d", value="86.5", unit="万元", description="年度资金总额 全年执行数",
        context="年度资金总额 全年执行数", page=1, quote="86.5", source="table", period=None,
        table_id="d:t00", row_index=1, col_index=3, row_path=("年度资金总额",), col_path=("全年执行数",),
    )  # fmt: skip
    spent = Operand("expenditure", "全年执行数")
    of_2023 = [index_fact(fact, "某县2023年项目支出绩效自评表", g, doc_year=2023)]
    assert find(spent, of_2023, g, years=[2023])
    assert not find(spent, of_2023, g, years=[2020])  # a 2023 form holds no 2020 figure
    unknown = [index_fact(fact, "某县项目支出绩效自评表", g)]
    assert find(spent, unknown, g, years=[2020])  # no year known: the year does not exclude it


def test_negation_and_a_not_a_questions() -> None:
    from service.answer.operations.fit import _NEGATED

    assert _NEGATED.search("有多少万次呼入没有接起来？")
    assert _NEGATED.search("未完成的有几项？")
    assert not _NEGATED.search("群众对服务满不满意？")
    assert not _NEGATED.search("预算执行率是不是超过了90%？")


def test_the_check_clause_is_taken_out_of_a_sum_question() -> None:
    from service.answer.operations.phrases import sum_without_check

    assert sum_without_check("投入下面两个三级指标分值加起来和一级指标分值对得上吗？一共多少分？") == (
        "投入下面两个三级指标分值加起来？一共多少分？"
    )
    assert sum_without_check("三项加起来一共多少，是不是正好等于总分？") == "三项加起来一共多少？"
    assert sum_without_check("三项加起来等于总额吗？") == ""  # a yes/no check: the report check answers
    assert sum_without_check("预算执行率是多少？") == ""  # no sum asked
    assert sum_without_check("各项得分加起来是多少？") == ""  # no check to take out
