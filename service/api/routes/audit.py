"""`POST /api/v1/audit`: check uploaded self-evaluation forms (PDF, xlsx, docx) without ingesting
them — one row per form with its findings, as `jixiao audit` gives (JSON, or `?format=html|csv`).
A file that cannot be read is a row with its error; the others are still audited."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from ingest.errors import BadDocument
from service.api.deps import PrincipalDep, SettingsDep
from service.api.errors import error_responses
from service.errors import BadRequest

router = APIRouter(
    prefix="/api/v1", tags=["documents"], responses=error_responses(400, 401, 413, 415, 422, 429)
)
MAX_AUDIT_FILES = 200


@router.post(
    "/audit",
    summary="审核自评表（不入库）/ audit self-evaluation forms (not ingested)",
    responses={
        200: {
            "description": "每张表一行及其问题 / one row per form with its findings",
            "content": {"application/json": {}, "text/html": {}, "text/csv": {}},
        }
    },
)
async def audit_forms(
    principal: PrincipalDep,
    settings: SettingsDep,
    files: Annotated[
        list[UploadFile], File(description="自评表文件 PDF/XLSX/DOCX / form files", min_length=1)
    ],
    format: Annotated[Literal["json", "html", "csv"], Query(description="输出格式 / output format")] = "json",
) -> Response:
    from service.audit import audit_uploads
    from service.audit_render import to_csv, to_html

    if not files:
        raise BadRequest(
            "没有收到文件 / no file received", hint="multipart 字段名为 files / the field is `files`"
        )
    if len(files) > MAX_AUDIT_FILES:
        raise BadRequest(
            f"一次最多审核 {MAX_AUDIT_FILES} 个文件 / at most {MAX_AUDIT_FILES} files per request"
        )
    from service.audit import AUDIT_SUFFIXES

    names = [str(getattr(upload, "filename", "") or "") for upload in files]
    if not any(Path(n).suffix.lower() in AUDIT_SUFFIXES for n in names):
        # nothing that could be a form (a text field, a file without a PDF/XLSX/DOCX name): refused
        # as a whole; in a batch with real forms, such a file is a row with its error instead
        raise BadRequest(
            "没有可审核的文件：需要 PDF、XLSX 或 DOCX 自评表 / no PDF, XLSX or DOCX form among the files",
            hint="multipart 字段名为 files，文件名须带扩展名 / the field is `files`, file names with their extension",
        )
    uploads: list[tuple[str, bytes]] = []
    for i, upload in enumerate(files):
        data = await upload.read(settings.upload_max_bytes + 1)
        if len(data) > settings.upload_max_bytes:
            raise BadDocument(
                f"文件 {upload.filename} 太大，上限 {settings.upload_max_bytes / 1e6:.0f} MB / "
                f"file {upload.filename} is over {settings.upload_max_bytes / 1e6:.0f} MB"
            )
        uploads.append((upload.filename or f"file{i}", data))
    report = await asyncio.to_thread(audit_uploads, uploads)
    if format == "html":
        return HTMLResponse(to_html(report))
    if format == "csv":
        return PlainTextResponse(to_csv(report), media_type="text/csv; charset=utf-8")
    return JSONResponse(report.to_dict())
