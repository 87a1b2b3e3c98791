"""A report's total score, grade and indicator rows in questions across documents (issue #13).

Pure tests on constructed facts and tables (what is a score, what is a weight, which 完成值 is this
year's, blank stays blank), then real generated report PDFs (LibreOffice) and two corpus PDFs next to
generated forms in one store: expected scores are the generator's own figures or what the corpus PDF
prints (checked by reading the PDF's text here, not through jixiao)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from portfolio_docs import ingest_portfolio

from evals.generator import portfolio as gen
from ingest.models import Cell, Table
from service.portfolio import report_scores

SEED = 5
CORPUS = Path(__file__).resolve().parents[1] / "evals" / "corpus" / "pdf"
SELF_REPORT = "yunnan-changning-diyi-xiaoxue-2023-self-eval.pdf"  # prints its 自评得分 in a sentence
THIRD_PARTY = "shanghai-jiading-wenlv-2018-evaluator-score.pdf"  # a 评价机构's score table with 合计


def fact(value: str, concepts: set[str], *, unit: str = "分", source: str = "text", col: str = "",
         row: str = "", total: bool = False, part: bool = False, period: int | None = 2022,
         description: str = "评价得分", table: str = "t1") -> SimpleNamespace:  # fmt: skip
    f = SimpleNamespace(value=value, unit=unit, source=source, period=period, page=3, table_id=table,
                        row_path=(row,) if row else (), col_path=(col,) if col else (), description=description)  # fmt: skip
    qualifiers = ({"total"} if total else set()) | ({"part"} if part else set())
    measures = frozenset(concepts) if source == "table" else frozenset()
    return SimpleNamespace(fact=f, concepts=frozenset(concepts), measures=measures, qualifiers=qualifiers)


# ---- the total score ------------------------------------------------------------------------------


def test_total_row_score_is_the_total_never_the_weight_nor_the_rate() -> None:
    items = [
        fact("100", {"indicator_score", "total_weight"}, source="table", col="分值", row="合计", total=True),
        fact("86.85", {"indicator_score"}, source="table", col="得分", row="合计", total=True),
        fact("86.9", {"indicator_score"}, unit="", source="table", col="得分率", row="合计", total=True),
        fact("32.21", {"indicator_score", "output"}, source="table", col="得分", row="产出"),
    ]
    v = report_scores.total_score(items, 2022)
    assert v is not None and v.value == Decimal("86.85") and v.page == 3 and "合计" in v.where
    # only the weight column on the 合计 row: no score (a 分值 is never reported as a score)
    assert report_scores.total_score(items[:1], 2022) is None
    # a funds table's 合计 row scores the funds (预算执行 得分), not the project
    funds = [
        fact(
            "120.00",
            {"budget_amount"},
            unit="万元",
            source="table",
            col="预算数",
            row="合计",
            total=True,
            table="t2",
        ),
        fact("9.5", {"indicator_score"}, source="table", col="得分", row="合计", total=True, table="t2"),
    ]
    assert report_scores.total_score(funds, 2022) is None
    assert report_scores.total_score([*funds, *items], 2022).value == Decimal("86.85")  # type: ignore[union-attr]


def test_sentence_score_when_one_value_and_not_a_part_nor_another_year() -> None:
    said = fact("92.00", {"total_score"})
    assert report_scores.total_score([said], 2022).value == Decimal("92.00")  # type: ignore[union-attr]
    part = fact("19.10", {"total_score", "indicator_score"}, part=True)
    earlier = fact("88.5", {"total_score"}, period=2021)
    assert report_scores.total_score([said, part, earlier], 2022).value == Decimal("92.00")  # type: ignore[union-attr]
    # two different totals stated, nothing tells which is this report's: 未找到, not a pick
    assert report_scores.total_score([said, fact("85", {"total_score"})], 2022) is None
    assert report_scores.total_score([fact("20", {"total_score"}, description="满分20分")], 2022) is None


def test_grade_only_when_the_report_states_one() -> None:
    g = report_scores.grade([(1, "一、概况"), (4, "经综合评价，项目得分86分，评价等级为“良”。")])
    assert g is not None and (g.text, g.page) == ("良", 4)
    assert report_scores.grade([(2, "评价等级为“良”"), (5, "绩效等级：“优”")]) is None
    assert report_scores.grade([(2, "评价等级分为优、良、中、差四档")]) is None  # no grade stated


# ---- indicator rows from tables -------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]], *, page: int = 2) -> Table:
    cells = []
    for r, row in enumerate(rows):
        for c, raw in enumerate(row[1:], start=1):
            num = raw.rstrip("分") if raw.rstrip("分").replace(".", "").isdigit() else None
            cells.append(Cell(r, c, (row[0],), (header[c],), raw, num, "", page, raw.endswith("%")))
    return Table("d:t00", "d", 0, "表3 绩效指标完成情况", "", [page], [header], rows, cells)


def test_indicator_rows_take_this_years_values_and_keep_blanks_blank() -> None:
    t = _table(
        ["指标名称", "年度指标值", "2021年完成值", "2022年完成值", "分值", "得分"],
        [
            ["群众满意度", "≥90%", "93%", "88%", "10", "8"],
            ["培训人次", "≥500人次", "480人次", "520人次", "10", ""],
            ["合计", "", "", "", "20", "8"],
        ],
    )
    rows = report_scores.indicators([t], 2022)
    assert [r.name for r in rows] == ["群众满意度", "培训人次"]  # the 合计 row is no indicator
    sat, trained = rows
    assert (sat.actual, sat.comparator, sat.met) == ("88%", "≥", False)  # the 2022 column, not 2021's
    assert sat.score is not None and sat.score.value == Decimal("8") and sat.max is not None
    assert sat.max.value == Decimal("10") and sat.page == 2
    assert "satisfaction_rate" in sat.concepts or "service_satisfaction" in sat.concepts
    assert trained.score is None and trained.met is True  # a blank 得分 stays blank, never 0


def test_two_completion_columns_without_the_reports_year_are_not_read() -> None:
    t = _table(
        ["指标名称", "年度目标值", "2020年完成值", "2021年完成值"],
        [["配置设备", "≥890台", "800台", "904台"]],
    )
    (row,) = report_scores.indicators([t], 2022)  # neither column names 2022: no actual
    assert row.actual == "" and row.met is None
    (unknown,) = report_scores.indicators([t], None)
    assert unknown.actual == ""


def test_score_rate_column_and_tables_without_indicator_columns() -> None:
    levels = _table(["一级指标", "标准分", "得分", "得分率"], [["产出", "35", "32.21", "92.03%"]])
    (row,) = report_scores.indicators([levels], 2022)
    assert row.score is not None and row.score.value == Decimal("32.21") and row.max.value == Decimal("35")  # type: ignore[union-attr]
    money = _table(["项目", "预算数", "执行数"], [["设备购置费", "100.00", "98.00"]])
    assert report_scores.indicators([money], 2022) == []


# ---- real reports and forms in one store ------------------------------------------------------------


@pytest.fixture(scope="module")
def store_of_reports(tmp_path_factory: pytest.TempPathFactory):
    """Two units' forms and two units' project reports, three years each, and two corpus reports."""
    root = tmp_path_factory.mktemp("report-scores")
    extra = (CORPUS / SELF_REPORT, CORPUS / THIRD_PARTY)
    assistant, forms, reports, ids = ingest_portfolio(
        root, SEED, units=2, report_units=2, years=3, extra=extra
    )
    yield assistant, forms, reports, ids
    assistant.close()


def test_ranking_by_score_counts_reports_with_grade_and_page(store_of_reports) -> None:
    assistant, forms, reports, ids = store_of_reports
    year = gen.FIRST_YEAR + 1
    expected = sorted(
        [(f.total, f.agency) for _n, f in forms if f.year == year]
        + [(r.score, r.agency) for _n, r in reports if r.year == year]
    )
    answer = assistant.ask(f"{year}年得分最低的五个项目")
    assert answer.table is not None, answer.answer
    got = [(Decimal(r["cells"]["value"]["value"]), r["cells"]["unit"]) for r in answer.table["rows"]]
    assert got == expected[:5], answer.answer
    by_name = {n: r for n, r in reports}
    for row in answer.table["rows"]:
        cite = answer.citations[row["cite"] - 1]
        assert cite.doc_id == row["doc_id"] and cite.page >= 1
        name = next((n for n in by_name if ids[n] == row["doc_id"]), None)
        if name is not None:  # a report: its grade is the one it prints, quoted with its page
            text = by_name[name].doc.html()
            assert row["cells"]["grade"] and f"“{row['cells']['grade']}”" in text
            assert "总得分" in cite.quote and "等级" in cite.quote


def test_self_evaluation_scores_leave_out_a_third_partys(store_of_reports) -> None:
    from pypdf import PdfReader

    assistant, _forms, _reports, ids = store_of_reports
    answer = assistant.ask("自评得分最高的三个项目")
    assert answer.table is not None
    assert ids[THIRD_PARTY] not in {r["doc_id"] for r in answer.table["rows"]}
    assert any("第三方" in n for n in answer.notes)
    row = next((r for r in answer.table["rows"] if r["doc_id"] == ids[SELF_REPORT]), None)
    assert row is not None, answer.answer  # the corpus self-evaluation report, read from its sentence
    printed = "".join(PdfReader(CORPUS / SELF_REPORT).pages[0].extract_text().split())
    assert f"自评得分{row['cells']['value']['text']}" in printed
    assert answer.citations[row["cite"] - 1].page == 1
    anyone = assistant.ask("得分最高的20个项目")
    assert ids[THIRD_PARTY] in {r["doc_id"] for r in anyone.table["rows"]}, anyone.answer  # type: ignore[index]


def test_decline_and_trend_of_report_scores(store_of_reports) -> None:
    assistant, forms, reports, _ids = store_of_reports
    series: dict[str, list[tuple[int, Decimal]]] = {}
    for _n, f in forms:
        series.setdefault(f.agency, []).append((f.year, f.total))
    for _n, r in reports:
        series.setdefault(r.agency, []).append((r.year, r.score))
    fell = sorted(u for u, pts in series.items() if [v for _y, v in sorted(pts)] == sorted((v for _y, v in pts), reverse=True) and len({v for _y, v in pts}) == 3)  # fmt: skip
    answer = assistant.ask("连续两年得分下降的项目有哪些？")
    for unit in series:
        assert (unit in answer.answer) == (unit in fell), (unit, fell, answer.answer)
    unit = reports[0][1].agency
    trend = assistant.ask(f"{unit}{gen.FIRST_YEAR}—{gen.FIRST_YEAR + 2}年评价得分的变化")
    assert trend.table is not None and len(trend.table["rows"]) == 3, trend.answer
    for _n, r in reports:
        if r.agency == unit:
            assert f"{r.score}分（{r.year}年）" in trend.answer, trend.answer


def test_report_indicator_rows_are_cited_and_weights_are_not_scores(store_of_reports) -> None:
    assistant, _forms, reports, ids = store_of_reports
    year = gen.FIRST_YEAR + 1
    answer = assistant.ask(f"{year}年各项目的产出指标得分")
    assert answer.table is not None, answer.answer
    for name, r in reports:
        if r.year != year or "total.rate" not in r.doc.figs:
            continue  # only a report with a score table prints its 产出 row's 分值 and 得分
        got = {row["cells"]["indicator"]: row for row in answer.table["rows"] if row["doc_id"] == ids[name]}
        k = next(i for i in range(4) if "产出" in r.doc.figs[f"sc{i}.got"].label)
        row = next(v for n, v in got.items() if "产出" in n)
        assert Decimal(row["cells"]["score"]["value"]) == r.doc.v(f"sc{k}.got") != r.doc.v(f"sc{k}.max")
        assert answer.citations[row["cite"] - 1].doc_id == ids[name]


def test_report_part_scores_stated_in_prose_count_as_indicator_rows(store_of_reports) -> None:
    """A report that states its parts in a sentence (决策指标得分18分（满分20分），…) rather than a
    score table: each part is a cited row with the score the generator wrote, never its 满分."""
    assistant, _forms, reports, ids = store_of_reports
    prose = [(n, r) for n, r in reports if "total.rate" not in r.doc.figs and "sc0.got" in r.doc.figs]
    assert prose, "the seed draws no report with its part scores in prose"
    for year in sorted({r.year for _n, r in prose}):
        answer = assistant.ask(f"{year}年各项目的产出指标得分")
        assert answer.table is not None, answer.answer
        for name, r in prose:
            if r.year != year:
                continue
            html = r.doc.html()  # the 产出 part: the one the generator wrote after 产出指标得分
            k = next(i for i in range(4) if f"产出指标得分{r.doc.figs[f'sc{i}.got'].text}分" in html)
            rows = [row for row in answer.table["rows"] if row["doc_id"] == ids[name]]
            assert len(rows) == 1, (name, answer.answer)
            assert Decimal(rows[0]["cells"]["score"]["value"]) == r.doc.v(f"sc{k}.got"), answer.answer
            cite = answer.citations[rows[0]["cite"] - 1]
            assert cite.doc_id == ids[name] and str(r.doc.v(f"sc{k}.got")) in cite.quote.replace(" ", "")


# ---- identity: table headers and terms are no names ------------------------------------------------


def test_identity_rejects_a_header_row_as_title_or_field_value() -> None:
    from ingest.identity import read_identity

    header = read_identity(
        "序号考核内容考核指标评分标准权数得分", ["序号 考核内容 考核指标 评分标准 权数 得分\n1 预算编制"]
    )
    assert header.project == "" and header.unit == ""
    # “项目名称” heading a table column: the next column's header is no project name
    table = read_identity(
        "2022年度某区专项资金绩效评价情况",
        [
            "2022年度某区专项资金绩效评价情况\n项目名称 资金性质 下达规模 自评分数 自评等级\n甲工程 一般 0.5 95 优"
        ],
    )
    assert table.project != "资金性质" and "分数" not in table.project
    # a labelled field still reads, whatever follows on its line
    field = read_identity(
        "绩效自评表", ["单位名称：某县水利局  项目名称：农田灌溉渠道改造  得分：95 等级：优"]
    )
    assert (field.unit, field.project) == ("某县水利局", "农田灌溉渠道改造")


def test_identity_unit_does_not_end_inside_a_glossary_term() -> None:
    from ingest.identity import read_identity

    # 政府 ends a unit's name, but here it is inside the glossary term 地方政府专项债券
    ident = read_identity("2023年度新增地方政府专项债券项目绩效评价报告", ["一、基本情况"])
    assert ident.unit == "" and ident.year == 2023
    named = read_identity("某县人民政府2023年度地方政府专项债券项目绩效评价报告", ["一、基本情况"])
    assert named.unit == "某县人民政府"
