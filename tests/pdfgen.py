"""Small real PDFs made on the fly for ingest tests (reportlab's built-in CJK font STSong-Light)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


def make_chinese_pdf(path: Path, *, title: str, paragraphs: list[str], per_page: int = 12) -> Path:
    """A text PDF: the title on page 1, then one paragraph per line, `per_page` lines a page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path))
    c.setTitle(title)
    c.setFont("STSong-Light", 16)
    c.drawString(72, 780, title)
    y = 740
    c.setFont("STSong-Light", 11)
    for i, para in enumerate(paragraphs):
        if i and i % per_page == 0:
            c.showPage()
            c.setFont("STSong-Light", 11)
            y = 780
        c.drawString(72, y, para)
        y -= 40
    c.showPage()
    c.save()
    return path


def make_zero_page_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    with path.open("wb") as fh:
        PdfWriter().write(fh)
    return path


def numbered_paragraphs(tag: str, n: int) -> list[str]:
    """`n` distinct short paragraphs mentioning `tag`, for version and kill tests."""
    topics = ["坐席电话接听率", "预算执行率", "人员经费支出", "工单办结率", "群众满意度", "话务员流失率"]
    return [
        f"{i + 1}. {tag}：{topics[i % len(topics)]}为{90 + i % 10}.{i:02d}%，情况说明第{i + 1}条。"
        for i in range(n)
    ]


def make_shared_stream_pdf(path: Path, *, pages: int, stream_bytes: int) -> Path:
    """A decompression-bomb-like PDF: every page draws the same content stream, a highly
    compressible run of text operators about `stream_bytes` long (a few KB on disk)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    op = b"BT /F1 9 Tf 72 700 Td (0000) Tj ET\n"
    content = DecodedStreamObject()
    content.set_data(op * max(1, stream_bytes // len(op)))
    writer = PdfWriter()
    stream_ref = writer._add_object(content.flate_encode())
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    resources = writer._add_object(
        DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
    )
    for _ in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        page[NameObject("/Contents")] = stream_ref
        page[NameObject("/Resources")] = resources
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def deterministic_answerer(data_dir: Path, paths: list[Path]) -> Iterator[Any]:
    """Ingest `paths` into a fresh data dir and yield the deterministic answerer over it (for a
    module fixture: `yield from deterministic_answerer(...)`); the store is closed afterwards."""
    from ingest.index import ingest_paths
    from ingest.store import Store
    from service.answer.deterministic import DeterministicAnswerer
    from service.config import Settings
    from service.search.retrieval import Retriever
    from service.tools import Toolbox

    settings = Settings(data_dir=data_dir)
    records = ingest_paths(settings, paths)
    assert all(r.status == "ok" for r in records), [(r.path, r.message) for r in records]
    store = Store.open(settings)
    yield DeterministicAnswerer(Toolbox(store, Retriever(store, settings)))
    store.close()
