"""Text extraction from the fixture PDFs and every kind of bad input (ingest.pdf, ingest.clean)."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.errors import BadDocument, NeedsOCR, PasswordRequired
from ingest.pdf import PdfContent, read_pdf

FIXTURES = Path(__file__).parent / "fixtures"
REPORT = FIXTURES / "report_2020_8890.pdf"
POLICY = FIXTURES / "policy_sample.pdf"
REPORT_TITLE = "2020年天津市便民专线服务中心运行经费项目绩效评价报告"


@pytest.fixture(scope="module")
def report() -> PdfContent:
    return read_pdf(REPORT)


def _squash(text: str) -> str:
    """What the similarity test compares: all whitespace removed."""
    return re.sub(r"\s+", "", text)


def similarity(a: str, b: str) -> float:
    """Character-level similarity: difflib.SequenceMatcher ratio (2·matches / total length), with
    autojunk off so frequent CJK characters are not treated as junk."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def test_report_text_matches_reference(report: PdfContent) -> None:
    reference = (FIXTURES / "reference.txt").read_text(encoding="utf-8")
    got = _squash("".join(p.text for p in report.pages))
    want = _squash(reference)
    assert report.page_count == 8
    assert [p.number for p in report.pages] == list(range(1, 9))
    assert similarity(got, want) >= 0.99


def test_similarity_measure_can_fail() -> None:
    reference = _squash((FIXTURES / "reference.txt").read_text(encoding="utf-8"))
    damaged = reference[: len(reference) // 2]  # half the text missing
    assert similarity(damaged, reference) < 0.99


def test_footers_stripped_and_characters_kept(report: PdfContent) -> None:
    text = "\n".join(p.text for p in report.pages)
    assert not re.search(r"—\s*\d+\s*—", text), "running footers `— N —` must be stripped"
    for kept in ("¹", "²", "³", "⁴", "“优”", "（一）", "〔2020〕", "7×24", "÷"):
        assert kept in text, kept


def test_lines_broken_inside_a_page_are_joined(report: PdfContent) -> None:
    # In the PDF "…预算执行率为" ends one line and "99.86%。" starts the next.
    page2 = report.pages[1].text.splitlines()
    assert any("预算执行率为 99.86%。具体情况见表 1" in line for line in page2)
    page4 = report.pages[3].text.splitlines()
    assert any(line.startswith("(1)坐席电话接听率。") and "96.12%" in line for line in page4)


def test_repeated_table_header_on_continuation_page_is_not_text(report: PdfContent) -> None:
    assert not report.pages[2].text.startswith("商品和服务支出内容")
    assert report.pages[2].text.splitlines()[0].startswith("工会经费")


def test_title_and_year(report: PdfContent) -> None:
    assert report.title == REPORT_TITLE
    assert report.year == 2020
    assert report.needs_ocr_pages == []


def test_policy_title_and_no_year() -> None:
    policy = read_pdf(POLICY)
    assert policy.title == "示例市项目支出绩效评价实施细则（测试用样本）"
    assert policy.year is None
    assert policy.page_count == 2
    assert "第十一条" in policy.pages[1].text
    # Lines of one clause are joined (the PDF breaks "…评价等级" / "为“优”的项目…").
    assert any(ln.startswith("第九条") and "优先保障。" in ln for ln in policy.pages[0].text.splitlines())


def test_scanned_pdf_needs_ocr() -> None:
    with pytest.raises(NeedsOCR) as err:
        read_pdf(FIXTURES / "report_2020_8890_scanned.pdf")
    assert "需要OCR" in str(err.value) and "no text layer" in str(err.value)
    assert str(err.value).index("需要OCR") < str(err.value).index("no text layer")


def test_partly_scanned_pdf_lists_pages_without_text(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_page(PdfReader(REPORT).pages[0])
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "mixed.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    content = read_pdf(path)
    assert content.needs_ocr_pages == [2]
    assert content.pages[1].has_text_layer is False and content.pages[1].text == ""
    assert content.pages[0].has_text_layer and "项目背景" in content.pages[0].text


def test_encrypted_needs_password() -> None:
    with pytest.raises(PasswordRequired) as err:
        read_pdf(FIXTURES / "encrypted.pdf")
    message = str(err.value)
    assert "需要密码" in message and "password required" in message
    assert message.index("需要密码") < message.index("password required")


def test_encrypted_with_password_reads() -> None:
    content = read_pdf(FIXTURES / "encrypted.pdf", password="userpw-8890")
    assert content.page_count == 8
    assert content.title == REPORT_TITLE


def test_encrypted_wrong_password() -> None:
    with pytest.raises(PasswordRequired) as err:
        read_pdf(FIXTURES / "encrypted.pdf", password="not-it")
    assert "密码不正确" in str(err.value) and "wrong password" in str(err.value)


def test_owner_password_only_reads_normally() -> None:
    content = read_pdf(FIXTURES / "encrypted_owner_only.pdf")
    assert content.page_count == 8
    assert "96.12%" in content.pages[3].text


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("truncated.pdf", ("不完整", "incomplete")),
        ("not_a_pdf.pdf", ("不是 PDF", "not a PDF")),
    ],
)
def test_broken_files_are_refused_clearly(name: str, words: tuple[str, str]) -> None:
    with pytest.raises(BadDocument) as err:
        read_pdf(FIXTURES / name)
    assert not isinstance(err.value, (PasswordRequired, NeedsOCR))
    message = str(err.value)
    assert words[0] in message and words[1] in message and name in message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(BadDocument, match=r"文件为空.*empty"):
        read_pdf(path)


def test_zero_page_pdf(tmp_path: Path) -> None:
    path = tmp_path / "zero.pdf"
    with path.open("wb") as fh:
        PdfWriter().write(fh)
    assert len(PdfReader(path).pages) == 0
    with pytest.raises(BadDocument, match=r"没有任何页面.*0 pages"):
        read_pdf(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadDocument, match=r"文件不存在.*file not found"):
        read_pdf(tmp_path / "nope.pdf")


def test_damaged_body_with_valid_header_and_trailer(tmp_path: Path) -> None:
    """Magic and %%EOF present but garbage in between: pypdf's failure becomes a BadDocument."""
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200 + b"\n%%EOF\n")
    with pytest.raises(BadDocument) as err:
        read_pdf(path)
    assert "garbage.pdf" in str(err.value)


def test_renamed_copy_reads_the_same(tmp_path: Path, report: PdfContent) -> None:
    copy = tmp_path / "副本.pdf"
    shutil.copy(REPORT, copy)
    assert [p.text for p in read_pdf(copy).pages] == [p.text for p in report.pages]


def _pdf_with_lines(path: Path, pages: list[list[str]]) -> Path:
    """A real PDF (reportlab, built-in CJK font) with the given lines on each page, top down."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    for lines in pages:
        c.setFont("STSong-Light", 11)
        y = 800
        for line in lines:
            c.drawString(72, y, line)
            y -= 30
        c.showPage()
    c.save()
    return path


def test_running_lines_stripped_but_not_body_lines_that_differ_in_numbers(tmp_path: Path) -> None:
    pages = [
        [
            "示例单位绩效评价报告",
            f"{n}. 指标{n}完成率为9{n}.00%，情况良好。",  # first body line, numbers differ per page
            "正文内容。",
            f"示例单位 第{n}页",  # running footer with the page number
        ]
        for n in range(1, 5)
    ]
    for variant in (pages, [p[1:] for p in pages]):  # with the running header, and with none
        content = read_pdf(_pdf_with_lines(tmp_path / "running.pdf", variant))
        for n, page in enumerate(content.pages, start=1):
            lines = page.text.splitlines()
            assert "示例单位绩效评价报告" not in lines
            assert f"示例单位 第{n}页" not in lines
            assert f"{n}. 指标{n}完成率为9{n}.00%，情况良好。" in lines


def test_padding_after_eof_is_accepted(tmp_path: Path, report: PdfContent) -> None:
    padded = tmp_path / "padded.pdf"
    padded.write_bytes(REPORT.read_bytes() + b"\x00" * 5000)
    assert read_pdf(padded).page_count == report.page_count


def test_paragraphs_and_headings_without_indentation(tmp_path: Path) -> None:
    """Flush-left text: a heading stays its own line, a paragraph's lines are joined even when a
    printed line starts with an enumeration number "（2）"."""
    lines = [
        "一、情况说明",
        "本项目主要内容包括：（1）开展培训，累计培训三万余人次，覆盖全部",
        "（2）租赁专线三十条，（3）支付业务用房租金。",
        "（一）下一部分",
        "这一部分的正文从这里开始，内容较长需要换行才能写完，因此这一行",
        "是第二行。",
    ]
    content = read_pdf(_pdf_with_lines(tmp_path / "flush.pdf", [lines]))
    assert content.pages[0].text.splitlines() == [
        "一、情况说明",
        "本项目主要内容包括：（1）开展培训，累计培训三万余人次，覆盖全部（2）租赁专线三十条，（3）支付业务用房租金。",
        "（一）下一部分",
        "这一部分的正文从这里开始，内容较长需要换行才能写完，因此这一行是第二行。",
    ]


def test_scan_with_only_a_text_page_number_needs_ocr(tmp_path: Path) -> None:
    pages = [["第一页正文，有文字。", "— 1 —"], ["— 2 —"], ["— 3 —"]]
    content = read_pdf(_pdf_with_lines(tmp_path / "numbers-only.pdf", pages))
    assert content.needs_ocr_pages == [2, 3]
    with pytest.raises(NeedsOCR):
        read_pdf(_pdf_with_lines(tmp_path / "all-scans.pdf", [["— 1 —"], ["— 2 —"]]))


def test_progress_is_reported_page_by_page() -> None:
    from ingest.tables import extract_tables

    seen: list[tuple[int, int]] = []
    content = read_pdf(FIXTURES / "report_2020_8890.pdf", on_page=lambda d, t: seen.append((d, t)))
    assert seen == [(n, 8) for n in range(1, 9)]
    seen.clear()
    extract_tables(
        FIXTURES / "report_2020_8890.pdf",
        doc_id="d",
        pages=content.pages,
        on_page=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(n, 8) for n in range(1, 9)]
