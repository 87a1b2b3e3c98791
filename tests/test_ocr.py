"""OCR of scanned pages (issue #14): the scanned fixture against the digital one, bad scans
(turned, upside down, low resolution, blank), mixed documents and resuming an interrupted run.

OCR takes seconds a page: every page image is read once per session through a shared page cache
(`ocr_cache`), the way a re-ingest reads it. Expected text and cells come from the fixtures
(`reference.txt`, the digital PDF's tables), never from the code under test.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from conftest import FIXTURES

from ingest.errors import NeedsOCR
from ingest.pdf import read_pdf

SCANNED = FIXTURES / "report_2020_8890_scanned.pdf"
DIGITAL = FIXTURES / "report_2020_8890.pdf"


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ocr-cache")


@pytest.fixture(scope="session")
def scanned(ocr_cache: Path):
    return read_pdf(SCANNED, ocr="auto", ocr_cache=ocr_cache)


def _page_image(page: int, *, dpi: int = 150):
    """Page `page` (1-based) of the scanned fixture as a PIL image."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(SCANNED))
    try:
        return pdf[page - 1].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        pdf.close()


def _image_pdf(images, path: Path, *, dpi: int = 150) -> Path:
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


def _chars(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _reference_pages_1_2() -> str:
    """reference.txt up to the last row of 表1-3 printed on page 2 (the scan holds pages 1–2)."""
    lines = (FIXTURES / "reference.txt").read_text(encoding="utf-8").splitlines()
    end = next(i for i, ln in enumerate(lines) if ln.startswith("网络信息化费用"))
    return "\n".join(lines[: end + 1])


def test_scanned_text_matches_the_digital_text(scanned) -> None:
    assert [p.source for p in scanned.pages] == ["ocr", "ocr"]
    assert all(p.confidence and p.confidence > 0.9 for p in scanned.pages)
    text = "\n".join(p.text for p in scanned.pages)
    ratio = difflib.SequenceMatcher(
        None, _chars(_reference_pages_1_2()), _chars(text), autojunk=False
    ).ratio()
    assert ratio >= 0.98, ratio


def _cells(tables, pages: set[int]) -> dict[tuple[str, tuple[str, ...], tuple[str, ...]], tuple]:
    out = {}
    for t in tables:
        for c in t.cells:
            if c.page in pages:
                key = (
                    t.number,
                    tuple(_chars(h) for h in c.row_header),
                    tuple(_chars(h) for h in c.col_header),
                )
                out[key] = (c.value, c)
    return out


def test_scanned_tables_match_the_digital_cells_and_misreads_are_flagged(scanned) -> None:
    from ingest.ocr import LOW_CONFIDENCE
    from ingest.ocr_tables import raw_tables
    from ingest.tables import build_tables, extract_tables
    from service.metrics.check import check_report

    digital = extract_tables(DIGITAL, doc_id="d", pages=read_pdf(DIGITAL).pages)
    ocr_raws = [raw for n in sorted(scanned.ocr) for raw in raw_tables(scanned.ocr[n])]
    ocr_tables = build_tables(ocr_raws, doc_id="s")
    assert [t.number for t in ocr_tables] == ["1-1", "1-2", "1-3"]
    want = _cells(digital, {1, 2})
    got = _cells(ocr_tables, {1, 2})
    assert len(want) >= 90  # 表1-1, 表1-2 and the first rows of 表1-3
    matched = [k for k in want if k in got and got[k][0] == want[k][0]]
    assert len(matched) / len(want) >= 0.98, [
        (k, want[k][0], got.get(k, (None,))[0]) for k in want if k not in matched
    ]

    # every cell read wrong is either low-confidence or makes the report's own sums disagree
    confidence = {
        (cell.row, cell.col, cell.text): cell.confidence
        for scan in scanned.ocr.values()
        for table in scan.tables
        for cell in table.cells
    }
    mismatched = [k for k in want if k not in matched and k in got]
    from service.report_check import check_vocabulary

    items = check_report(ocr_tables, scanned.pages, doc_id="s", vocabulary=check_vocabulary())
    flagged_tables = {i.to_dict().get("table") for i in items if i.status == "mismatch"}
    for key in mismatched:
        cell = got[key][1]
        low = any(
            conf < LOW_CONFIDENCE
            for (_r, _c, text), conf in confidence.items()
            if cell.raw and cell.raw in text
        )
        caught = any(key[0] and key[0] in str(t) for t in flagged_tables)
        assert low or caught, (key, cell.raw)


def test_turned_and_upside_down_pages_are_read_upright(ocr_cache: Path, tmp_path: Path) -> None:
    page = _page_image(2).crop((0, 0, 1240, 760))  # the text and 表1-1 (half a page: half the OCR time)
    turned = _image_pdf(
        [page.rotate(-90, expand=True), page.rotate(180, expand=True)], tmp_path / "turned.pdf"
    )
    content = read_pdf(turned, ocr="auto", ocr_cache=ocr_cache)
    assert content.ocr[1].rotation == 270 and content.ocr[2].rotation == 180
    for p in content.pages:
        assert "预算执行情况明细表" in _chars(p.text) and "11076.79" in p.text, p.text[:300]
    assert [(t.nrows, t.ncols) for t in content.ocr[2].tables][:1] == [(5, 5)]
    # boxes are on the page as stored: on the page turned a quarter, lines run down the page
    box = content.ocr[1].lines[0].page_box
    assert box[3] - box[1] > 3 * (box[2] - box[0])


def test_blank_and_low_resolution_scans_get_a_clear_message(ocr_cache: Path, tmp_path: Path) -> None:
    from PIL import Image

    blank = _image_pdf([Image.new("L", (1240, 1754), 255)], tmp_path / "blank.pdf")
    with pytest.raises(NeedsOCR) as err:
        read_pdf(blank, ocr="auto", ocr_cache=ocr_cache)
    assert "OCR" in str(err.value) and "空白" in str(err.value)

    tiny = _page_image(1, dpi=30)  # a 30 dpi scan: characters a few pixels high
    low = _image_pdf([tiny], tmp_path / "low.pdf", dpi=30)
    try:
        content = read_pdf(low, ocr="auto", ocr_cache=ocr_cache)
    except NeedsOCR as exc:
        assert "OCR" in str(exc)
    else:  # whatever was read is marked as OCR with its (low) confidence
        assert content.pages[0].source == "ocr" and content.pages[0].confidence is not None


def test_mixed_document_reads_text_pages_and_ocrs_scanned_pages(
    scanned, ocr_cache: Path, tmp_path: Path
) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(DIGITAL).pages[2])  # a digital page (表2)
    writer.add_page(PdfReader(SCANNED).pages[0])  # a scanned annex
    mixed = tmp_path / "mixed.pdf"
    with mixed.open("wb") as fh:
        writer.write(fh)
    content = read_pdf(mixed, ocr="auto", ocr_cache=ocr_cache)
    assert [p.source for p in content.pages] == ["text", "ocr"]
    assert content.ocr[2].cached  # the same page image: read from the cache, not OCR'd again
    assert "表2" in _chars(content.pages[0].text) and "项目基本情况" in content.pages[1].text
    never = read_pdf(mixed, ocr="never")
    assert never.needs_ocr_pages == [2] and not never.ocr


def test_an_interrupted_ocr_run_resumes_where_it_stopped(tmp_path: Path) -> None:
    from ingest.ocr import ocr_document

    heading = _page_image(1).crop((0, 0, 1240, 260))  # the title lines only: OCR in a second or two
    doc = _image_pdf([heading, heading.rotate(180)], tmp_path / "two.pdf")
    cache = tmp_path / "cache"

    class Stop(Exception):
        pass

    def stop_after_first(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        ocr_document(doc, [1, 2], cache_dir=cache, on_page=stop_after_first)
    again = ocr_document(doc, [1, 2], cache_dir=cache)
    assert again[1].cached and not again[2].cached
    assert ocr_document(doc, [1, 2], cache_dir=cache)[2].cached


def test_ocr_cache_survives_a_torn_entry(tmp_path: Path) -> None:
    from ingest.ocr import ocr_document

    doc = _image_pdf([_page_image(1).crop((0, 0, 1240, 260))], tmp_path / "one.pdf")
    cache = tmp_path / "cache"
    first = ocr_document(doc, [1], cache_dir=cache)[1]
    [entry] = list(cache.rglob("*.json"))
    entry.write_text("{not json", encoding="utf-8")
    again = ocr_document(doc, [1], cache_dir=cache)[1]
    assert not again.cached and [ln.text for ln in again.lines] == [ln.text for ln in first.lines]


def test_cell_cleaning_undoes_typical_digit_misreads() -> None:
    from ingest.ocr import _fix_digits
    from ingest.ocr_tables import clean_cell, separate_units

    assert clean_cell("476.53.", True) == "476.53"
    assert clean_cell(".909", True) == "909" and clean_cell("3,99", True) == "3.99"
    assert clean_cell("1,234", True) == "1,234" and clean_cell("17.47,", True) == "17.47"
    assert clean_cell("办公费、", False) == "办公费"
    assert separate_units("单位：人万元、年") == "单位：人、万元、年"
    assert separate_units("单位：万元") == "单位：万元" and separate_units("单位：元角") == "单位：元角"
    assert clean_cell("10:82", True) == "10.82"
    assert clean_cell("一", True) == "-" and clean_cell("一", False) == "一"
    assert clean_cell("第二", True) == "第二"
    assert _fix_digits("预算资金11092：4万元") == "预算资金11092.4万元"
    assert _fix_digits("经费11076.79.万元") == "经费11076.79万元"
    assert _fix_digits("于9:30召开") == "于9:30召开"
