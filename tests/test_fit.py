"""The fit check on looked-up figures (service/answer/operations/fit.py): each rule alone, on facts
built by hand in the shape ingest/facts.py gives them. A figure that does not fit is never shown."""

from __future__ import annotations

import pytest

from ingest.facts import Fact
from ingest.glossary import load_glossary
from service.answer.deterministic.render import Draft
from service.answer.operations.fit import check_fit
from service.answer.operations.operands import index_fact


@pytest.fixture(scope="module")
def g():
    return load_glossary()


def fact(
    i: int, desc: str, value: str, unit: str, *, page: int = 1, row=(), col=(), context: str = ""
) -> Fact:
    return Fact(
        id=f"d:f{i:05d}", doc_id="d", value=value, unit=unit, description=desc, context=context or desc,
        page=page, quote=desc, source="table" if row else "text", period=2022,
        table_id="d:t00" if row else "", row_path=tuple(row), col_path=tuple(col),
    )  # fmt: skip


def lookup(value: str, unit: str, page: int = 1) -> Draft:
    return Draft(
        "answer_lookup", {"figures": [], "missing": [], "check": None},
        meta={"figures": [{"value": value, "unit": unit, "page": page}]},
    )  # fmt: skip


def verdict(question, draft, facts, g):
    items = [index_fact(f, "某县某局2022年项目支出绩效自评表", g) for f in facts]
    return check_fit(question, draft, lambda: items, g)


def test_a_fitting_figure_stands(g) -> None:
    facts = [fact(0, "年度资金总额 全年执行数", "86.5", "万元", row=["年度资金总额"], col=["全年执行数"])]
    assert verdict("全年执行数是多少？", lookup("86.5", "万元"), facts, g) is None


def test_a_weight_is_not_the_score_asked(g) -> None:
    facts = [fact(0, "投入 分值", "13", "分", row=["投入"], col=["分值"])]
    v = verdict("在职人员控制率这一项满分几分？", lookup("13", "分"), facts, g)
    assert v is not None and "不是所问的量" in v[1]


def test_a_line_number_is_not_a_measure(g) -> None:
    facts = [
        fact(
            0,
            "一般公共预算财政拨款收入 金额",
            "440.55",
            "万元",
            row=["一般公共预算财政拨款收入"],
            col=["金额"],
        )
    ]
    v = verdict("一般公共预算财政拨款收入是多少？", lookup("1", ""), facts, g)
    assert v is not None  # "1" is in no fact: a 栏次, not the income


def test_the_kind_asked_decides(g) -> None:
    facts = [fact(0, "预算执行率", "86", "%", row=["预算执行"], col=["执行率"])]
    assert verdict("按执行率折算这项得几分？", lookup("86", "%"), facts, g) is not None
    assert verdict("执行率是多少？", lookup("86", "%"), facts, g) is None


def test_what_if_questions_are_not_answered_with_a_looked_up_figure(g) -> None:
    facts = [fact(0, "重点支出安排率 分值", "5", "分", row=["重点支出安排率"], col=["分值"])]
    v = verdict("重点支出安排率只有85%的话能得几分？", lookup("5", "分"), facts, g)
    assert v is not None and "推算" in v[0] + v[1]


def test_a_target_is_not_an_actual(g) -> None:
    facts = [fact(0, "累计接听率", "96.12", "%", context="全年累计接听率为96.12%")]
    v = verdict("接听率的计划目标定的是多少？", lookup("96.12", "%"), facts, g)
    assert v is not None and "计划或目标" in v[1]


def test_a_total_is_not_the_part_the_question_names(g) -> None:
    facts = [
        fact(0, "累计受理求助类信息", "691.51", "万件"),
        fact(1, "共计", "1036.39", "万件", context="累计受理派单类信息344.88万件，共计1036.39万件"),
    ]
    v = verdict("求助类信息受理了多少？", lookup("1036.39", "万件"), facts, g)
    assert v is not None and "更贴切" in v[1]
    assert verdict("求助类信息受理了多少？", lookup("691.51", "万件"), facts, g) is None


def test_the_part_asked_is_not_its_whole(g) -> None:
    facts = [fact(0, "基本支出", "2476260.58", "元", context="基本支出2476260.58元，其中人员经费2128270.5元")]
    v = verdict("2024年基本支出里人员经费是多少？", lookup("2476260.58", "元"), facts, g)
    assert v is not None


def test_last_year_asked_is_not_this_year_found(g) -> None:
    facts = [fact(0, "基本支出", "2476260.58", "元", context="基本支出2476260.58元，比上年减少4966.66元")]
    v = verdict("基本支出上一年安排了多少？", lookup("2476260.58", "元"), facts, g)
    assert v is not None and "上年" in v[1]
