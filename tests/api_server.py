"""Test support for the HTTP service: a real uvicorn server in a thread on a free localhost port,
and a scripted Assistant (the real `Assistant` interface, answers decided by a test) for the cases
the real pipeline cannot produce on demand (a slow answer, a tool-call trace, a failure)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from service.answer.models import Answer, Citation, Computation, ProgressEvent, Turn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving `app` (lifespan included) on 127.0.0.1:<free port>, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def start(self, timeout: float = 300.0) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn exited during startup")
            if time.monotonic() > deadline:
                raise TimeoutError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@contextmanager
def live_server(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


def sse_parts(response: httpx.Response) -> list[Any]:
    """The `data:` payloads of an SSE response, JSON-decoded ("[DONE]" kept as the string)."""
    parts: list[Any] = []
    for line in response.iter_lines():
        if not line.startswith("data: "):
            continue
        payload = line[len("data: ") :]
        parts.append(payload if payload == "[DONE]" else json.loads(payload))
    return parts


class MemoryConversations:
    """The ConversationStore interface, in memory."""

    def __init__(self) -> None:
        self.turns: dict[str, list[Turn]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def new_id() -> str:
        import uuid

        return uuid.uuid4().hex

    def history(self, cid: str) -> list[Turn]:
        with self._lock:
            return list(self.turns.get(cid, []))

    def append(self, cid: str, turn: Turn, answer: Answer | None = None) -> None:
        with self._lock:
            self.turns.setdefault(cid, []).append(turn)


class ScriptedAssistant:
    """Implements the Assistant facade (`ask`, `store`, `toolbox`, `settings`, `active_answerer`,
    `llm_status`) with answers produced by `script(message, history) -> Answer`; records calls and
    emits the events a real answerer emits (a search tool call, computing, writing)."""

    def __init__(
        self,
        settings: Any,
        *,
        store: Any = None,
        toolbox: Any = None,
        script: Callable[[str, list[Turn]], Answer] | None = None,
        delay: float = 0.0,
        answerer: str = "deterministic",
    ) -> None:
        self.settings = settings
        self.store = store
        self.toolbox = toolbox
        self.script = script or default_script
        self.delay = delay
        self.active_answerer = answerer
        self.llm_status = "scripted"
        self.calls: list[dict[str, Any]] = []
        self.conversations = MemoryConversations()
        self._lock = threading.Lock()

    def ask(
        self,
        message: str,
        *,
        conversation_id: str | None = None,
        document_ids: list[str] | None = None,
        on_event: Callable[[ProgressEvent], None] | None = None,
    ) -> Answer:
        cid = conversation_id or self.conversations.new_id()
        history = self.conversations.history(cid)
        with self._lock:
            self.calls.append(
                {
                    "message": message,
                    "conversation_id": conversation_id,
                    "document_ids": document_ids,
                    "history": history,
                }
            )
        if on_event:
            on_event(ProgressEvent(stage="searching", detail="检索文档"))
            on_event(ProgressEvent(stage="tool", tool="search_documents", tool_input={"query": message}))
            on_event(
                ProgressEvent(
                    stage="tool",
                    tool="search_documents",
                    tool_input={"query": message},
                    tool_output={"hits": 1},
                )
            )
            on_event(ProgressEvent(stage="computing", detail="计算预算执行率"))
        if self.delay:
            time.sleep(self.delay)
        answer = self.script(message, history)
        answer.conversation_id = cid
        self.conversations.append(cid, Turn(role="user", content=message))
        self.conversations.append(cid, Turn(role="assistant", content=answer.answer), answer)
        return answer


def default_script(message: str, history: list[Turn]) -> Answer:
    return Answer(
        answer=f"预算执行率为99.86%[1]。（共 {len(history) // 2} 轮历史）",
        citations=[Citation(n=1, doc_id="d0c0ffee00000001", title="示例报告", page=3, quote="执行率99.86%")],
        computations=[
            Computation(
                metric="budget_execution_rate",
                name_zh="预算执行率",
                inputs=[{"name": "spent", "value": "7926.24", "unit": "万元"}],
                formula="7926.24 / 7937.43 × 100%",
                value="99.859",
                unit="%",
                display="99.86%",
            )
        ],
        grounded=True,
        answerer="deterministic",
    )
