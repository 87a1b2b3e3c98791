"""Operations over a line's own figures: the figures one name calls on several lines, added
("监理费两个片区加起来"); a rate from a sentence's target and actual ("年度目标为40个，实际完成44个");
the one part of a whole a document states standing for the whole (事业编制 for 编制数, never when
another part is stated); and the qualifier words and year of each figure of a sentence.

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
        # 30 − 24 = 6: the only 编制 the document states is 事业编制
        ("编制还空着几个？", ["6名"], []),
        # 24 ÷ 30 = 80.00%
        ("在职在编人员占编制数的比例是多少？", ["80.00%"], []),
    ],
)
def test_operations_over_a_lines_own_figures(answerer, question, expected, not_expected) -> None:  # type: ignore[no-untyped-def]
    a = answerer.answer(question, history=[])
    assert all(e in a.answer for e in expected), a.answer
    assert not any(n in a.answer for n in not_expected), a.answer
    assert a.citations and a.grounded, a.ungrounded


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
