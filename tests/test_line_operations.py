"""Operations over a line's own figures: the figures one name calls on several lines, added
("监理费两个片区加起来"); a rate from a sentence's target and actual ("年度目标为40个，实际完成44个");
the one part of a whole a document states standing for the whole (事业编制 for 编制数, never when
another part is stated); the qualifier words and year of each figure of a sentence; a question word
that is only the segmenter's wrong cut (河塘 of 白沙河塘门口) is no unknown term; a row that totals
the others is no item of an average.

The document is written here for these tests; each expected figure is computed by hand below."""

from __future__ import annotations

import pytest
from pdfgen import deterministic_answerer, make_chinese_pdf

from ingest.facts import Fact, text_facts
from ingest.glossary import load_glossary
from ingest.models import Page
from service.answer.operations.operands import index_fact
from service.answer.operations.phrases import Binary, sole_part, split
from service.answer.operations.question import parse

TITLE = "示例县文化服务中心2024年度项目支出绩效评价报告"
PARAGRAPHS = [
    "一、项目资金情况",
    "本年度项目资金总计37.5万元，其中甲片区工程监理费18万元，测绘费4万元；乙片区工程监理费12.5万元，测绘费3万元。",
    "二、机构人员情况",
    "中心核定事业编制30名。",
    "截至年末，中心现有在职在编人员24名。",
    "三、绩效目标完成情况",
    "改造社区活动室年度目标为40个，实际完成44个，上年同期为36个。",
    "四、其他",
    "白沙河整治工程(塘门口段)设计费9万元。",
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("lineops")
    pdf = make_chinese_pdf(root / "report.pdf", title=TITLE, paragraphs=PARAGRAPHS)
    yield from deterministic_answerer(root / "data", [pdf])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected", "not_expected"),
    [
        # 18 + 12.5 = 30.5: the two 监理费 lines, not the 总计 or a 测绘费
        ("监理费两个片区加起来一共多少？", ["30.5万元"], ["37.5万元"]),
        # 44 ÷ 40 = 110.00%: this year's actual over its target, not last year's 36
        ("改造社区活动室完成了年度目标的百分之几？", ["110.00%"], ["122.22%"]),
        # (44 − 36) ÷ 36 = 22.22%: this year's actual over last year's (上年同期), not the target
        ("与上年相比，改造社区活动室增幅是多少？", ["22.22%"], ["10.00%"]),
        # 30 − 24 = 6: the only 编制 the document states is 事业编制
        ("编制还空着几个？", ["6名"], []),
        # 24 ÷ 30 = 80.00%
        ("在职在编人员占编制数的比例是多少？", ["80.00%"], []),
        ("白沙河塘门口段的设计费是多少？", ["9万元"], []),
        # a side that is itself a sum, added first: (18 + 12.5) ÷ 37.5 = 81.33%; (4 + 3) ÷ 37.5 = 18.67%
        ("两个片区的监理费合计占项目资金的比例是多少？", ["30.5万元", "81.33%"], []),
        ("测绘费总共占项目资金的百分之几？", ["7万元", "18.67%"], []),
    ],
)
def test_operations_over_a_lines_own_figures(answerer, question, expected, not_expected) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer(question, history=[])
    assert all(e in a.answer for e in expected), a.answer
    assert not any(n in a.answer for n in not_expected), a.answer
    assert a.citations and a.grounded, a.ungrounded


@pytest.mark.slow
def test_a_word_the_segmenter_cut_wrongly_is_no_unknown_term(answerer) -> None:  # type: ignore[no-untyped-def]
    # the segmenter cuts 河塘 out of 白沙河塘门口; the document says 白沙河 … (塘门口段)
    a = answerer.answer("白沙河塘门口段搞的是什么工程？", history=[])
    assert "未找到" not in a.answer and "整治工程" in a.answer, a.answer


@pytest.mark.slow
def test_a_short_follow_up_asks_the_last_question_of_another_thing(answerer) -> None:  # type: ignore[no-untyped-def]
    from service.answer.models import Turn

    first = answerer.answer("甲片区工程的监理费是多少？", history=[])
    assert "18万元" in first.answer, first.answer
    history = [
        Turn(role="user", content="甲片区工程的监理费是多少？"),
        Turn(role="assistant", content=first.answer, meta=first.meta),
    ]
    second = answerer.answer("那乙片区那个工程的呢？", history=history)
    assert "12.5万元" in second.answer and "18万元" not in second.answer, second.answer


def test_which_follow_ups_are_the_last_question_again() -> None:
    from service.answer.operations.phrases import elliptical

    g = load_glossary()
    last = "甲片区工程的监理费是多少？"
    assert elliptical("那乙片区那个工程的呢？", last, g) == "乙片区那个工程的监理费是多少？"
    for other in ("那2023年呢？", "那决算数呢？", "那执行率呢？", "那上年呢？", "其中公积金呢？"):
        assert elliptical(other, last, g) == "", other  # a year, a measure, a qualifier, a part
    assert elliptical("那乙片区呢？", "一共得了多少分？", g) == ""  # no "X的Y" to put it in


@pytest.mark.slow
def test_a_counted_sum_that_does_not_match_the_lines_found_is_not_computed(answerer) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer("测绘费三个片区加起来一共多少？", history=[])
    first = a.answer.split("\n")[0]
    assert "7万元" not in first and "计算" not in first, a.answer  # two 测绘费 lines, not three


def test_the_sum_of_every_figure_one_name_calls_is_read_with_its_count() -> None:
    assert split("监理费两个工程加一起花了多少？") == [Binary("sum_each", ("监理费",), 2)]
    assert split("三个项目的预算合计是多少？") == [Binary("sum_each", ("预算",), 3)]
    assert split("两个工程的补偿费合计占专项资金的比例是多少？") != [Binary("sum_each", ("补偿费",), 2)]


def test_a_rate_asked_in_words_is_that_rate() -> None:
    g = load_glossary()
    done = parse("改造社区活动室完成了年度目标的百分之几？", g)
    assert (done.op, done.rate_concept, done.residue) == ("rate", "completion_rate", "改造社区活动室")
    spent = parse("公务用车这块预算执行了百分之多少？", g)
    assert (spent.op, spent.rate_concept) == ("rate", "budget_execution_rate")


def _fact(i: int, value: str, description: str) -> Fact:
    return Fact(
        id=f"d:f{i:05d}", doc_id="d", value=value, unit="名", description=description,
        context=description, page=1, quote=description + value + "名", source="text", period=2024,
    )  # fmt: skip


def test_one_part_stands_for_its_whole_only_when_no_other_part_is_stated() -> None:
    g = load_glossary()
    only = [index_fact(_fact(0, "30", "核定事业编制"), "t", g)]
    assert sole_part("authorized_staff", only, g) == "institution_staff_quota"
    both = [*only, index_fact(_fact(1, "8", "核定行政编制"), "t", g)]
    assert sole_part("authorized_staff", both, g) is None  # 30 is not the 编制数 of a unit with 38
    whole = [*only, index_fact(_fact(2, "38", "核定编制数"), "t", g)]
    assert sole_part("authorized_staff", whole, g) is None


def test_each_figure_of_a_sentence_has_its_own_clauses_qualifiers_and_year() -> None:
    g = load_glossary()
    page = Page(
        number=1, text="改造社区活动室年度目标为40个，实际完成44个，上年同期为36个。上年结转资金12万元。"
    )
    facts = {f.value: f for f in text_facts("d", page, start_index=0, doc_year=2024)}
    quals = {v: g.qualifiers_in(f.context) for v, f in facts.items()}
    assert "plan" in quals["40"] and "actual" not in quals["40"]
    assert "actual" in quals["44"] and "plan" not in quals["44"]
    assert "previous_year" in quals["36"] and "plan" not in quals["36"]
    assert (facts["40"].period, facts["44"].period, facts["36"].period) == (2024, 2024, 2023)
    assert facts["12"].period == 2024  # 上年结转资金 is this year's money
    total = text_facts(
        "d", Page(number=1, text="资金总计85.98万元，其中监理费22万元。"), start_index=0, doc_year=2024
    )
    assert total[0].description.endswith("总计")
    assert "part" in g.qualifiers_in(total[1].context)
    # a clause that says neither 计划 nor 实际 is of the nearest earlier clause that does
    listed = Page(number=1, text="2023年度计划提供服务31600人次、开展培训660人次。全年实际开展培训704人次。")
    plan = {
        f.value: g.qualifiers_in(f.context) for f in text_facts("d", listed, start_index=0, doc_year=2023)
    }
    assert "plan" in plan["660"] and "actual" not in plan["660"]
    assert "actual" in plan["704"]


def test_a_row_that_totals_the_others_is_no_item_of_an_average() -> None:
    from types import SimpleNamespace

    from service.answer.operations.average import _sum_rows

    weights = ["20", "50", "20", "10", "100"]  # the last row's 权重 is the sum of the four above
    scores = ["20.00", "38.70", "14.78", "9.20", "82.68"]
    cells = [
        SimpleNamespace(row_index=r, col_index=col, value=v)
        for r, (w, s) in enumerate(zip(weights, scores, strict=True))
        for col, v in ((1, w), (2, s))
    ]
    assert _sum_rows(cells) == {4}
    assert _sum_rows(cells[:6]) == set()  # three rows: too few to tell a total from an item
    items = [SimpleNamespace(row_index=r, col_index=1, value=v) for r, v in enumerate(["3", "4", "5", "6"])]
    assert _sum_rows(items) == set()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("wholeofparts")
    pdf = make_chinese_pdf(
        root / "archive.pdf",
        title="示例县档案馆2024年度部门整体支出绩效自评报告",
        paragraphs=["一、部门基本情况", "档案馆核定行政编制12名，事业编制8名。", "年末在职在编人员17名。"],
    )
    yield from deterministic_answerer(root / "data", [pdf])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # 编制数 is stated nowhere; one sentence lists its parts: 12 + 8 = 20; 17 ÷ 20 = 85.00%
        ("在职在编人员占编制数的比例是多少？", ["20名", "85.00%"]),
        ("编制还空着几个？", ["3名"]),  # 20 − 17
    ],
)
def test_a_whole_no_document_states_is_the_sum_of_its_listed_parts(archive, question, expected) -> None:  # type: ignore[no-untyped-def]
    a = archive.answer(question, history=[])
    assert all(e in a.answer for e in expected), a.answer
    assert "12名" in a.answer and "8名" in a.answer, a.answer  # the parts are shown and cited
    assert a.citations and a.grounded, a.ungrounded


def test_a_sum_asked_is_no_check_of_the_report() -> None:
    from service.answer.deterministic.analysis import _SUM_ONLY
    from service.answer.operations.question import asked_kind

    assert _SUM_ONLY("产出指标下面那几项的分值加起来一共多少？")
    assert not _SUM_ONLY("三项加起来等于总额吗？")  # a yes/no check stays a check
    assert not _SUM_ONLY("各项得分加起来和总分对得上吗？")
    assert asked_kind("产出指标下面那几项的分值加起来一共多少？") != "count"  # 那几项: pointing, not counting
    assert asked_kind("质量指标设了几项？") == "count"


def test_a_bracket_in_a_header_is_a_unit_only_when_it_names_one() -> None:
    from service.answer.deterministic.finders import _unit_of

    assert _unit_of("", "谢凯13990260322(办公)/全年预算数(A)") == ""  # a phone's note, no unit
    assert _unit_of("", "金额（万元）") == "万元"


def test_an_amount_per_head_is_no_columns_mean() -> None:
    from types import SimpleNamespace

    from service.answer.operations.average import average_answer

    owner = SimpleNamespace(glossary=load_glossary())  # refused before any table is read
    assert average_answer(owner, "平均每个在编人员的人员经费是多少？", None) is None


def test_an_actual_asked_is_never_the_quota_beside_it() -> None:
    from service.answer.operations.fit import _missing_qualifier

    g = load_glossary()
    quota = Fact(
        id="d:f00001", doc_id="d", value="158", unit="人", description="行政编制 编制人数（人）",
        context="行政编制 编制人数（人）", page=1, quote="行政编制 158 144", source="table", period=2019,
        table_id="d:t00", row_index=1, col_index=1, row_path=("行政编制",), col_path=("编制人数（人）",),
    )  # fmt: skip
    placed = [index_fact(quota, "t", g)]
    assert "编制数" in _missing_qualifier("其中行政编制实有多少人？", placed, g)
    assert _missing_qualifier("行政编制有多少人？", placed, g) == ""
