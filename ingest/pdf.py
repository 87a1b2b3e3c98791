"""Open a PDF safely and extract its pages' text with pypdf (the I/O edge of text extraction).

`read_pdf` checks the bytes first (empty file, `%PDF-` magic), opens with pypdf (`pypdf[crypto]` for
AES), decrypts with the given or the empty user password, and extracts every page with positions so
that `ingest.clean` can strip running footers and rebuild paragraphs. Every failure is a
`BadDocument` (or its subclasses `PasswordRequired`, `NeedsOCR`) whose message is Chinese, then
English.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from ingest.budget import ContentBudget
from ingest.clean import (
    Layout,
    Line,
    Run,
    is_page_number_line,
    normalize_title,
    page_text,
    strip_repeated_table_headers,
    strip_running_lines,
    title_lines,
)
from ingest.errors import BadDocument, JixiaoError, NeedsOCR, PasswordRequired, damage_reason
from ingest.models import Page
from ingest.ocr import OcrMode, OcrPage
from ingest.visibility import Hidden, visible_page

log = logging.getLogger(__name__)

_MAGIC_WINDOW = 1024  # the PDF spec lets `%PDF-` appear within the first 1024 bytes
_YEAR_RE = re.compile(r"((?:19|20)[0-9]{2})\s*(?:年|年度)")
_MIN_TEXT_CHARS = 1  # a page with fewer characters (besides page numbers) has no text layer


@dataclass
class PdfContent:
    """What `read_pdf` returns. Pages are 1-based and cleaned; `needs_ocr_pages` lists pages that
    carry no text layer (their `Page.text` is empty and `has_text_layer` False)."""

    pages: list[Page]
    title: str
    year: int | None
    page_count: int
    needs_ocr_pages: list[int] = field(default_factory=list)
    hidden: Hidden = field(default_factory=Hidden)  # text a reader cannot see, dropped
    ocr: dict[int, OcrPage] = field(default_factory=dict)  # pages read by OCR, by number


def read_pdf(
    path: Path,
    *,
    password: str | None = None,
    on_page: Callable[[int, int], None] | None = None,
    budget: ContentBudget | None = None,
    ocr: OcrMode = "never",
    ocr_cache: Path | None = None,
    on_ocr_page: Callable[[int, int], None] | None = None,
) -> PdfContent:
    """Read a PDF's text page by page; `on_page(done, total)` is called after each page (progress);
    `budget` bounds the pages and the decompressed content parsed (`OverBudget`).

    `ocr`: "auto" reads pages without a text layer from their image (`ingest.ocr`), "force" reads
    every page so, "never" leaves them empty (`needs_ocr_pages`); `ocr_cache` is the page cache,
    `on_ocr_page(done, total)` the OCR progress.

    Raises `BadDocument` (missing, empty, not a PDF, truncated/corrupt, 0 pages), `PasswordRequired`
    (encrypted with a user password that was not given or is wrong) and `NeedsOCR` (no page has a
    text layer: a scan).
    """
    path = Path(path)
    check_pdf_bytes(path)
    reader = open_reader(path, password=password)
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise _corrupt(path, exc) from exc
    if count == 0:
        raise BadDocument(
            f"PDF 文件没有任何页面：{path.name} / the PDF has 0 pages: {path.name}",
            hint="请检查文件是否导出完整 / check that the file was exported completely",
        )
    if budget is not None:
        budget.check_pages(count)
    raw_pages: list[list[Line]] = []
    hidden = Hidden()
    for index in range(count):
        try:
            page = reader.pages[index]
            if budget is not None:
                budget.charge(page, index + 1)
            hidden.add(visible_page(page, reader))
            raw_pages.append(_page_lines(page))
            if on_page is not None:
                on_page(index + 1, count)
        except JixiaoError:  # over budget: already said in words
            raise
        except Exception as exc:  # pypdf raises many unrelated types (and RecursionError) on hostile files
            log.info("page %d of %s cannot be read: %r", index + 1, path.name, exc)
            raise BadDocument(
                f"第 {index + 1} 页无法读取，文件可能已损坏（{damage_reason(exc)}）：{path.name} / "
                f"page {index + 1} cannot be read, the file may be corrupt: {path.name}"
            ) from exc

    ocr_pages = _ocr(path, raw_pages, ocr, password, ocr_cache, on_ocr_page)
    # Without running lines: a scan may carry a text page number and nothing else.
    running_only = strip_running_lines(raw_pages)
    layout = Layout.of(running_only)
    cleaned = strip_repeated_table_headers(running_only, layout)
    pages: list[Page] = []
    needs_ocr: list[int] = []
    for number, (kept, lines) in enumerate(zip(running_only, cleaned, strict=True), start=1):
        ink = sum(len(ln.text.strip()) for ln in kept)
        if number in ocr_pages:
            scan = ocr_pages[number]
            pages.append(
                Page(
                    number,
                    page_text(lines, layout),
                    False,
                    source="ocr",
                    confidence=round(scan.confidence, 4),
                )
            )
        elif ink < _MIN_TEXT_CHARS:
            needs_ocr.append(number)
            pages.append(Page(number=number, text="", has_text_layer=False))
        else:
            pages.append(Page(number=number, text=page_text(lines, layout)))
    if len(needs_ocr) == count or not any(p.text.strip() for p in pages):
        if ocr_pages:
            raise NeedsOCR(
                f"OCR 未在扫描页上识别出文字（空白页或图像过于模糊）：{path.name} / "
                f"OCR found no text on the scanned pages (blank, or the image is too poor): {path.name}",
                hint="请提供更清晰的扫描件（至少 150 dpi）/ scan again at 150 dpi or more",
            )
        raise NeedsOCR(
            f"文件没有文本层（可能是扫描件），需要OCR：{path.name} / "
            f"the file has no text layer (a scan?), it needs OCR: {path.name}",
            hint="请用 jixiao ingest --ocr auto 识别扫描件 / ingest with --ocr auto to read the scan",
        )
    title = _title(cleaned, layout, reader, pages)
    return PdfContent(
        pages=pages,
        title=title,
        year=year_from_title(title),
        page_count=count,
        needs_ocr_pages=needs_ocr,
        hidden=hidden,
        ocr=ocr_pages,
    )


def _ocr(
    path: Path,
    raw_pages: list[list[Line]],
    mode: OcrMode,
    password: str | None,
    cache: Path | None,
    on_page: Callable[[int, int], None] | None,
) -> dict[int, OcrPage]:
    """OCR the pages `mode` asks for and put their lines in place of the text layer's."""
    if mode == "never":
        return {}
    numbers = [
        n
        for n, lines in enumerate(raw_pages, start=1)
        if mode == "force"
        or sum(len(ln.text.strip()) for ln in lines if not is_page_number_line(ln.text)) < _MIN_TEXT_CHARS
    ]
    if not numbers:
        return {}
    from ingest.ocr import ocr_document
    from ingest.ocr_text import page_lines

    found = ocr_document(path, numbers, password=password, cache_dir=cache, on_page=on_page)
    for number, scan in found.items():
        raw_pages[number - 1] = page_lines(scan)
    return found


def check_pdf_bytes(path: Path) -> None:
    """Refuse what is not a complete PDF before any parser sees it."""
    if not path.exists():
        raise BadDocument(f"文件不存在：{path} / file not found: {path}")
    if not path.is_file():
        raise BadDocument(f"不是文件：{path} / not a file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise BadDocument(f"文件为空（0 字节）：{path.name} / the file is empty (0 bytes): {path.name}")
    with path.open("rb") as fh:
        head = fh.read(_MAGIC_WINDOW)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise BadDocument(
            f"不是 PDF 文件（缺少 %PDF- 文件头）：{path.name} / not a PDF file (no %PDF- header): {path.name}",
            hint="请上传 PDF 格式的报告或政策文件 / upload the report or policy as a PDF",
        )
    if b"%%EOF" not in tail and not _only_padding_after_eof(path):
        raise BadDocument(
            f"PDF 文件不完整（缺少文件结尾 %%EOF，可能下载或复制中断）：{path.name} / "
            f"the PDF is incomplete (no %%EOF at the end; truncated download or copy?): {path.name}",
            hint="请重新获取完整文件 / get a complete copy of the file",
        )


def _only_padding_after_eof(path: Path) -> bool:
    """Some writers pad a complete PDF with NULs or blanks after its last %%EOF."""
    data = path.read_bytes()
    end = data.rfind(b"%%EOF")
    return end >= 0 and not data[end + 5 :].strip(b"\x00 \t\r\n\x0c")


def open_reader(path: Path, *, password: str | None = None) -> PdfReader:
    """A decrypted `PdfReader`. Tries the given password, then the empty user password (files that
    only restrict copying/printing open without one)."""
    try:
        reader = PdfReader(path, strict=False)
    except Exception as exc:  # pypdf raises many unrelated types (NotImplementedError, IndexError …)
        raise _corrupt(path, exc) from exc
    if not reader.is_encrypted:
        return reader
    usable_password(reader, path, password)
    return reader


def usable_password(reader: Any, path: Path, password: str | None) -> str:
    """The password that opens `reader` (an encrypted pypdf reader), decrypting it on the way."""
    candidates = [p for p in (password, "") if p is not None]
    for candidate in dict.fromkeys(candidates):
        try:
            if reader.decrypt(candidate):
                return candidate
        except DependencyError as exc:
            raise BadDocument(
                f"无法解密：缺少加密库（请安装 pypdf[crypto]）：{path.name} / "
                f"cannot decrypt: the crypto library is missing (install pypdf[crypto]): {path.name}"
            ) from exc
        except (PyPdfError, ValueError, NotImplementedError) as exc:
            raise BadDocument(
                f"无法解密该 PDF（不支持的加密方式）：{path.name} / "
                f"cannot decrypt this PDF (unsupported encryption): {path.name}"
            ) from exc
    if password:
        raise PasswordRequired(
            f"密码不正确，无法打开：{path.name} / wrong password, cannot open: {path.name}",
            hint="请确认密码后重试 / check the password and try again",
        )
    raise PasswordRequired(
        f"需要密码 / password required: {path.name} 已加密，请提供打开密码 / "
        f"{path.name} is encrypted, give its password (--password)",
        hint="jixiao ingest FILE --password PASSWORD",
    )


def _corrupt(path: Path, exc: Exception) -> BadDocument:
    if isinstance(exc, FileNotDecryptedError):
        return PasswordRequired(f"需要密码 / password required: {path.name}")
    log.info("%s cannot be opened: %r", path.name, exc)
    return BadDocument(
        f"PDF 文件已损坏或不完整，无法读取（{damage_reason(exc)}）：{path.name} / "
        f"the PDF is damaged or incomplete: {path.name}",
        hint="请重新获取完整文件 / get a complete copy of the file",
    )


def _page_lines(page: Any) -> list[Line]:
    """The page's visual lines, with each run's position and effective font size."""
    lines: list[Line] = [Line()]

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
        name = ""
        if font is not None and hasattr(font, "get"):
            name = str(font.get("/BaseFont", "")).split("+")[-1]
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i > 0:
                lines.append(Line())
            if part:
                lines[-1].runs.append(Run(part, x, y, round(size * scale, 1), name))

    page.extract_text(visitor_text=visit)
    return [ln for ln in lines if ln.text.strip()]


# a banner or navigation line of a web page printed to PDF, never a document's title
_WEB_CHROME = re.compile(
    r"欢迎|网站|首页|当前位置|您的位置|字号|打印本页|关闭窗口|发布时间|发布日期|浏览次数|浏览量|来源[:：]|索引号|分享到"
)
_DOC_KIND = re.compile(r"报告|自评表|得分表|评分表|评价表|办法|细则|决算|预算|方案|通知|说明")
_DOC_KIND_AT_END = re.compile(rf"(?:{_DOC_KIND.pattern})[表书]?\s*(?:[（(][^（）()]{{0,12}}[)）])?\s*$")


# what a title may hold besides words: years, a month range, a document number, dates
_TITLE_NUMBERS = re.compile(
    r"(?:19|20)\d{2}\s*(?:[-—–~至]\s*(?:19|20)?\d{2,4}\s*)?(?:年度|年)?|\d{1,2}\s*(?:[-—–~至]\s*\d{1,2}\s*)?月份?"
    r"|〔\s*\d{4}\s*〕\s*\d+\s*号|\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}\s*日?"
)
_ENUMERATED = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十\d]+\s*[、.．)）])"
)


def plausible_title(line: str) -> bool:
    """Could this line be a document's title? Not a web page's banner, not an item of a numbered
    list ("1、撰写的…", "(二)按支出结构…"), not a table's header row or a figure's line: a title holds
    no measure ("预算执行情况(万元)(20分)预算数(A)…" states 20分; only years, months, dates and
    document numbers are allowed), and at least four Chinese characters."""
    line = line.strip()
    if not line or len(line) > 80 or _WEB_CHROME.search(line) or _ENUMERATED.match(line):
        return False
    if re.search(r"\d", _TITLE_NUMBERS.sub("", line)):
        return False
    return len(re.findall(r"[\u4e00-\u9fff]", line)) >= 4


def document_line(text: str) -> str:
    """The first of a page's top lines that names a document — it ends with a kind of document
    (…报告, …自评表, …办法, a bracketed year or 修改 after it allowed) — and could be a title (see
    `plausible_title`); "" when none. "预算执行情况(万元)…" names no document: 预算 inside a line is
    not its kind."""
    for line in text.splitlines()[:20]:
        kind = _DOC_KIND_AT_END.search(line.strip())
        if kind and plausible_title(line):
            return normalize_title(line)
    return ""


def _title(pages: list[list[Line]], layout: Layout, reader: PdfReader, out: list[Page]) -> str:
    """The first heading: large type at the top of the first page with text; else the PDF's /Title
    metadata; else the first line of text."""
    for lines in pages:
        if lines:
            big = title_lines(lines, layout)
            if big and plausible_title(" ".join(ln.text for ln in big)):
                return normalize_title(" ".join(ln.text for ln in big))
            break
    named = document_line(out[0].text) if out else ""
    if named:  # a page printed from a website: the first line that names a document
        return named
    try:
        meta = reader.metadata
        meta_title = str(meta.title).strip() if meta and meta.title else ""
        meta_title = re.sub(r"^Microsoft (?:Word|PowerPoint|Excel) - ", "", meta_title)
        meta_title = re.sub(r"\.(?:docx?|wps|pptx?|xlsx?)$", "", meta_title, flags=re.IGNORECASE)
    except PyPdfError:
        meta_title = ""
    if meta_title and re.search(r"[\u4e00-\u9fff]", meta_title):
        return normalize_title(meta_title)
    for page in out:  # the first line that could be a title, else the first line at all
        lines = [ln for ln in page.text.splitlines() if ln.strip() and not _WEB_CHROME.search(ln)]
        first = next((ln for ln in lines[:20] if plausible_title(ln)), lines[0] if lines else "")
        if first:
            return normalize_title(first)[:80]
    return normalize_title(meta_title)


def year_from_title(title: str) -> int | None:
    """The year a document is about, when its title states one ("2020年…绩效评价报告" -> 2020)."""
    m = _YEAR_RE.search(title)
    return int(m.group(1)) if m else None
