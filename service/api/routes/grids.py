"""The cited region of an xlsx/docx as data, so a front end can draw the sheet (or Word table) as an
HTML table with the cited cells highlighted: what the page image is for a PDF.

`GET /api/v1/documents/{doc_id}/pages/{page}/grid?table=2&row=7&rows=40` — `page` is the
citation's location's page (the worksheet's; 1 for a Word document), `table` the Word table's
number (`locations[i].table`), `row` the row to centre on. Access as for a page's text."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ingest.errors import NotFound
from service.api.deps import PrincipalDep, StoreDep
from service.api.errors import error_responses
from service.api.routes.documents import _find, _not_found
from service.citation_locations import MAX_REGION_ROWS, region

router = APIRouter(
    prefix="/api/v1/documents", tags=["documents"], responses=error_responses(401, 404, 422, 429)
)


@router.get(
    "/{doc_id}/pages/{page}/grid", summary="表格区域（xlsx/docx）/ the cited sheet or Word table as cells"
)
async def page_grid(
    doc_id: str,
    page: int,
    store: StoreDep,
    _principal: PrincipalDep,
    table: Annotated[int | None, Query(ge=1, description="Word 表格序号 / the Word table's number")] = None,
    row: Annotated[int | None, Query(ge=1, description="居中显示的行 / the row to centre on")] = None,
    rows: Annotated[int, Query(ge=1, le=MAX_REGION_ROWS, description="最多行数 / rows at most")] = 40,
) -> dict[str, Any]:
    try:
        record = await asyncio.to_thread(_find, store, doc_id)
        locations = await asyncio.to_thread(store.get_locations, record.doc_id, page)
    except NotFound:
        raise _not_found(doc_id) from None
    found = region(locations, table=table, row=row, rows=rows)
    if found is None:
        raise NotFound(
            f"文档 {record.title} 第 {page} 页没有可显示的表格 / {record.title} has no sheet or table on page {page}",
            hint="只有 xlsx/docx 文档有表格区域；PDF 请用页面图像 / only xlsx/docx documents have grids; "
            "a PDF has page images",
        )
    return {"doc_id": record.doc_id, "title": record.title, "page": page, **found}
