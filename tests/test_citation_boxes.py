"""Boxes of what a citation cites (#18): in every API's citations, the page-image endpoint, quote
location tolerant to spacing and character width, and data dirs from before boxes were kept.

Where a figure is printed is decided here with pdfplumber (its table cells), never with jixiao's
own box code."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pdfplumber
import pytest
from api_server import LiveServer, sse_parts
from PIL import Image

from service.api.app import create_app
from service.config import Settings

pytestmark = pytest.mark.slow

KEY = "boxes-key-5e6f7a8b9c"
REPORT = Path(__file__).parent / "fixtures" / "report_2020_8890.pdf"
QUESTION = "2020年这个项目的预算执行率是多少？"


@pytest.fixture(scope="module")
def app_server(sample_data_dir, tmp_path_factory) -> Iterator[tuple[Any, LiveServer]]:
    data_dir = tmp_path_factory.mktemp("boxes-api") / "data"
    shutil.copytree(sample_data_dir, data_dir)
    app = create_app(Settings(data_dir=data_dir, api_keys=[KEY], rate_limit_per_minute=1000))
    srv = LiveServer(app).start()
    yield app, srv
    srv.stop()


@pytest.fixture
def client(app_server) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=app_server[1].url, timeout=120, headers={"Authorization": f"Bearer {KEY}"}
    ) as c:
        yield c


def _report_id(client: httpx.Client) -> str:
    docs = client.get("/api/v1/documents").json()["documents"]
    return next(d["doc_id"] for d in docs if "报告" in d["title"])


def _cell(page: int, row_label: str, column: str) -> tuple[float, float, float, float]:
    """pdfplumber's box of the cell in row `row_label`, column `column` (the reference)."""
    for table in pdfplumber.open(REPORT).pages[page - 1].find_tables():
        texts = table.extract()
        header = [re.sub(r"\s+", "", t or "") for t in texts[0]]
        if column in header:
            for row, row_texts in zip(table.rows, texts, strict=False):
                if re.sub(r"\s+", "", row_texts[0] or "") == row_label:
                    return row.cells[header.index(column)]
    raise AssertionError((page, row_label, column))


def _in_cell(boxes: list[dict[str, Any]], cell: tuple[float, float, float, float]) -> bool:
    return any(
        cell[0] <= (b["x0"] + b["x1"]) / 2 <= cell[2] and cell[1] <= (b["top"] + b["bottom"]) / 2 <= cell[3]
        for b in boxes
    )


def _check_budget_citations(citations: list[dict[str, Any]]) -> None:
    boxed = [c for c in citations if c.get("boxes")]
    assert boxed, citations
    rate = _cell(2, "合计", "预算执行率")
    assert any(_in_cell(c["boxes"], rate) and c["page"] == 2 for c in boxed)
    for c in boxed:
        for b in c["boxes"]:
            assert b["page"] == c["page"] and b["page_width"] > 0 and b["page_height"] > 0


def test_every_api_carries_the_boxes(client: httpx.Client, app_server) -> None:
    body = client.post("/api/v1/chat", json={"message": QUESTION}).json()
    _check_budget_citations(body["citations"])
    inputs = [i for c in body["computations"] for i in c["inputs"]]
    assert len(inputs) == 2
    for i in inputs:  # each computed input boxed in its own cell
        column = "支出金额" if i["value"].startswith("11076") else "预算金额"
        assert _in_cell(i["source"]["boxes"], _cell(2, "合计", column)), i

    with client.stream("POST", "/api/v1/chat", json={"message": QUESTION, "stream": True}) as r:
        parts = [p for p in sse_parts(r) if isinstance(p, dict)]
    _check_budget_citations([p["providerMetadata"]["jixiao"] for p in parts if p["type"] == "source-url"])
    _check_budget_citations(next(p for p in parts if p["type"] == "finish")["messageMetadata"]["citations"])

    completion = client.post(
        "/v1/chat/completions", json={"model": "jixiao", "messages": [{"role": "user", "content": QUESTION}]}
    ).json()
    _check_budget_citations(completion["citations"])

    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def ask_mcp() -> Any:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=120)
        async with http, Client(streamable_http_client(f"{app_server[1].url}/mcp", http_client=http)) as mcp:
            return await mcp.call_tool("ask", {"question": QUESTION})

    _check_budget_citations(asyncio.run(ask_mcp()).structured_content["citations"])


def test_page_image_is_the_page_cached_bounded_and_guarded(client: httpx.Client, app_server) -> None:
    app, srv = app_server
    doc = _report_id(client)
    width = float(pdfplumber.open(REPORT).pages[1].width)
    images = app.state.page_images
    hits = images.hits
    r = client.get(f"/api/v1/documents/{doc}/pages/2.png", params={"scale": 1.5})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).size[0] == pytest.approx(width * 1.5, abs=1)
    again = client.get(f"/api/v1/documents/{doc}/pages/2.png", params={"scale": 1.5})
    assert again.content == r.content and images.hits == hits + 1  # served from the cache
    assert client.get(f"/api/v1/documents/{doc}/pages/99.png").status_code == 404
    assert "99" in client.get(f"/api/v1/documents/{doc}/pages/99.png").json()["error"]["message"]
    assert client.get(f"/api/v1/documents/{doc}/pages/2.png", params={"scale": 50}).status_code == 422
    assert client.get("/api/v1/documents/0123456789abcdef/pages/1.png").status_code == 404
    # the page's text is still served at the text route
    assert client.get(f"/api/v1/documents/{doc}/pages/2").json()["page"] == 2
    # access as for the PDF: no key, no image; a citation's signed link opens it
    assert httpx.get(f"{srv.url}/api/v1/documents/{doc}/pages/2.png").status_code == 401
    cite = client.post("/api/v1/chat", json={"message": QUESTION}).json()["citations"][0]
    token = parse_qs(urlsplit(cite["url"]).query)["token"][0]
    signed = httpx.get(f"{srv.url}/api/v1/documents/{doc}/pages/2.png", params={"token": token})
    assert signed.status_code == 200 and signed.content[:8] == b"\x89PNG\r\n\x1a\n"
    forged = httpx.get(f"{srv.url}/api/v1/documents/{doc}/pages/2.png", params={"token": token[:-2] + "00"})
    assert forged.status_code == 401


def test_a_poster_sized_page_is_rendered_within_bounds(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    from service.page_images import MAX_SIDE, PageImages

    pdf = tmp_path / "poster.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=5000, height=2500)
    with pdf.open("wb") as fh:
        writer.write(fh)
    images = PageImages(max_bytes=10_000_000)
    size = Image.open(io.BytesIO(images.png("poster", pdf, 1, 4.0))).size
    assert max(size) <= MAX_SIDE and size[0] == pytest.approx(2 * size[1], abs=2)
    # the cache holds at most max_bytes: a second image pushes the first out
    one = len(images.png("poster", pdf, 1, 1.0))
    small = PageImages(max_bytes=one + 10)
    small.png("poster", pdf, 1, 1.0)
    small.png("poster", pdf, 1, 0.5)
    small.png("poster", pdf, 1, 1.0)
    assert small.misses == 3 and small.hits == 0


def test_a_quote_is_located_whatever_its_spacing_and_character_width(sample_store) -> None:
    from service.citation_boxes import BoxFinder

    doc = next(d for d in sample_store.list_documents() if d.kind == "report")
    page4 = next(p for p in sample_store.get_pages(doc.doc_id) if p.number == 4).text
    sentence = next(s for s in re.split(r"(?<=。)", page4.replace("\n", "")) if "接听率" in s and "%" in s)
    finder = BoxFinder(sample_store)
    verbatim = finder.citation(doc.doc_id, 4, sentence)
    assert len(verbatim) >= 2  # it runs over lines
    full_width = sentence.translate(str.maketrans("0123456789.%,", "０１２３４５６７８９．％，"))
    variants = [
        re.sub(r"\s+", "", sentence),  # no spaces
        re.sub(r"(\d)", r"\1 ", sentence),  # spaces inside numbers
        sentence[: len(sentence) // 2] + "\n" + sentence[len(sentence) // 2 :],  # a line break
        sentence.replace("，", ",").replace("。", "."),  # half-width punctuation
        full_width,  # full-width digits
    ]
    for quote in variants:
        assert finder.citation(doc.doc_id, 4, quote) == verbatim, quote
    assert finder.citation(doc.doc_id, 4, sentence[:40] + "…")  # a truncated quote
    assert finder.citation(doc.doc_id, 4, "此句不在这一页上出现过的任何地方") == []
    assert finder.citation(doc.doc_id, 99, sentence) == []


def test_a_data_dir_from_before_boxes_still_answers(sample_data_dir: Path, tmp_path: Path) -> None:
    from ingest.index import ingest_paths
    from service.assistant import build_assistant

    data = tmp_path / "data"
    shutil.copytree(sample_data_dir, data)
    with sqlite3.connect(data / "jixiao.db") as db:  # as written by a jixiao without boxes
        db.execute("DROP TABLE boxes")
        db.execute("UPDATE documents SET chunker_version = 'before-boxes'")
    settings = Settings(data_dir=data)
    with build_assistant(settings) as assistant:
        answer = assistant.ask(QUESTION)
    assert "99.86%" in answer.answer and answer.citations
    assert all(c.boxes == [] for c in answer.citations)  # the text view, no invented boxes
    records = ingest_paths(settings, [REPORT])  # re-ingesting brings the boxes
    assert records[0].status == "ok"
    with build_assistant(settings) as assistant:
        _check_budget_citations([c.model_dump() for c in assistant.ask(QUESTION).citations])


def test_a_rotated_page_gets_no_boxes_rather_than_wrong_ones(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    from ingest.boxes import LayoutBoxes

    writer = PdfWriter()
    for i, p in enumerate(PdfReader(REPORT).pages[:2]):
        writer.add_page(p)
        if i == 1:
            writer.pages[1].rotate(90)  # shown turned; pdfplumber keeps the unrotated coordinates
    rotated = tmp_path / "rotated.pdf"
    with rotated.open("wb") as fh:
        writer.write(fh)
    layout = LayoutBoxes()
    with pdfplumber.open(rotated) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            page.extract_words()  # lays the page out
            layout(page, number)
    assert {b.page for b in layout.boxes} == {1}
    assert any(b.kind == "line" for b in layout.boxes)
