"""A stored PDF page as a PNG (pypdfium2), for drawing a citation's boxes over the page as printed.

One `PageImages` per app. Images are kept in memory, least recently used first out, up to
`max_bytes` in all; the key is (document, page, scale), and a document id is a hash of the file's
bytes, so a cached image can never show an older version of a document. pdfium is not thread-safe:
renders are serialised by one lock (a page renders in tens of milliseconds).

The image's size is bounded: its longest side is at most `MAX_SIDE` pixels, whatever the scale
asked (a poster-sized page is rendered smaller, never as a 100-megapixel bitmap).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

from ingest.errors import BadDocument, NotFound

MAX_SIDE = 3000  # pixels, the longest side of any image served
MIN_SCALE, MAX_SCALE, DEFAULT_SCALE = 0.5, 4.0, 2.0  # pixels per PDF point


class PageImages:
    def __init__(self, *, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._cache: OrderedDict[tuple[str, int, float], bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def png(self, doc_id: str, path: Path, page: int, scale: float) -> bytes:
        """The page (1-based) of the PDF at `path` as PNG bytes. Raises NotFound (no such page, not
        a PDF) and BadDocument (the file cannot be rendered)."""
        scale = round(min(max(scale, MIN_SCALE), MAX_SCALE), 2)
        key = (doc_id, page, scale)
        with self._lock:
            data = self._cache.get(key)
            if data is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return data
            self.misses += 1
        data = render_png(path, page, scale)
        with self._lock:
            if key not in self._cache and len(data) <= self.max_bytes:
                self._cache[key] = data
                self._bytes += len(data)
                while self._bytes > self.max_bytes:
                    _, old = self._cache.popitem(last=False)
                    self._bytes -= len(old)
        return data

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._bytes = 0


_PDFIUM_LOCK = threading.Lock()


def render_png(path: Path, page: int, scale: float) -> bytes:
    """Render one page with pypdfium2 (not thread-safe: one render at a time in this process)."""
    import pypdfium2 as pdfium

    if Path(path).suffix.lower() != ".pdf":
        raise NotFound(
            f"该文档不是 PDF，没有页面图像：{Path(path).name} / not a PDF, it has no page images",
            hint="请查看页面文字 / read the page's text instead",
        )
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise BadDocument(
                f"无法生成页面图像（文件需要密码或已损坏）：{Path(path).name} / cannot render the page "
                f"(the file needs a password or is damaged)",
                hint="请查看页面文字 / read the page's text instead",
            ) from exc
        try:
            count = len(pdf)
            if not 1 <= page <= count:
                raise NotFound(f"没有第 {page} 页（共 {count} 页）/ no page {page} ({count} pages)")
            pdf_page = pdf[page - 1]
            try:
                width, height = pdf_page.get_size()
                fitted = min(scale, MAX_SIDE / max(width, height, 1.0))
                bitmap = pdf_page.render(scale=fitted)
                image = bitmap.to_pil()
            finally:
                pdf_page.close()
        finally:
            pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
