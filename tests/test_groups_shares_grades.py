"""Score groups, a line's share of its table's total, a completion rate of the goal's own year, a
growth from two years' cells and a document's grade from its own total. Facts are built by hand in
the shape ingest/facts.py gives them, so each rule is seen alone; the figures are worked out by hand
in the comments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ingest.facts import Fact
from ingest.glossary import load_glossary
from ingest.models import Page
from service.answer.operations.answer import FactAnswerer, grade_of_document
from service.answer.operations.question import parse
from service.search.facts import index_fact


@pytest.fixture(scope="module")
def g():
    return load_glossary()


def cell(
    i: int,
    row: tuple[str, ...],
    col: str,
    value: str,
    unit: str = "",
    *,
    r: int = 0,
    c: int = 0,
    period: int | None = None,
    table: str = "d:t00",
    caption: str = "",
) -> Fact:
    labels = f"{'/'.join(row)} {col}"
    return Fact(
        id=f"d:f{i:05d}", doc_id="d", value=value, unit=unit,
        description=f"{caption} {labels}" if caption else labels, context=f"{caption} {labels}", page=1,
        quote="｜".join((*row, value)), source="table", period=period, table_id=table, row_index=r,
        col_index=c, row_path=row, col_path=(col,),
    )  # fmt: skip


class _Index:
    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def items(self, doc_ids: list[str] | None) -> list[Any]:
        return self._items


class _Store:
    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages

    def get_pages(self, doc_id: str) -> list[Page]:
        return self.pages


class _Toolbox:
    """compute_metric as the real toolbox does it: the metrics module, nothing else."""

    def __init__(self, items: list[Any], pages: list[Page] | None = None) -> None:
        self.index = _Index(items)
        self.store = _Store(pages or [])

    def fact_index(self) -> _Index:
        return self.index

    def compute_metric(self, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        from service.metrics import compute

        return compute(name, inputs).to_computation()


def answerer(g, facts: list[Fact], title: str, *, year: int | None = None, pages=None) -> FactAnswerer:
    return FactAnswerer(_Toolbox([index_fact(f, title, g, year) for f in facts], pages), g)


def value_of(draft) -> Decimal:
    assert draft is not None and draft.computations, draft
    return round(Decimal(draft.computations[-1].value), 2)


# ── a group's 得分率 asked as a share of its full marks ──────────────────────────────────────


def test_a_percentage_of_the_full_marks_is_the_groups_score_rate(g) -> None:
    for q in ("“产出”这一块拿到了分值的百分之几？", "产出得了满分的百分之多少？"):
        ask = parse(q, g)
        assert (ask.op, ask.rate_concept) == ("rate", "score_rate"), q
    # 预算 is the denominator of both 预算执行率 and 资金到位率: which one is meant is not said
    assert parse("执行了预算的百分之几？", g).rate_concept is None


def test_a_score_column_printed_without_its_unit(g) -> None:
    # 实际得分 printed bare, 分值 in 分: the 产出 row's rate is 35.3 ÷ 40 = 88.25%, not the 总计's
    rows = [("决策", "20", "19.4"), ("产出", "40", "35.3"), ("总计", "100", "93.7")]
    facts = []
    for r, (name, weight, score) in enumerate(rows):
        facts.append(cell(2 * r, (name,), "分值", weight, "分", r=r, c=1))
        facts.append(cell(2 * r + 1, (name,), "实际得分", score, "", r=r, c=2))
    a = answerer(g, facts, "某项目绩效评价报告")
    assert value_of(a.answer("产出指标得了满分的百分之多少？")[1]) == Decimal("88.25")


def test_a_groups_full_marks_in_brackets_after_its_score(g) -> None:
    quote = "各部分得分为:项目决策10.7分(满分15分),项目过程19.0分(满分20分),项目产出26.8分。"

    def said(i: int, value: str, context: str, description: str) -> Fact:
        return Fact(
            id=f"d:s{i}", doc_id="d", value=value, unit="分", description=description, context=context,
            page=1, quote=quote, source="text", period=2019,
        )  # fmt: skip

    facts = [
        said(0, "10.7", "项目决策10.7分", "项目决策"),
        said(1, "15", "项目决策10.7分(满分15分", "满分"),
        said(2, "19.0", "项目过程19.0分", "项目过程"),
        said(3, "20", "项目过程19.0分(满分20分", "满分"),
        said(4, "26.8", "项目产出26.8分", "项目产出"),
    ]
    a = answerer(g, facts, "某项目绩效评价报告")
    assert value_of(a.answer("项目过程部分的得分率是多少？")[1]) == Decimal("95.00")  # 19.0 ÷ 20
    # 项目产出 states no full marks of its own: another group's 满分 is never used
    draft = a.answer("项目产出部分的得分率是多少？")[1]
    assert draft is None or not draft.computations or "26.8" not in str(draft.computations[-1].formula)


# ── completion rate and a line's share ──────────────────────────────────────────────────────


def test_a_bracket_restating_the_formula_is_not_a_line(g) -> None:
    ask = parse("举办群众文化培训的完成率是多少（实际完成值相对年度指标值）？", g)
    assert ask.rate_concept == "completion_rate" and "相对" not in ask.residue
    # a bracket that says something else stays
    assert "乡镇" in parse("培训的完成率是多少（乡镇部分）？", g).residue


def test_a_years_goal_is_met_by_that_years_done(g) -> None:
    facts = [
        cell(0, ("实施临时救助",), "年度目标值", "570", "户", c=1, period=2020),
        cell(1, ("实施临时救助",), "2019年完成值", "514", "户", c=2, period=2019),
        cell(2, ("实施临时救助",), "2020年完成值", "520", "户", c=3, period=2020),
    ]
    a = answerer(g, facts, "某项目2020年度绩效评价报告", year=2020)
    # 520 ÷ 570 = 91.23%; 2019's 514 is no completion of the 2020 goal
    assert value_of(a.answer("实施临时救助完成了年度目标的百分之几？")[1]) == Decimal("91.23")


def budget_table() -> list[Fact]:
    rows = [
        ("一、基本支出", "4327.18", "3942.48"),
        ("二、项目支出", "5083.00", "3934.24"),
        ("合计", "9410.18", "7876.72"),
    ]
    facts = []
    for r, (name, budget, final) in enumerate(rows):
        facts.append(cell(2 * r, (name,), "全年预算数（万元）", budget, "万元", r=r, c=1, period=2021))
        facts.append(cell(2 * r + 1, (name,), "决算数（万元）", final, "万元", r=r, c=2, period=2021))
    return facts


def test_a_lines_share_of_the_total_in_the_measure_asked(g) -> None:
    a = answerer(g, budget_table(), "某局部门整体支出绩效评价报告")
    # 3942.48 ÷ 7876.72 = 50.05%: the 决算 column of both, whichever way the question says it
    for q in ("决算里基本支出占多大比例？", "基本支出占全部支出决算的比重是多少？"):
        assert value_of(a.answer(q)[1]) == Decimal("50.05"), q
    # two lines named: not one line's share of the total
    draft = a.answer("基本支出和项目支出占决算的比例是多少？")[1]
    assert draft is None or not draft.computations or value_of(draft) != Decimal("50.05")


def test_a_part_is_divided_by_its_whole_whichever_is_said_first(g) -> None:
    ask = parse("收入里财政拨款占了多少？", g)
    assert ask.op == "share" and [o.concept for o in ask.operands] == ["fiscal_appropriation", "revenue"]


# ── growth from two years' cells ────────────────────────────────────────────────────────────


def test_a_growth_from_the_two_years_of_one_row(g) -> None:
    caption = "2021年“三公”经费支出与上年对比"  # ingest describes a 合计 row by its table's caption
    facts = [
        cell(0, ("公务接待费",), "2020年", "8.04", "万元", r=0, c=1, period=2020),
        cell(1, ("公务接待费",), "2021年", "7.27", "万元", r=0, c=2, period=2021),
        cell(2, ("总计",), "2020年", "41.07", "万元", r=1, c=1, period=2020, caption=caption),
        cell(3, ("总计",), "2021年", "31.61", "万元", r=1, c=2, period=2021, caption=caption),
    ]
    items = [index_fact(f, "某局2021年度部门整体支出绩效评价报告", g, 2021) for f in facts]
    a = FactAnswerer(_Toolbox(items), g)
    # (31.61 − 41.07) ÷ 41.07 = −23.03%
    assert value_of(a.answer("三公经费比2020年增减了百分之多少？")[1]) == Decimal("-23.03")
    assert value_of(a.answer("“三公”经费合计同比变化幅度是多少？")[1]) == Decimal("-23.03")


# ── a document's grade from its own total score ─────────────────────────────────────────────

RULE = "注：评价等级划分为优（90分及以上）、良（80（含）—90分）、中（60（含）—80分）、差（60分以下）。"


def score_table(total: str) -> list[Fact]:
    return [
        cell(0, ("决策小计",), "标准分", "20", "", r=0, c=1),
        cell(1, ("决策小计",), "得分", "16.5", "分", r=0, c=2),
        cell(2, ("总计",), "标准分", "100", "", r=1, c=1),
        cell(3, ("总计",), "得分", total, "分", r=1, c=2),
    ]


def test_the_grade_of_the_documents_total_by_its_own_rule(g) -> None:
    a = answerer(g, score_table("84.5"), "某项目绩效评价得分表", pages=[Page(number=1, text=RULE)])
    draft = grade_of_document(a, "按得分这个项目评为什么等级？", None)
    assert draft is not None and draft.variables["grade"] == "良" and draft.variables["score"] == "84.5"
    assert draft.variables["rule"] is not None  # the document's own bands, cited
    # a score given in the question is the old path's; two different totals grade nothing
    assert grade_of_document(a, "85分是什么等级？", None) is None
    said = Fact(
        id="d:s0", doc_id="d", value="88.0", unit="分", description="综合得分", context="综合得分88.0分",
        page=1, quote="综合得分88.0分。", source="text",
    )  # fmt: skip
    two = answerer(g, [*score_table("84.5"), said], "某项目绩效评价得分表", pages=[Page(number=1, text=RULE)])
    assert grade_of_document(two, "按得分这个项目评为什么等级？", None) is None


def test_label_first_grade_bands_are_read() -> None:
    from service.metrics._check_policy import grade_rule_from_policy

    rule = grade_rule_from_policy([Page(number=1, text=RULE)])
    assert [(b.label, int(b.min)) for b in rule.bands] == [("优", 90), ("良", 80), ("中", 60), ("差", 0)]


def test_items_without_a_group_right_after_one_may_be_its_own(g) -> None:
    # a page break dropped 效益's label from its last two items: 效益's sum is unknown (4 + 5 is not
    # it), 产出's (read whole, followed by 效益's own rows) is still 7 + 9 = 16
    rows = [
        (("产出", "产出数量", "实际完成率"), "10", "7"),
        (("产出", "产出质量", "质量达标率"), "12", "9"),
        (("效益", "项目效益", "社会效益"), "4", "4.00"),
        (("效益", "项目效益", "生态效益"), "5", "4.47"),
        (("可持续影响",), "8", "8.00"),
        (("服务对象满意度",), "3", "1.96"),
    ]
    facts = []
    for r, (row, weight, score) in enumerate(rows):
        facts.append(cell(2 * r, row, "分值", weight, "分", r=r, c=3))
        facts.append(cell(2 * r + 1, row, "评价得分", score, "", r=r, c=4))
    a = answerer(g, facts, "某项目绩效评价得分表")
    draft = a.answer("效益部分各项加起来一共得了多少分？")[1]
    assert draft is None or not draft.computations, draft
    assert value_of(a.answer("产出部分各项加起来一共得了多少分？")[1]) == Decimal("16")


def test_the_documents_kind_is_no_line(g) -> None:
    # "得分表最后合计多少分": 得分表 names the document, 最后 nothing; the total row's score is asked
    assert parse("得分表最后合计多少分？", g).residue == ""


def test_a_changes_words_are_no_line_but_actual_stays(g) -> None:
    # 变化幅度 says what is done; 实际 tells the done figure's row (实际完成值) from its target's
    assert parse("“三公”经费合计同比变化幅度是多少？", g).residue == ""
    assert "实际" in parse("2022年开展农业技术培训实际完成了多少？", g).residue
