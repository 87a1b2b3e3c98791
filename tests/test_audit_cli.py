"""`jixiao audit` and `jixiao check FORM_FILE` end to end through the CLI: one row per form, each
output format, a bad file as a row with its error (the batch goes on), exit codes. The expected
figures come from the generator's own values, not from jixiao."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from evals.generator.formats import write_docx, write_xlsx
from evals.generator.selfeval import make_form
from service.cli import app

runner = CliRunner()


def _files(tmp_path: Path) -> tuple[list, Path]:
    good = make_form(101, None)
    rate = make_form(102, "rate")
    miss = make_form(103, "full_marks_miss")
    folder = tmp_path / "forms"
    (folder / "sub").mkdir(parents=True)
    write_xlsx([good, rate], folder / "two.xlsx")
    write_docx([miss], folder / "sub" / "one.docx")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    return [good, rate, miss], folder


def test_audit_json_rows_findings_and_bad_file(tmp_path: Path) -> None:
    forms, folder = _files(tmp_path)
    result = runner.invoke(app, ["audit", str(folder), str(tmp_path / "missing.pdf"), "--format", "json"])
    assert result.exit_code == 1, result.output  # findings present
    data = json.loads(result.stdout)
    rows = data["rows"]
    assert data["totals"] == {"files": 4, "forms": 3, "errors": 2, "findings": 2}
    errors = {Path(r["file"]).name: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"broken.xlsx", "missing.pdf"}
    assert "不存在" in errors["missing.pdf"] and "no such file" in errors["missing.pdf"]
    by_project = {r["project"]: r for r in rows if not r["error"]}
    for f in forms:
        row = by_project[f.name if f.kind == "project_form" else f.title]
        total = f.funds["年度资金总额"]
        assert Decimal(row["budget"]) == total["b1"] and Decimal(row["spent"]) == total["e"]
        assert Decimal(row["stated_total"]) == f.total
        assert row["year"] == f.year
        assert row["findings"] == (0 if f.planted is None else 1)
    kinds = [x["kind"] for form in data["forms"] for x in form["findings"]]
    assert sorted(kinds) == ["full_marks_miss", "rate"]
    assert {k: (v["findings"], v["forms"]) for k, v in data["by_kind"].items()} == {
        "rate": (1, 1),
        "full_marks_miss": (1, 1),
    }
    cited = next(x for form in data["forms"] for x in form["findings"] if x["kind"] == "rate")["cells"]
    assert all(c["where"].get("cell") for c in cited)  # xlsx cells cited as A1 addresses


def test_audit_csv_html_xlsx_table(tmp_path: Path) -> None:
    _, folder = _files(tmp_path)
    out = runner.invoke(app, ["audit", str(folder), "-f", "csv"])
    table = [r for r in csv.reader(io.StringIO(out.stdout)) if r]
    assert table[0][:3] == ["文件", "表/页", "类型"] and len(table) == 1 + 4
    page = tmp_path / "r.html"
    runner.invoke(app, ["audit", str(folder), "-f", "html", "-o", str(page)])
    html = page.read_text(encoding="utf-8")
    assert (
        html.startswith("<!DOCTYPE html>") and "<script" not in html and "http" not in html.split("<body>")[1]
    )
    assert html.count("<h2>") == 3 and "未发现问题" in html and "执行率与全年执行数÷全年预算数不符" in html
    book = tmp_path / "r.xlsx"
    runner.invoke(app, ["audit", str(folder), "-f", "xlsx", "-o", str(book)])
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["汇总", "问题"] and wb["汇总"].max_row == 5 and wb["问题"].max_row == 3
    shown = runner.invoke(app, ["audit", str(folder)])
    assert "two.xlsx" in shown.stdout and "broken.xlsx" in shown.stdout
    bad = runner.invoke(app, ["audit", str(folder), "-f", "yaml"])
    assert bad.exit_code == 2


def test_audit_nothing_readable_exits_2(tmp_path: Path, fixtures_dir: Path) -> None:
    (tmp_path / "x.docx").write_bytes(b"nope")
    scan = fixtures_dir / "report_2020_8890_scanned.pdf"
    result = runner.invoke(app, ["audit", str(tmp_path / "x.docx"), str(scan), "-f", "json"])
    assert result.exit_code == 2
    rows = json.loads(result.stdout)["rows"]
    assert rows[0]["error"] and "OCR" in rows[1]["error"]


def test_check_a_form_file(tmp_path: Path) -> None:
    f = make_form(104, "total")
    path = write_xlsx([f], tmp_path / "f.xlsx")
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    [form] = data["forms"]
    assert [x["kind"] for x in form["findings"]] == ["total"]
    assert form["findings"][0]["stated"] == format(f.total, "f")


def test_audit_grades_by_an_ingested_policy(tmp_path: Path, sample_data_dir: Path) -> None:
    f = make_form(105, None)
    path = write_xlsx([f], tmp_path / "f.xlsx")
    args = ["audit", str(path), "-f", "json", "--data-dir", str(sample_data_dir)]
    result = runner.invoke(app, [*args, "--policy", "policy_sample"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["rows"][0]
    # the sample policy's bands (第八条): 90（含）以上 优, 80（含）至90 良, 60（含）至80 中, 60以下 差
    expected = "优" if f.total >= 90 else "良" if f.total >= 80 else "中" if f.total >= 60 else "差"
    assert row["grade"] == expected
    unknown = runner.invoke(app, [*args, "--policy", "no-such-policy"])
    assert unknown.exit_code == 2
