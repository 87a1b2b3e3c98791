"""Where in an xlsx or docx a citation points (#18, Office documents): the sheet (or Word table or
paragraph), row and column of each cell and paragraph kept at ingest, and in the citations.

Expected positions come from openpyxl and python-docx reading the files written here, never from
jixiao's own readers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from openpyxl import Workbook

from ingest.office import read_office

SHEET = "预算 执行"  # a space: its A1 address is quoted ('预算 执行'!D6)


def write_budget_xlsx(path: Path) -> Path:
    """A budget table under a merged title and unit line, with a two-level merged header, offset from
    A1; an empty sheet; a second table."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([])
    ws.append([None, "2021年度便民服务项目预算执行情况表"])
    ws.merge_cells("B2:F2")
    ws.append([None, "单位：万元"])
    ws.merge_cells("B3:F3")
    ws.append([None, "项目", "预算", None, "全年执行数", "预算执行率"])
    ws.append([None, None, "年初预算数", "全年预算数"])
    for rng in ("B4:B5", "C4:D4", "E4:E5", "F4:F5"):
        ws.merge_cells(rng)
    ws.append([None, "合计", 1200, 1100.5, 1050.25, "95.43%"])
    ws.append([None, "基本支出", 700, 650, 640.75, "98.58%"])
    ws.append([None, "项目支出", 500, 450.5, 409.5, "90.90%"])
    wb.create_sheet("空白")
    staff = wb.create_sheet("人员")
    staff.append(["岗位", "人数"])
    staff.append(["话务岗", 36])
    staff.append(["管理岗", 5])
    wb.save(path)
    return path


def write_report_docx(path: Path) -> Path:
    """Paragraphs (an empty one among them), an empty table, a table with a vertically merged row
    label, a table with a horizontally merged header."""
    d = docx.Document()
    d.add_paragraph("便民服务项目绩效评价报告")
    d.add_paragraph("")
    d.add_paragraph("一、项目基本情况。项目总投资1000万元，由市财政全额保障。")
    d.add_table(rows=0, cols=2)  # no rows: not a grid, but it is the body's first table
    t = d.add_table(rows=4, cols=3)
    for r, row in enumerate([["指标", "年度目标", "实际完成"], ["产出", "120", "118"], [None, "60", "57"]]):
        for c, text in enumerate(row):
            if text is not None:
                t.cell(r, c).text = text
    t.cell(1, 0).merge(t.cell(2, 0)).text = "产出"
    t.cell(3, 0).text, t.cell(3, 1).text, t.cell(3, 2).text = "满意度", "90%", "93.5%"
    d.add_paragraph("二、主要结论。话务接通率为97.2%，较上年提高1.3个百分点。")
    t2 = d.add_table(rows=2, cols=3)
    t2.cell(0, 0).merge(t2.cell(0, 1)).text = "岗位与类别"
    t2.cell(0, 2).text = "人数"
    t2.cell(1, 0).text, t2.cell(1, 1).text, t2.cell(1, 2).text = "话务岗", "全职", "36"
    d.save(str(path))
    return path


def _xlsx_value(value: object) -> str:
    """A cell's value as text, the way openpyxl gives it (numbers without float noise)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format(Decimal(repr(value)).normalize(), "f")
    return re.sub(r"\s+", " ", str(value)).strip()


def _same_number(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except ArithmeticError:
        return a == b


# ---- what ingest keeps -------------------------------------------------------------------------------


def test_xlsx_locations_are_where_openpyxl_has_them(tmp_path: Path) -> None:
    path = write_budget_xlsx(tmp_path / "budget.xlsx")
    content = read_office(path, doc_id="x")
    wb = openpyxl.load_workbook(path)
    cells = [loc for loc in content.locations if loc.kind == "cell"]
    assert cells and len(cells) == len(content.locations)
    for loc in cells:
        ws = wb[loc.sheet]
        value = ws.cell(loc.row, loc.col).value
        assert value is not None and _same_number(_xlsx_value(value), loc.text), (loc, value)
        # the page a location is on is the page whose text is that sheet's
        assert loc.text in content.pages[loc.page - 1].text
    merged = {
        (r.min_row, r.min_col, r.max_row, r.max_col) for ws in wb.worksheets for r in ws.merged_cells.ranges
    }
    spans = {
        (loc.row, loc.col, loc.row + loc.row_span - 1, loc.col + loc.col_span - 1)
        for loc in cells
        if (loc.row_span, loc.col_span) != (1, 1)
    }
    assert spans == merged  # every merged range once, at its top-left, with its extent
    assert {loc.sheet for loc in cells} == {SHEET, "人员"} and {loc.page for loc in cells} == {1, 2}
    # a body cell names its stored table cell, so a cited table row maps to the sheet
    d6 = next(loc for loc in cells if (loc.sheet, loc.row, loc.col) == (SHEET, 6, 4))
    table = next(t for t in content.tables if t.id == d6.table_id)
    assert table.rows[d6.row_index][d6.col_index] == d6.text == "1100.5"
    assert wb[SHEET]["D6"].value == 1100.5


def test_docx_locations_are_where_python_docx_has_them(tmp_path: Path) -> None:
    path = write_report_docx(tmp_path / "report.docx")
    content = read_office(path, doc_id="y")
    d = docx.Document(str(path))
    paragraphs = [loc for loc in content.locations if loc.kind == "paragraph"]
    assert [p.paragraph for p in paragraphs] == [1, 3, 4]  # the empty second paragraph is counted
    for loc in paragraphs:
        assert d.paragraphs[loc.paragraph - 1].text.strip() == loc.text
    cells = [loc for loc in content.locations if loc.kind == "cell"]
    assert {loc.table for loc in cells} == {2, 3}  # the empty first table is counted, not shown
    for loc in cells:
        table = d.tables[loc.table - 1]
        cell = table.cell(loc.row - 1, loc.col - 1)
        assert cell.text.strip() == loc.text, loc
        last = table.cell(loc.row + loc.row_span - 2, loc.col + loc.col_span - 2)
        assert last._tc is cell._tc  # the span stays inside the merged cell …
        if loc.row + loc.row_span - 1 < len(table.rows):
            assert table.cell(loc.row + loc.row_span - 1, loc.col - 1)._tc is not cell._tc  # … and covers it
    label = next(loc for loc in cells if loc.text == "产出")
    assert (label.table, label.row, label.col, label.row_span, label.col_span) == (2, 2, 1, 2, 1)
    header = next(loc for loc in cells if loc.text == "岗位与类别")
    assert (header.table, header.row, header.col, header.row_span, header.col_span) == (3, 1, 1, 1, 2)
    # reading order: the paragraph after the first shown table comes after its cells
    order = [loc.text for loc in content.locations]
    assert order.index("93.5%") < order.index(paragraphs[-1].text) < order.index("岗位与类别")


# ---- in the answers ----------------------------------------------------------------------------------

KEY = "locations-key-1a2b3c4d5e"
FORM_SEEDS = (4101, 4102)  # two generated 自评表 with indicators below full marks, one per sheet


def _where(ws: object, value: str) -> tuple[int, int]:
    """The one (row, column) of a worksheet whose value is `value` (openpyxl's reading)."""
    found = [
        (cell.row, cell.column)
        for row in ws.iter_rows()  # type: ignore[attr-defined]
        for cell in row
        if cell.value is not None and _same_number(_xlsx_value(cell.value), value)
    ]
    assert len(found) == 1, (value, found)
    return found[0]


def _docx_where(d: object, text: str) -> tuple[int, int, int]:
    """The one (table, row, column), 1-based, of a Word table cell reading `text` (python-docx)."""
    found = {
        (t + 1, r + 1, c + 1)
        for t, table in enumerate(d.tables)  # type: ignore[attr-defined]
        for r, row in enumerate(table.rows)
        for c, cell in enumerate(row.cells)
        if cell.text.strip() == text
    }
    assert len(found) == 1, (text, found)
    return found.pop()


def _focus(citation: object) -> object:
    [loc] = [loc for loc in citation.locations if loc.focus]  # type: ignore[attr-defined]
    return loc


@pytest.fixture(scope="module")
def office(sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The sample report (a PDF) and policy, plus the budget workbook, the Word report and a workbook
    of two 自评表, ingested once."""
    import shutil

    from evals.generator.formats import write_xlsx
    from evals.generator.selfeval import make_form
    from ingest.index import ingest_paths
    from service.config import Settings

    root = tmp_path_factory.mktemp("office-locations")
    data = root / "data"
    shutil.copytree(sample_data_dir, data)
    files = {
        "budget": write_budget_xlsx(root / "budget.xlsx"),
        "report": write_report_docx(root / "report.docx"),
        "forms": write_xlsx([make_form(s, None) for s in FORM_SEEDS], root / "forms.xlsx"),
    }
    settings = Settings(data_dir=data, api_keys=[KEY], rate_limit_per_minute=1000)
    records = ingest_paths(settings, list(files.values()))
    assert all(r.status == "ok" for r in records), [(r.path, r.message) for r in records]
    ids = {name: next(r.doc_id for r in records if Path(r.path).name == f.name) for name, f in files.items()}
    return {"settings": settings, "files": files, "ids": ids}


@pytest.fixture(scope="module")
def assistant(office):  # type: ignore[no-untyped-def]
    from service.assistant import build_assistant

    with build_assistant(office["settings"]) as a:
        yield a


def _ask(assistant, office, question: str, doc: str):  # type: ignore[no-untyped-def]
    return assistant.ask(question, document_ids=[office["ids"][doc]])


@pytest.mark.slow
def test_a_table_figure_cites_its_sheet_row_and_column(assistant, office) -> None:
    answer = _ask(assistant, office, "基本支出的全年执行数是多少", "budget")
    assert "640.75" in answer.answer
    [c] = answer.citations
    assert c.file_type == "xlsx" and c.boxes == []
    loc = _focus(c)
    ws = openpyxl.load_workbook(office["files"]["budget"])[SHEET]
    row, col = _where(ws, "640.75")
    assert (loc.kind, loc.sheet, loc.row, loc.col, loc.page) == ("cell", SHEET, row, col, 1)
    assert loc.ref == "E7" and loc.address == "'预算 执行'!E7" and loc.label == "工作表 预算 执行，E7"
    assert loc.table is None and loc.paragraph is None and loc.text == "640.75"
    # the quoted row is framed whole: its label and every figure, each where openpyxl has it
    first = c.locations[0]
    assert (first.row, ws.cell(first.row, first.col).value) == (row, "基本支出")
    assert {x.row for x in c.locations} == {row}

    computed = _ask(assistant, office, "预算执行率是多少", "budget")
    inputs = [i for comp in computed.computations for i in comp.inputs]
    assert len(inputs) == 2
    for item in inputs:  # each computation input located in its own cell
        [at] = item["source"]["locations"]
        assert at["focus"] and at["sheet"] == SHEET and item["source"]["boxes"] == []
        assert (at["row"], at["col"]) == _where(ws, item["value"])


@pytest.mark.slow
def test_a_word_table_cell_and_a_paragraph(assistant, office) -> None:
    d = docx.Document(str(office["files"]["report"]))
    answer = _ask(assistant, office, "满意度实际完成多少", "report")
    [c] = answer.citations
    loc = _focus(c)
    assert c.file_type == "docx" and loc.kind == "cell" and loc.sheet is None and loc.ref is None
    assert (loc.table, loc.row, loc.col) == _docx_where(d, "93.5%")
    assert loc.label == f"第{loc.table}个表格，第{loc.row}行第{loc.col}列" == "第2个表格，第4行第3列"

    answer = _ask(assistant, office, "话务接通率是多少", "report")
    [c] = answer.citations
    [loc] = c.locations
    assert loc.kind == "paragraph" and loc.row is None and loc.label == f"第{loc.paragraph}段"
    assert "97.2%" in d.paragraphs[loc.paragraph - 1].text == loc.text


@pytest.mark.slow
def test_form_answers_cite_the_cells_of_their_sheet(assistant, office) -> None:
    """A form's figure is cited on its sheet's page (one page per sheet), and one citation of "10"
    stands for the 分值 of several rows of a sheet: each is located in the row its sentence names."""
    wb = openpyxl.load_workbook(office["files"]["forms"])
    answer = _ask(assistant, office, "哪些指标没有拿满分，原因是什么", "forms")
    assert answer.citations
    for c in answer.citations:
        assert c.locations, c
        holding = {
            (ws.title, cell.row, cell.column)
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for cell in row
            if cell.value is not None and _same_number(_xlsx_value(cell.value), c.quote)
        }
        located = {(loc.sheet, loc.row, loc.col) for loc in c.locations}
        assert located <= holding, (c.quote, located, holding)  # only cells holding the quote
        sentences = [s for s in re.split(r"\n", answer.answer) if f"[{c.n}]" in s]
        assert len(located) <= len(sentences)  # at most one cell for each sentence citing it
    tens = [c for c in answer.citations if c.quote == "10"]
    assert len({loc.sheet for c in tens for loc in c.locations}) == 2  # rows of both forms
    assert all(len({loc.sheet for loc in c.locations}) == 1 for c in tens)  # each on its own sheet

    total = _ask(assistant, office, "这张表的自评总分是多少", "forms")
    inputs = [i for comp in total.computations for i in comp.inputs]
    assert inputs
    for item in inputs:  # a form record's cell (sheet, row, col) carries its document and location
        source = item["source"]
        [at] = source["locations"]
        assert source["doc_id"] == office["ids"]["forms"] and at["sheet"] == source["sheet"]
        assert at["row"] <= source["row"] < at["row"] + at["row_span"]
        assert at["col"] <= source["col"] < at["col"] + at["col_span"]
        assert _same_number(_xlsx_value(wb[at["sheet"]][at["ref"]].value), item["value"])


@pytest.mark.slow
def test_nothing_is_guessed(assistant, office) -> None:
    from ingest.store import Store
    from service.citation_locations import LocationFinder

    store = Store.open(office["settings"])
    try:
        finder = LocationFinder(store, store.get_tables)
        forms = office["ids"]["forms"]
        assert finder.citation(forms, 1, "10") == []  # in many rows, no sentence says which
        assert finder.citation(forms, 1, "此句不在任何单元格或段落中出现") == []
        [only] = finder.citation(office["ids"]["budget"], 2, "36")
        assert (only["sheet"], only["ref"], only["focus"]) == ("人员", "B2", True)
        assert finder.citation(office["ids"]["budget"], 1, "3") == []  # never a digit inside a figure
    finally:
        store.close()


@pytest.mark.slow
def test_a_data_dir_from_before_locations_still_answers(office, tmp_path: Path) -> None:
    import shutil
    import sqlite3

    from ingest.index import ingest_paths
    from service.assistant import build_assistant
    from service.config import Settings

    data = tmp_path / "data"
    shutil.copytree(office["settings"].data_dir, data)
    with sqlite3.connect(data / "jixiao.db") as db:  # as written by a jixiao without locations
        db.execute("DROP TABLE locations")
        db.execute("UPDATE documents SET chunker_version = 'before-locations'")
    settings = Settings(data_dir=data)
    question, budget = "基本支出的全年执行数是多少", [office["ids"]["budget"]]
    with build_assistant(settings) as assistant:
        answer = assistant.ask(question, document_ids=budget)
    assert "640.75" in answer.answer and answer.citations
    assert all(c.locations == [] and c.file_type == "xlsx" for c in answer.citations)  # the text view
    assert ingest_paths(settings, [office["files"]["budget"]])[0].status == "ok"  # re-ingesting …
    with build_assistant(settings) as assistant:
        assert _focus(assistant.ask(question, document_ids=budget).citations[0]).ref == "E7"  # … locates


# ---- every API --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(office):  # type: ignore[no-untyped-def]
    from api_server import LiveServer

    from service.api.app import create_app

    srv = LiveServer(create_app(office["settings"])).start()
    yield srv
    srv.stop()


def _check_e7(citations: list[dict]) -> None:
    [c] = citations
    [focus] = [loc for loc in c["locations"] if loc["focus"]]
    assert (focus["sheet"], focus["row"], focus["col"], focus["ref"]) == (SHEET, 7, 5, "E7"), focus
    assert focus["address"] == "'预算 执行'!E7" and focus["label"] == "工作表 预算 执行，E7"
    assert c["file_type"] == "xlsx" and c["boxes"] == [] and c.get("image_url") is None


@pytest.mark.slow
def test_every_api_carries_the_locations_and_pdf_page_images(server, office) -> None:
    import asyncio
    from urllib.parse import urlsplit

    import httpx
    from api_server import sse_parts

    question, budget = "基本支出的全年执行数是多少", [office["ids"]["budget"]]
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server.url, timeout=120, headers=auth) as client:
        body = client.post("/api/v1/chat", json={"message": question, "document_ids": budget}).json()
        _check_e7(body["citations"])
        stream = {"message": question, "document_ids": budget, "stream": True}
        with client.stream("POST", "/api/v1/chat", json=stream) as r:
            parts = [p for p in sse_parts(r) if isinstance(p, dict)]
        _check_e7([p["providerMetadata"]["jixiao"] for p in parts if p["type"] == "source-url"])
        _check_e7(next(p for p in parts if p["type"] == "finish")["messageMetadata"]["citations"])
        document = next(p for p in parts if p["type"] == "source-document")
        assert document["mediaType"].endswith("spreadsheetml.sheet")
        messages = [{"role": "user", "content": question}]
        completion = client.post(
            "/v1/chat/completions", json={"model": "jixiao", "messages": messages, "document_ids": budget}
        ).json()
        _check_e7(completion["citations"])

        # the region the widget draws: the cited row among its neighbours, merged cells with their spans
        grid = client.get(f"/api/v1/documents/{budget[0]}/pages/1/grid", params={"row": 7}).json()
        assert grid["sheet"] == SHEET and grid["first_row"] <= 7 <= grid["last_row"]
        cells = {(c["row"], c["col"]): c for c in grid["cells"]}
        assert cells[(7, 5)]["text"] == "640.75" and cells[(7, 5)]["ref"] == "E7"
        assert (cells[(2, 2)]["row_span"], cells[(2, 2)]["col_span"]) == (1, 5)  # the merged title
        report = next(
            d["doc_id"] for d in client.get("/api/v1/documents").json()["documents"] if "报告" in d["title"]
        )
        assert client.get(f"/api/v1/documents/{report}/pages/2/grid").status_code == 404  # a PDF has images
        assert httpx.get(f"{server.url}/api/v1/documents/{budget[0]}/pages/1/grid").status_code == 401

        # a PDF's citation links its page image, signed like its file link
        pdf = client.post("/api/v1/chat", json={"message": "2020年这个项目的预算执行率是多少？"}).json()
        cited = next(c for c in pdf["citations"] if c["boxes"])
        assert cited["file_type"] == "pdf" and cited["locations"] == []
        image = urlsplit(cited["image_url"])
        assert image.path == f"/api/v1/documents/{cited['doc_id']}/pages/{cited['page']}.png"
        png = httpx.get(cited["image_url"])  # no key: the token in the link opens it
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"

    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def ask_mcp(question: str, ids: list[str] | None) -> Any:
        http = httpx2.AsyncClient(headers=auth, timeout=120)
        async with http, Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as mcp:
            return await mcp.call_tool("ask", {"question": question, "document_ids": ids})

    _check_e7(asyncio.run(ask_mcp(question, budget)).structured_content["citations"])
    mcp_pdf = asyncio.run(ask_mcp("2020年这个项目的预算执行率是多少？", None)).structured_content["citations"]
    cited = next(c for c in mcp_pdf if c["boxes"])
    assert cited["image_url"] == f"{server.url}/api/v1/documents/{cited['doc_id']}/pages/{cited['page']}.png"
