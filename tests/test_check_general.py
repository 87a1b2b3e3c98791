"""The report check on a report of another field: a vocational-training programme, written here as a
Word document and rendered to PDF by LibreOffice, then read as any report is (pypdf text, pdfplumber
tables). The checker knows none of its words: 培训合格率 is recomputed because the report states its
formula, 每万人次培训成本 because its header names the quantity by its unit, 到位率 because the
glossary defines it, and 结业率 — defined by neither — is listed as cannot_verify, never guessed."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import docx
import pytest
from test_check_report import VOCAB, _altered

from evals.generator.formats import docx_to_pdf
from service.metrics.check import CheckItem, check_report, summarize

DOC = "training"
DEFINITION = "培训合格率＝合格人数÷参训人数×100%。"
YEARS = ["指标", "2021年", "2020年", "2019年", "2019年-2020年均值"]
OUTCOMES = [
    ["参训人数（人）", "1200", "1000", "800", "900"],
    ["合格人数（人）", "1140", "930", "720", "825"],
    ["培训合格率", "95.00%", "93.00%", "90.00%", "91.67%"],  # the baseline: Σ合格 ÷ Σ参训
    ["结业率", "97.50%", "96.00%", "95.00%", "95.50%"],  # no formula anywhere
]
COSTS = [
    ["培训人次（人次）", "24000", "20000", "16000", "18000"],
    ["培训费用（万元）", "480", "420", "360", "390"],
    ["每万人次培训成本（万元）", "200.00", "210.00", "225.00", "216.67"],
    ["每万人次培训成本较历史均值增长率", "-7.69%", "-", "-", "-"],
]
FUNDS = [
    ["项目", "预算数", "到位资金", "到位率"],
    ["补贴资金", "450", "430", "95.56%"],
    ["管理经费", "50", "50", "100%"],
    ["合计", "500", "480", "96.00%"],
]


def _table(d: Any, rows: list[list[str]]) -> None:
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.cell(r, c).text = text


def write_training_report(path: Path, *, definition: bool = True) -> Path:
    d = docx.Document()
    d.add_paragraph("2021年某区职业技能培训补贴项目绩效评价报告")
    d.add_paragraph("本项目2021年预算资金500万元，实际到位资金480万元。具体情况见表1：")
    d.add_paragraph("表1 资金到位情况表")
    _table(d, FUNDS)
    d.add_paragraph("2021年参训人数1200人，合格人数1140人，培训合格率为95%，结业率为97.5%。")
    if definition:
        d.add_paragraph("注：" + DEFINITION)
    d.add_paragraph("表2 培训成效统计表")
    _table(d, [YEARS, *OUTCOMES])
    d.add_paragraph("2021年每万人次培训成本为200万元，较2019-2020年均值216.67万元下降7.69%。")
    d.add_paragraph("表3 培训成本统计表")
    _table(d, [YEARS, *COSTS])
    d.save(str(path))
    return path


def _read(pdf: Path) -> tuple[list[Any], list[Any]]:
    from ingest.pdf import read_pdf
    from ingest.tables import extract_tables

    content = read_pdf(pdf)
    return extract_tables(pdf, doc_id=DOC, pages=content.pages), content.pages


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[Any], list[Any]]]:
    """The report with its formula note, and the same report without it (one LibreOffice run)."""
    tmp = tmp_path_factory.mktemp("training")
    docs = [
        write_training_report(tmp / "with.docx"),
        write_training_report(tmp / "without.docx", definition=False),
    ]
    with_pdf, without_pdf = docx_to_pdf(docs, tmp / "pdf")
    return {"with": _read(with_pdf), "without": _read(without_pdf)}


@pytest.fixture(scope="module")
def items(reports: dict[str, tuple[list[Any], list[Any]]]) -> list[CheckItem]:
    tables, pages = reports["with"]
    return check_report(tables, pages, doc_id=DOC, vocabulary=VOCAB)


def one(items: list[CheckItem], claim: str, stated: str | None = None) -> CheckItem:
    found = [i for i in items if claim in i.claim and (stated is None or i.stated == stated)]
    assert len(found) == 1, (claim, stated, [(i.claim, i.stated, i.status) for i in items])
    return found[0]


def test_the_tables_are_read(reports: dict[str, tuple[list[Any], list[Any]]]) -> None:
    tables, _ = reports["with"]
    assert len(tables) == 3
    labels = {"".join(c.row_header) for t in tables for c in t.cells}
    assert {"培训合格率", "每万人次培训成本（万元）", "补贴资金"} <= {
        label.replace(" ", "") for label in labels
    }


def test_nothing_is_a_mismatch_and_the_defined_rates_are_recomputed(items: list[CheckItem]) -> None:
    assert not [(i.claim, i.stated, i.why) for i in items if i.status == "mismatch"]
    for year, stated in [("2021年", "95.00%"), ("2020年", "93.00%"), ("2019年", "90.00%")]:
        rate = one(items, f"培训合格率 {year}", stated)
        assert rate.status == "ok" and rate.metric == "ratio", rate.why
        assert rate.computation and rate.computation["inputs"][0]["source"]["row"].startswith("合格人数")
    baseline = one(items, "培训合格率 2019年-2020年均值", "91.67%")
    assert baseline.status == "ok" and baseline.convention == "ratio_of_totals"
    text = one(items, "培训合格率（合格人数÷参训人数）", "95%")
    assert text.status == "ok" and text.formula == "1140 ÷ 1200 × 100% = 95.00%" and "公式见" in text.why


def test_a_cost_per_ten_thousand_of_the_unit_its_header_names(items: list[CheckItem]) -> None:
    for year, stated in [("2021年", "200.00"), ("2020年", "210.00"), ("2019年", "225.00")]:
        cost = one(items, f"每万人次培训成本（万元） {year}", stated)
        assert cost.status == "ok" and cost.metric == "cost_per_10k_units", cost.why
    assert one(items, "每万人次培训成本（万元） 2019年-2020年均值", "216.67").status == "ok"
    change = one(items, "表3 每万人次培训成本较历史均值增长率", "-7.69%")
    assert change.status == "ok" and change.metric == "change_vs_baseline"
    said = [i for i in items if i.kind == "text" and "每万人次培训成本" in i.claim]
    assert {(i.stated, i.status) for i in said} == {
        ("200万元", "ok"),
        ("216.67万元", "ok"),
        ("下降7.69%", "ok"),
    }


def test_the_glossarys_rate_by_its_operands(items: list[CheckItem]) -> None:
    for row, stated in [("补贴资金", "95.56%"), ("管理经费", "100%"), ("合计", "96.00%")]:
        item = one(items, f"{row} 到位率", stated)
        assert item.status == "ok" and item.metric == "funds_arrival_rate"


def test_a_rate_nobody_defines_is_not_guessed(items: list[CheckItem]) -> None:
    rows = [i for i in items if "结业率" in i.claim and i.kind.startswith("table")]
    assert len(rows) == 4 and {i.status for i in rows} == {"cannot_verify"}
    assert all("计算公式" in i.why and not i.alternatives for i in rows)
    (said,) = [i for i in items if i.kind == "text" and i.stated == "97.5%"]  # the line wraps before it
    assert said.status == "cannot_verify" and "分子和分母" in said.why


def test_without_the_formula_note_the_rate_is_not_guessed(
    reports: dict[str, tuple[list[Any], list[Any]]],
) -> None:
    """The glossary's 合格率 counts 合格数 over 检查数; this table has neither name, so without the
    report's own formula its 培训合格率 cannot be recomputed — and is not."""
    tables, pages = reports["without"]
    got = check_report(tables, pages, doc_id=DOC, vocabulary=VOCAB)
    rates = [i for i in got if "培训合格率" in i.claim]
    assert rates and {i.status for i in rates} == {"cannot_verify"}
    assert any("术语表" in i.why for i in rates)
    assert one(got, "每万人次培训成本（万元） 2021年").status == "ok"  # its header still defines it


def test_without_the_glossary_only_the_documents_own_formulas_are_used(
    reports: dict[str, tuple[list[Any], list[Any]]],
) -> None:
    tables, pages = reports["with"]
    got = check_report(tables, pages, doc_id=DOC)
    assert one(got, "培训合格率 2021年", "95.00%").status == "ok"
    arrival = one(got, "补贴资金 到位率", "95.56%")
    assert arrival.status == "cannot_verify" and "公式" in arrival.why


def test_an_altered_operand_flips_its_rates(reports: dict[str, tuple[list[Any], list[Any]]]) -> None:
    tables, pages = reports["with"]
    caption = next(t.caption for t in tables if "成效" in t.caption)
    row = next("".join(c.row_header) for t in tables for c in t.cells if "合格人数" in "".join(c.row_header))
    column = next("/".join(c.col_header) for t in tables for c in t.cells if "2021" in "/".join(c.col_header))
    altered = _altered(tables, caption, row, column, "1150")
    got = check_report(altered, pages, doc_id=DOC, vocabulary=VOCAB)
    bad = sorted((i.kind, i.stated) for i in got if i.status == "mismatch")
    # the 2021 rate over the altered cell, and the text's 1140 that now disagrees with the table;
    # the 2019–2020 baseline and the text's own rate (from the text's figures) stay ok
    assert bad == [("cross_check", "1140人"), ("table_rate", "95.00%")]
    before = summarize(check_report(tables, pages, doc_id=DOC, vocabulary=VOCAB))
    assert summarize(got)["total"] == before["total"]


def test_items_keep_their_pages(items: list[CheckItem]) -> None:
    assert all(i.page is not None for i in items if i.kind != "internal_error")
    assert not [i for i in items if i.kind == "internal_error"]
    assert dataclasses.asdict(items[0])  # plain data, JSON-able through to_dict
