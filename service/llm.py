"""LLM backends: any OpenAI-compatible server, or a GGUF file served in-process by xllamacpp.

`build_llm_answerer(settings, toolbox)` is the one entry point the Assistant uses. It builds a
`ChatOpenAI` client (every call bounded by `settings.llm_timeout`), probes that the server really
emits tool calls, and returns `(LLMAnswerer, status)` — or `(None, status)` with a Chinese+English
reason when no LLM is configured, the server is down, or the model does not call tools. The status
string is what /readyz shows.

A GGUF file (`JIXIAO_LLM_GGUF`) is served by llama.cpp's own OpenAI-compatible server inside this
process (xllamacpp), on a free localhost port with a random API key; it is started once per file and
stopped when its answerer is closed, or at interpreter exit.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx
import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import StructuredTool

from service.errors import ConfigError
from service.llm_errors import BACKEND_ERRORS, describe_backend_error

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from service.answer.agent import LLMAnswerer
    from service.config import Settings

log = logging.getLogger(__name__)

# Cap on tokens the model may write per call: a small local model that rambles must still finish
# well inside `llm_timeout`.
MAX_COMPLETION_TOKENS = 1024
GGUF_MAGIC = b"GGUF"
PLACEHOLDER_KEY = "not-needed"  # OpenAI-compatible servers without auth still want some key

NOT_CONFIGURED = (
    "未配置大模型（JIXIAO_LLM_BASE_URL 或 JIXIAO_LLM_GGUF），使用确定性回答器。"
    " / No LLM configured (JIXIAO_LLM_BASE_URL or JIXIAO_LLM_GGUF); using the deterministic answerer."
)


# --------------------------------------------------------------------------------------------
# the in-process llama.cpp server


class LocalLlamaServer:
    """llama.cpp's OpenAI-compatible HTTP server for one GGUF file, inside this process.

    `start()` loads the model and listens on a free 127.0.0.1 port (port 0: the OS picks) with a
    random API key, so no other local program can use it; `stop()` shuts it down. xllamacpp has no
    explicit stop call: the server stops when its `Server` object is released.
    """

    def __init__(self, gguf: Path, *, n_ctx: int = 8192, threads: int | None = None) -> None:
        self.gguf = Path(gguf)
        self.n_ctx = n_ctx
        self.threads = threads or max(1, min(4, (os.cpu_count() or 2) // 2))
        self.api_key = secrets.token_urlsafe(24)
        self.model_alias = self.gguf.stem
        self._server: Any = None
        self._address = ""
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str:
        if not self._address:
            raise RuntimeError("local llama.cpp server is not running")
        return f"{self._address}/v1"

    def start(self) -> str:
        """Load the model and start listening (idempotent); returns the /v1 base URL."""
        with self._lock:
            if self._server is not None:
                return self.base_url
            _check_gguf(self.gguf)
            import xllamacpp

            params = xllamacpp.CommonParams()
            params.model.path = str(self.gguf)
            params.model_alias = self.model_alias
            params.n_ctx = self.n_ctx
            params.n_parallel = 1
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.hostnames = ["127.0.0.1"]
            params.port = 0
            params.use_jinja = True  # the model's own chat template, with its tool-call format
            params.api_keys = [self.api_key]
            params.warmup = False
            params.verbosity = 0
            started = time.monotonic()
            try:
                server = xllamacpp.Server(params)
            except Exception as exc:  # the binding raises plain RuntimeError/ValueError
                raise ConfigError(
                    f"无法用 llama.cpp 加载模型文件 {self.gguf}：{exc}"
                    f" / llama.cpp could not load {self.gguf}: {exc}",
                    hint="检查 JIXIAO_LLM_GGUF 是否为完整的 GGUF 文件 / check that JIXIAO_LLM_GGUF is a complete GGUF file",
                ) from exc
            self._server = server
            self._address = str(server.listening_address).rstrip("/")
            log.info(
                "llama.cpp server for %s listening on %s (%.1fs, n_ctx=%d, threads=%d)",
                self.gguf.name,
                self._address,
                time.monotonic() - started,
                self.n_ctx,
                self.threads,
            )
            return self.base_url

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            if server is not None:
                log.info("stopping llama.cpp server on %s", self._address)
                del server  # the Cython destructor joins the server's main loop
            self._address = ""
            key = str(self.gguf.resolve())
            if _LOCAL_SERVERS.get(key) is self:
                del _LOCAL_SERVERS[key]

    def health(self, timeout: float = 2.0) -> bool:
        if not self._address:
            return False
        try:
            return httpx.get(f"{self._address}/health", timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def __repr__(self) -> str:
        state = self._address or "stopped"
        return f"LocalLlamaServer({self.gguf.name}, {state})"


_LOCAL_SERVERS: dict[str, LocalLlamaServer] = {}
_LOCAL_LOCK = threading.Lock()


def local_server(gguf: Path, *, n_ctx: int = 8192, threads: int | None = None) -> LocalLlamaServer:
    """The running server for `gguf`, started on first use (one per file per process)."""
    key = str(Path(gguf).resolve())
    with _LOCAL_LOCK:
        server = _LOCAL_SERVERS.get(key)
        if server is None:
            server = LocalLlamaServer(Path(gguf), n_ctx=n_ctx, threads=threads)
            _LOCAL_SERVERS[key] = server
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


def running_local_servers() -> list[LocalLlamaServer]:
    return [s for s in _LOCAL_SERVERS.values() if s.running]


@atexit.register
def stop_local_servers() -> None:
    for server in list(_LOCAL_SERVERS.values()):
        server.stop()


def _check_gguf(path: Path) -> None:
    if not path.is_file():
        raise ConfigError(
            f"JIXIAO_LLM_GGUF 指向的文件不存在：{path} / JIXIAO_LLM_GGUF does not name a file: {path}",
            hint="给出本地 GGUF 文件的路径（jixiao 不会下载模型）/ give the path of a local GGUF file (jixiao never downloads models)",
        )
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise ConfigError(
            f"{path} 不是 GGUF 模型文件 / {path} is not a GGUF model file",
            hint="JIXIAO_LLM_GGUF 需要 llama.cpp 的 .gguf 文件 / JIXIAO_LLM_GGUF needs a llama.cpp .gguf file",
        )


# --------------------------------------------------------------------------------------------
# the client


def make_chat_model(
    settings: Settings,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    max_tokens: int = MAX_COMPLETION_TOKENS,
) -> ChatOpenAI:
    """A `ChatOpenAI` for any OpenAI-compatible server; every call is bounded by `llm_timeout`
    and `max_tokens` written tokens.

    No retries: a backend that is down must fail fast so the deterministic answerer can take over.
    """
    from langchain_openai import ChatOpenAI

    url = base_url or settings.llm_base_url
    if not url:
        raise ConfigError(NOT_CONFIGURED)
    return ChatOpenAI(
        base_url=url,
        api_key=api_key or settings.llm_api_key or PLACEHOLDER_KEY,
        model=model or settings.llm_model,
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=settings.llm_temperature,
        max_completion_tokens=max_tokens,
    )


# --------------------------------------------------------------------------------------------
# the start-up probe

PROBE_TOOL_NAME = "lookup_figure"
PROBE_MAX_TOKENS = 256  # room for a short "thinking" preamble; a tool call itself is short
PROBE_SYSTEM = (
    "You are a tool-calling assistant. When a tool can answer, call it instead of answering in text."
)
PROBE_QUESTION = (
    "请调用 lookup_figure 工具查询“预算执行率”。Call the lookup_figure tool with name='预算执行率'. "
    "Do not answer in text."
)


def _lookup_figure(name: str) -> str:
    """Look up a figure in the reports by its name, e.g. 预算执行率.

    Args:
        name: the figure's name
    """
    return name


@dataclass
class ProbeResult:
    """Does this backend emit tool calls? `verdict` is for programs, `message` for people."""

    verdict: Literal["tool_calls", "no_tool_calls", "unreachable", "error", "skipped"]
    message: str
    seconds: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verdict in ("tool_calls", "skipped")

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "ok": self.ok,
            "message": self.message,
            "seconds": round(self.seconds, 3),
        }


def probe_tool_calls(chat_model: BaseChatModel, *, where: str = "") -> ProbeResult:
    """Ask the model for one obvious tool call (tool_choice "auto", as the agent uses it).

    The verdict is what the server actually returned: a structured tool call to `lookup_figure`
    with a `name` argument, or not.
    """
    tool = StructuredTool.from_function(_lookup_figure, name=PROBE_TOOL_NAME, parse_docstring=True)
    started = time.monotonic()
    try:
        reply = chat_model.bind_tools([tool], max_completion_tokens=PROBE_MAX_TOKENS).invoke(
            [SystemMessage(PROBE_SYSTEM), HumanMessage(PROBE_QUESTION)]
        )
    except BACKEND_ERRORS as exc:
        verdict: Literal["unreachable", "error"] = (
            "unreachable"
            if isinstance(exc, openai.APIConnectionError | ConnectionError | httpx.ConnectError)
            and not isinstance(exc, openai.APITimeoutError)
            else "error"
        )
        return ProbeResult(
            verdict,
            describe_backend_error(exc, where) + "。已改用确定性回答器。/ Using the deterministic answerer.",
            time.monotonic() - started,
            {"error": type(exc).__name__},
        )
    seconds = time.monotonic() - started
    calls = list(getattr(reply, "tool_calls", []) or [])
    good = [c for c in calls if c.get("name") == PROBE_TOOL_NAME and isinstance(c.get("args"), dict)]
    text = reply.content if isinstance(reply.content, str) else str(reply.content)
    detail = {"tool_calls": [c.get("name") for c in calls], "text": text[:200]}
    if good:
        return ProbeResult(
            "tool_calls",
            f"大模型已就绪，支持工具调用{f'（{where}）' if where else ''}。/ LLM ready: it emits tool calls.",
            seconds,
            detail,
        )
    return ProbeResult(
        "no_tool_calls",
        f"大模型{f'（{where}）' if where else ''}没有按要求调用工具（可能是模型或聊天模板不支持工具调用），"
        "已改用确定性回答器。 / The LLM did not emit a tool call when asked to (the model or its chat "
        "template does not support tool calling); using the deterministic answerer.",
        seconds,
        detail,
    )


# --------------------------------------------------------------------------------------------
# the factory


def build_llm_answerer(
    settings: Settings, toolbox: Any, *, probe: bool = True
) -> tuple[LLMAnswerer | None, str]:
    """The LLM answerer for `settings`, or None and a Chinese+English reason.

    `probe=False` skips the tool-call probe (tests and operators who know their server); the
    answerer's `.probe` then says "skipped". Raises ConfigError only for configuration the operator
    must fix (a GGUF path that is not a GGUF file).
    """
    if not settings.llm_configured:
        return None, NOT_CONFIGURED
    from service.answer.agent import LLMAnswerer

    server: LocalLlamaServer | None = None
    if settings.llm_gguf:
        server = local_server(settings.llm_gguf)
        chat_model = make_chat_model(
            settings, base_url=server.base_url, api_key=server.api_key, model=server.model_alias
        )
        where = f"本地 GGUF {settings.llm_gguf.name} @ {server.base_url}"
    else:
        chat_model = make_chat_model(settings)
        where = f"{settings.llm_model} @ {settings.llm_base_url}"

    result = (
        probe_tool_calls(chat_model, where=where)
        if probe
        else ProbeResult("skipped", f"未做工具调用探测（{where}）。/ Tool-call probe skipped.")
    )
    log.info("LLM probe (%s): %s in %.1fs", where, result.verdict, result.seconds)
    if not result.ok:
        if server is not None:
            server.stop()  # a model that cannot call tools is of no use to jixiao: free its memory
        return None, result.message

    answerer = LLMAnswerer(chat_model, toolbox, settings)
    answerer.probe = result
    answerer.backend = {
        "kind": "gguf" if server is not None else "openai",
        "where": where,
        "base_url": server.base_url if server is not None else settings.llm_base_url,
        "model": getattr(chat_model, "model_name", settings.llm_model),
    }
    if server is not None:
        answerer.on_close(server.stop)
    return answerer, result.message
