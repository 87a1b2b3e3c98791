"""An xlsx or docx citation shows the cited sheet (or Word table) as a table with the cited cell
marked (#18), in real Chromium.

Which cell is right is decided here with openpyxl and python-docx reading the files, and which cell
is marked by where it is drawn: under which column letter and beside which row number on screen,
never by jixiao's own location code."""

# ruff: noqa: F811  (pytest fixtures imported from test_widget_browser are parameters here)
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from api_server import LiveServer
from test_citation_locations import SHEET, write_budget_xlsx, write_report_docx

# the browser, page and portal fixtures are test_widget_browser's own
from test_widget_browser import SITE_KEY, Portal, ask, browser, open_widget, page, portal  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def office(portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from ingest.index import ingest_paths
    from service.api.app import create_app
    from service.config import Settings

    root = tmp_path_factory.mktemp("office-viewer")
    files = {
        "budget": write_budget_xlsx(root / "budget.xlsx"),
        "report": write_report_docx(root / "report.docx"),
    }
    settings = Settings(data_dir=root / "data", site_keys={SITE_KEY: [portal.url]})
    assert all(r.status == "ok" for r in ingest_paths(settings, list(files.values())))
    server = LiveServer(create_app(settings)).start()
    yield {"url": server.url, **files}
    server.stop()


def _marked(page: Any) -> tuple[str, str, str]:
    """The marked cell's text, and the column and row headers it is drawn under and beside."""
    page.locator(".viewer .sheet td.focus").first.wait_for(timeout=30_000)
    return page.locator(".viewer .sheet").evaluate(
        """sheet => {
             const cell = sheet.querySelector('td.focus'), box = cell.getBoundingClientRect();
             const x = box.left + box.width / 2;
             const col = [...sheet.querySelectorAll('thead th')].find(th => {
               const b = th.getBoundingClientRect(); return b.left <= x && x <= b.right; });
             const row = cell.parentElement.querySelector('th');
             return [cell.firstChild.textContent, col.textContent, row.textContent]; }"""
    )


def _visible_in(page: Any, inner: str, outer: str) -> bool:
    a, b = page.locator(inner).first.bounding_box(), page.locator(outer).first.bounding_box()
    assert a and b
    cx, cy = a["x"] + a["width"] / 2, a["y"] + a["height"] / 2
    return b["x"] <= cx <= b["x"] + b["width"] and b["y"] <= cy <= b["y"] + b["height"]


def test_the_marked_cell_is_the_cited_one(page, portal: Portal, office: dict[str, Any]) -> None:
    ws = openpyxl.load_workbook(office["budget"])[SHEET]
    open_widget(page, portal.page("sheet.html", api_base=office["url"]))
    bot = ask(page, "基本支出的全年执行数是多少")
    assert "640.75" in bot.inner_text()
    source = bot.locator(".sources .src").first
    assert f"工作表 {SHEET}，E7" in source.inner_text()  # the source list names the cell, not "第1页"
    source.focus()
    page.keyboard.press("Enter")  # keyboard reachable
    page.locator(".viewer").wait_for(state="visible")
    text, column, row = _marked(page)
    assert text == "640.75" and ws[f"{column}{row}"].value == 640.75  # the cell openpyxl has the figure in
    assert page.locator(".viewer .sheet caption").inner_text() == f"工作表 {SHEET}，{column}{row}"
    region = page.locator(".viewer .sheet")
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
    region.focus()  # the table scrolls by keyboard
    assert region.evaluate("e => e.getRootNode().activeElement === e")
    assert _visible_in(page, ".viewer .sheet td.focus", ".viewer .sheet")  # scrolled into view
    # the cited row is framed, the stated figure marked; the text view remains
    assert page.locator(".viewer .sheet td.hit").count() == 5
    assert "640.75" in page.locator(".viewer .pagetext").inner_text()
    page.keyboard.press("Escape")
    assert not page.locator(".viewer").is_visible()

    d = docx.Document(str(office["report"]))
    page.get_by_role("button", name="新对话").click()  # not a follow-up of the sheet question
    bot = ask(page, "满意度实际完成多少")
    bot.locator(".sources .src").first.click()
    text, column, row = _marked(page)
    cells = [(t, r, c) for t, tb in enumerate(d.tables, 1) for r, rw in enumerate(tb.rows, 1)
             for c, cell in enumerate(rw.cells, 1) if cell.text == "93.5%"]  # fmt: skip
    assert [(r, c) for _, r, c in cells] == [(int(row), int(column))] and text == "93.5%"
    assert (
        page.locator(".viewer .sheet caption").inner_text() == f"第{cells[0][0]}个表格，第{row}行第{column}列"
    )
    assert page.external_requests == []


def test_at_360_px_and_screenshots(browser, portal: Portal, office: dict[str, Any], tmp_path: Path) -> None:
    # `make screenshots` writes them to docs/; a normal run keeps the tree clean
    out = Path(os.environ.get("JIXIAO_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for width, height, name in (
        (1280, 860, "citation-cell-desktop.png"),
        (360, 740, "citation-cell-mobile-360.png"),
    ):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        pg = context.new_page()
        try:
            open_widget(pg, portal.page(f"sheet-{width}.html", api_base=office["url"]))
            ask(pg, "基本支出的全年执行数是多少").locator(".sources .src").first.click()
            text, column, row = _marked(pg)
            assert (text, f"{column}{row}") == ("640.75", "E7")
            sheet = pg.locator(".viewer .sheet").bounding_box()
            assert sheet and sheet["x"] >= 0 and sheet["x"] + sheet["width"] <= width + 1  # fits the screen
            assert _visible_in(pg, ".viewer .sheet td.focus", ".viewer .sheet")
            pg.locator(".viewer .sheet").scroll_into_view_if_needed()
            pg.screenshot(path=str(out / name))
            assert (out / name).stat().st_size > 10_000
        finally:
            context.close()
