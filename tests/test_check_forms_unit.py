"""Form checks on hand-built records (every expected figure worked out by hand in the comments)."""

from __future__ import annotations

from service.metrics._check_forms import check_form


def cell(text: str, *, pct: bool = False, where: dict | None = None) -> dict:
    value = text.rstrip("%") if text and text[0].isdigit() else None
    return {"text": text, "value": value, "unit": "%" if pct else "", "where": where or {"sheet": "S", "row": 1, "col": 1},
            "is_percent": pct}  # fmt: skip


def funds(*rows: tuple[str, str, dict]) -> list[dict]:
    return [{"label": label, "kind": kind, "cells": cells} for label, kind, cells in rows]


def kinds(rec: dict) -> list[str]:
    return [f["kind"] for f in check_form(rec)["findings"]]


def test_rate_against_the_initial_budget_is_named() -> None:
    # 171 ÷ 200 = 85.50% (全年预算数); 171 ÷ 180 = 95.00% (年初预算数) — the form states 95.00%
    cells = {
        "initial": cell("180"),
        "budget": cell("200"),
        "spent": cell("171"),
        "rate": cell("95.00%", pct=True),
    }
    rec = {"kind": "project_form", "funds": funds(("年度资金总额", "total", cells))}
    result = check_form(rec)
    [finding] = result["findings"]
    assert (
        finding["kind"] == "rate" and "年初预算数" in finding["message"] and finding["expected"] == "85.50%"
    )
    assert {c["label"] for c in finding["cells"]} >= {"年度资金总额 年初预算数", "年度资金总额 全年预算数"}
    assert result["summary"]["rate"]["display"] == "85.50%"
    assert result["summary"]["rate_initial_budget"]["display"] == "95.00%"
    cells["rate"] = cell("85.50%", pct=True)
    assert kinds(rec) == []


def test_execution_score_capped_at_100_percent() -> None:
    # 210 ÷ 200 = 105% → 10 × min(105%, 100%) = 10; a stated 10.5 is wrong, 10 is right
    cells = {"budget": cell("200"), "spent": cell("210"), "rate": cell("105.00%", pct=True), "max": cell("10"),
             "score": cell("10.5")}  # fmt: skip
    rec = {"kind": "project_form", "funds": funds(("年度资金总额", "total", cells)), "total_max": cell("10")}
    assert set(kinds(rec)) == {"fund_score", "score_over_max"}
    cells["score"] = cell("10")
    assert kinds(rec) == []


def test_funds_total_against_one_or_two_breakdowns() -> None:
    total = {"budget": cell("100"), "spent": cell("90")}
    by_source = [("其中：财政拨款", "fiscal", {"budget": cell("70"), "spent": cell("60")}),
                 ("上年结转资金", "carryover", {"budget": cell("30"), "spent": cell("30")})]  # fmt: skip
    by_kind = [("基本支出", "", {"budget": cell("40"), "spent": cell("35")}),
               ("项目支出", "", {"budget": cell("60"), "spent": cell("55")})]  # fmt: skip
    assert (
        kinds({"kind": "department_form", "funds": funds(("年度资金总额", "total", total), *by_source)}) == []
    )
    assert (
        kinds(
            {
                "kind": "department_form",
                "funds": funds(("年度资金总额", "total", total), *by_source, *by_kind),
            }
        )
        == []
    )
    wrong = [("其中：财政拨款", "fiscal", {"budget": cell("70"), "spent": cell("61")}), by_source[1]]
    assert kinds({"kind": "department_form", "funds": funds(("年度资金总额", "total", total), *wrong)}) == [
        "funds_sum"
    ]


def test_score_table_subtotals_group_weights_and_total() -> None:
    def leaf(path: list[str], mx: str, sc: str) -> dict:
        return {"path": path, "kind": "leaf", "max": cell(mx), "score": cell(sc), "stated_max": None}

    nodes = [leaf(["决策（20分）", "立项", "依据"], "12", "10"), leaf(["决策（20分）", "立项", "程序"], "8", "8"),
             {"path": ["决策小计"], "kind": "subtotal", "max": cell("20"), "score": cell("19"), "stated_max": None},
             leaf(["产出", "数量", "完成率"], "80", "70"),
             {"path": [], "kind": "total", "max": cell("100"), "score": cell("88"), "stated_max": None}]  # fmt: skip
    tree = [{"name": "决策", "stated_max": "20", "subtotal": None,
             "children": [{"name": "立项", "children": [{"name": "依据", "max": cell("12"), "score": cell("10")},
                                                       {"name": "程序", "max": cell("8"), "score": cell("8")}]}]}]  # fmt: skip
    rec = {
        "kind": "score_table",
        "nodes": nodes,
        "tree": tree,
        "total_max": cell("100"),
        "total_score": cell("88"),
    }
    # 小计 19 ≠ 10 + 8 = 18; 总分 88 = 10 + 8 + 70; weights 12 + 8 + 80 = 100; 决策 12 + 8 = 20
    assert kinds(rec) == ["subtotal"]
    rec["total_score"] = cell("89")
    assert sorted(kinds(rec)) == ["subtotal", "total"]
    tree[0]["stated_max"] = "25"
    assert sorted(kinds(rec)) == ["subtotal", "total", "weights"]


def test_stated_grade_follows_the_stated_total() -> None:
    # default bands: 90（含）以上 优, 80（含）至 90 良 — a stated 89.5 is 良, not 优
    rec = {"kind": "score_table", "total_score": cell("89.5"), "stated_grade": cell("优")}
    result = check_form(rec)
    [finding] = result["findings"]
    assert finding["kind"] == "grade" and finding["expected"] == "良"
    rec["stated_grade"] = cell("良")
    assert kinds(rec) == []
