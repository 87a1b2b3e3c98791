"""`jixiao check` end to end: the sample report ingested into a real store (SQLite + Chroma), checked
through the CLI, every listed figure ok."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

pytestmark = pytest.mark.slow

runner = CliRunner()

LISTED = [  # (claim contains, stated) — the figures the issue lists, all must be ok
    ("表1-1 工资福利支出 预算执行率", "99.83%"),
    ("表1-1 商品和服务支出 预算执行率", "100.45%"),
    ("表1-1 资本性支出 预算执行率", "0%"),
    ("表1-1 合计 预算执行率", "99.86%"),
    ("2020年较2019年增长率", "37.83%"),
    ("流失率较历史均值降低程度", "下降59.56%"),
    ("单位人工成本较历史均值增长率", "上涨19.45%"),
    ("每1万接听量人工成本较历史均值增长率", "下降15.03%"),
    ("资金到位率", "100%"),
    ("表2 得分率 项目决策", "88.24%"),
    ("表2 得分率 项目过程", "84.78%"),
    ("表2 得分率 项目产出", "100%"),
    ("表2 得分率 项目效益", "90.32%"),
    ("表2 得分 合计", "92.37"),
    ("评价等级", "优"),
    ("预算资金（年初预算＋追加预算－调减预算）", "11092.4"),
]
# rates the report states without a formula and the glossary does not define: listed, never guessed
NOT_DEFINED = [("接听率", "96.12%"), ("流失率（2020", "1.1%"), ("表3 单位人工成本（万元） 2020年", "10.01")]


def test_check_json_lists_every_figure_ok(sample_data_dir: Path) -> None:
    result = runner.invoke(
        app, ["check", "report_2020_8890.pdf", "--json", "--data-dir", str(sample_data_dir)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["mismatch"] == 0
    items = data["items"]
    for claim, stated in LISTED:
        hits = [i for i in items if claim in i["claim"] and i["stated"] == stated]
        assert hits, (claim, stated)
        assert all(i["status"] == "ok" for i in hits), hits
    for claim, stated in NOT_DEFINED:
        (hit,) = [i for i in items if claim in i["claim"] and i["stated"] == stated]
        assert hit["status"] == "cannot_verify" and hit["why"], hit
    assert all(i["status"] == "ok" for i in items if "合计" in i["claim"] and i["kind"] == "table_sum")
    assert {i["status"] for i in items} == {"ok", "cannot_verify"}
    assert all(i["why"] for i in items if i["status"] == "cannot_verify")


def test_check_prints_a_table(sample_data_dir: Path) -> None:
    result = runner.invoke(
        app, ["check", "report_2020_8890", "--data-dir", str(sample_data_dir)], env={"COLUMNS": "220"}
    )
    assert result.exit_code == 0, result.output
    for text in (
        "报告数字复核",
        "预算执行率",
        "99.86%",
        "一致 ok",
        "无法复核",
        "由报告列示的舍入后中间值计算",
    ):
        assert text in result.stdout, text


def test_check_unknown_document(sample_data_dir: Path) -> None:
    result = runner.invoke(app, ["check", "no-such-report", "--data-dir", str(sample_data_dir)])
    assert result.exit_code == 2
    assert "no-such-report" in result.output


def test_check_with_policy_grades_by_its_clause(sample_data_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "check",
            "report_2020_8890.pdf",
            "--policy",
            "policy_sample.pdf",
            "--json",
            "--data-dir",
            str(sample_data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rule = data["grade_rule"]
    assert [(b["label"], b["min"]) for b in rule["bands"]] == [
        ("优", "90"),
        ("良", "80"),
        ("中", "60"),
        ("差", "0"),
    ]
    assert rule["citation"]["clause"] == "第八条" and rule["citation"]["page"] == 1
    assert "第八条（第1页）" in rule["source"]
    grades = [i for i in data["items"] if i["metric"] == "grade_from_score"]
    assert len(grades) == 2
    assert all(g["status"] == "ok" and "第八条（第1页）" in g["why"] for g in grades)
    assert all(g["source"]["rule"]["doc_id"] == rule["citation"]["doc_id"] for g in grades)
    crosses = [i for i in data["items"] if i["kind"] == "cross_check"]
    assert crosses and all(i["status"] == "ok" and len(i["source"]["pages"]) == 2 for i in crosses)


def test_check_default_rule_is_shown(sample_data_dir: Path) -> None:
    result = runner.invoke(
        app, ["check", "report_2020_8890", "--data-dir", str(sample_data_dir)], env={"COLUMNS": "220"}
    )
    assert result.exit_code == 0, result.output
    assert "评级规则 / grade rule" in result.stdout and "前后一致" in result.stdout


def test_check_with_a_policy_that_states_no_bands(sample_data_dir: Path) -> None:
    """The report itself as the "policy": it states no grade bands — a clear error, exit 2."""
    result = runner.invoke(
        app,
        ["check", "report_2020_8890", "--policy", "report_2020_8890", "--data-dir", str(sample_data_dir)],
    )
    assert result.exit_code == 2
    assert "评级档次" in result.output and "grade bands" in result.output


def test_check_with_an_unknown_policy(sample_data_dir: Path) -> None:
    result = runner.invoke(
        app, ["check", "report_2020_8890", "--policy", "no-such-policy", "--data-dir", str(sample_data_dir)]
    )
    assert result.exit_code == 2 and "no-such-policy" in result.output
