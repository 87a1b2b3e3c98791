"""Who may call what, and how much: API keys, admin scope, site keys bound to origins, origin
checks, per-key rate limits, request body limits and signed links to stored PDFs.

With no key configured at all (the local embedded default) every request is the local user, who
may do everything; `jixiao serve` then binds to 127.0.0.1 only. Once any key is configured, every
API and MCP request needs `Authorization: Bearer <key>`:

- `api_keys`: ask, search, read documents; `admin_keys`: all of that plus upload and delete;
- `site_keys` (widget keys, public by nature): only the `/api/v1/` read and chat endpoints, and
  only from a browser page whose `Origin` is one of the key's allowed origins.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import Forbidden, InvalidKey, PayloadTooLarge, exception_response
from service.api.shared_limits import SharedRateLimiter, rate_limited
from service.config import Settings
from service.errors import AuthError

Scope_ = Literal["local", "api", "admin", "site"]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
UPLOAD_PATH = "/api/v1/documents"
FILE_LINK_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Principal:
    scope: Scope_
    bucket: str  # the rate-limit bucket: a key fingerprint or the client address
    origin: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.scope in ("local", "admin")


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return (
        f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else url.strip().lower()
    )


def bearer_token(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class KeyRing:
    """The configured keys, checked in constant time."""

    def __init__(self, settings: Settings) -> None:
        self.api_keys = list(settings.api_keys)
        self.admin_keys = list(settings.admin_keys)
        self.site_keys = {k: {origin_of(o) for o in origins} for k, origins in settings.site_keys.items()}
        self.cors_origins = sorted(
            {origin_of(o) for o in settings.cors_origins}.union(*self.site_keys.values())
        )
        self.enabled = bool(self.api_keys or self.admin_keys or self.site_keys)
        secret_material = "\n".join(
            ["jixiao-file-link", *self.admin_keys, *self.api_keys, *sorted(self.site_keys)]
        )
        self._link_secret = hashlib.sha256(secret_material.encode()).digest()

    @staticmethod
    def _match(token: str, keys: list[str]) -> bool:
        found = False
        for key in keys:
            found |= hmac.compare_digest(token.encode(), key.encode())
        return found

    def authenticate(self, headers: Mapping[str, str], path: str, client: str | None) -> Principal:
        """The caller, or AuthError (401) / Forbidden (403)."""
        origin = headers.get("origin")
        self.check_origin(origin, headers.get("host"))
        if not self.enabled:
            self.check_local_host(headers.get("host"))
            return Principal("local", f"ip:{client or '?'}", origin)
        token = bearer_token(headers)
        if token is None:
            raise AuthError(
                "缺少 API 密钥：请在请求头加上 Authorization: Bearer <密钥> / missing API key: "
                "send the header Authorization: Bearer <key>",
                hint="密钥由服务管理员配置（JIXIAO_API_KEYS）/ keys are configured by the operator (JIXIAO_API_KEYS)",
            )
        if self._match(token, self.admin_keys):
            return Principal("admin", f"key:{fingerprint(token)}", origin)
        if self._match(token, self.api_keys):
            return Principal("api", f"key:{fingerprint(token)}", origin)
        site_origins = next(
            (o for k, o in self.site_keys.items() if hmac.compare_digest(token.encode(), k.encode())), None
        )
        if site_origins is not None:
            if not origin or origin_of(origin) not in site_origins:
                raise Forbidden(
                    f"此站点密钥不能在来源 {origin or '(无 Origin)'} 使用 / this site key is not allowed from "
                    f"origin {origin or '(no Origin header)'}",
                    hint="站点密钥只能在配置的门户页面中使用 / a site key only works from the portal pages it was issued for",
                )
            if not path.startswith("/api/v1/"):
                raise Forbidden(
                    "站点密钥只能用于问答和文档查看 / a site key only works for chat and reading documents under /api/v1/"
                )
            # a site key is public (it sits in the portal's page): one budget per visitor, so a
            # single abuser cannot spend every visitor's budget
            return Principal("site", f"key:{fingerprint(token)}:{client or '?'}", origin)
        raise InvalidKey(
            "API 密钥无效 / invalid API key",
            hint="请检查密钥是否完整、是否已被停用 / check that the key is complete and still configured",
        )

    def check_origin(self, origin: str | None, host: str | None) -> None:
        """Browsers send Origin on cross-site requests: refuse pages that are neither this server nor
        an allowed portal (a form on a foreign page must not upload or ask in the user's name)."""
        if not origin:
            return
        parsed = origin_of(origin)
        if host and urlsplit(parsed).netloc == host.lower():
            return
        if parsed in self.cors_origins:
            return
        raise Forbidden(
            f"不允许来自 {origin} 的网页调用本服务 / requests from the page origin {origin} are not allowed",
            hint="如需在门户中嵌入，请把该来源加入 JIXIAO_CORS_ORIGINS 或站点密钥的来源列表 / "
            "add the origin to JIXIAO_CORS_ORIGINS or to a site key's origins",
        )

    @staticmethod
    def check_local_host(host: str | None) -> None:
        """Without keys only this machine's own names are served: a foreign domain that resolves to
        127.0.0.1 (DNS rebinding) must not reach the keyless service."""
        name = urlsplit(f"//{host or ''}").hostname or ""
        if name not in LOOPBACK_HOSTS:
            raise Forbidden(
                f"本机模式（未配置 API 密钥）只接受 127.0.0.1 / localhost 访问，不接受 {host or '(无 Host)'} / "
                f"without API keys only 127.0.0.1 and localhost are served, not {host or '(no Host header)'}",
                hint="如需从其他地址访问，请配置 JIXIAO_API_KEYS / configure JIXIAO_API_KEYS to serve other names",
            )

    # ---- signed links: a citation opens the PDF in a new tab, where no header can be sent ----
    def sign_file_link(self, doc_id: str, *, now: float | None = None) -> str:
        # expiry rounded up to the hour: the same citation gets the same link for an hour (a
        # streamed and a whole answer agree, browsers can cache), valid 24 to 25 hours
        expires = math.ceil(((now or time.time()) + FILE_LINK_SECONDS) / 3600) * 3600
        mac = hmac.new(self._link_secret, f"{doc_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]
        return f"{expires}.{mac}"

    def check_file_link(self, doc_id: str, token: str, *, now: float | None = None) -> bool:
        expires_text, _, mac = token.partition(".")
        # ASCII digits only: "²".isdigit() holds but int("²") raises
        if not (expires_text.isascii() and expires_text.isdigit()) or int(expires_text) < (
            now or time.time()
        ):
            return False
        good = hmac.new(self._link_secret, f"{doc_id}:{expires_text}".encode(), hashlib.sha256).hexdigest()[
            :32
        ]
        return hmac.compare_digest(good.encode(), mac.encode())  # bytes: a non-ASCII str would raise


class RateLimiter:
    """A sliding one-minute window per bucket, in this process (one API process; a shared store
    counts in its database instead: `shared_limits.SharedRateLimiter`)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, *, now: float | None = None) -> None:
        if self.per_minute <= 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(bucket, deque())
            while hits and now - hits[0] >= 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                raise rate_limited(self.per_minute, max(1, math.ceil(60 - (now - hits[0]))))
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle callers
                for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= 60]:
                    del self._hits[key]


class Guard:
    """Everything access-related the app holds once: keys, limiters.

    Keyed callers share `rate_limit_per_minute` per key; the local user (no keys, loopback only)
    has `local_rate_limit_per_minute`, off by default: a developer running the MCP Inspector or a
    test loop against their own server is not an abuser to throttle."""

    def __init__(self, settings: Settings) -> None:
        self.keys = KeyRing(settings)
        self.limiter: RateLimiter | SharedRateLimiter = (
            SharedRateLimiter(settings, settings.rate_limit_per_minute)
            if settings.shared_store
            else RateLimiter(settings.rate_limit_per_minute)
        )
        self.local_limiter = RateLimiter(settings.local_rate_limit_per_minute)  # one machine by definition

    def admit(self, headers: Mapping[str, str], path: str, client: str | None) -> Principal:
        try:
            principal = self.keys.authenticate(headers, path, client)
        except AuthError:
            self.limiter.hit(f"unauthenticated:{client or '?'}")  # guessing keys is rate limited too
            raise
        limiter = self.local_limiter if principal.scope == "local" else self.limiter
        limiter.hit(principal.bucket)
        return principal


def require_admin(principal: Principal) -> Principal:
    if not principal.is_admin:
        raise Forbidden(
            "此操作需要管理员密钥（上传、删除文档）/ this needs an admin key (upload or delete documents)",
            hint="请使用 JIXIAO_ADMIN_KEYS 中的密钥 / use a key from JIXIAO_ADMIN_KEYS",
        )
    return principal


async def send_error(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """Answer a raw ASGI request with the JSON error for `exc` (used outside FastAPI routes)."""
    await exception_response(Request(scope, receive), exc)(scope, receive, send)


class BodyLimitMiddleware:
    """413 for bodies over the limit: `max_body_bytes`, or the upload limit on POST /api/v1/documents.

    Checks Content-Length up front and counts streamed bytes too (chunked uploads)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, upload_max_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_max_bytes = upload_max_bytes

    def _limit(self, scope: Scope) -> int:
        if scope["method"] == "POST" and scope["path"].rstrip("/") == UPLOAD_PATH:
            return self.upload_max_bytes + 1_000_000  # multipart framing
        return self.max_body_bytes

    def _too_large(self, limit: int) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"请求内容太大：上限 {limit / 1e6:.1f} MB / request body too large: the limit is {limit / 1e6:.1f} MB",
            hint="请缩短问题或分批上传文件 / shorten the request or upload fewer files at once",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_error(scope, receive, send, self._too_large(limit))
            return
        seen = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise self._too_large(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's reaction to the cut-off body is replaced by our 413
            started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except PayloadTooLarge:
            if started:
                raise
        if exceeded and not started:
            await send_error(scope, receive, send, self._too_large(limit))


def is_loopback(host: str) -> bool:
    return host.strip("[]") in LOOPBACK_HOSTS
