"""A document page as an image, so a citation's boxes can be drawn over the page as printed.

`GET /api/v1/documents/{doc_id}/pages/{page}.png?scale=2` — access as for the stored PDF (an API or
site key, or a signed citation link's `token`); registered before the page-text route, whose
`{page}` would otherwise swallow "3.png"."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from service.api.deps import StoreDep
from service.api.errors import error_responses
from service.api.routes.documents import _file_access, stored_file
from service.api.security import Principal
from service.page_images import DEFAULT_SCALE, MAX_SCALE, MIN_SCALE, PageImages

router = APIRouter(
    prefix="/api/v1/documents", tags=["documents"], responses=error_responses(400, 401, 404, 422, 429)
)


def page_images(request: Request) -> PageImages:
    images = getattr(request.app.state, "page_images", None)
    if images is None:
        images = request.app.state.page_images = PageImages()
    return images


@router.get(
    "/{doc_id}/pages/{page}.png",
    summary="某页图像 / one page as a PNG image",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def page_image(
    doc_id: str,
    page: int,
    request: Request,
    store: StoreDep,
    _access: Annotated[Principal | None, Depends(_file_access)],
    scale: Annotated[
        float, Query(ge=MIN_SCALE, le=MAX_SCALE, description="像素/磅 / pixels per PDF point")
    ] = DEFAULT_SCALE,
) -> Response:
    record, path = await stored_file(store, doc_id)
    png = await asyncio.to_thread(page_images(request).png, record.doc_id, path, page, scale)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
