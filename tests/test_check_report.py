"""`check_report` on the real fixture report: tables from `ingest.tables.extract_tables`, text from
`ingest.pdf.read_pdf` (no embedding needed). Every figure the issue lists is ok; altering one input
turns exactly the figures that depend on it into mismatches."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from service.metrics.check import CheckItem, summarize
from service.metrics.check import check_report as _check_report
from service.report_check import check_vocabulary

VOCAB = check_vocabulary()  # the glossary's rates, as the service layer passes them


def check_report(tables: Any, pages: Any, **kw: Any) -> list[CheckItem]:
    """The checker as the service runs it: with the glossary's rates."""
    return _check_report(tables, pages, vocabulary=VOCAB, **kw)


REPORT = Path(__file__).parent / "fixtures" / "report_2020_8890.pdf"
POLICY = Path(__file__).parent / "fixtures" / "policy_sample.pdf"
DOC = "report8890"


@pytest.fixture(scope="module")
def report() -> tuple[list[Any], list[Any]]:
    from ingest.pdf import read_pdf
    from ingest.tables import extract_tables

    content = read_pdf(REPORT)
    return extract_tables(REPORT, doc_id=DOC, pages=content.pages), content.pages


@pytest.fixture(scope="module")
def items(report: tuple[list[Any], list[Any]]) -> list[CheckItem]:
    tables, pages = report
    return check_report(tables, pages, doc_id=DOC)


def find(items: list[CheckItem], claim_part: str, stated: str | None = None) -> list[CheckItem]:
    return [i for i in items if claim_part in i.claim and (stated is None or i.stated == stated)]


def one(items: list[CheckItem], claim_part: str, stated: str | None = None) -> CheckItem:
    found = find(items, claim_part, stated)
    assert len(found) == 1, (claim_part, stated, [(i.claim, i.stated) for i in found])
    return found[0]


def key(item: CheckItem) -> tuple[str, int | None, str]:
    return (item.claim, item.page, item.stated)


def test_nothing_in_the_sample_report_is_a_mismatch(items: list[CheckItem]) -> None:
    bad = [(i.claim, i.stated, i.recomputed, i.why) for i in items if i.status == "mismatch"]
    assert not bad
    assert summarize(items)["ok"] >= 60


def test_every_total_row_and_column_is_checked(items: list[CheckItem]) -> None:
    sums = [i for i in items if i.kind == "table_sum"]
    expected = {
        ("表1-1", "预算金额", "11092.40"),
        ("表1-1", "到位金额", "11092.40"),
        ("表1-1", "支出金额", "11076.79"),
        ("表1-2", "2020年末人数", "865"),
        ("表1-2", "2020年月均人数", "909"),
        ("表1-2", "工资福利支出总额", "9098.24"),
        ("表1-2", "基本工资等", "5849.17"),
        ("表1-2", "保险", "2047.78"),
        ("表1-2", "公积金", "1201.29"),
        ("表1-3", "实际支出金额", "1978.55"),
        ("表2", "分值", "100"),
        ("表2", "得分", "92.37"),
    }
    for table, column, stated in expected:
        hits = [
            i for i in sums if i.claim.startswith(table + " ") and column in i.claim and i.stated == stated
        ]
        assert len(hits) == 1, (table, column, stated)
        assert hits[0].status == "ok" and hits[0].metric == "sum_check"
    assert len(sums) == len(expected)
    # the 其中 breakdown of 表1-2: each row's total equals its three parts
    breakdowns = [i for i in items if i.kind == "table_breakdown"]
    assert len(breakdowns) == 12 and all(i.status == "ok" for i in breakdowns)


@pytest.mark.parametrize(
    ("row", "stated", "formula"),
    [
        ("工资福利支出", "99.83%", "9098.24 ÷ 9113.78 × 100% = 99.83%"),
        ("商品和服务支出", "100.45%", "1978.55 ÷ 1969.62 × 100% = 100.45%"),
        ("资本性支出", "0%", "0 ÷ 9 × 100% = 0.00%"),
        ("合计", "99.86%", "11076.79 ÷ 11092.40 × 100% = 99.86%"),
    ],
)
def test_execution_rate_per_row_of_table_1_1(
    items: list[CheckItem], row: str, stated: str, formula: str
) -> None:
    item = one(items, f"表1-1 {row} 预算执行率")
    assert (item.stated, item.status, item.formula, item.metric) == (
        stated,
        "ok",
        formula,
        "budget_execution_rate",
    )
    assert item.page == 2
    assert item.computation and item.computation["inputs"][0]["source"]["column"] == "支出金额"


@pytest.mark.parametrize(
    ("column", "stated"),
    [
        ("项目决策", "88.24%"),
        ("项目过程", "84.78%"),
        ("项目产出", "100%"),
        ("项目效益", "90.32%"),
        ("合计", "92.37%"),
    ],
)
def test_score_rates_of_table_2(items: list[CheckItem], column: str, stated: str) -> None:
    item = one(items, f"表2 得分率 {column}")
    assert item.stated == stated and item.status == "ok" and item.metric == "score_rate" and item.page == 3


def test_total_score_and_grade(items: list[CheckItem]) -> None:
    assert one(items, "表2 得分 合计（各列之和）").status == "ok"
    text_total = one(items, "总分（各一级指标得分之和）")
    assert text_total.status == "ok" and text_total.stated == "92.37"
    grades = find(items, "评价等级")
    assert [(g.page, g.stated, g.recomputed, g.status) for g in grades] == [
        (1, "优", "优", "ok"),
        (3, "优", "优", "ok"),
    ]


def test_text_claims_are_ok(items: list[CheckItem]) -> None:
    budget = one(items, "预算资金（年初预算＋追加预算－调减预算）")
    assert (
        budget.status == "ok"
        and budget.formula == "10200.59 + 913 − 21.19 = 11092.40万元"
        and budget.page == 2
    )
    arrival = one(items, "资金到位率")
    assert arrival.status == "ok" and arrival.stated == "100%"
    execution = one(items, "预算执行率（实际支出÷调整后预算）")
    assert execution.status == "ok" and execution.stated == "99.86%" and execution.page == 2
    growth = find(items, "2020年较2019年增长率", "37.83%")
    assert [(g.page, g.status) for g in growth] == [(4, "ok"), (6, "ok")]
    assert all(g.formula == "(1036.39 − 751.92) ÷ 751.92 × 100% = 37.83%" for g in growth)


def test_rates_the_report_does_not_define_are_not_guessed(items: list[CheckItem]) -> None:
    """The report states 接听率, 月均人员流失率 and 单位人工成本 without their formulas, and the glossary
    has none of them: each is listed as cannot_verify with why, never recomputed by an assumed formula."""
    answer = one(items, "全年累计接听率", "96.12%")
    assert answer.status == "cannot_verify" and answer.page == 4 and "分子和分母" in answer.why
    turnover = one(items, "月均人员流失率（2020", "1.1%")
    assert turnover.status == "cannot_verify" and turnover.page == 5 and "公式" in turnover.why
    for row, stated in [("月均人员流失率", "1.10%"), ("单位人工成本", "10.01"), ("月均人员流失率", "2.72%")]:
        item = one(items, f"表3 {row}", stated)
        assert item.status == "cannot_verify" and "计算公式" in item.why and not item.alternatives
    # their 2018–2019 baselines are no mean of the years' figures either
    assert one(items, "表3 单位人工成本（万元） 2018年-2019年均值").status == "cannot_verify"
    over = one(items, "超预算金额")
    assert over.status == "ok" and over.recomputed == "8.93万元"


@pytest.mark.parametrize(
    ("claim", "stated", "convention", "other"),
    [
        ("每1万接听量人工成本较历史均值增长率", "下降15.03%", "rounded_intermediates", "-15.06%"),
        ("表3 每1万接听量人工成本较历史均值增长率", "-15.03%", "rounded_intermediates", "-15.06%"),
    ],
)
def test_rounding_convention_is_named(
    items: list[CheckItem], claim: str, stated: str, convention: str, other: str
) -> None:
    item = one(items, claim, stated)
    assert item.status == "ok" and item.convention == convention
    full = next(a for a in item.alternatives if a["convention"] == "full_precision")
    assert full["display"] == other and other in item.why


@pytest.mark.parametrize(
    ("claim", "stated", "metric"),
    [
        ("月均人员流失率较历史均值降低程度", "下降59.56%", "reduction_vs_baseline"),
        ("表3 月均人员流失率较均值流失率降低程度", "59.56%", "reduction_vs_baseline"),
        ("单位人工成本较历史均值增长率", "上涨19.45%", "change_vs_baseline"),
        ("表3 单位人工成本较历史均值增长率", "19.45%", "change_vs_baseline"),
    ],
)
def test_a_change_of_a_line_that_cannot_be_recomputed_uses_its_stated_figures(
    items: list[CheckItem], claim: str, stated: str, metric: str
) -> None:
    """The change against the baseline is defined by the report (its notes ²⁴ and the row names), its
    operands are the table's stated figures: checked from those, with no claim of full precision."""
    item = one(items, claim, stated)
    assert item.status == "ok" and item.convention == "rounded_intermediates" and item.metric == metric
    assert [a["convention"] for a in item.alternatives] == ["rounded_intermediates"]


def test_baselines_are_ratios_of_totals(items: list[CheckItem]) -> None:
    item = one(items, "表3 每1万接听量人工成本", "10.58")
    assert item.status == "ok" and item.convention == "ratio_of_totals"
    mean = next(a for a in item.alternatives if a["convention"] == "mean_of_ratios")
    assert mean["display"] == "10.56万元/万次"


def test_unpairable_figures_are_listed_not_dropped(items: list[CheckItem]) -> None:
    unverifiable = {(i.stated, i.page): i for i in items if i.status == "cannot_verify"}
    for stated, page in [("100%", 2), ("94.73%", 6), ("92.76%", 6), ("87.55%", 6), ("99.47%", 6), ("90%", 4)]:
        assert (stated, page) in unverifiable, stated
        assert unverifiable[(stated, page)].why
    assert "及时" in one(items, "资金到位及时率").claim
    assert "计划" in unverifiable[("90%", 4)].why


def test_items_are_json(items: list[CheckItem]) -> None:
    data = json.loads(json.dumps([i.to_dict() for i in items], ensure_ascii=False))
    assert {"claim", "page", "stated", "recomputed", "formula", "status", "why", "convention"} <= set(data[0])


def _altered(tables: list[Any], caption_part: str, row: str, column: str, new_raw: str) -> list[Any]:
    out = []
    for t in tables:
        t2 = dataclasses.replace(t, cells=list(t.cells), rows=[list(r) for r in t.rows])
        if caption_part in t.caption:
            for n, c in enumerate(t2.cells):
                if "".join(c.row_header) == row and "/".join(c.col_header) == column:
                    t2.cells[n] = dataclasses.replace(c, raw=new_raw, value=new_raw)
                    t2.rows[c.row_index][c.col_index] = new_raw
                    break
            else:  # pragma: no cover - the fixture has this cell
                raise AssertionError(f"no cell {row}/{column}")
        out.append(t2)
    return out


def test_one_altered_cell_flips_exactly_its_dependants(
    report: tuple[list[Any], list[Any]], items: list[CheckItem]
) -> None:
    tables, pages = report
    altered = _altered(tables, "表 1-1", "商品和服务支出", "支出金额", "1988.55")
    after = {key(i): i for i in check_report(altered, pages, doc_id=DOC)}
    before = {key(i): i for i in items}
    assert set(after) == set(before)
    flipped = {k for k in before if before[k].status != after[k].status}
    assert flipped == {
        ("表1-1 商品和服务支出 预算执行率", 2, "100.45%"),
        ("表1-1 合计 支出金额（各行之和）", 2, "11076.79"),
        # the same figure stated elsewhere: 表1-3's 合计 and the text of p7
        ("前后一致：表1-3 合计 实际支出金额 ↔ 表1-1 商品和服务支出 支出金额（第2页）", 3, "1978.55"),
        ("前后一致：正文“实际支出为1978.55万元” ↔ 表1-1 商品和服务支出 支出金额（第2页）", 7, "1978.55万元"),
    }
    rate = after[("表1-1 商品和服务支出 预算执行率", 2, "100.45%")]
    assert (
        rate.status == "mismatch" and rate.recomputed == "100.96%" and rate.stated == "100.45%"
    )  # not corrected
    total = after[("表1-1 合计 支出金额（各行之和）", 2, "11076.79")]
    assert total.status == "mismatch" and total.recomputed == "11086.79万元"


def test_an_altered_baseline_input_flips_the_baseline_and_its_full_precision_only(
    report: tuple[list[Any], list[Any]], items: list[CheckItem]
) -> None:
    """表3 2019 人工费用 6826.25 -> 6926.25: the 2019 ratios, the averages built from it, not 2020."""
    tables, pages = report
    altered = _altered(tables, "表 3", "人工费用（万元）", "2019 年", "6926.25")
    after = {key(i): i for i in check_report(altered, pages, doc_id=DOC)}
    flipped = {k for k, i in {key(i): i for i in items}.items() if i.status != after[k].status}
    assert ("表3 人工费用（万元） 2018年-2019年均值", 4, "5855.22") in flipped
    assert ("表3 每1万接听量人工成本（万元） 2019年", 5, "12.15") in flipped
    assert ("表3 单位人工成本（万元） 2019年", 5, "8.79") not in flipped  # not recomputable at all
    assert not any("2020" in k[0] and "表3" in k[0] for k in flipped)  # 2020 figures do not use 2019 costs
    assert all(after[k].status == "mismatch" for k in flipped)


def test_an_altered_text_figure_flips_only_that_claim(
    report: tuple[list[Any], list[Any]], items: list[CheckItem]
) -> None:
    tables, pages = report
    changed = [dataclasses.replace(p, text=p.text.replace("提高了 37.83%", "提高了 37.88%")) for p in pages]
    assert changed != list(pages)
    after = check_report(tables, changed, doc_id=DOC)
    mismatches = [i for i in after if i.status == "mismatch"]
    assert [(i.claim, i.page, i.stated, i.recomputed) for i in mismatches] == [
        ("2020年较2019年增长率", 4, "37.88%", "37.83%")
    ]


def test_a_value_matching_neither_convention_is_a_mismatch(report: tuple[list[Any], list[Any]]) -> None:
    tables, pages = report
    altered = _altered(tables, "表 3", "每 1 万接听量人工成本较历史均值增长率 ³", "2020 年", "-15.05%")
    after = check_report(altered, pages, doc_id=DOC)
    item = one(after, "表3 每1万接听量人工成本较历史均值增长率", "-15.05%")
    assert item.status == "mismatch" and "-15.03%" in item.why and "-15.06%" in item.why


def test_policy_document_checks_cleanly() -> None:
    from ingest.pdf import read_pdf
    from ingest.tables import extract_tables

    content = read_pdf(POLICY)
    tables = extract_tables(POLICY, doc_id="policy", pages=content.pages)
    result = check_report(tables, content.pages, doc_id="policy")
    assert not [i for i in result if i.status == "mismatch"]


def test_empty_input() -> None:
    assert check_report([], [], doc_id="x") == []
