"""Errors -> HTTP, in one place.

Every error leaves the server as JSON with a message a person can act on (Chinese, then English):
`{"error": {"code", "message", "hint"?}}` on the jixiao API, and the OpenAI shape
`{"error": {"message", "type", "param", "code"}}` under `/v1/`. No stack trace ever leaves the
server: unexpected exceptions are logged with an id and answered with that id.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.embeddings import EmbeddingError
from service.errors import (
    AuthError,
    BadDocument,
    BadRequest,
    ConfigError,
    JixiaoError,
    NotFound,
    RateLimited,
    StoreBusy,
    UpstreamModelError,
)
from service.metrics import MetricError

log = logging.getLogger("jixiao.api")

BEARER_CHALLENGE = 'Bearer realm="jixiao"'


class InvalidKey(AuthError):
    code = "invalid_api_key"


class Forbidden(JixiaoError):
    code = "forbidden"


class PayloadTooLarge(JixiaoError):
    code = "payload_too_large"


class NotAPdf(BadDocument):
    code = "not_a_pdf"


class AnswerTimeout(JixiaoError):
    """The answer took longer than `answer_timeout`; `fallback` holds a deterministic answer
    (`service.answer.models.Answer`) if one could be made in time."""

    code = "answer_timeout"

    def __init__(self, message: str, *, hint: str | None = None, fallback: Any = None) -> None:
        super().__init__(message, hint=hint)
        self.fallback = fallback


class NotReady(JixiaoError):
    code = "not_ready"


# most specific class first: PasswordRequired/NeedsOCR are BadDocuments
STATUS: list[tuple[type[Exception], int]] = [
    (AuthError, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (PayloadTooLarge, 413),
    (NotAPdf, 415),
    (RateLimited, 429),
    (BadDocument, 422),
    (BadRequest, 400),
    (MetricError, 422),
    (StoreBusy, 409),
    (UpstreamModelError, 502),
    (EmbeddingError, 503),
    (NotReady, 503),
    (AnswerTimeout, 504),
    (ConfigError, 500),
]

OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
}


class ErrorBody(BaseModel):
    """`code` and `message` on the jixiao API; the OpenAI shape adds `type` and `param`."""

    model_config = ConfigDict(extra="allow")
    message: str
    code: str | None = None
    hint: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


_RESPONSE_TEXT = {
    400: "请求不合要求（如问题为空或太长）/ bad request (e.g. an empty or too long question)",
    401: "缺少或无效的 API 密钥 / missing or invalid API key (WWW-Authenticate: Bearer)",
    403: "需要管理员密钥 / needs an admin key",
    404: "没有这个文档、页或模型 / no such document, page or model",
    409: "另一个写入进程正占用数据目录 / another writer holds the data dir",
    413: "文件或请求体太大 / file or request body too large",
    415: "不是 PDF 文件 / not a PDF file",
    422: "请求格式不正确或文件无法入库 / invalid request, or a file that cannot be ingested",
    429: "请求过于频繁（见 Retry-After）/ rate limited (see Retry-After)",
    502: "语言模型服务出错 / the language model backend failed",
    503: "服务尚未就绪或嵌入服务不可用 / not ready, or the embedding backend is down",
    504: "回答超时；fallback 中可能有确定性答案 / answer timed out; `fallback` may hold a deterministic answer",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route really gives, all in the `{"error": {...}}` shape
    (the FastAPI default 422 schema is replaced: our validation errors use it too)."""
    return {s: {"model": ErrorResponse, "description": _RESPONSE_TEXT[s]} for s in statuses}


def status_for(exc: Exception) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def error_body(exc: Exception) -> dict[str, Any]:
    """The `error` object for a known exception."""
    if isinstance(exc, MetricError):
        return {"code": "metric_error", "message": f"{exc.message_zh} / {exc.message_en}"}
    if isinstance(exc, JixiaoError):
        return exc.to_dict()
    # an unknown exception's text may name paths or hosts: it stays in the log
    return {"code": "internal_error", "message": "服务内部错误，请稍后重试 / internal error, please retry"}


def is_openai_path(request: Request) -> bool:
    return request.url.path.startswith("/v1/")


def error_response(
    request: Request, status: int, body: dict[str, Any], *, extra: dict[str, Any] | None = None
) -> JSONResponse:
    """Render an error for the API family the request belongs to."""
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = body.pop("_challenge", BEARER_CHALLENGE)
    else:
        body.pop("_challenge", None)
    if "_retry_after" in body:
        headers["Retry-After"] = str(body.pop("_retry_after"))
    if is_openai_path(request):
        message = body["message"] + (f" ({body['hint']})" if body.get("hint") else "")
        content: dict[str, Any] = {
            "error": {
                "message": message,
                "type": OPENAI_TYPES.get(status, "api_error"),
                "param": body.get("param"),
                "code": body.get("code"),
            }
        }
    else:
        content = {"error": body}
    if extra:
        content.update(extra)
    return JSONResponse(content, status_code=status, headers=headers)


def exception_response(request: Request, exc: Exception) -> JSONResponse:
    """The response for a known exception: its status, its error body, the Bearer challenge of an
    invalid key, Retry-After when rate limited, the fallback answer of a timeout. Used by the
    FastAPI handler and by the raw ASGI guards (`service.api.security.send_error`)."""
    body = error_body(exc)
    if isinstance(exc, InvalidKey):
        body["_challenge"] = f'{BEARER_CHALLENGE}, error="invalid_token"'
    if isinstance(exc, RateLimited):
        body["_retry_after"] = exc.retry_after
    extra = None
    if isinstance(exc, AnswerTimeout) and exc.fallback is not None:
        extra = {"fallback": exc.fallback.public()}
    return error_response(request, status_for(exc), body, extra=extra)


async def _jixiao_handler(request: Request, exc: Exception) -> JSONResponse:
    response = exception_response(request, exc)
    if response.status_code >= 500:
        log.warning("%s %s -> %s: %s", request.method, request.url.path, response.status_code, exc)
    return response


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        problems.append(f"{where or '请求体'}: {err.get('msg', '')}")
    body = {
        "code": "invalid_request",
        "message": "请求格式不正确 / invalid request: " + "; ".join(problems),
        "hint": "请对照 /docs 中的接口说明检查字段名和类型 / check field names and types against /docs",
        "param": problems[0].split(":")[0] if problems else None,
    }
    return error_response(request, 422 if not is_openai_path(request) else 400, body)


_HTTP_MESSAGES = {
    404: "没有这个地址 / no such endpoint (see /docs)",
    405: "该地址不支持此请求方法 / method not allowed on this endpoint",
}


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = (
        exc.detail
        if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed")
        else ""
    )
    body = {
        "code": f"http_{exc.status_code}",
        "message": message or _HTTP_MESSAGES.get(exc.status_code, str(exc.detail)),
    }
    response = error_response(request, exc.status_code, body)
    for key, value in (exc.headers or {}).items():
        response.headers.setdefault(key, value)
    return response


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    error_id = uuid.uuid4().hex[:12]
    log.exception("unexpected error %s on %s %s", error_id, request.method, request.url.path)
    body = {
        "code": "internal_error",
        "message": f"服务内部错误，请稍后重试；如持续出现请把错误编号 {error_id} 告诉管理员 / "
        f"internal error, please retry; if it persists give the administrator error id {error_id}",
    }
    return error_response(request, 500, body)


def install_error_handlers(app: FastAPI) -> None:
    for cls in (JixiaoError, MetricError, EmbeddingError):
        app.add_exception_handler(cls, _jixiao_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
