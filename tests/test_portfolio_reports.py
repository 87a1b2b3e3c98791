"""Questions across evaluation reports (PDF), not only forms (issue #13): a report's 全年预算, 实际支出
and 预算执行率 come from its facts (ingest/facts.py), one row per report, cited with document and page;
a report where no fact fits exactly says 未找到. Real generated report PDFs (LibreOffice) and forms,
real SQLite and Chroma; expected figures are the generator's own arithmetic."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from portfolio_docs import ingest_portfolio

from evals.generator import portfolio as gen
from service.portfolio.facts_rows import pick
from service.portfolio.operations import measure_table
from service.portfolio.query import parse
from service.portfolio.rows import Row, Value

SEED = 11


def q2(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---- which fact is a report's figure (pure) ------------------------------------------------------


def fact(value: str, unit: str, concept: str, *, source: str = "text", row: str = "", total: bool = False,
         period: int | None = 2022, part: bool = False) -> SimpleNamespace:  # fmt: skip
    f = SimpleNamespace(value=value, unit=unit, source=source, period=period, row_path=(row,) if row else (),
                        col_path=(), page=1, quote="", description="")  # fmt: skip
    qualifiers = {"total"} if total else set()
    if part:
        qualifiers.add("part")
    named = frozenset({concept})
    return SimpleNamespace(
        fact=f, concepts=named, measures=named if source == "table" else frozenset(), qualifiers=qualifiers
    )


def test_table_total_row_is_the_figure_not_an_item_row() -> None:
    items = [
        fact("158.81", "万元", "adjusted_budget", source="table", row="监测设备费"),
        fact("461.79", "万元", "adjusted_budget", source="table", row="合计", total=True),
        fact("151.19", "万元", "expenditure", source="table", row="监测设备费"),
        fact("419.98", "万元", "expenditure", source="table", row="合计", total=True),
        fact("95.20", "%", "budget_execution_rate", source="table", row="监测设备费"),
    ]
    chosen = pick(items, 2022)
    assert chosen["budget"].fact.value == "461.79" and chosen["spent"].fact.value == "419.98"
    assert "rate" not in chosen  # an item's rate is not the project's; the rate is computed instead


def test_sentences_of_total_and_items_resolved_by_the_stated_rate() -> None:
    items = [
        fact("5395.23", "万元", "adjusted_budget"),
        fact("1234.54", "万元", "adjusted_budget"),
        fact("5305.95", "万元", "expenditure"),
        fact("1213.55", "万元", "expenditure"),
        fact("7194.87", "万元", "expenditure", period=2020),  # an earlier year's spending
        fact("98.35", "%", "budget_execution_rate"),
    ]
    chosen = pick(items, 2022)
    assert (chosen["budget"].fact.value, chosen["spent"].fact.value) == ("5395.23", "5305.95")


def test_no_exact_fit_is_not_found_rather_than_a_guess() -> None:
    items = [  # total and item sentences, no stated rate: nothing tells which is the project's
        fact("5395.23", "万元", "adjusted_budget"),
        fact("1234.54", "万元", "adjusted_budget"),
        fact("5305.95", "万元", "expenditure"),
        fact("1213.55", "万元", "expenditure"),
    ]
    assert pick(items, 2022) == {}
    # a report without the figure is a 未找到 row, never dropped silently nor filtered as if known
    found = Row("d1", "甲报告", "甲局", "甲项目", 2022, "project_report", source="facts")
    found.measures["rate"] = Value(Decimal("80.00"), "%", "80.00%", 2, "第2页", "预算执行率")
    lost = Row("d2", "乙报告", "乙局", "乙项目", 2022, "project_report", source="facts")
    answer = measure_table([found, lost], parse("2022年哪些项目预算执行率低于90%？"))
    assert answer is not None
    by_doc = {r["doc_id"]: r for r in answer.table["rows"]}
    assert by_doc["d1"]["cite"] and answer.citations[by_doc["d1"]["cite"] - 1].page == 2
    assert by_doc["d2"]["cells"]["value"]["text"] == "未找到" and by_doc["d2"]["cite"] == 0
    assert "未找到" in answer.answer and "乙局" in answer.answer


# ---- generated reports next to forms, in one store -----------------------------------------------


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory):
    """Two units' forms and one unit's project reports, three years each, in one data dir."""
    root = tmp_path_factory.mktemp("reports")
    assistant, forms, reports, _ids = ingest_portfolio(root, SEED, units=2, report_units=1, years=3)
    yield assistant, forms, reports
    assistant.close()


def test_trend_of_a_unit_known_only_from_its_reports(mixed) -> None:
    assistant, _forms, reports = mixed
    unit = reports[0][1].agency
    years = [r.year for _n, r in reports]
    answer = assistant.ask(f"{unit}{years[0]}—{years[-1]}年预算执行率的变化")
    assert answer.table is not None and len(answer.table["rows"]) == 3, answer.answer
    for _name, r in reports:
        assert f"{r.rate}%" in answer.answer, (r.rate, answer.answer)
    for row in answer.table["rows"]:  # each row cites its own report and a page
        cite = answer.citations[row["cite"] - 1]
        assert cite.doc_id == row["doc_id"] and cite.page >= 1
    assert answer.table["chart"]["type"] == "line"


def test_totals_count_forms_and_reports_with_their_inputs(mixed) -> None:
    assistant, forms, reports = mixed
    year = gen.FIRST_YEAR + 1
    budgets = [gen.budget(f) for _n, f in forms if f.year == year] + [
        r.budget for _n, r in reports if r.year == year
    ]
    spents = [gen.spent(f) for _n, f in forms if f.year == year] + [
        r.spent for _n, r in reports if r.year == year
    ]
    answer = assistant.ask(f"{year}年全部项目的预算总额和执行总额是多少？平均执行率？")
    sums = [c for c in answer.computations if c.metric == "sum_of_parts"]
    assert [Decimal(c.value) for c in sums] == [sum(budgets), sum(spents)], answer.answer
    assert len(sums[0].inputs) == 3  # two forms and the report, each an input with its source
    ratio = next(c for c in answer.computations if c.metric == "budget_execution_rate")
    assert q2(Decimal(ratio.value)) == q2(sum(spents) / sum(budgets) * 100)
    assert "未找到" not in answer.answer


def test_a_report_without_an_exact_score_is_named_not_ranked() -> None:
    """A report's row is read for its 总得分 too: one where no figure fits exactly is named 未找到 in a
    ranking, never ranked as if known; a third party's score is no 自评得分."""
    from service.portfolio.operations import run

    form = Row("f1", "自评表", "甲局", "甲项目", 2022, "project_form", evaluator="self")
    form.measures["score"] = Value(Decimal("91.5"), "", "91.5", 1, "表1!H19", "总分·得分")
    lost = Row("d2", "乙报告", "乙局", "乙项目", 2022, "project_report", source="facts")
    answer = measure_table([form, lost], parse("自评得分最低的五个项目"))
    assert answer is not None and "乙局" in answer.answer and "未找到" in answer.answer
    assert [r["doc_id"] for r in answer.table["rows"]] == ["f1"]
    other = Row(
        "d3", "丙报告", "丙局", "丙项目", 2022, "project_report", source="facts", evaluator="third_party"
    )
    other.measures["score"] = Value(Decimal("70"), "分", "70分", 3, "第3页", "总得分")
    mine = run(parse("自评得分最低的五个项目"), [form, other], None)
    assert mine is not None and "丙局" not in mine.answer and any("第三方" in n for n in mine.notes)
    every = run(parse("得分最低的五个项目"), [form, other], None)
    assert every is not None and [r["doc_id"] for r in every.table["rows"]] == ["d3", "f1"]


def test_identity_of_report_titles_naming_unit_and_project() -> None:
    """A report's project is the same across its title styles, so one unit's years form one series."""
    from ingest.identity import read_identity

    first = ["评价组织单位：某市财政局　　项目主管部门：某县水利局\n一、基本情况"]
    for title in (
        "某县水利局农田灌溉渠道改造项目支出绩效评价报告（2021年度）",
        "关于2021年度农田灌溉渠道改造项目的绩效评价报告",
        "农田灌溉渠道改造项目2021年度绩效评价报告",
    ):
        ident = read_identity(title, first)
        assert (ident.unit, ident.project, ident.year) == ("某县水利局", "农田灌溉渠道改造", 2021), title
