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


def damage_reason(exc: BaseException) -> str:
    """What is wrong with a file, in words, from the exception a parser raised on it (Chinese /
    English). The exception's own name and text stay in the log: they mean nothing to the person
    who uploaded the file, and may quote its bytes back."""
    text = str(exc).lower()
    if isinstance(exc, RecursionError) or "recursion" in text or "nest" in text:
        return "文件内部对象嵌套过深 / the file's objects are nested too deeply"
    if "cycl" in text or "loop" in text or "circular" in text or "self reference" in text:
        return "文件内部存在循环引用 / the file's objects refer to themselves in a loop"
    if isinstance(exc, MemoryError) or "maximum number" in text or "limit" in text:
        return "文件内容超出处理上限（可能是压缩炸弹）/ the content exceeds processing limits (a compression bomb?)"
    if isinstance(exc, NotImplementedError) or "unsupported" in text or "not supported" in text:
        return "文件使用了不支持的 PDF 功能 / the file uses a PDF feature that is not supported"
    if "xref" in text or "startxref" in text or "trailer" in text or "root" in text:
        return "文件的交叉引用表或根对象已损坏 / the file's cross-reference table or root object is damaged"
    if "decrypt" in text or "encrypt" in text:
        return "文件加密信息无法识别 / the file's encryption cannot be read"
    if "font" in text or "cmap" in text or "encoding" in text:
        return "文件中的字体或编码信息已损坏 / the file's font or encoding data is damaged"
    return "文件结构已损坏 / the file's structure is damaged"


REINGEST_FAILED = "重新导入失败，已保留原有版本"


def reingest_failed(message: str) -> str:
    """What a person is told when reading an indexed document again failed: the version already
    indexed stays searchable and answerable, and why the new reading failed."""
    return f"{REINGEST_FAILED}：{message}（re-ingest failed; the version already indexed is kept）"
