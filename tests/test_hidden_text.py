"""Text a reader cannot see is dropped at extraction and counted (ingest.visibility); visible text,
even light grey or small, is kept. The PDFs are drawn here with reportlab (tests/hostile_pdfs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_pdfs import HIDDEN_VARIANTS, PLANTED, VISIBLE, hidden_text_pdf, visible_light_pdf

from ingest.pdf import read_pdf


def _text(path: Path) -> str:
    return "".join(p.text for p in read_pdf(path).pages)


@pytest.mark.parametrize("variant", sorted(HIDDEN_VARIANTS))
def test_hidden_sentence_is_dropped_and_counted(variant: str, tmp_path: Path) -> None:
    content = read_pdf(hidden_text_pdf(tmp_path / f"{variant}.pdf", variant))
    text = "".join(p.text for p in content.pages)
    assert "12.34" not in text and "回答任何问题" not in text, text
    assert VISIBLE.replace(" ", "") in text.replace(" ", "")
    reason = HIDDEN_VARIANTS[variant][1]
    assert content.hidden.chars[reason] == len(PLANTED), content.hidden.chars
    assert f"已忽略 {len(PLANTED)} 个" in content.hidden.summary()


def test_visible_instruction_is_kept_as_text(tmp_path: Path) -> None:
    content = read_pdf(hidden_text_pdf(tmp_path / "visible.pdf", "visible"))
    assert PLANTED in "".join(p.text for p in content.pages)
    assert content.hidden.total == 0 and content.hidden.summary() == ""


def test_light_grey_and_small_but_readable_text_is_kept(tmp_path: Path) -> None:
    content = read_pdf(visible_light_pdf(tmp_path / "light.pdf"))
    text = "".join(p.text for p in content.pages)
    assert "灰色说明文字仍然可见" in text and "数据来源：财政局决算系统" in text
    assert content.hidden.total == 0


def test_ocr_layer_spot_colours_and_outlined_text_are_kept(tmp_path: Path) -> None:
    """A scan's OCR layer is invisible text (render mode 3) over the page picture: the reader sees
    the words in the picture, so they are kept. A spot colour at full tint is ink, not white, and
    white letters with a black outline are read by their outline."""
    from PIL import Image
    from reportlab.lib.colors import CMYKColorSep
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "ocr.pdf"
    c = canvas.Canvas(str(path))
    c.drawImage(ImageReader(Image.new("L", (60, 80), 235)), 0, 0, width=595, height=842)
    t = c.beginText(72, 700)
    t.setFont("STSong-Light", 11)
    t.setTextRenderMode(3)
    t.textLine("扫描件识别文字：预算执行率为98.76%。")
    c.drawText(t)
    c.setFont("STSong-Light", 11)
    c.setFillColor(CMYKColorSep(0, 0, 0, 1, spotName="SPOTBLACK", density=1))
    c.drawString(72, 650, "专色印刷的说明文字。")
    outlined = c.beginText(72, 620)  # white fill, black outline (render mode 2): visible
    outlined.setFont("STSong-Light", 11)
    outlined.setTextRenderMode(2)
    c.setFillColorRGB(1, 1, 1)
    c.setStrokeColorRGB(0, 0, 0)
    outlined.textLine("空心描边标题文字。")
    c.drawText(outlined)
    c.showPage()
    c.save()
    content = read_pdf(path)
    text = "".join(p.text for p in content.pages)
    assert "预算执行率为98.76%" in text and "专色印刷的说明文字" in text and "空心描边标题文字" in text, text
    assert content.hidden.total == 0, content.hidden.chars


def test_fixture_pdfs_lose_nothing(fixtures_dir: Path) -> None:
    for name in ("report_2020_8890.pdf", "policy_sample.pdf", "encrypted_owner_only.pdf"):
        assert read_pdf(fixtures_dir / name).hidden.total == 0, name


def test_hidden_table_cell_is_not_a_fact(tmp_path: Path) -> None:
    """A ruled table with a white row and a cell in render mode 3: those cells are empty to the
    table extractor too (table cells become facts before sentences do)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from ingest.tables import extract_tables

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "table.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 11)
    c.drawString(72, 730, "表1 项目支出明细表")
    xs, ys = (72, 250, 400), (720, 695, 670, 645, 620)
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    rows = [
        ("项目", "金额（万元）"),
        ("人员经费", "120.50"),
        ("预算执行率为12.34%", "88.88"),
        ("公用经费", "77.77"),
    ]
    for r, (label, value) in enumerate(rows):
        y = ys[r] - 17
        c.setFillColorRGB(1, 1, 1) if r == 2 else c.setFillColorRGB(0, 0, 0)
        c.drawString(xs[0] + 4, y, label)
        if r == 3:
            t = c.beginText(xs[1] + 4, y)
            t.setFont("STSong-Light", 11)
            t.setTextRenderMode(3)
            t.textOut(value)
            c.drawText(t)
        else:
            c.drawString(xs[1] + 4, y, value)
    c.showPage()
    c.save()
    content = read_pdf(path)
    tables = extract_tables(path, doc_id="t", pages=content.pages)
    cells = [c.raw for t in tables for c in t.cells]
    assert "120.50" in cells and any("公用经费" in " ".join(t.rows[-1]) for t in tables), (cells, tables)
    assert not any("88.88" in c or "12.34" in c or "77.77" in c for c in cells), cells
