"""A form in a PDF is read as a reader sees it: a digit drawn invisibly (render mode 3) or in white
inside a score cell is not part of the score (the same rule as `ingest.tables`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.forms import read_forms
from service.metrics._check_forms import check_form

ROWS = [
    ["项目名称", "示例项目", "", "", "", ""],
    ["项目资金（万元）", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["年度资金总额", "100", "90", "10", "90.00%", "9"],
    ["一级指标", "二级指标", "三级指标", "分值", "得分", "偏差原因"],
    ["产出指标", "数量指标", "完成数量", "90", "90", ""],
    ["总分", "", "", "100", "99", ""],
]


def _form_pdf(path: Path, how: str) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    c.drawString(72, 800, "项目支出绩效自评表（2023年度）")
    x0, y0, w, h = 50, 760, 82, 24
    for r, row in enumerate(ROWS):
        for k, text in enumerate(row):
            x, y = x0 + k * w, y0 - r * h
            c.rect(x, y - h, w, h)
            c.setFont("STSong-Light", 9)
            c.drawString(x + 4, y - 16, text)
    # the planted hidden digit, right after the visible "90" of 完成数量's 得分 cell
    x, y = x0 + 4 * w + 4 + c.stringWidth("90", "STSong-Light", 9), y0 - 4 * h - 16
    t = c.beginText(x, y)
    t.setFont("STSong-Light", 9)
    if how == "render_mode_3":
        t.setTextRenderMode(3)
    else:
        t.setFillColorRGB(1, 1, 1)
    t.textOut("5")
    c.drawText(t)
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("how", ["render_mode_3", "white"])
def test_hidden_digit_in_a_score_cell_is_not_read(tmp_path: Path, how: str) -> None:
    [form] = read_forms(_form_pdf(tmp_path / f"{how}.pdf", how))
    record = form.to_dict()
    [indicator] = record["indicators"]
    assert indicator["score"]["text"] == "90" and indicator["score"]["value"] == "90"
    assert record["year"] == 2023 and record["header"]["project"]["text"] == "示例项目"
    assert check_form(record)["findings"] == []  # 9 + 90 = 99; 10 + 90 = 100
