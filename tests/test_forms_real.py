"""Two real published 自评表 (tests/fixtures/forms/SOURCES.md), rendered as xlsx, docx and ruled PDF:
every cell is read exactly. Expected values are the ones typed from the excerpts (real_forms.py),
and the findings are the forms' own inconsistencies, added up by hand in SOURCES.md."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ingest.forms import read_forms
from service.audit import audit_paths
from service.metrics._check_forms import check_form

FIXTURES = Path(__file__).parent / "fixtures" / "forms"
sys.path.insert(0, str(FIXTURES))
from real_forms import SW_INDICATORS, ZJ_INDICATORS  # noqa: E402

FORMATS = ("xlsx", "docx", "pdf")


def _text(cell: dict | None) -> str | None:
    return None if cell is None else cell["text"]


def _check_where(cell: dict, ext: str) -> None:
    where = cell["where"]
    assert where["row"] >= 1 and where["col"] >= 1
    if ext == "xlsx":
        assert where["cell"][0].isalpha()
    if ext == "pdf":
        assert where["page"] == 1


@pytest.mark.parametrize("ext", FORMATS)
def test_zhongjiang_form_read_exactly(ext: str) -> None:
    records = read_forms(FIXTURES / f"zhongjiang_2022.{ext}")
    assert len(records) == 1
    r = records[0].to_dict()
    assert (r["kind"], r["year"], r["money_unit"]) == ("project_form", 2022, "万元")
    assert {k: v["text"] for k, v in r["header"].items()} == {
        "project": "中江县农业水价综合改革精准补贴和节水奖励项目小型水库水标尺制作安装",
        "agency": "中江县水利局",
        "implementer": "中江县水利局",
    }
    funds = {f["label"]: {k: c["text"] for k, c in f["cells"].items()} for f in r["funds"]}
    assert funds == {
        "年度资金总额:": {"budget": "20", "spent": "20", "max": "10", "rate": "100.00%", "score": "10"},
        "其中:本年财政拨款": {"budget": "20", "spent": "20", "max": "", "rate": "", "score": ""},
        "其他资金": {"budget": "", "spent": "", "max": "", "rate": "", "score": ""},
    }
    other = next(f for f in r["funds"] if f["label"] == "其他资金")
    assert all(c["value"] is None for c in other["cells"].values()), "a blank cell stays blank, never 0"
    assert r["funds"][0]["kind"] == "total" and r["funds"][0]["cells"]["rate"]["value"] == "100.00"
    assert (
        _text(r["goal_expected"])
        == "对农村地区供水计量设施设备进行改进,对项目区农业用水计量,为项目区农业生产夯实基础,"
    )
    assert _text(r["goal_actual"]) == "对项目区农业用水计量,为项目区农业生产夯实基础,"
    got = [
        (
            i["level1"],
            i["level2"],
            i["level3"],
            _text(i["max"]),
            _text(i["target"]),
            _text(i["actual"]),
            _text(i["score"]),
        )
        for i in r["indicators"]
    ]
    assert got == ZJ_INDICATORS  # 分值 printed before 年度指标值: columns read by header words
    first = r["indicators"][0]
    assert (first["comparator"], first["target_value"], first["target_unit"]) == ("≥", "266", "米")
    assert (_text(r["total_max"]), _text(r["total_score"])) == ("100", "100")
    for cell in [r["total_score"], first["score"], r["funds"][0]["cells"]["spent"]]:
        _check_where(cell, ext)
    findings = {f["kind"]: f for f in check_form(r)["findings"]}
    assert set(findings) == {"total", "weights"}
    # 10 (budget) + 10+10+20+10+10+10 + 10+10 + 10 = 110, stated 100 (SOURCES.md)
    assert findings["total"]["expected"] == "110分" and findings["total"]["stated"] == "100"
    assert findings["weights"]["expected"] == "110分"


@pytest.mark.parametrize("ext", FORMATS)
def test_service_trade_form_read_exactly(ext: str) -> None:
    records = read_forms(FIXTURES / f"service_trade_2020.{ext}")
    assert len(records) == 1
    r = records[0].to_dict()
    assert (r["kind"], r["year"]) == ("project_form", 2020)
    assert {k: v["text"] for k, v in r["header"].items()} == {
        "project": "2020 年市级服务贸易发展资金",
        "agency": "区商务局",
        "implementer": "投资促进中心",
    }
    assert [(f["label"], {k: c["text"] for k, c in f["cells"].items()}) for f in r["funds"]] == [
        ("年度财政资金总额", {"budget": "285.84", "spent": "285.84", "rate": "100%", "score": "20"})
    ]
    got = [
        (i["level1"], i["level2"], i["level3"], _text(i["target"]), _text(i["actual"]), _text(i["score"]))
        for i in r["indicators"]
    ]
    assert got == SW_INDICATORS
    assert all(i["max"] is None for i in r["indicators"]), "the form has no 分值 column"
    timely = r["indicators"][5]
    assert (timely["comparator"], timely["target_value"], timely["target_unit"]) == ("≥", "98", "%")
    assert (r["total_max"], _text(r["total_score"])) == (None, "100")
    findings = check_form(r)["findings"]
    assert [f["kind"] for f in findings] == ["total"]
    assert findings[0]["expected"] == "120分"  # 20 + 6 × 10 + 20 + 20


def test_audit_over_the_real_forms_and_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip")
    report = audit_paths([FIXTURES, bad])
    rows = {(Path(r["file"]).name): r for r in report.rows}
    assert rows["broken.docx"]["error"] and rows["broken.docx"]["findings"] is None
    zj = rows["zhongjiang_2022.xlsx"]
    assert (zj["budget"], zj["spent"], zj["rate"], zj["stated_total"], zj["recomputed_total"]) == (
        "20", "20", "100.00%", "100", "110分",
    )  # fmt: skip
    assert zj["findings"] == 2
    assert len([r for r in report.rows if not r["error"]]) == 6
