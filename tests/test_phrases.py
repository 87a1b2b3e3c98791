"""Two quantities named in a question's own words and the operation between them
(service/answer/operations/phrases.py): how a question is split, never what it answers."""

from __future__ import annotations

import pytest

from service.answer.operations.phrases import split


@pytest.mark.parametrize(
    ("question", "op", "sides"),
    [
        ("在编在职的人占编制数的比例是多少？", "share", ("在编在职的人", "编制数")),
        ("公务接待费在三公经费决算里占多大比重？", "share", ("公务接待费", "三公经费决算")),
        ("2023年办公经费占公用经费决算的比重有多大？", "share", ("办公经费", "公用经费决算")),
        ("在职的人比核定编制多出来几个？", "difference", ("在职的人", "核定编制")),
        ("编制比实际在职的少几个？", "difference", ("实际在职", "编制")),
        ("县委办行政编制和事业编制加起来一共多少个编制？", "sum", ("县委办行政编制", "事业编制")),
    ],
)
def test_a_question_joining_two_quantities_is_split_at_its_join(question, op, sides) -> None:
    readings = split(question)
    assert readings and readings[0].op == op and readings[0].sides == sides


def test_a_join_word_inside_a_name_gives_a_second_reading() -> None:
    """ "加上级补助收入": 加 + 上级补助收入 is one reading, 加上 + 级补助收入 another; 追加 is no join."""
    sides = [r.sides for r in split("财政拨款收入加上级补助收入一共多少？")]
    assert ("财政拨款收入", "上级补助收入") in sides
    assert next(r.sides for r in split("年初预算加上年中追加，全年预算一共多少万元？")) == (
        "年初预算",
        "年中追加",
    )


def test_a_qualifier_before_the_first_part_applies_to_every_part() -> None:
    r = split("九山河一期那边的监理费、测绘费和青苗补偿费加起来一共多少？")[0]
    assert r.op == "sum" and len(r.sides) == 3 and all(s.startswith("九山河一期那边的") for s in r.sides)


@pytest.mark.parametrize(
    "question",
    [
        "如果三公经费控制率是103%，这一项能得几分？",  # a hypothesis with its own figure
        "编制50人，实际在职51人，按这个指标表在职人员控制率能得几分？",
        "产出指标的权重是服务对象满意度指标的几倍？",  # a ratio, not a share
        "这个项目的预算执行率是多少？",
    ],
)
def test_questions_that_are_not_two_named_quantities_are_left_alone(question) -> None:
    assert split(question) == []
