"""The per-document ingest budget: how many pages, and how many decompressed page-content bytes,
one document may make the reader parse (the time budget is the worker's deadline, `ingest.worker`).

A small PDF can name one highly compressible content stream from every page: 80 KB on disk, tens
of MB per page once inflated, parsed once per page. The reader charges each page's content before
parsing it, so such a file is refused in seconds instead of occupying the writer for an hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingest.errors import OverBudget

_MB = 1_000_000


@dataclass
class ContentBudget:
    max_pages: int
    max_content_bytes: int  # the whole document
    max_page_bytes: int | None = None  # one page (a page over it is refused before it is parsed)
    name: str = ""
    spent: int = 0

    @classmethod
    def of(cls, settings: Any, name: str = "") -> ContentBudget:
        return cls(
            settings.ingest_max_pages,
            settings.ingest_max_content_bytes,
            settings.ingest_max_page_content_bytes,
            name,
        )

    def check_pages(self, count: int) -> None:
        if count > self.max_pages:
            raise OverBudget(
                f"文件 {self.name} 有 {count} 页，超过单个文档的入库上限 {self.max_pages} 页 / "
                f"{self.name} has {count} pages, the ingest limit is {self.max_pages}",
                hint="请拆分后再上传 / split the PDF",
            )

    def charge(self, page: Any, number: int) -> None:
        """Count the page's decompressed content (its streams and the form XObjects it draws)
        before the reader parses it; raise OverBudget past the limit."""
        size = page_content_bytes(page)
        if self.max_page_bytes is not None and size > self.max_page_bytes:
            raise OverBudget(
                f"文件 {self.name} 第 {number} 页的内容解压后有 {size / _MB:.0f} MB，超过单页上限 "
                f"{self.max_page_bytes / _MB:.0f} MB，可能是异常构造的 PDF，已停止处理 / page {number} of "
                f"{self.name} inflates to {size / _MB:.0f} MB, over the {self.max_page_bytes / _MB:.0f} MB "
                "page limit: stopped",
                hint="请用 PDF 软件重新导出（另存为）后再上传 / re-export the PDF, then upload it again",
            )
        self.spent += size
        if self.spent > self.max_content_bytes:
            raise OverBudget(
                f"文件 {self.name} 的页面内容解压后超过 {self.max_content_bytes / _MB:.0f} MB（读到第 {number} 页时"
                f"已达 {self.spent / _MB:.0f} MB），可能是异常构造的 PDF，已停止处理 / the page content of "
                f"{self.name} inflates beyond {self.max_content_bytes / _MB:.0f} MB (page {number}): stopped",
                hint="请用 PDF 软件重新导出（另存为）后再上传 / re-export the PDF, then upload it again",
            )


def page_content_bytes(page: Any) -> int:
    """Decompressed bytes of a pypdf page's content streams and of its form XObjects (one level).
    pypdf caches a decoded stream, so a stream shared by many pages is inflated once but counted
    once per page: once per parse."""
    total = 0
    contents = page.get("/Contents")
    if contents is not None:
        obj = contents.get_object()
        streams = obj if isinstance(obj, list) else [obj]
        total += sum(_stream_len(s) for s in streams)
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            xobj = ref.get_object()
            if xobj.get("/Subtype") == "/Form":
                total += _stream_len(xobj)
    return total


def _stream_len(stream: Any) -> int:
    obj = stream.get_object()
    get_data = getattr(obj, "get_data", None)
    return len(get_data()) if get_data is not None else 0
