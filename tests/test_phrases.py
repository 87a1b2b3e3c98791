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
        # the measure after 多少 is both sides' (written for this test, not from a document)
        ("东区比西区多拨了多少补助资金？", "difference", ("东区的补助资金", "西区的补助资金")),
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


def test_a_follow_up_measures_the_last_answer_against_another_quantity() -> None:
    from service.answer.operations.phrases import PREVIOUS, follows_previous

    r = split("和在职在编人数比是百分之多少？")
    assert r and r[0].op == "share" and r[0].sides == (PREVIOUS, "在职在编人数")
    assert follows_previous("跟年初预算相比，占多大比例？")
    assert not follows_previous("在职在编人数是多少？")


def test_a_share_of_a_sum_is_not_answered_as_the_sum() -> None:
    """ "甲和乙两个项目的债券合计占总规模多少": the sum is only the numerator; never state it as the answer."""
    assert all(r.op != "sum" for r in split("兰亭院区和齐贤医院两个项目的债券合计占总规模多少？"))


def test_the_same_words_in_another_order_name_the_same_line() -> None:
    from service.answer.operations.phrases import _reordered

    assert _reordered("在编在职", "现单位实有在职在编人员")
    assert not _reordered("在编在职", "现单位事业编制")
    assert not _reordered("监理", "九山河一期监理费")  # too short to reorder


def test_a_count_before_a_measure_gives_every_part_that_measure() -> None:
    """ "相关性和可持续性两项加权得分": each part's 加权得分; 加权 is no join."""
    r = split("相关性和可持续性两项加权得分合计多少？")[0]
    assert r.op == "sum" and r.sides == ("相关性加权得分", "可持续性加权得分")


def test_a_share_may_end_in_plain_duoshao() -> None:
    assert split("行政编制在全部编制里占多少？")[0].sides == ("行政编制", "全部编制")
    assert split("马鞍医院那个项目的债券占三个项目总规模的多少？")[0].op == "share"
