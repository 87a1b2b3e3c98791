"""What counts as a failure of the LLM backend, and how to tell people about it. Shared by the
backend factory (service/llm.py) and the agent loop (service/answer/agent.py), so neither imports
the other."""

from __future__ import annotations

import httpx
import openai
from langchain_core.exceptions import ModelError

__all__ = ["BACKEND_ERRORS", "describe_backend_error"]

# errors that mean "the model backend failed", as opposed to a bug in jixiao
BACKEND_ERRORS: tuple[type[BaseException], ...] = (
    ModelError,
    openai.APIError,
    httpx.HTTPError,
    TimeoutError,
    ConnectionError,
)


def describe_backend_error(exc: BaseException, where: str = "") -> str:
    """A one-line Chinese+English description of a backend failure, for people."""
    target = f"（{where}）" if where else ""
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, openai.APITimeoutError | TimeoutError | httpx.TimeoutException):
        return f"大模型服务响应超时{target} / the LLM backend timed out{f' ({where})' if where else ''}: {detail}"
    if isinstance(exc, openai.APIConnectionError | ConnectionError | httpx.ConnectError):
        return f"无法连接大模型服务{target} / cannot reach the LLM backend{f' ({where})' if where else ''}: {detail}"
    if isinstance(exc, openai.AuthenticationError):
        return f"大模型服务拒绝了 API 密钥{target} / the LLM backend rejected the API key: {detail}"
    return f"大模型服务出错{target} / the LLM backend failed{f' ({where})' if where else ''}: {detail}"
