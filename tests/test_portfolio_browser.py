"""A cross-document answer in the widget, in real Chromium (Debian's /usr/bin/chromium via Playwright):
the result table sorts when a column header is clicked, and a ranking or a trend is drawn as a chart,
at desktop width and at 360 px. The portal and jixiao run on two localhost ports, as in
test_widget_browser.py; the documents are generated 自评表 (xlsx) and 项目支出绩效评价报告 (PDF, their
figures read from the facts), and the expected figures are the generator's own arithmetic.

`JIXIAO_SCREENSHOT_DIR=docs` loads about 50 documents (generated forms and reports plus the eval
corpus PDFs, as a new user's first batch would be) and writes docs/portfolio-*.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_widget_browser as widget
from api_server import LiveServer
from test_widget_browser import SITE_KEY, Portal, ask, open_widget

from evals.generator import portfolio as gen

pytestmark = pytest.mark.browser
portal, browser = widget.portal, widget.browser  # the same portal site and Chromium fixtures

SEED = 13
CORPUS = Path(__file__).resolve().parent.parent / "evals" / "corpus" / "pdf"
SHOTS = os.environ.get("JIXIAO_SCREENSHOT_DIR")
# a small portfolio for the checks; about 50 documents for the screenshots
UNITS, REPORT_UNITS, YEARS = (5, 3, 4) if SHOTS else (2, 1, 3)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Generated forms and reports (and with JIXIAO_SCREENSHOT_DIR the corpus PDFs), ingested."""
    from ingest.index import ingest_paths
    from service.config import Settings

    root = tmp_path_factory.mktemp("pf-widget")
    gen.write(SEED, UNITS, YEARS, root / "gen", report_units=REPORT_UNITS)
    paths = sorted((root / "gen" / "forms").iterdir())
    if SHOTS:
        paths += sorted(CORPUS.glob("*.pdf"))
    data = root / "data"
    records = ingest_paths(Settings(data_dir=data), paths)
    failed = [(r.path, r.message) for r in records if r.status != "ok"]
    assert not [f for f in failed if "pf" in str(f[0])], failed  # generated documents all ingest
    return {
        "data": data,
        "forms": gen.build(SEED, UNITS, YEARS),
        "reports": gen.build_reports(SEED, UNITS, REPORT_UNITS, YEARS),
        "count": len(paths) - len(failed),
    }


@pytest.fixture(scope="module")
def jixiao(loaded: dict, portal: Portal) -> Iterator[str]:
    from service.api.app import create_app
    from service.config import Settings

    settings = Settings(data_dir=loaded["data"], site_keys={SITE_KEY: [portal.url]})
    server = LiveServer(create_app(settings)).start()
    yield server.url
    server.stop()


VIEWPORTS = {"desktop": (1280, 860), "mobile-360": (360, 740)}


def _column(table, index: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.strip() for t in table.locator(f"tbody tr td:nth-child({index + 1})").all_inner_texts()]


def _numbers(texts: list[str]) -> list[float]:
    return [float(re.sub(r"[^\d.\-]", "", t)) for t in texts]


def _fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    box = page.locator(".panel").bounding_box()
    assert box and box["width"] <= width + 1
    log_width = page.evaluate(
        "document.querySelector('[data-jixiao-widget]').shadowRoot.querySelector('.log').scrollWidth"
    )
    assert log_width <= box["width"] + 1  # the table scrolls inside itself, the panel does not


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_result_table_sorts_on_header_click_and_charts_show(
    browser, portal: Portal, jixiao: str, loaded: dict, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    try:
        open_widget(page, portal.page(f"pf-{viewport}.html", api_base=jixiao))
        year = gen.FIRST_YEAR + 1
        bot = ask(page, f"{year}年全部项目的预算执行率")
        table = bot.locator(".rtable table")
        table.wait_for()
        headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
        col = headers.index("预算执行率")
        shown = _numbers(_column(table, col))
        expected = [gen.rate(f) for _n, f in loaded["forms"] if f.year == year]
        expected += [r.rate for _n, r in loaded["reports"] if r.year == year]
        assert sorted(shown) == sorted(float(v) for v in expected)

        header = table.locator("thead th").nth(col)
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        assert _numbers(_column(table, col)) == sorted(shown)
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "descending"
        assert _numbers(_column(table, col)) == sorted(shown, reverse=True)
        unit_col = headers.index("单位")  # a text column sorts too
        table.locator("thead th").nth(unit_col).locator("button").click()
        units = _column(table, unit_col)
        assert units == sorted(units)
        assert bot.locator(".rtable + svg[role=img] rect").count() == len(shown)  # a bar per row
        _fits(page, width)

        unit = loaded["reports"][0][1].agency  # a unit known only from its reports
        bot = ask(page, f"{unit}{gen.FIRST_YEAR}—{gen.FIRST_YEAR + YEARS - 1}年预算执行率的变化")
        chart = bot.locator(".rtable + svg[role=img]")  # the table's chart (not a computation's)
        assert chart.locator("polyline").count() == 1
        assert chart.locator("circle").count() == YEARS
        label = chart.get_attribute("aria-label") or ""
        for _n, r in loaded["reports"]:
            if r.agency == unit:
                assert str(float(r.rate)) in label or f"{r.rate}" in label, (r.rate, label)
        _fits(page, width)
    finally:
        context.close()


QUESTIONS = [
    ("filter", f"{gen.FIRST_YEAR + 2}年哪些项目预算执行率低于90%？"),
    ("aggregate", f"{gen.FIRST_YEAR + 1}年全部项目的预算总额和执行总额是多少？平均执行率？"),
    ("rank", "自评得分最低的五个项目"),
    ("ambiguous", "预算执行率是多少？"),
]


SCROLL_TO_LAST_ANSWER = """() => {
  const root = document.querySelector('[data-jixiao-widget]').shadowRoot;
  const log = root.querySelector('.log'), bots = root.querySelectorAll('.msg.bot');
  const last = bots[bots.length - 1];
  log.scrollTop += last.getBoundingClientRect().top - log.getBoundingClientRect().top - 4;
}"""


def test_screenshots_of_portfolio_answers(
    browser, portal: Portal, jixiao: str, loaded: dict, tmp_path: Path
) -> None:
    """`make screenshots` (JIXIAO_SCREENSHOT_DIR=docs) writes docs/portfolio-*.png over ~50 documents;
    a normal run writes them to a temporary directory over the small portfolio."""
    out = Path(SHOTS or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    unit = loaded["reports"][0][1].agency
    questions = [
        *QUESTIONS,
        ("trend", f"{unit}{gen.FIRST_YEAR}—{gen.FIRST_YEAR + YEARS - 1}年预算执行率的变化"),
    ]
    for viewport, (width, height) in VIEWPORTS.items():
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        open_widget(page, portal.page(f"shot-{viewport}.html", api_base=jixiao))
        for name, question in questions if viewport == "desktop" else questions[:1] + questions[-1:]:
            bot = ask(page, question)
            page.evaluate(SCROLL_TO_LAST_ANSWER)  # the conversation log only: the panel stays put
            if SHOTS:
                print(f"\n[{viewport}] {question}\n{bot.inner_text()[:1500]}")
            path = out / f"portfolio-{name}-{viewport}.png"
            page.screenshot(path=str(path))
            assert path.stat().st_size > 10_000
        _fits(page, width)
        context.close()
