"""MCP resources: every loaded document, its pages and its tables, so an MCP client can open what
an answer cites. URIs (the `uri` of each citation returned by the `ask` and `search_documents`
tools points at a page):

- `jixiao://documents/{doc_id}`                 JSON: title, kind, year, page and table URIs
- `jixiao://documents/{doc_id}/pages/{page}`    text/plain: the page's text (1-based page)
- `jixiao://documents/{doc_id}/tables/{index}`  JSON: one table as data (header, rows, cells)

`resources/list` lists them all from the store at the time of the call (documents uploaded after
start appear), up to `MAX_LISTED`; the three URI templates are listed too, so any document beyond
the cap can still be opened. An unknown URI is a JSON-RPC error (the SDK's resource-not-found).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp_types import Resource

from service.errors import NotFound

SCHEME = "jixiao://documents"
MAX_LISTED = 2000


def document_uri(doc_id: str) -> str:
    return f"{SCHEME}/{doc_id}"


def page_uri(doc_id: str, page: int) -> str:
    return f"{SCHEME}/{doc_id}/pages/{page}"


def table_uri(doc_id: str, index: int) -> str:
    return f"{SCHEME}/{doc_id}/tables/{index}"


def with_uris(result: dict[str, Any], *, base_url: str = "") -> dict[str, Any]:
    """Add a page `uri` to each citation / passage that names a doc_id and a page, and to a citation
    of a PDF the `image_url` of its page image (`GET /api/v1/documents/{id}/pages/{n}.png`, with
    the same Bearer key; relative when the server's address is unknown)."""
    for key in ("citations", "passages"):
        for item in result.get(key) or []:
            if isinstance(item, dict) and item.get("doc_id") and isinstance(item.get("page"), int):
                item["uri"] = page_uri(item["doc_id"], item["page"])
                if key == "citations":
                    pdf = item.get("file_type") == "pdf"
                    item["image_url"] = (
                        f"{base_url}/api/v1/documents/{quote(item['doc_id'])}/pages/{item['page']}.png"
                        if pdf
                        else None
                    )
    return result


def _ok_documents(store: Any) -> list[Any]:
    return [d for d in store.list_documents(include_failed=False)]


def list_all(store: Any) -> list[Resource]:
    out: list[Resource] = []
    for doc in _ok_documents(store):
        out.append(
            Resource(
                uri=document_uri(doc.doc_id),
                name=doc.doc_id,
                title=doc.title,
                description=f"{doc.title}：{doc.pages} 页，{doc.tables} 张表 / document overview",
                mime_type="application/json",
            )
        )
        for n in range(1, doc.pages + 1):
            out.append(
                Resource(
                    uri=page_uri(doc.doc_id, n),
                    name=f"{doc.doc_id}/pages/{n}",
                    title=f"{doc.title} 第{n}页",
                    mime_type="text/plain",
                )
            )
        for table in store.get_tables(doc.doc_id):
            out.append(
                Resource(
                    uri=table_uri(doc.doc_id, table.index),
                    name=f"{doc.doc_id}/tables/{table.index}",
                    title=f"{doc.title} {table.caption or '表' + str(table.index)}（第{table.page}页）",
                    mime_type="application/json",
                )
            )
        if len(out) >= MAX_LISTED:
            return out[:MAX_LISTED]
    return out


def register(server: MCPServer, get_store: Callable[[], Any], get_toolbox: Callable[[], Any]) -> None:
    """The three resource templates; their readers resolve against the store on each read."""

    def find(doc_id: str) -> Any:
        try:
            return get_store().get_document(doc_id)
        except NotFound:
            raise ResourceNotFoundError(f"没有文档 {doc_id} / no document {doc_id}") from None

    @server.resource(
        f"{SCHEME}/{{doc_id}}",
        name="document",
        title="文档概览 / document overview",
        description="标题、类型、年度、页数，及各页和各表的 URI / title, kind, year, page and table URIs",
        mime_type="application/json",
    )
    async def document(doc_id: str) -> str:
        def read() -> str:
            doc = find(doc_id)
            tables = get_store().get_tables(doc.doc_id)
            return json.dumps(
                {
                    "doc_id": doc.doc_id,
                    "title": doc.title,
                    "kind": doc.kind,
                    "year": doc.year,
                    "pages": [page_uri(doc.doc_id, n) for n in range(1, doc.pages + 1)],
                    "tables": [
                        {"uri": table_uri(doc.doc_id, t.index), "caption": t.caption, "page": t.page}
                        for t in tables
                    ],
                },
                ensure_ascii=False,
            )

        return await asyncio.to_thread(read)

    @server.resource(
        f"{SCHEME}/{{doc_id}}/pages/{{page}}",
        name="page",
        title="文档某页 / one page's text",
        description="引用所指页面的文字 / the text of a cited page",
        mime_type="text/plain",
    )
    async def page(doc_id: str, page: str) -> str:
        def read() -> str:
            doc = find(doc_id)
            number = int(page) if page.isascii() and page.isdigit() else -1
            match = next((p for p in get_store().get_pages(doc.doc_id) if p.number == number), None)
            if match is None:
                raise ResourceNotFoundError(
                    f"{doc.title} 没有第 {page} 页（共 {doc.pages} 页）/ no page {page} ({doc.pages} pages)"
                )
            return match.text

        return await asyncio.to_thread(read)

    @server.resource(
        f"{SCHEME}/{{doc_id}}/tables/{{index}}",
        name="table",
        title="文档中的一张表 / one table as data",
        description="表头、各行、单元格数值和所在页 / header, rows, cell values and pages",
        mime_type="application/json",
    )
    async def table(doc_id: str, index: str) -> str:
        def read() -> str:
            doc = find(doc_id)
            match = next((t for t in get_store().get_tables(doc.doc_id) if str(t.index) == index), None)
            if match is None:
                raise ResourceNotFoundError(f"{doc.title} 没有表 {index} / no table {index}")
            return json.dumps(get_toolbox().get_table(doc.doc_id, match.id), ensure_ascii=False)

        return await asyncio.to_thread(read)
