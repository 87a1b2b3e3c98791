"""`check_report` is duck-typed: plain objects shaped like ingest's Table / Cell / Page work, and a
table it has never seen (other captions, other row names) is checked by its labels alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.metrics.check import CheckItem
from service.metrics.check import check_report as _check_report
from service.report_check import check_vocabulary

VOCAB = check_vocabulary()  # the glossary's rates, as the service layer passes them


def check_report(tables: Any, pages: Any, **kw: Any) -> list[CheckItem]:
    """The checker as the service runs it: with the glossary's rates."""
    return _check_report(tables, pages, vocabulary=VOCAB, **kw)


@dataclass(frozen=True)
class FakeCell:
    row_index: int
    col_index: int
    row_header: tuple[str, ...]
    col_header: tuple[str, ...]
    raw: str
    value: str | None
    unit: str
    page: int
    is_percent: bool = False


@dataclass
class FakeTable:
    caption: str
    pages: list[int]
    index: int = 0
    unit_line: str = ""
    cells: list[FakeCell] = field(default_factory=list)
    number: str = ""


@dataclass(frozen=True)
class FakePage:
    number: int
    text: str


def table(
    caption: str, number: str, header: list[str], rows: list[list[str]], unit: str = "万元", page: int = 1
) -> FakeTable:
    cells = []
    for ri, row in enumerate(rows):
        for ci, raw in enumerate(row[1:], start=1):
            pct = raw.endswith("%")
            value = None if raw in ("-", "") else raw.rstrip("%")
            cells.append(
                FakeCell(ri, ci, (row[0],), (header[ci],), raw, value, "%" if pct else unit, page, pct)
            )
    return FakeTable(caption=caption, pages=[page], cells=cells, number=number)


def test_a_new_table_by_its_labels() -> None:
    t = table(
        "表 4 某项目资金到位与支出情况",
        "4",
        ["项目", "预算数", "到位资金", "支出数", "到位率", "执行率"],
        [
            ["设备购置", "200.00", "200.00", "150.00", "100%", "75.00%"],
            ["运维服务", "100.00", "80.00", "90.00", "80.00%", "90.00%"],  # 90/100 = 90.00% ok
            ["合计", "300.00", "280.00", "240.00", "93.33%", "80.00%"],
        ],
    )
    items = check_report([t], [], doc_id="x")
    by_claim = {i.claim: i for i in items}
    assert by_claim["表4 合计 预算数（各行之和）"].status == "ok"
    assert by_claim["表4 合计 支出数（各行之和）"].status == "ok"
    assert by_claim["表4 设备购置 执行率"].status == "ok"
    assert by_claim["表4 合计 执行率"].status == "ok"
    assert by_claim["表4 合计 到位率"].status == "ok"
    assert by_claim["表4 运维服务 到位率"].status == "ok"
    assert {i.status for i in items} == {"ok"}


def test_a_wrong_total_and_a_wrong_rate_are_mismatches() -> None:
    t = table(
        "表 5 支出明细",
        "5",
        ["类别", "预算金额", "支出金额", "预算执行率"],
        [["甲", "10", "9", "90%"], ["乙", "10", "10", "95%"], ["合计", "20", "20", "100%"]],
    )
    items = {i.claim: i for i in check_report([t], [], doc_id="x")}
    assert items["表5 合计 支出金额（各行之和）"].status == "mismatch"  # 9 + 10 = 19, not 20
    assert items["表5 乙 预算执行率"].status == "mismatch"  # 10/10 = 100%
    assert items["表5 乙 预算执行率"].stated == "95%"
    assert items["表5 甲 预算执行率"].status == "ok"
    assert items["表5 合计 预算执行率"].status == "ok"  # 20 / 20 = 100%, as stated


def test_an_execution_rate_over_the_initial_budget_is_named_as_that_variant() -> None:
    t = table(
        "表 6 执行情况",
        "6",
        ["类别", "年初预算", "支出", "执行率"],
        [["甲", "80", "100", "125.00%"]],
    )
    (item,) = check_report([t], [], doc_id="x")
    assert item.status == "ok" and item.metric == "budget_execution_rate_initial_budget"
    assert "年初预算" in item.computation["name_zh"]


def test_parts_in_different_units_cannot_be_summed() -> None:
    cells = [
        FakeCell(0, 1, ("数量",), ("人员",), "5", "5", "人", 1),
        FakeCell(0, 2, ("数量",), ("经费",), "12.5", "12.5", "万元", 1),
        FakeCell(0, 3, ("数量",), ("合计",), "17.5", "17.5", "", 1),
    ]
    (item,) = check_report(
        [FakeTable(caption="表 7 混合", pages=[1], cells=cells, number="7")], [], doc_id="x"
    )
    assert item.status == "cannot_verify" and "单位" in item.why


def test_text_only_report() -> None:
    pages = [
        FakePage(1, "本项目预算资金 500 万元，其中年初预算 450 万元、追加预算 60 万元、调减预算 10 万元。"),
        FakePage(
            2,
            "2021 年度实际支出 480 万元，预算执行率为 96%。资金到位率为 98%。评价结果为 85.5 分，评价等级为“良”。",
        ),
    ]
    items = {i.claim: i for i in check_report([], pages, doc_id="x")}
    assert items["预算资金（年初预算＋追加预算－调减预算）"].status == "ok"
    assert items["预算执行率（实际支出÷调整后预算）"].status == "ok"
    assert items["资金到位率"].status == "cannot_verify"  # no 到位资金 amount stated
    assert items["评价等级（总分 85.5 分）"].status == "ok"
    wrong = [FakePage(1, "评价结果为 89.99 分，评价等级为“优”。")]
    (grade,) = check_report([], wrong, doc_id="x")
    assert grade.status == "mismatch" and grade.recomputed == "良" and grade.stated == "优"


def test_a_broken_cell_is_reported_not_fatal() -> None:
    cells = [
        FakeCell(0, 1, ("甲",), ("金额",), "1", "1", "万元", 1),
        FakeCell(1, 1, ("乙",), ("金额",), "x", "not-a-number", "万元", 1),  # a store bug: not Decimal text
        FakeCell(2, 1, ("合计",), ("金额",), "2", "2", "万元", 1),
    ]
    items = check_report(
        [FakeTable(caption="表 8 坏数据", pages=[1], cells=cells, number="8")], [], doc_id="x"
    )
    assert [i.kind for i in items] == ["internal_error"]
    assert items[0].status == "cannot_verify" and "未能复核" in items[0].why


def test_grade_rule_of_another_policy() -> None:
    pages = [FakePage(1, "评价结果为 78 分，评价等级为“合格”。")]
    (default,) = check_report([], pages, doc_id="x")
    assert default.status == "cannot_verify" and "评级规则" in default.why
    bands = [{"label": "良好", "min": 80}, {"label": "合格", "min": 60}, {"label": "不合格", "min": 0}]
    (item,) = check_report([], pages, doc_id="x", grade_bands=bands)
    assert item.status == "ok" and item.recomputed == "合格"


def test_grade_without_quotes_and_a_rule_sentence() -> None:
    pages = [FakePage(1, "该项目得分 91 分，评价等级为优。评价等级为“差”的项目，原则上应压减预算。")]
    items = check_report([], pages, doc_id="x")
    assert [(i.claim, i.stated, i.status) for i in items] == [("评价等级（总分 91 分）", "优", "ok")]


def test_a_rate_defined_in_a_header_or_a_sentence() -> None:
    """ "X率（A÷B）" in a header, "X率为A除以B" in a sentence: the document's own formula, whatever
    its words; a note that subtracts (a change, not a ratio) defines no ratio."""
    from service.metrics._definitions import parse_definitions

    defs = parse_definitions(
        [
            (1, "资金拨付进度率（已拨付资金÷下达资金）"),
            (2, "其中，验收通过率为通过验收项目数除以申报项目数。"),
            (
                3,
                "注²：降低程度为（2018 年至 2019 年期间平均比率-2020 年度比率）÷2018 年至 2019 年期间平均比率。",
            ),
            (4, "覆盖率＝已覆盖户数/应覆盖户数×100%"),
        ]
    )
    got = {d.name: (d.numerator[0].terms[0], d.denominator[0].terms[0], d.page) for d in defs}
    assert got == {
        "资金拨付进度率": ("已拨付资金", "下达资金", 1),
        "验收通过率": ("通过验收项目数", "申报项目数", 2),
        "覆盖率": ("已覆盖户数", "应覆盖户数", 4),
    }
    t = table(
        "表 9 项目验收",
        "9",
        ["类别", "申报项目数", "通过验收项目数", "验收通过率（通过验收项目数÷申报项目数）"],
        [["甲类", "40", "38", "95.00%"], ["乙类", "20", "17", "80.00%"]],
        unit="个",
    )
    items = {i.claim: i for i in check_report([t], [], doc_id="x")}
    assert items["表9 甲类 验收通过率（通过验收项目数÷申报项目数）"].status == "ok"
    wrong = items["表9 乙类 验收通过率（通过验收项目数÷申报项目数）"]
    assert wrong.status == "mismatch" and wrong.recomputed == "85.00%"  # 17 ÷ 20, never corrected


def test_a_rate_line_without_a_formula_is_no_plain_figure() -> None:
    """A 率 row nobody defines is listed as cannot_verify, and is neither a part of a sum nor averaged
    as an amount in a baseline column."""
    t = table(
        "表 10 某指标",
        "10",
        ["指标", "2021年", "2020年", "2019年", "2019年-2020年均值"],
        [["完成量", "10", "12", "14", "13"], ["巡查覆盖比率", "50%", "60%", "70%", "66%"]],
        unit="次",
    )
    items = check_report([t], [], doc_id="x")
    rates = [i for i in items if "巡查覆盖比率" in i.claim]
    assert len(rates) == 4 and {i.status for i in rates} == {"cannot_verify"}
    assert all("计算公式" in i.why for i in rates)
    assert [i.status for i in items if "完成量" in i.claim] == ["ok"]  # (12 + 14) ÷ 2 = 13


def test_the_most_specific_reading_of_an_operand_and_a_score_about_a_rate() -> None:
    """到位率's standard denominator is the general 预算数, but "年初预算数" is the 年初预算 reading and
    "调整后预算数" the 调整后 one: the rate takes the first reading the table has as its own, never
    the general word inside a more specific name. "执行率得分" is a score, not a rate."""
    t = table(
        "表 11 资金",
        "11",
        ["项目", "年初预算数", "调整后预算数", "到位资金", "到位率%", "执行率得分"],
        [["甲", "100", "80", "80", "100.00%", "10"]],
    )
    items = {i.claim: i for i in check_report([t], [], doc_id="x")}
    rate = items["表11 甲 到位率%"]
    assert rate.status == "ok" and rate.formula == "80 ÷ 80 × 100% = 100.00%"
    assert rate.computation and rate.computation["inputs"][1]["source"]["column"] == "调整后预算数"
    assert not [c for c in items if "执行率得分" in c]


def test_a_sentence_restating_an_amount_line_and_its_change() -> None:
    """The change of an amount line against its baseline, restated in a sentence, is checked; the
    amount itself is no rate to recompute (the cross-check compares it), so it yields no item here."""
    t = table(
        "表 12 费用",
        "12",
        ["指标", "2021年", "2020年", "2019年", "2019年-2020年均值"],
        [["培训费用", "480", "420", "360", "390"], ["培训费用较历史均值增长率", "23.08%", "-", "-", "-"]],
    )
    pages = [FakePage(2, "2021年培训费用为480万元，较2019-2020年均值390万元增长23.08%。")]
    items = check_report([t], pages, doc_id="x")
    said = [i for i in items if i.kind == "text"]
    assert [(i.claim, i.stated, i.status) for i in said] == [("培训费用较历史均值增长率", "增长23.08%", "ok")]
    assert said[0].metric == "change_vs_baseline" and said[0].page == 2
