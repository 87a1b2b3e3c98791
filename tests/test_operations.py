"""Questions as operations over facts (the general path): parsing with the glossary, finding an
operand by meaning, and refusing what does not fit. Facts here are built by hand, in the shape
ingest/facts.py gives them, so each rule is seen alone."""

from __future__ import annotations

import pytest

from ingest.facts import Fact
from ingest.glossary import load_glossary
from service.answer.operations.operands import Match, find, index_fact
from service.answer.operations.question import Operand, parse


@pytest.fixture(scope="module")
def g():
    return load_glossary()


def cell(
    i: int, row: str, col: str, value: str, unit: str, *, table: str = "d:t00", r: int = 0, c: int = 0
) -> Fact:
    return Fact(
        id=f"d:f{i:05d}", doc_id="d", value=value, unit=unit, description=f"{row} {col}",
        context=f"自评表 {row} {col}", page=1, quote=row, source="table", period=2022,
        table_id=table, row_index=r, col_index=c, row_path=(row,), col_path=(col,),
    )  # fmt: skip


def test_questions_become_operations(g) -> None:
    assert parse("这个项目的预算执行率是多少？", g).op == "rate"
    share = parse("基本支出占总支出的比例是多少？", g)
    assert share.op == "share" and [o.concept for o in share.operands][:1] == ["basic_expenditure"]
    # a score asked about a rate is not the rate; a "which" question is not one figure
    assert parse("按执行率折算预算执行这项应该得几分？", g).op == "none"
    assert parse("哪几项指标没拿满分？", g).op == "none"


def test_a_share_of_a_rates_own_operands_is_that_rate(g) -> None:
    # the glossary's 预算执行率 is 实际支出 ÷ 调整后预算: asked as a share, it is that rate (computed
    # with its stated figure checked), and the budget does not inherit 实际 from 实际支出
    for q in ("全年执行数占全年预算数的比例是多少？", "实际支出占全年预算的比例是多少？"):
        ask = parse(q, g)
        assert (ask.op, ask.rate_concept) == ("rate", "budget_execution_rate"), ask
    # over 年初预算 it is no execution rate (the policy's is over the full-year budget): a plain share
    ask = parse("实际支出占年初预算的比例是多少？", g)
    assert ask.op == "share" and ask.rate_concept is None
    assert "actual" not in ask.operands[1].qualifiers and "actual" in ask.operands[0].qualifiers


def test_a_weight_is_not_a_score_and_a_target_is_not_an_actual(g) -> None:
    facts = [
        index_fact(cell(0, "满意度", "分值", "10", "分", c=1), "t", g),
        index_fact(cell(1, "满意度", "得分", "9", "分", c=2), "t", g),
    ]
    # "满意度这项得分" asks a score about a rate: not the rate, and handed on
    assert parse("满意度这项得分是多少？", g).op == "none"
    got = find(Operand("indicator_score", "得分"), facts, g, years=[], words=("满意度",))
    assert [m.fact.value for m in got] == ["9"]  # the 分值 10 is a weight, never a score


def test_wrong_year_and_wrong_unit_do_not_fit(g) -> None:
    facts = [index_fact(cell(0, "年度资金总额", "全年执行数", "86.5", "万元"), "t", g)]
    spent = Operand("expenditure", "全年执行数")
    assert find(spent, facts, g, years=[2022])
    assert not find(spent, facts, g, years=[2021])  # the document is about 2022
    assert not find(spent, facts, g, years=[], kind="rate")  # an amount is not a rate


def test_the_question_words_must_be_in_the_row(g) -> None:
    facts = [
        index_fact(cell(0, "人员经费", "全年执行数", "40", "万元", r=1), "t", g),
        index_fact(cell(1, "公用经费", "全年执行数", "20", "万元", r=2), "t", g),
    ]
    op = Operand("expenditure", "全年执行数")
    assert [m.fact.value for m in find(op, facts, g, years=[], words=("公用经费",))] == ["20"]
    assert not find(op, facts, g, years=[], words=("维修改造",))


def test_rate_operands_come_from_one_row(g) -> None:
    from service.answer.operations.answer import same_entity

    a = Match(index_fact(cell(0, "合计", "全年执行数", "90", "万元", r=3, c=2), "t", g), 1)
    b = Match(index_fact(cell(1, "合计", "全年预算数", "100", "万元", r=3, c=1), "t", g), 1)
    other = Match(index_fact(cell(2, "其他资金", "全年预算数", "5", "万元", r=4, c=1), "t", g), 1)
    assert same_entity(a, b, along="row")
    assert not same_entity(a, other, along="row")  # never a rate across two lines of a table
    assert same_entity(b, other, along="column")  # a share: a part and its total in one column


def test_the_fact_path_answers_on_the_sample_store(sample_settings) -> None:
    """The whole path on a real ingested store (facts from ingest, the glossary, compute_metric):
    a rate stated and computable from one table line is computed and compared with the report."""
    from service.assistant import build_assistant

    assistant = build_assistant(sample_settings)
    try:
        fa = assistant.deterministic.facts()
        ask, draft = fa.answer("资金到位率是多少？")
        assert ask.op == "rate" and draft is not None and draft.found
        assert "100" in draft.text()
        _ask, none = fa.answer("项目的招标预算是多少？")
        assert none is None  # a word no document uses: handed on, never answered with 预算数
    finally:
        assistant.close()
