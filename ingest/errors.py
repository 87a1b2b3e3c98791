"""The error hierarchy, by who must act. `ingest` and `service.metrics` never import fastapi;
`service/api` maps these classes to HTTP statuses in one place.

Every message is meant for a person: Chinese first (officials read it), then English.
"""

from __future__ import annotations


class JixiaoError(Exception):
    """Base class. `code` is stable for programs; str(err) is for people."""

    code = "jixiao_error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, str]:
        out = {"code": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        return out


class BadDocument(JixiaoError):
    """The user's file cannot be ingested as it is (not a PDF, truncated, encrypted, empty)."""

    code = "bad_document"


class PasswordRequired(BadDocument):
    code = "password_required"


class NeedsOCR(BadDocument):
    code = "needs_ocr"


class OverBudget(BadDocument):
    """The file needs more work than one document may take (pages, content bytes, time)."""

    code = "over_budget"


class NotFound(JixiaoError):
    code = "not_found"


class ConfigError(JixiaoError):
    """The operator must change configuration."""

    code = "config_error"


class StoreBusy(JixiaoError):
    """Another process holds the single-writer lock of this data dir."""

    code = "store_busy"
