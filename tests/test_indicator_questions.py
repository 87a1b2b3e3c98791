"""Questions about one indicator of a self-evaluation form named the way an official remembers it,
and the checks that keep a looked-up figure from answering a question it does not answer
(service/answer/operations/indicators.py, fit.py `operation_misfit`, question.py `asked_unit`,
compound.py, answerer.py `_asked_again`, phrases.py `sole_part`).

The form is written here for these tests (an xlsx as a unit fills it in); every expected figure is
worked out in a comment."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfgen import deterministic_answerer

from ingest.facts import Fact
from ingest.glossary import load_glossary
from service.answer.deterministic.answerer import _asked_again
from service.answer.deterministic.compound import split_compound
from service.answer.models import Turn
from service.answer.operations.fit import operation_misfit
from service.answer.operations.indicators import named_indicators
from service.answer.operations.phrases import sole_part
from service.answer.operations.question import asked_unit, same_kind_of_unit
from service.search.facts import index_fact


def _form(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append(["项目支出绩效自评表"])
    ws.append(["（2022年度）"])
    ws.append(["项目名称", "示例镇社会治理专项", None, None, None, None, None])
    ws.append(["主管部门", "示例县民政局", None, "实施单位", "示例镇人民政府", None, None])
    ws.append(["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append(["年度资金总额", 50, 50, 45, 10, "90%", 9])
    ws.append(
        [
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ]
    )
    ws.append(["产出指标", "数量指标", "办结信访案件", "168起", "168起", 20, 20, None])  # 168 ÷ 168 = 100%
    ws.append(["产出指标", "数量指标", "服务外包在岸(万美元)", "20000", "23333.56", 20, 20, None])
    # 23333.56 ÷ 20000 = 116.6678% -> 116.67%; 23333.56 − 20000 = 3333.56
    ws.append(["产出指标", "时效指标", "解决群众问题时间", "≤2天", "2天", 20, 20, None])  # a ceiling
    ws.append(
        ["产出指标", "数量指标", "★★★特困人员救助供养人数(按月平均)(≥**人)", ">=4754人", "4604人", 5, 5, None]
    )
    # a shortfall asked: 4754 − 4604 = 150人
    ws.append(["产出指标", "数量指标", "指标3:完成农村户用卫生厕所改造数量", "≥2000", "3061", 5, 5, None])
    # 3061 ÷ 2000 = 153.05%
    ws.append(
        ["产出指标", "质量指标", "★农村低保标准(≥**元/人·月)", ">=530元/人*月", "583元/人*月", 5, 5, None]
    )
    # 583 − 530 = 53 (低 is in its name, not in how the question compares)
    ws.append(["效益指标", "社会效益指标", "改善人居环境", "有效改善", "有效改善", 10, 10, None])
    ws.append(["满意度指标", "群众满意度指标", "群众对政府工作满意度", "≧90%", "95%", 10, 10, None])
    ws.append(["总分", None, None, None, None, 100, 99, None])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("indicators")
    yield from deterministic_answerer(root / "data", [_form(root / "form.xlsx")])


@pytest.mark.slow
def test_an_indicator_named_out_of_order_gets_its_completion_rate(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("信访案件办结情况怎么样？按目标算完成率多少？", history=[])
    assert "100.00%" in a.answer and "168" in a.answer, a.answer
    assert [c.metric for c in a.computations] == ["target_completion_rate"], a.computations


@pytest.mark.slow
def test_completion_rate_and_excess_of_a_named_indicator(answerer) -> None:  # type: ignore[no-untyped-def]
    rate = answerer.answer("服务外包在岸的目标完成率是多少？", history=[])
    assert "116.67%" in rate.answer, rate.answer
    more = answerer.answer("服务外包在岸实际比年初目标多完成了多少？", history=[])
    assert "3333.56" in more.answer, more.answer
    assert [c.metric for c in more.computations] == ["difference"], more.computations


@pytest.mark.slow
def test_an_indicator_behind_its_marks_and_number_and_which_way_it_is_compared(answerer) -> None:  # type: ignore[no-untyped-def]
    short = answerer.answer("特困人员救助供养人数比年度指标值少了多少人？", history=[])
    assert "150人" in short.answer and "4754" in short.answer, short.answer
    above = answerer.answer("农村低保标准实际比年度指标值高出多少元？", history=[])
    assert "为53" in above.answer and "-53" not in above.answer, above.answer
    rate = answerer.answer("农村户用卫生厕所改造实际完成数量是年度指标值的百分之多少？", history=[])
    assert "153.05%" in rate.answer, rate.answer


@pytest.mark.slow
def test_the_funds_row_and_the_groups_of_a_form(answerer) -> None:  # type: ignore[no-untyped-def]
    less = answerer.answer("实际花的钱比全年预算少了多少万元？", history=[])
    assert "5万元" in less.answer and "-5" not in less.answer, less.answer  # 50 − 45
    gap = answerer.answer("全年预算数和全年执行数相差多少？", history=[])
    assert "为5万元" in gap.answer and "-5" not in gap.answer, gap.answer  # 50 − 45, a gap has no sign
    rate = answerer.answer("按全年预算数和全年执行数算一下，预算执行率是多少？", history=[])
    assert "90.00%" in rate.answer, rate.answer  # 45 ÷ 50
    both = answerer.answer("数量、质量两类指标合计得了多少分？", history=[])
    assert "55分" in both.answer, both.answer  # 数量 20 + 20 + 5 + 5, 质量 5
    share = answerer.answer("全年执行数占全年预算数的比例是多少？", history=[])
    assert "difference" not in [c.metric for c in share.computations], share.answer  # 比例 compares nothing
    lost = answerer.answer("这张表总分一共被扣了几分？", history=[])
    assert "1分" in lost.answer and [c.metric for c in lost.computations] == ["difference"], lost.answer


@pytest.mark.slow
def test_an_indicator_differing_by_one_character_is_not_the_one_asked(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("服务外包离岸的目标完成率是多少？", history=[])
    assert "116.67" not in a.answer and "23333.56" not in a.answer, a.answer  # 在岸 is not 离岸
    assert "未找到" in a.answer, a.answer


@pytest.mark.slow
def test_a_ceiling_target_gets_no_plain_ratio(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("解决群众问题时间的完成率是多少？", history=[])
    assert "未找到" in a.answer and "反向指标" in a.answer, a.answer


@pytest.mark.slow
def test_an_indicator_named_by_its_only_group(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("群众满意度指标完成了吗？目标和实际各是多少？", history=[])
    assert "≧90%" in a.answer and "95%" in a.answer and "已达到" in a.answer, a.answer


def test_named_indicators_by_characters_and_pairs() -> None:
    form = {
        "indicators": [
            {"level2": "数量指标", "level3": "办结信访案件"},
            {"level2": "数量指标", "level3": "服务外包在岸(万美元)"},
            {"level2": "群众满意度 指标", "level3": "群众对政府工作满意度"},
        ]
    }
    names = lambda q: [i["level3"] for _f, i in named_indicators(q, [form])]  # noqa: E731
    assert names("信访案件办结得怎么样") == ["办结信访案件"]  # every character, 4 of 5 pairs
    assert names("服务外包离岸完成了多少") == []  # 在 is not in the question
    assert names("群众满意度怎么样") == ["群众对政府工作满意度"]  # its group's only indicator
    assert names("数量指标完成了吗") == []  # a group of two names neither


def test_a_looked_up_figure_must_answer_how_the_question_asks() -> None:
    one = lambda v, u: [{"value": v, "unit": u}]  # noqa: E731
    assert operation_misfit("每个种植户的培训期限是几天？", one("1000", "元"), []) is not None
    assert operation_misfit("安排金额是10万元的乡镇有几个？", one("20", "万元"), []) is not None
    assert operation_misfit("有哪些单位的支出进度达到了100%？", one("87.34", "%"), []) is not None
    assert operation_misfit("哪个乡镇的支出进度最慢？", one("75.47", "%"), []) is not None
    assert (
        operation_misfit("公务用车运行维护费比公务用车购置多安排了多少万元？", one("4070", "万元"), [])
        is not None
    )
    assert operation_misfit("除去转移支付，其余的支出一共安排了多少？", one("4169", "万元"), []) is not None
    assert operation_misfit("这几项加起来一共多少万元？", one("919543.7", "万元"), []) is not None
    # and the plain questions they resemble stand
    assert operation_misfit("培训期限是几天？", one("3", "天"), []) is None
    assert operation_misfit("全县有几所学校？", one("12", "所"), []) is None
    assert operation_misfit("公务用车运行维护费安排了多少万元？", one("1226", "万元"), []) is None


def test_the_unit_a_question_asks_in() -> None:
    assert asked_unit("培训期限是几天？") == "天"
    assert asked_unit("有几个预算单位？") == "个"
    assert asked_unit("得了多少分？") == ""  # a score: the score checks decide
    assert same_kind_of_unit("元", "万元") and same_kind_of_unit("个", "所")
    assert not same_kind_of_unit("天", "元") and not same_kind_of_unit("人", "人次")


def test_two_figures_of_one_subject_are_asked_one_by_one() -> None:
    assert split_compound("2018年公务接待了多少批次、多少人次？") == [
        "2018年公务接待了多少批次？",
        "2018年公务接待了多少人次？",
    ]


def test_a_pronoun_follow_up_asks_the_last_subject() -> None:
    g = load_glossary()
    history = [
        Turn(role="user", content="2019年财政专项扶贫资金支出了多少？"),
        Turn(role="assistant", content="…"),
    ]
    assert _asked_again("它的支出进度呢？", history, g) == "2019年财政专项扶贫资金支出进度是多少？"
    assert _asked_again("其中基本支出是多少？", history, g) == ""  # 其中 points into a whole
    assert _asked_again("这个项目的预算是多少？", history, g) == ""  # the document's own project


def test_a_row_of_a_breakdown_is_not_the_whole_the_glossary_ties_it_to() -> None:
    g = load_glossary()
    rows = [("(一)财政拨款小计", "6.30"), ("(二)自有资金小计", "0.00"), ("(三)其他收入", "0.00")]
    facts = [
        index_fact(
            Fact(
                id=f"d:f{r}", doc_id="d", value=v, unit="万元", description=f"项目资金/{label} 金额",
                context=label, page=1, quote="", source="table", table_id="t1", row_index=r, col_index=1,
                row_path=("项目资金", label), col_path=("金额",),
            ),
            "",
            g,
        )
        for r, (label, v) in enumerate(rows, start=1)
    ]  # fmt: skip
    # 自筹/自有资金 is the only part of 年度资金总额 the glossary names here, but 财政拨款 is beside it
    assert sole_part("total_funds", facts, g) is None


def test_what_a_count_question_counts_must_be_what_the_figure_counts() -> None:
    from ingest.glossary import load_glossary as _g  # noqa: F401  (the glossary's units are read)
    from service.answer.operations.cells import stated_points
    from service.answer.operations.question import counted_noun

    assert counted_noun("市卫生局下面有多少个预算单位？") == "预算单位"
    assert counted_noun("一共有多少人参加培训？") == ""  # after 人 comes what was done, not a noun
    g = load_glossary()
    fact = Fact(
        id="d:f1", doc_id="d", value="24", unit="个", description="市卫生局内设职能处室",
        context="市卫生局内设24个职能处室", page=1, quote="市卫生局内设24个职能处室，下辖45个预算单位。",
        source="text",
    )  # fmt: skip
    placed = [index_fact(fact, "", g)]
    misfit = operation_misfit("市卫生局下面有多少个预算单位？", [{"value": "24", "unit": "个"}], placed)
    assert misfit is not None and "预算单位" in misfit[0], misfit
    assert stated_points("产出指标(50)") == "50" and stated_points("产出指标(2020)") is None


def test_a_share_framed_with_its_whole_first() -> None:
    from service.answer.operations.question import parse

    g = load_glossary()
    a = parse("部门收入预算里财政拨款占多大比例？", g)
    assert a.op == "share" and [o.concept for o in a.operands] == ["fiscal_appropriation", "revenue"]
    b = parse("公务接待费在三公经费里占多大比例？", g)
    assert [o.concept for o in b.operands] == ["official_reception", "three_public"]


def test_a_gap_asked_without_a_direction_and_a_comparison_following_a_line() -> None:
    from service.answer.operations.answer import _undirected_gap

    assert _undirected_gap("实际支出和预算差了多少？") and _undirected_gap("两者相差多少万元？")
    assert not _undirected_gap("实际支出比预算少了多少？") and not _undirected_gap("比上年多了多少？")
    g = load_glossary()
    history = [
        Turn(role="user", content="公务用车运行维护费年初预算了多少？"),
        Turn(role="assistant", content="…"),
    ]
    assert _asked_again("实际支出和预算差了多少？原因是什么？", history, g) == (
        "公务用车运行维护费实际支出和预算差了多少？原因是什么？"
    )
    assert (
        _asked_again("比上年增长了多少？", [Turn(role="user", content="2020年预算执行率是多少？")], g) == ""
    )


def test_review_mends_names_units_and_directions() -> None:
    from service.answer.operations.answer import _undirected_gap

    form = {
        "indicators": [
            {"level2": "环境指标", "level3": "PM2.5年均浓度"},
            {"level2": "x", "level3": "PM10年均浓度"},
        ]
    }
    got = [i["level3"] for _f, i in named_indicators("PM10年均浓度完成了多少", [form])]
    assert got == ["PM10年均浓度"]  # a name's own letters and digits are no numbering
    assert asked_unit("今年安排了多少项目资金？") == ""  # 项 begins 项目, it is no unit
    assert not _undirected_gap("离年度目标还差多少？")  # what is still missing has a direction
