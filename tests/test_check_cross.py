"""Cross-checks (the same figure stated in two places) and grade bands read from a policy document.

The sample report is read from the real PDF (`ingest.pdf.read_pdf` + `ingest.tables.extract_tables`);
altering one side of a pair must turn exactly that pair — and the checks that use the altered figure —
into mismatches. Unseen tables and sentences (plain objects shaped like ingest's) show the pairing is
by header tokens, units and the words before a number, not by pages or values."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_check_report import _altered, check_report
from test_check_tables_unit import FakePage, table

from service.metrics.check import (
    CheckItem,
    PolicyGradeRule,
    grade_rule_from_policy,
    grade_rule_summary,
)
from service.metrics.errors import BadGradeRule

FIXTURES = Path(__file__).parent / "fixtures"
REPORT = FIXTURES / "report_2020_8890.pdf"
POLICY = FIXTURES / "policy_sample.pdf"
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


@pytest.fixture(scope="module")
def policy_pages() -> list[Any]:
    from ingest.pdf import read_pdf

    return read_pdf(POLICY).pages


def crosses(items: list[CheckItem]) -> list[CheckItem]:
    return [i for i in items if i.kind == "cross_check"]


def pair(items: list[CheckItem], later: str, earlier: str) -> list[CheckItem]:
    """Cross-checks whose later statement contains `later` and earlier statement contains `earlier`."""
    out = []
    for i in crosses(items):
        b, _, a = i.claim.removeprefix("前后一致：").partition(" ↔ ")
        if later in b and earlier in a:
            out.append(i)
    return out


def key(item: CheckItem) -> tuple[str, int | None]:
    return (item.claim, item.page)


def flipped_by(before: list[CheckItem], after: list[CheckItem]) -> set[tuple[str, int | None]]:
    """Keys of the items whose status changed (all must now be mismatches) — same items before and after."""
    a = {key(i): i for i in after}
    b = {key(i): i for i in before}
    assert len(a) == len(after) and len(b) == len(before) and set(a) == set(b)
    assert all(a[k].status == "mismatch" for k in b if a[k].status != b[k].status)
    return {k for k in b if b[k].status != a[k].status}


# ---- the sample report --------------------------------------------------------------------------

EXPECTED_PAIRS = [  # (later statement, earlier statement, pages of both)
    ("表1-3 合计 实际支出金额", "表1-1 商品和服务支出 支出金额", [2, 3]),
    ("表1-2 合计 工资福利支出总额", "表1-1 工资福利支出 支出金额", [2, 2]),
    ("表3 人工费用（万元） 2020年", "表1-2 合计 工资福利支出总额", [2, 4]),
    ("表3 人工费用（万元） 2020年", "表1-1 工资福利支出 支出金额", [2, 4]),
    ("表3 月均人员数量（人） 2020年", "表1-2 合计 2020年月均人数", [2, 4]),
    ("865人", "表1-2 合计 2020年末人数", [2, 4]),
    ("月均总人数为909人", "表1-2 合计 2020年月均人数", [2, 4]),
    ("月均总人数为909人", "表3 月均人员数量（人） 2020年", [4, 4]),
    ("预算资金11092.4万元", "表1-1 合计 预算金额", [2, 2]),
    ("到位财政资金11092.4万元", "表1-1 合计 到位金额", [2, 2]),
    ("使用经费11076.79万元", "表1-1 合计 支出金额", [2, 2]),
    ("项目决策15分", "表2 得分 项目决策", [3, 3]),
    ("项目过程19.5分", "表2 得分 项目过程", [3, 3]),
    ("项目产出38分", "表2 得分 项目产出", [3, 3]),
    ("项目效益19.87分", "表2 得分 项目效益", [3, 3]),
    ("项目得分92.37分", "表2 得分 合计", [3, 3]),
    ("评价结果为92.37分", "表2 得分 合计", [3, 1]),
    ("预算金额为1969.62万元", "表1-1 商品和服务支出 预算金额", [2, 7]),
    ("实际支出为1978.55万元", "表1-1 商品和服务支出 支出金额", [2, 7]),
    ("实际支出为1978.55万元", "表1-3 合计 实际支出金额", [3, 7]),
    ("接听1012.36万次", "表3 接听量（万次） 2020年", [4, 4]),
    ("2018年实际话务员月均人数621人", "表3 月均人员数量（人） 2018年", [4, 7]),
    ("2019年实际话务员月均人数777人", "表3 月均人员数量（人） 2019年", [4, 7]),
]


@pytest.mark.parametrize(("later", "earlier", "pages"), EXPECTED_PAIRS)
def test_each_figure_stated_twice_is_paired_and_ok(
    items: list[CheckItem], later: str, earlier: str, pages: list[int]
) -> None:
    found = pair(items, later, earlier)
    assert len(found) == 1, (later, earlier, [i.claim for i in crosses(items)])
    item = found[0]
    assert item.status == "ok" and item.metric == "cross_check"
    assert item.source["pages"] == pages and item.page == pages[1]
    assert item.computation and len(item.computation["inputs"]) == 2
    assert item.source["other"]["page"] == pages[0]


def test_no_unexpected_pairs(items: list[CheckItem]) -> None:
    """Every pair found is one of the expected ones, and none of them is a mismatch."""
    expected = {(later, earlier) for later, earlier, _ in EXPECTED_PAIRS}
    others = [
        i.claim
        for i in crosses(items)
        if not any(i in pair(items, later, earlier) for later, earlier in expected)
    ]
    # 909 in the text of p7 pairs with both tables that state it
    assert sorted(others) == sorted(
        [
            "前后一致：正文“2020年实际话务员月均人数909人” ↔ 表1-2 合计 2020年月均人数（第2页）",
            "前后一致：正文“2020年实际话务员月均人数909人” ↔ 表3 月均人员数量（人） 2020年（第4页）",
        ]
    )
    assert {i.status for i in crosses(items)} == {"ok"}


def test_thresholds_plans_and_changes_are_not_paired(items: list[CheckItem]) -> None:
    claims = " ".join(i.claim for i in crosses(items))
    for figure in ("1030", "8000", "24445", "10.58", "8.99", "8.93", "10200.59", "913"):
        assert figure not in claims, figure


def test_altered_detail_total_flips_its_pairs_and_its_sum(
    report: tuple[list[Any], list[Any]], items: list[CheckItem]
) -> None:
    tables, pages = report
    altered = _altered(tables, "表 1-3", "合计", "实际支出金额", "1978.65")
    after = check_report(altered, pages, doc_id=DOC)
    assert flipped_by(items, after) == {
        ("表1-3 合计 实际支出金额（各行之和）", 3),
        ("前后一致：表1-3 合计 实际支出金额 ↔ 表1-1 商品和服务支出 支出金额（第2页）", 3),
        ("前后一致：正文“实际支出为1978.55万元” ↔ 表1-3 合计 实际支出金额（第3页）", 7),
    }
    # the text's own pair with 表1-1 is untouched
    assert [i.status for i in pair(after, "实际支出为1978.55万元", "表1-1 商品和服务支出")] == ["ok"]


def test_altered_cell_flips_exactly_the_pairs_that_use_it(
    report: tuple[list[Any], list[Any]], items: list[CheckItem]
) -> None:
    """表1-2 合计 月均人数 909 -> 908: its 合计 check, and its three cross-checks; not 表3 vs text."""
    tables, pages = report
    after = check_report(_altered(tables, "表 1-2", "合计", "2020 年月 均人数", "908"), pages, doc_id=DOC)
    changed = {i.claim: i for i in after if i.status == "mismatch"}
    assert (
        {c for c, _ in flipped_by(items, after)}
        == set(changed)
        == {
            "表1-2 合计 2020年月均人数（各行之和）",
            "前后一致：表3 月均人员数量（人） 2020年 ↔ 表1-2 合计 2020年月均人数（第2页）",
            "前后一致：正文“月均总人数为909人” ↔ 表1-2 合计 2020年月均人数（第2页）",
            "前后一致：正文“2020年实际话务员月均人数909人” ↔ 表1-2 合计 2020年月均人数（第2页）",
        }
    )
    cross = changed["前后一致：正文“月均总人数为909人” ↔ 表1-2 合计 2020年月均人数（第2页）"]
    assert cross.stated == "909人" and cross.recomputed == "908人"  # reported, not corrected
    assert "第4页为 909人" in cross.why and "第2页为 908人" in cross.why
    untouched = pair(after, "月均总人数为909人", "表3 月均人员数量（人） 2020年")
    assert [i.status for i in untouched] == ["ok"]


def test_altered_personnel_cost_flips_both_tables_that_repeat_it(
    report: tuple[list[Any], list[Any]], items: list[CheckItem]
) -> None:
    tables, pages = report
    after = check_report(
        _altered(tables, "表 3", "人工费用（万元）", "2020 年", "9098.42"), pages, doc_id=DOC
    )
    mismatched = {i.claim for i in after if i.status == "mismatch"}
    assert "前后一致：表3 人工费用（万元） 2020年 ↔ 表1-2 合计 工资福利支出总额（第2页）" in mismatched
    assert "前后一致：表3 人工费用（万元） 2020年 ↔ 表1-1 工资福利支出 支出金额（第2页）" in mismatched
    assert "前后一致：表1-2 合计 工资福利支出总额 ↔ 表1-1 工资福利支出 支出金额（第2页）" not in mismatched
    # the figures 表3 derives from it (2020 unit costs and their changes) also no longer match
    assert all(("表3" in c and "2020" in c) or c.startswith("前后一致") for c in mismatched)


def test_altered_text_figure_flips_only_its_pair(
    report: tuple[list[Any], list[Any]], items: list[CheckItem]
) -> None:
    tables, pages = report
    changed = [
        dataclasses.replace(p, text=p.text.replace("员工数量为 865 人", "员工数量为 866 人")) for p in pages
    ]
    assert changed != list(pages)
    after = check_report(tables, changed, doc_id=DOC)
    mismatches = [(i.claim, i.stated, i.recomputed) for i in after if i.status == "mismatch"]
    assert mismatches == [
        ("前后一致：正文“签订合同制员工数量为866人” ↔ 表1-2 合计 2020年末人数（第2页）", "866人", "865人")
    ]


def test_altered_dimension_score_in_text_flips_its_pair_and_the_text_total(
    report: tuple[list[Any], list[Any]],
) -> None:
    tables, pages = report
    changed = [
        dataclasses.replace(p, text=p.text.replace("项目过程 19.5 分", "项目过程 19.6 分")) for p in pages
    ]
    after = check_report(tables, changed, doc_id=DOC)
    assert sorted(i.claim for i in after if i.status == "mismatch") == sorted(
        ["总分（各一级指标得分之和）", "前后一致：正文“项目过程19.6分” ↔ 表2 得分 项目过程（第3页）"]
    )


# ---- unseen tables and sentences -----------------------------------------------------------------


def _unseen() -> tuple[list[Any], list[FakePage]]:
    summary = table(
        "表 1 项目支出汇总表",
        "1",
        ["科目", "预算数", "支出数"],
        [["设备购置费", "300.00", "280.50"], ["运维费", "200.00", "150.00"], ["合计", "500.00", "430.50"]],
        page=2,
    )
    detail = table(
        "表 2 设备购置费明细表",
        "2",
        ["品目", "支出金额"],
        [["服务器", "180.50"], ["终端", "100.00"], ["合计", "280.50"]],
        page=3,
    )
    pages = [
        FakePage(1, "2023年某区智慧平台项目绩效评价报告"),
        FakePage(
            4,
            "2023 年项目实际支出 0.04305 亿元，设备购置费预算数为 300 万元。"
            "项目预算不低于 500 万元。平台额定人数（40 人）。",
        ),
    ]
    return [summary, detail], pages


def test_unseen_tables_are_paired_by_their_labels_and_units() -> None:
    tables, pages = _unseen()
    items = crosses(check_report(tables, pages, doc_id="x"))
    got = {(i.claim, i.status, i.convention) for i in items}
    assert got == {
        ("前后一致：表2 合计 支出金额 ↔ 表1 设备购置费 支出数（第2页）", "ok", "exact"),
        ("前后一致：正文“2023年项目实际支出0.04305亿元” ↔ 表1 合计 支出数（第2页）", "ok", "exact"),
        ("前后一致：正文“设备购置费预算数为300万元” ↔ 表1 设备购置费 预算数（第2页）", "ok", "exact"),
    }


def test_unseen_tables_one_wrong_figure() -> None:
    tables, pages = _unseen()
    pages[1] = FakePage(4, pages[1].text.replace("300 万元", "310 万元"))
    (bad,) = [i for i in check_report(tables, pages, doc_id="x") if i.status == "mismatch"]
    assert bad.kind == "cross_check" and bad.stated == "310万元" and bad.recomputed == "300.00万元"
    assert bad.computation and bad.computation["inputs"][1]["source"]["table"] == "表 1 项目支出汇总表"


def test_fewer_decimals_in_the_text_are_rounding_not_a_mismatch() -> None:
    tables, pages = _unseen()
    pages[1] = FakePage(4, "2023 年项目实际支出 430.5 万元。设备购置费实际支出 280.5 万元。")
    items = crosses(check_report(tables, pages, doc_id="x"))
    assert {i.status for i in items} == {"ok"} and len(items) == 4
    pages[1] = FakePage(4, "2023 年项目实际支出 431 万元。")
    (item,) = [i for i in crosses(check_report(tables, pages, doc_id="x")) if "431" in i.claim]
    assert item.status == "ok" and item.convention == "rounded_display"
    pages[1] = FakePage(4, "2023 年项目实际支出 432 万元。")
    (item,) = [i for i in crosses(check_report(tables, pages, doc_id="x")) if "432" in i.claim]
    assert item.status == "mismatch"


# ---- grade bands from a policy document ----------------------------------------------------------


def test_bands_are_read_from_the_policy_pdf(policy_pages: list[Any]) -> None:
    rule = grade_rule_from_policy(
        policy_pages, title="示例市项目支出绩效评价实施细则（测试用样本）", doc_id="p"
    )
    assert [(b.label, b.min, b.include_min) for b in rule.bands] == [
        ("优", Decimal(90), True),
        ("良", Decimal(80), True),
        ("中", Decimal(60), True),
        ("差", Decimal(0), True),
    ]
    assert (rule.clause, rule.page) == ("第八条", 1)
    assert rule.source == "《示例市项目支出绩效评价实施细则（测试用样本）》第八条（第1页）"
    assert "90分（含）以上为“优”" in rule.text


@pytest.mark.parametrize(
    ("text", "bands"),
    [
        (
            "第五条 评价等级：总分90分以上（含90分）为优秀，75-89分为良好，60分（含）至75分为合格，低于60分为不合格。",
            [("优秀", "90", True), ("良好", "75", True), ("合格", "60", True), ("不合格", "0", True)],
        ),
        (
            "第六条 评级分为三档：超过85分的为“A”；70分（含）至85分为“B”；不足70分的为“C”。",
            [("A", "85", False), ("B", "70", True), ("C", "0", True)],
        ),
        (
            "第七条 评价等级：得分大于等于80分且小于90分为良，90分（含）以上为优，80分以下为差。",
            [("优", "90", True), ("良", "80", True), ("差", "0", True)],
        ),
    ],
)
def test_band_wordings(text: str, bands: list[tuple[str, str, bool]]) -> None:
    rule = grade_rule_from_policy([FakePage(2, text)])
    assert [(b.label, str(b.min), b.include_min) for b in rule.bands] == bands
    assert rule.page == 2 and rule.clause == text[:3]


def test_a_document_without_bands_is_a_clear_error() -> None:
    with pytest.raises(BadGradeRule) as err:
        grade_rule_from_policy(
            [FakePage(1, "第九条 评价等级为“差”的项目，原则上应压减下一年度预算。")], title="某办法"
        )
    assert "《某办法》" in err.value.message_zh and "grade bands" in err.value.message_en


def test_report_graded_by_the_policy_cites_its_clause(
    report: tuple[list[Any], list[Any]], policy_pages: list[Any]
) -> None:
    tables, pages = report
    rule = grade_rule_from_policy(policy_pages, title="示例市细则", doc_id="policy1")
    grades = [
        i for i in check_report(tables, pages, doc_id=DOC, grade_bands=rule) if i.metric == "grade_from_score"
    ]
    assert [(g.page, g.stated, g.status) for g in grades] == [(1, "优", "ok"), (3, "优", "ok")]
    for g in grades:
        assert "《示例市细则》第八条（第1页）" in g.why
        assert g.source["rule"]["clause"] == "第八条" and g.source["rule"]["page"] == 1
        assert g.computation and "第八条" in g.computation["formula_words"]
    summary = grade_rule_summary(rule)
    assert summary["citation"]["doc_id"] == "policy1" and summary["bands"][0] == {
        "label": "优",
        "min": "90",
        "include_min": True,
    }


def test_another_policys_bands_change_the_verdict(report: tuple[list[Any], list[Any]]) -> None:
    tables, pages = report
    strict = grade_rule_from_policy(
        [FakePage(3, "第十二条 评价等级分为：95分（含）以上为“优”；85分（含）至95分为“良”；85分以下为“差”。")]
    )
    assert isinstance(strict, PolicyGradeRule)
    grades = [
        i
        for i in check_report(tables, pages, doc_id=DOC, grade_bands=strict)
        if i.metric == "grade_from_score"
    ]
    assert [(g.stated, g.recomputed, g.status) for g in grades] == [("优", "良", "mismatch")] * 2
    assert all("第十二条（第3页）" in g.why for g in grades)


def test_default_bands_without_a_policy(items: list[CheckItem]) -> None:
    grades = [i for i in items if i.metric == "grade_from_score"]
    assert grades and all("rule" not in g.source and "第八条" in g.why for g in grades)
    assert "citation" not in grade_rule_summary(None)


def test_a_table_with_two_cells_of_one_key_is_not_paired_but_the_others_are() -> None:
    """表1 states two budgets (年初 and 调整后 both read as 预算): ambiguous, so 表1 is left out of the
    budget pairs — yet 表2 and the text, which state one budget each, are still compared."""
    t1 = table(
        "表 1 预算调整表",
        "1",
        ["科目", "预算数", "调整预算数"],
        [["合计", "100.00", "120.00"]],
        page=2,
    )
    t2 = table("表 2 资金表", "2", ["科目", "预算金额"], [["合计", "120.00"]], page=3)
    pages = [FakePage(1, "2022年某项目绩效评价报告"), FakePage(4, "项目预算资金 120 万元。")]
    items = crosses(check_report([t1, t2], pages, doc_id="x"))
    assert [(i.claim, i.status) for i in items] == [
        ("前后一致：正文“项目预算资金120万元” ↔ 表2 合计 预算金额（第3页）", "ok")
    ]
