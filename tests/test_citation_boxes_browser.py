"""Citations show the page image with the cited figure boxed (#18), in real Chromium.

Where a box should be is decided here with pdfplumber itself (its table cells, its text search),
never with jixiao's own box code: a drawn box's centre, mapped from screen pixels back to PDF points
through the page image's on-screen size, must fall inside the cell pdfplumber finds for the figure;
a prose quote's characters, as pdfplumber finds them, must all lie inside drawn boxes.
"""

# ruff: noqa: F811  (pytest fixtures imported from test_widget_browser are parameters here)
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from api_server import LiveServer

# the browser, page and portal fixtures are test_widget_browser's own
from test_widget_browser import SITE_KEY, Portal, ask, browser, open_widget, page, portal  # noqa: F401

pytestmark = pytest.mark.browser

REPORT = Path(__file__).parent / "fixtures" / "report_2020_8890.pdf"


@pytest.fixture(scope="module")
def jixiao(sample_data_dir: Path, portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from service.api.app import create_app
    from service.config import Settings

    data = tmp_path_factory.mktemp("boxes") / "data"
    shutil.copytree(sample_data_dir, data)
    server = LiveServer(create_app(Settings(data_dir=data, site_keys={SITE_KEY: [portal.url]}))).start()
    yield server.url
    server.stop()


# ---- pdfplumber's view of the sample report (the reference) --------------------------------------
def _pdf_page(number: int) -> Any:
    return pdfplumber.open(REPORT).pages[number - 1]


def _cell(number: int, row_label: str, column: str) -> tuple[float, float, float, float]:
    """pdfplumber's box of the cell in the row labelled `row_label` under the header `column`."""
    for table in _pdf_page(number).find_tables():
        texts = table.extract()
        header = [re.sub(r"\s+", "", t or "") for t in texts[0]]
        if column not in header:
            continue
        for row, row_texts in zip(table.rows, texts, strict=False):
            if re.sub(r"\s+", "", row_texts[0] or "") == row_label:
                return row.cells[header.index(column)]
    raise AssertionError(f"no cell {row_label}/{column} on page {number}")


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y = point
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


# ---- what the widget draws -----------------------------------------------------------------------
def _drawn_boxes(page: Any, number: int, which: str = ".box") -> list[tuple[float, float, float, float]]:
    """The viewer's boxes in PDF points, via the page image's on-screen rectangle."""
    image = page.locator(".viewer .pageimg img")
    page.wait_for_function(
        """() => { const i = document.querySelector('[data-jixiao-widget]').shadowRoot
                     .querySelector('.viewer .pageimg img');
                   return i && i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0; }""",
        timeout=30_000,
    )
    pdf_page = _pdf_page(number)
    natural = image.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    # the image is this page: its aspect ratio is the page's
    assert abs(natural[0] / natural[1] - float(pdf_page.width) / float(pdf_page.height)) < 0.01
    img = image.bounding_box()
    assert img
    sx, sy = float(pdf_page.width) / img["width"], float(pdf_page.height) / img["height"]
    out = []
    for b in page.locator(f".viewer .pageimg {which}").all():
        r = b.bounding_box()
        assert r
        x0, top = (r["x"] - img["x"]) * sx, (r["y"] - img["y"]) * sy
        out.append((x0, top, x0 + r["width"] * sx, top + r["height"] * sy))
    return out


def _centre(b: tuple[float, float, float, float]) -> tuple[float, float]:
    return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)


def test_a_table_figure_is_boxed_in_its_cell(page, portal: Portal, jixiao: str) -> None:
    open_widget(page, portal.page("table.html", api_base=jixiao))
    bot = ask(page, "2020年这个项目的预算执行率是多少？")
    assert "99.86%" in bot.inner_text()
    source = bot.locator(".sources .src").first
    assert "第2页" in source.inner_text()
    source.click()
    page.locator(".viewer").wait_for(state="visible")
    boxes = _drawn_boxes(page, 2)
    cell = _cell(2, "合计", "预算执行率")
    assert any(_inside(_centre(b), cell) for b in boxes), (boxes, cell)
    # the row's cells are framed; the asked figure's cell is the one marked
    focus = _drawn_boxes(page, 2, ".box.focus")
    assert focus and all(_inside(_centre(b), cell) for b in focus), (focus, cell)
    # the cited cell is also scrolled into view inside the viewer
    marked = page.locator(".viewer .pageimg .box.focus").first
    assert marked.is_visible()
    view = page.locator(".viewer .body").bounding_box()
    fb = marked.bounding_box()
    assert view and fb and view["y"] <= fb["y"] + fb["height"] / 2 <= view["y"] + view["height"]
    # the text view stays for screen readers, and the image has a name
    assert page.locator(".viewer .pagetext").inner_text().strip()
    assert "方框" in (page.locator(".viewer .pageimg img").get_attribute("alt") or "")
    assert page.external_requests == []


def test_a_prose_quote_is_boxed_over_its_lines(page, portal: Portal, jixiao: str) -> None:
    open_widget(page, portal.page("prose.html", api_base=jixiao))
    bot = ask(page, "坐席电话的接听率是多少？")
    source = bot.locator(".sources .src").first
    source.click()
    page.locator(".viewer").wait_for(state="visible")
    quote = page.locator(".viewer p mark").first.inner_text()
    boxes = _drawn_boxes(page, 4)
    # pdfplumber finds the quote on the page (any whitespace or line break between its characters)
    pattern = r"\s*".join(re.escape(ch) for ch in quote if not ch.isspace())
    matches = _pdf_page(4).search(pattern, regex=True, return_chars=True)
    assert matches, quote
    chars = matches[0]["chars"]
    assert len({round(c["top"]) for c in chars}) >= 2  # the quote runs over several lines
    missed = [
        c["text"]
        for c in chars
        if not any(_inside(((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2), b) for b in boxes)
    ]
    assert not missed, missed
    # and the boxes do not spill onto the lines around the quote (a frame drawn just outside its
    # lines, less than half a line's pitch of about 19 pt)
    top, bottom = min(c["top"] for c in chars), max(c["bottom"] for c in chars)
    assert all(b[1] >= top - 8 and b[3] <= bottom + 8 for b in boxes), (boxes, top, bottom)


def test_each_computed_input_opens_its_boxed_cell(page, portal: Portal, jixiao: str) -> None:
    open_widget(page, portal.page("inputs.html", api_base=jixiao))
    bot = ask(page, "2020年这个项目的预算执行率是多少？")
    details = bot.locator("details.comp")
    details.locator("summary").click()
    buttons = details.locator("button.loc")
    assert buttons.count() == 2
    seen = set()
    for i in range(2):
        label = buttons.nth(i).get_attribute("aria-label") or ""
        column = "支出金额" if "支出" in label else "预算金额"
        buttons.nth(i).focus()
        page.keyboard.press("Enter")  # keyboard reachable
        page.locator(".viewer").wait_for(state="visible")
        boxes = _drawn_boxes(page, 2)
        cell = _cell(2, "合计", column)
        assert any(_inside(_centre(b), cell) for b in boxes), (column, boxes, cell)
        seen.add(column)
        page.keyboard.press("Escape")
        assert not page.locator(".viewer").is_visible()
    assert seen == {"支出金额", "预算金额"}


def test_screenshots_desktop_360px_and_200_percent_zoom(
    browser, portal: Portal, jixiao: str, tmp_path: Path
) -> None:
    # `make screenshots` writes them to docs/ for the README; a normal run keeps the tree clean
    out = Path(os.environ.get("JIXIAO_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    shots = {1280: "citation-box-desktop.png", 360: "citation-box-mobile-360.png"}
    for viewport, scale in (((1280, 860), 1), ((360, 740), 1), ((640, 430), 2)):
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=scale, locale="zh-CN"
        )
        pg = context.new_page()
        try:
            open_widget(pg, portal.page(f"small-{viewport[0]}.html", api_base=jixiao))
            bot = ask(pg, "2020年这个项目的预算执行率是多少？")
            bot.locator(".sources .src").first.click()
            boxes = _drawn_boxes(pg, 2)
            assert any(_inside(_centre(b), _cell(2, "合计", "预算执行率")) for b in boxes)
            img = pg.locator(".viewer .pageimg img").bounding_box()
            assert img and img["x"] >= 0 and img["x"] + img["width"] <= viewport[0] + 1  # fits the screen
            # the image is sharp on this screen: at least as many pixels as it is shown with
            natural = pg.locator(".viewer .pageimg img").evaluate("i => i.naturalWidth")
            assert natural >= img["width"] * scale
            zoom = pg.get_by_role("button", name="放大页面")
            zoom.focus()
            pg.keyboard.press("Enter")
            assert pg.get_by_role("button", name="缩小页面").is_visible()
            focus = pg.locator(".viewer .pageimg .box.focus").first
            fb = focus.bounding_box()
            assert fb and 0 <= fb["x"] + fb["width"] / 2 <= viewport[0]  # still scrolled to the cell
            if viewport[0] in shots:
                if viewport[0] < 640:  # the small screen shows the whole page, the desktop the cell up close
                    pg.get_by_role("button", name="缩小页面").click()
                pg.locator(".viewer .pageimg .box.focus").first.scroll_into_view_if_needed()
                pg.screenshot(path=str(out / shots[viewport[0]]))
                assert (out / shots[viewport[0]]).stat().st_size > 10_000
        finally:
            context.close()
