"""The widget in real Chromium (Debian's /usr/bin/chromium, driven by Playwright; no browser download).

The portal page is served from one localhost port and jixiao from another, as in production: the
widget is loaded cross-origin with a site key bound to the portal's origin. The answers come from
the real deterministic answerer over the ingested sample report.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_server import LiveServer, free_port
from pdfgen import make_chinese_pdf

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
SITE_KEY = "site-key-portal-8890-3b7f"
XSS_TITLE = "XSS测试项目绩效评价报告"


class Portal:
    """A static 'portal' site on its own port: pages that embed the widget from jixiao."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def page(self, name: str, *, api_base: str, key: str = SITE_KEY, extra: str = "") -> str:
        (self.root / name).write_text(
            f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>门户</title>
<style>button{{font-size:40px!important;color:lime!important}} *{{font-family:serif!important}}</style></head>
<body><h1>某区财政局门户</h1><a href="#" id="before">门户链接</a>{extra}
<script src="{api_base}/widget.js" data-api-base="{api_base}" data-key="{key}" data-title="绩效问答" async></script>
</body></html>""",
            encoding="utf-8",
        )
        return f"{self.url}/{name}"

    def close(self) -> None:
        self.httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    p = Portal(tmp_path_factory.mktemp("portal"))
    yield p
    p.close()


@pytest.fixture(scope="module")
def jixiao(sample_data_dir: Path, portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """jixiao on its own port, with the sample report plus a document full of HTML/script text."""
    from ingest.index import ingest_paths
    from service.api.app import create_app
    from service.config import Settings

    data = tmp_path_factory.mktemp("widget") / "data"
    shutil.copytree(sample_data_dir, data)
    xss_pdf = make_chinese_pdf(
        tmp_path_factory.mktemp("xss") / "xss.pdf",
        title=XSS_TITLE,
        paragraphs=[
            "四、存在的主要问题",
            '（一）资料不全<img src=x onerror="window.__xss=1">，需要补充。',
            "（二）制度缺失<script>window.__xss=2</script>，需要完善。",
        ],
    )
    settings = Settings(data_dir=data, site_keys={SITE_KEY: [portal.url]})
    records = ingest_paths(settings, [xss_pdf])
    assert records[0].status == "ok", records[0].message
    server = LiveServer(create_app(settings)).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    pg = context.new_page()
    external: list[str] = []
    pg.on("request", lambda r: external.append(r.url) if "127.0.0.1" not in r.url else None)
    pg.external_requests = external
    yield pg
    context.close()


def open_widget(page, url: str):  # type: ignore[no-untyped-def]
    page.goto(url)
    launcher = page.locator(".launcher")
    launcher.wait_for()
    launcher.click()
    page.locator("#jx-input").wait_for()
    return page


def ask(page, question: str, timeout: float = 120_000):  # type: ignore[no-untyped-def]
    page.fill("#jx-input", question)
    page.keyboard.press("Enter")
    bot = page.locator(".msg.bot").last
    page.wait_for_function(
        """() => { const h = document.querySelector('[data-jixiao-widget]');
                   const b = h.shadowRoot.querySelectorAll('.msg.bot');
                   const last = b[b.length - 1];
                   return last && !last.hasAttribute('aria-busy') && last.querySelector('.actions, .err'); }""",
        timeout=timeout,
    )
    return bot


def test_cross_origin_question_streams_a_cited_answer(page, portal: Portal, jixiao: str) -> None:
    url = portal.page("index.html", api_base=jixiao)
    open_widget(page, url)
    assert page.evaluate("location.origin") != jixiao  # the widget comes from another origin
    bot = ask(page, "2020年这个项目的预算执行率是多少？")
    text = bot.inner_text()
    assert "99.86%" in text
    assert bot.locator(".sources .src").count() >= 1
    assert bot.locator("button.cite").count() >= 1  # numbered citation in the text
    assert page.external_requests == []  # nothing loaded from outside jixiao and the portal
    # the portal's aggressive CSS does not reach into the widget
    size = bot.locator(".actions button").first.evaluate("b => getComputedStyle(b).fontSize")
    assert size == "13px"


def test_citation_opens_the_cited_page_with_the_quote(page, portal: Portal, jixiao: str) -> None:
    open_widget(page, portal.page("cite.html", api_base=jixiao))
    bot = ask(page, "坐席电话的接听率是多少？")
    assert "96.12%" in bot.inner_text()
    source = bot.locator(".sources .src").first
    label = source.inner_text()
    source.click()
    viewer = page.locator(".viewer")
    viewer.wait_for(state="visible")
    page_no = int(label.split("第")[1].split("页")[0])
    assert f"第{page_no}页" in viewer.locator("h2").inner_text()
    assert page_no == 4
    link = viewer.locator("a").first.get_attribute("href")
    assert link and f"#page={page_no}" in link and "/file" in link
    mark = viewer.locator(".pagetext mark")
    mark.wait_for()
    assert "96.12%" in viewer.locator(".pagetext").inner_text()
    # the link really serves the PDF
    resp = page.request.get(link.split("#")[0])
    assert resp.status == 200 and resp.body()[:5] == b"%PDF-"


def test_computation_disclosure_shows_formula_and_inputs(page, portal: Portal, jixiao: str) -> None:
    open_widget(page, portal.page("comp.html", api_base=jixiao))
    bot = ask(page, "2020年受理量比上一年增长了多少？")
    details = bot.locator("details.comp")
    details.locator("summary").click()
    text = details.inner_text()
    assert "37.83%" in text
    assert "1036.39" in text and "751.92" in text
    assert "页" in text  # inputs carry their source page
    assert details.locator("svg[role=img]").count() >= 1  # compared figures drawn as bars


def test_html_in_documents_is_shown_as_text_not_executed(page, portal: Portal, jixiao: str) -> None:
    open_widget(page, portal.page("xss.html", api_base=jixiao))
    page.locator("#jx-docs option", has_text=XSS_TITLE).wait_for(state="attached")
    page.select_option("#jx-docs", label=XSS_TITLE)
    bot = ask(page, "这个项目存在哪些主要问题？")
    text = bot.inner_text()
    assert "<img" in text or "<script>" in text  # shown literally ...
    assert page.evaluate("window.__xss") is None  # ... never executed
    assert bot.locator("img, script").count() == 0


def test_keyboard_only_flow(page, portal: Portal, jixiao: str) -> None:
    page.goto(portal.page("kbd.html", api_base=jixiao))
    page.locator(".launcher").wait_for()
    page.focus("#before")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.jixiaoWidget !== undefined")
    page.keyboard.press("Enter")  # opens; focus moves into the input
    assert page.locator(".panel").is_visible()
    assert page.evaluate("document.activeElement.shadowRoot.activeElement.id") == "jx-input"
    page.keyboard.type("评价得分和等级是多少？")
    page.keyboard.press("Enter")
    page.wait_for_function(
        """() => { const r = document.querySelector('[data-jixiao-widget]').shadowRoot;
                   const b = r.querySelectorAll('.msg.bot'); const l = b[b.length-1];
                   return l && !l.hasAttribute('aria-busy') && l.querySelector('.actions'); }""",
        timeout=120_000,
    )
    assert "92.37" in page.locator(".msg.bot").last.inner_text()
    # from the input, Shift+Tab back into the transcript until a source button has focus,
    # open it with Enter, close with Esc
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        cls = page.evaluate("document.activeElement.shadowRoot?.activeElement?.className || ''")
        if "src" in cls.split():
            break
    else:
        pytest.fail("a source button was not reachable by Tab")
    page.keyboard.press("Enter")
    assert page.locator(".viewer").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator(".viewer").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator(".panel").is_visible()
    assert page.evaluate("document.activeElement.shadowRoot.activeElement.className") == "launcher"
    # the transcript is a log region and every control has a name
    assert page.locator("[role=log]").count() == 1
    unnamed = page.evaluate(
        """() => [...document.querySelector('[data-jixiao-widget]').shadowRoot
                  .querySelectorAll('button, textarea, select')]
                  .filter(e => !(e.getAttribute('aria-label') || e.textContent.trim() ||
                     (e.id && e.getRootNode().querySelector(`label[for="${e.id}"]`)))).length"""
    )
    assert unnamed == 0


def test_conversation_survives_reload_and_can_be_reset(page, portal: Portal, jixiao: str) -> None:
    url = portal.page("reload.html", api_base=jixiao)
    open_widget(page, url)
    ask(page, "项目决策的得分率是多少？")
    assert "88.24%" in page.locator(".msg.bot").last.inner_text()
    page.reload()
    page.locator(".launcher").click()
    assert "88.24%" in page.locator(".msg.bot").last.inner_text()
    bot = ask(page, "那项目过程呢？")  # a follow-up uses the stored conversation id
    assert "84.78%" in bot.inner_text()
    page.get_by_role("button", name="新对话").click()
    assert page.locator(".msg").count() == 0
    # suggested questions for a fresh conversation, made from the loaded documents
    page.locator(".sugg button").nth(2).wait_for()
    suggestions = page.locator(".sugg button").all_inner_texts()
    assert "2020年预算执行率是多少？" in suggestions
    page.locator(".sugg button", has_text="2020年预算执行率是多少？").click()
    page.wait_for_function(
        """() => { const r = document.querySelector('[data-jixiao-widget]').shadowRoot;
                   const b = r.querySelectorAll('.msg.bot'); const l = b[b.length-1];
                   return l && !l.hasAttribute('aria-busy') && l.querySelector('.actions'); }""",
        timeout=120_000,
    )
    assert "99.86%" in page.locator(".msg.bot").last.inner_text()


def test_key_from_another_origin_is_refused(page, jixiao: str, tmp_path: Path) -> None:
    rogue = Portal(tmp_path)  # same key, an origin it is not bound to
    try:
        open_widget(page, rogue.page("rogue.html", api_base=jixiao))
        bot = ask(page, "预算执行率是多少？")
        assert "未获授权" in bot.inner_text()
        assert "99.86" not in bot.inner_text()
    finally:
        rogue.close()


def test_service_down_shows_an_error_with_retry(page, portal: Portal, jixiao: str) -> None:
    # the script is served by jixiao, but the API base points at a port nobody listens on
    dead = f"http://127.0.0.1:{free_port()}"
    name = "down.html"
    (portal.root / name).write_text(
        f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>
<script src="{jixiao}/widget.js" data-api-base="{dead}" data-key="{SITE_KEY}" async></script></body></html>""",
        encoding="utf-8",
    )
    open_widget(page, f"{portal.url}/{name}")
    bot = ask(page, "预算执行率是多少？")
    assert "无法连接" in bot.inner_text()
    assert bot.get_by_role("button", name="重试").count() == 1


def test_screenshots_and_small_screen(browser, portal: Portal, jixiao: str, tmp_path: Path) -> None:
    # `make screenshots` writes them to docs/ for the README; a normal run keeps the tree clean
    out = Path(os.environ.get("JIXIAO_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("widget-desktop.png", (1280, 860)), ("widget-mobile-360.png", (360, 740))):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        page = context.new_page()
        # jixiao's own demo portal page, served from the portal's origin (the site key's origin)
        demo = httpx.get(f"{jixiao}/").text
        assert f'data-key="{SITE_KEY}"' in demo and f'src="{jixiao}/widget.js"' in demo
        (portal.root / f"shot-{viewport[0]}.html").write_text(demo, encoding="utf-8")
        open_widget(page, f"{portal.url}/shot-{viewport[0]}.html")
        ask(page, "2020年受理量比2019年增长了多少？")
        page.locator("details.comp summary").last.click()
        panel = page.locator(".panel")
        box = panel.bounding_box()
        assert box and box["width"] <= viewport[0] + 1  # fits the screen
        # no horizontal scrolling inside the panel at 360 px
        assert (
            page.evaluate(
                "document.querySelector('[data-jixiao-widget]').shadowRoot.querySelector('.log').scrollWidth"
            )
            <= box["width"] + 1
        )
        page.screenshot(path=str(out / name))
        assert (out / name).stat().st_size > 10_000
        context.close()


def test_widget_script_is_small_and_self_contained() -> None:
    js = (Path(__file__).resolve().parents[1] / "service" / "widget" / "widget.js").read_bytes()
    assert len(gzip.compress(js)) < 20_000
    text = js.decode()
    assert "innerHTML" not in text and "eval(" not in text
    assert "https://" not in text.replace("https://HOST", "")  # no CDN or external URL


CONTRAST_JS = """() => {
  const root = document.querySelector('[data-jixiao-widget]').shadowRoot;
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let n = el; n; n = n.parentElement || (n.getRootNode().host || null)) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const fg = parse(getComputedStyle(el).color).slice(0, 3), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) bad.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 20)}" ${ratio.toFixed(2)}`);
  }
  return bad;
}"""


def test_text_contrast_is_at_least_4_5_to_1(page, portal: Portal, jixiao: str) -> None:
    open_widget(page, portal.page("contrast.html", api_base=jixiao))
    ask(page, "2020年受理量比2019年增长了多少？")
    page.locator("details.comp summary").last.click()
    assert page.evaluate(CONTRAST_JS) == []


def test_usable_at_200_percent_zoom(browser, portal: Portal, jixiao: str) -> None:
    # 200% zoom of a 1280×860 window leaves a 640×430 CSS-pixel viewport
    context = browser.new_context(viewport={"width": 640, "height": 430}, device_scale_factor=2)
    page = context.new_page()
    try:
        open_widget(page, portal.page("zoom.html", api_base=jixiao))
        box = page.locator(".panel").bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= 641 and box["y"] + box["height"] <= 431
        bot = ask(page, "评价得分和等级是多少？")
        assert "92.37" in bot.inner_text()
        for selector in ("#jx-input", "form button", "header button"):
            assert page.locator(selector).first.is_visible()
            b = page.locator(selector).first.bounding_box()
            assert b and b["y"] + b["height"] <= 431  # reachable without scrolling the portal
    finally:
        context.close()
