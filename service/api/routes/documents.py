"""Documents: upload (admin; ingested in the background by the single writer), list, status,
delete (admin), the stored PDF (a citation's `…/file#page=N` opens it at the page), a page's text,
and the report check."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from ingest.errors import BadDocument, JixiaoError, NotFound
from service.api.deps import (
    AdminDep,
    AssistantDep,
    GuardDep,
    IngestQueueDep,
    PrincipalDep,
    SettingsDep,
    StoreDep,
)
from service.api.errors import NotAPdf, PayloadTooLarge, error_responses
from service.api.ingest_queue import Job
from service.api.security import Guard, Principal
from service.config import Settings
from service.errors import BadRequest

router = APIRouter(
    prefix="/api/v1/documents", tags=["documents"], responses=error_responses(401, 404, 422, 429)
)
MAX_FILES_PER_UPLOAD = 20
PDF_MAGIC = b"%PDF-"
OFFICE_SUFFIXES = (".xlsx", ".docx")  # ingested like a PDF (ingest.office)
FILE_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MAX_NAME_BYTES = 200  # an upload's file name, in UTF-8 bytes (Linux allows 255)
MAX_SHOWN_ID = 64  # characters of an unknown id echoed in a 404


class FileLinks:
    """Absolute links to a stored document, signed when keys are configured, so a browser tab or an
    <img> (which cannot send an Authorization header) may open them. Called, the link that opens the
    stored file at a page; `image`, the page's image (`GET …/pages/{n}.png`, a PDF's)."""

    def __init__(self, request: Request, guard: Guard) -> None:
        self.base = str(request.base_url).rstrip("/")
        self.keys = guard.keys

    def _signed(self, doc_id: str, url: str) -> str:
        return f"{url}?token={self.keys.sign_file_link(doc_id)}" if self.keys.enabled else url

    def __call__(self, doc_id: str, page: int) -> str:
        return self._signed(doc_id, f"{self.base}/api/v1/documents/{quote(doc_id)}/file") + f"#page={page}"

    def image(self, doc_id: str, page: int) -> str:
        return self._signed(doc_id, f"{self.base}/api/v1/documents/{quote(doc_id)}/pages/{int(page)}.png")


def file_url_builder(request: Request, guard: Guard) -> FileLinks:
    """Absolute links that open the stored file at a page (and its page images), signed when keys
    are configured."""
    return FileLinks(request, guard)


def _safe_name(filename: str | None) -> str:
    # control and format characters (NUL, newlines, right-to-left overrides) never reach a name
    text = "".join("_" if unicodedata.category(c).startswith("C") else c for c in filename or "")
    name = Path(text or "document.pdf").name
    name = re.sub(r'[\\/:*?"<>|]', "_", name).strip(" .") or "document"
    if not name.lower().endswith((".pdf", *OFFICE_SUFFIXES)):
        name += ".pdf"
    suffix = Path(name).suffix  # .pdf, .xlsx or .docx
    stem = name[: -len(suffix)]
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES - len(
        suffix
    ):  # file systems count bytes, not characters
        stem = stem[:-1]
    return (stem.rstrip(" .") or "document") + suffix


def _count_pages(data: bytes) -> int | None:
    """Page count for the limit check; None when pypdf cannot tell (encrypted, damaged: the ingest
    then reports the precise problem)."""
    try:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception:
        return None


def _mb(size: int) -> str:
    """Megabytes as people read them: "50.5 MB", "50 MB" (never a rounded-down limit)."""
    return f"{size / 1e6:.1f}".removesuffix(".0") + " MB"


def _check_upload(settings: Settings, name: str, data: bytes, size: int | None = None) -> None:
    """`size` is the upload's real size when known (`data` stops one byte past the limit)."""
    if len(data) > settings.upload_max_bytes:
        shown = (
            _mb(size) if size and size > settings.upload_max_bytes else f"超过 / over {_mb(len(data) - 1)}"
        )
        limit = _mb(settings.upload_max_bytes)
        raise PayloadTooLarge(
            f"文件 {name} 太大：{shown}，上限 {limit} / file {name} is {shown}, the limit is {limit}",
            hint="请压缩 PDF 或拆分后上传 / compress or split the PDF",
        )
    if not data:
        raise BadDocument(f"文件 {name} 是空的 / file {name} is empty")
    if name.lower().endswith(OFFICE_SUFFIXES):
        if not data.startswith(b"PK\x03\x04"):
            raise NotAPdf(
                f"文件 {name} 不是有效的 {Path(name).suffix} 文件 / file {name} is not a valid {Path(name).suffix} file",
                hint="请上传 PDF、XLSX 或 DOCX / upload a PDF, XLSX or DOCX file",
            )
        return
    if PDF_MAGIC not in data[:1024]:
        raise NotAPdf(
            f"文件 {name} 不是 PDF（文件头不是 %PDF-）/ file {name} is not a PDF (no %PDF- header)",
            hint="请上传 PDF 格式的报告；Word 文档请先另存为 PDF / upload a PDF; save Word files as PDF first",
        )
    pages = _count_pages(data)
    if pages is not None and pages > settings.upload_max_pages:
        raise BadDocument(
            f"文件 {name} 有 {pages} 页，超过上限 {settings.upload_max_pages} 页 / file {name} has {pages} pages, "
            f"the limit is {settings.upload_max_pages}",
            hint="请拆分后上传 / split the PDF",
        )


@router.post(
    "",
    status_code=202,
    summary="上传 PDF（管理员）/ upload PDFs (admin)",
    responses=error_responses(400, 403, 409, 413, 415),
)
async def upload_documents(
    principal: AdminDep,
    settings: SettingsDep,
    ingest_queue: IngestQueueDep,
    files: Annotated[list[UploadFile], File(description="一个或多个 PDF / one or more PDFs", min_length=1)],
) -> JSONResponse:
    if not files:
        raise BadRequest(
            "没有收到文件 / no file received",
            hint="multipart 字段名为 files / the multipart field is `files`",
        )
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise BadRequest(
            f"一次最多上传 {MAX_FILES_PER_UPLOAD} 个文件 / at most {MAX_FILES_PER_UPLOAD} files per upload"
        )
    staged: list[tuple[str, str, bytes]] = []
    for upload in files:
        name = _safe_name(upload.filename)
        data = await upload.read(settings.upload_max_bytes + 1)
        # parsing the page count and hashing take a while on a large file: not on the event loop
        await asyncio.to_thread(_check_upload, settings, name, data, upload.size)
        staged.append((await asyncio.to_thread(_doc_id, data), name, data))
    jobs: list[Job] = []
    uploads = settings.data_dir / "uploads"
    for doc_id, name, data in staged:
        staging = uploads / ".staging" / f"{doc_id}.pdf"
        await asyncio.to_thread(_write, staging, data)
        # recorded in the database before the 202: a crash or restart resumes it. A document is its
        # content: each gets its own folder, so an upload never replaces another document that
        # happens to share its file name
        job = Job(doc_id=doc_id, filename=name, path=uploads / doc_id / name, staged=staging)
        jobs.append(await asyncio.to_thread(ingest_queue.submit, job))
    return JSONResponse(
        {
            "documents": [job.to_json() for job in jobs],
            "message": "已加入入库队列，可用 GET /api/v1/documents/{doc_id} 查看进度 / queued for ingest; "
            "poll GET /api/v1/documents/{doc_id} for the status",
        },
        status_code=202,
    )


def _doc_id(data: bytes) -> str:
    """The id `ingest.index.file_identity` gives the same bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _record_json(record: Any, file_url: Callable[[str, int], str], principal: Principal) -> dict[str, Any]:
    out = record.to_json()
    if not principal.is_admin:
        out.pop("path", None)  # server file paths are the operator's business
    out["kind"] = getattr(record, "kind", "report")
    if record.status in ("ok", "unchanged"):
        out["file_url"] = file_url(record.doc_id, 1)
    return out


@router.get("", summary="文档列表 / list documents")
async def list_documents(
    request: Request, principal: PrincipalDep, store: StoreDep, ingest_queue: IngestQueueDep, guard: GuardDep
) -> dict[str, Any]:
    file_url = file_url_builder(request, guard)
    records = await asyncio.to_thread(store.list_documents)
    listed = {r.doc_id: _record_json(r, file_url, principal) for r in records}
    for job in ingest_queue.jobs():
        # a finished job adds only a failure the manifest does not hold; a document it ingested
        # that is gone since (deleted, replaced) is not listed
        if not job.done or (job.doc_id not in listed and job.status not in ("ok", "unchanged")):
            listed[job.doc_id] = {**listed.get(job.doc_id, {}), **_job_json(job, principal)}
    return {"documents": list(listed.values())}


def _job_json(job: Job, principal: Principal) -> dict[str, Any]:
    out = job.to_json()
    if not principal.is_admin:
        out.pop("path", None)
    return out


def _find(store: Any, doc_id: str) -> Any:
    try:
        return store.get_document(doc_id)
    except NotFound:
        return store.resolve_document(doc_id)


def _not_found(doc_id: str) -> NotFound:
    shown = doc_id if len(doc_id) <= MAX_SHOWN_ID else doc_id[:MAX_SHOWN_ID] + "…"
    return NotFound(
        f"没有找到文档 {shown} / no document {shown}",
        hint="可用 GET /api/v1/documents 查看已入库的文档 / list documents with GET /api/v1/documents",
    )


@router.get("/{doc_id}", summary="文档状态 / one document's status")
async def get_document(
    doc_id: str,
    request: Request,
    principal: PrincipalDep,
    store: StoreDep,
    ingest_queue: IngestQueueDep,
    guard: GuardDep,
) -> dict[str, Any]:
    job = ingest_queue.job(doc_id)
    if job is not None and not job.done:
        return _job_json(job, principal)
    try:
        record = await asyncio.to_thread(_find, store, doc_id)
    except NotFound:
        if job is not None and job.status not in ("ok", "unchanged"):
            return _job_json(job, principal)
        raise _not_found(doc_id) from None
    out = _record_json(record, file_url_builder(request, guard), principal)
    if record.status in ("ok", "unchanged"):
        tables = await asyncio.to_thread(store.get_tables, record.doc_id)
        out["table_list"] = [{"id": t.id, "caption": t.caption, "pages": t.pages} for t in tables]
    if job is not None:
        out["queued_at"], out["finished_at"] = job.queued_at, job.finished_at
    return out


@router.delete(
    "/{doc_id}", summary="删除文档（管理员）/ delete a document (admin)", responses=error_responses(403, 409)
)
async def delete_document(doc_id: str, principal: AdminDep, ingest_queue: IngestQueueDep) -> dict[str, Any]:
    try:  # in any state: a queued job is dropped, a running one stopped, an indexed one deleted
        record = await asyncio.to_thread(ingest_queue.remove, doc_id)
    except NotFound:
        raise _not_found(doc_id) from None
    return {"deleted": record.to_json()}


async def _file_access(
    doc_id: str,
    request: Request,
    guard: GuardDep,
    token: Annotated[str | None, Query(description="signed link token from a citation url")] = None,
) -> Principal | None:
    """A citation link (signed, 24 h) or the usual API key."""
    client = request.client.host if request.client else None
    if token and guard.keys.check_file_link(doc_id, token):
        guard.limiter.hit(f"link:{client}")
        return None
    return guard.admit(request.headers, request.url.path, client)


async def stored_file(store: Any, doc_id: str) -> tuple[Any, Path]:
    """A document's manifest record and stored file; 404 for an unknown or removed document."""
    try:
        record = await asyncio.to_thread(store.get_document, doc_id)
        path = await asyncio.to_thread(store.document_file, record.doc_id)
    except NotFound:
        raise _not_found(doc_id) from None
    return record, path


@router.get(
    "/{doc_id}/file",
    summary="原始 PDF（加 #page=N 打开到该页）/ the stored PDF (append #page=N)",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def document_file(
    doc_id: str, store: StoreDep, _access: Annotated[Principal | None, Depends(_file_access)]
) -> FileResponse:
    record, path = await stored_file(store, doc_id)
    if not Path(path).is_file():
        raise _not_found(doc_id)
    return FileResponse(
        path,
        media_type=FILE_TYPES.get(Path(path).suffix.lower(), "application/pdf"),
        filename=Path(record.path).name or f"{doc_id}.pdf",
        content_disposition_type="inline",
        headers={"Cache-Control": "private, max-age=3600"},
    )


@router.get("/{doc_id}/pages/{page}", summary="某页文字 / one page's text")
async def document_page(
    doc_id: str, page: int, request: Request, principal: PrincipalDep, store: StoreDep, guard: GuardDep
) -> dict[str, Any]:
    try:
        record = await asyncio.to_thread(_find, store, doc_id)
    except NotFound:
        raise _not_found(doc_id) from None
    pages = await asyncio.to_thread(store.get_pages, record.doc_id)
    match = next((p for p in pages if p.number == page), None)
    if match is None:
        raise NotFound(
            f"文档 {record.title} 没有第 {page} 页（共 {len(pages)} 页）/ {record.title} has no page {page} "
            f"({len(pages)} pages)"
        )
    return {
        "doc_id": record.doc_id,
        "title": record.title,
        "page": page,
        "pages": len(pages),
        "text": match.text,
        "has_text_layer": match.has_text_layer,
        "file_url": file_url_builder(request, guard)(record.doc_id, page),
    }


@router.get(
    "/{doc_id}/check",
    summary="报告数字自检 / check the report's own figures",
    responses=error_responses(400),
)
async def check_document(
    doc_id: str, principal: PrincipalDep, store: StoreDep, assistant: AssistantDep
) -> Any:
    try:
        record = await asyncio.to_thread(_find, store, doc_id)
    except NotFound:
        raise _not_found(doc_id) from None
    result = await asyncio.to_thread(assistant.toolbox.check_report, record.doc_id)
    if isinstance(result, dict) and "error" in result:
        raise tool_failure(result["error"])
    return result


def tool_failure(error: Any) -> JixiaoError:
    """A Toolbox `{"error": {...}}` as the matching API error."""
    error = error if isinstance(error, dict) else {"message": str(error)}
    message, code = str(error.get("message") or error), str(error.get("code") or "")
    if "not_found" in code:
        return NotFound(message, hint=error.get("hint"))
    if code in ("internal_error", "tool_failed"):  # a bug, already logged by the toolbox: no details out
        return ToolFailed(
            "报告自检执行失败，请稍后重试或联系管理员 / the report check failed, retry or tell the administrator"
        )
    return BadRequest(message, hint=error.get("hint"))


class ToolFailed(JixiaoError):
    code = "tool_failed"
