"""Service-side errors; the base hierarchy lives in `ingest.errors` (ingest never imports service)."""

from __future__ import annotations

from ingest.errors import (
    BadDocument,
    ConfigError,
    JixiaoError,
    NeedsOCR,
    NotFound,
    PasswordRequired,
    StoreBusy,
)

__all__ = [
    "AuthError",
    "BadDocument",
    "BadRequest",
    "ConfigError",
    "JixiaoError",
    "NeedsOCR",
    "NotFound",
    "PasswordRequired",
    "RateLimited",
    "StoreBusy",
    "UpstreamModelError",
]


class UpstreamModelError(JixiaoError):
    """The LLM backend is down, timed out or does not call tools."""

    code = "upstream_model_error"


class BadRequest(JixiaoError):
    code = "bad_request"


class AuthError(JixiaoError):
    code = "unauthorized"


class RateLimited(JixiaoError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
