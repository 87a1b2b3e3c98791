"""What the evals ask: the in-process Assistant, a running jixiao (`/api/v1/chat`) or any
OpenAI-compatible assistant (`/v1/chat/completions`).

Every target answers one question at a time inside a `Conversation` and returns an `AnswerView`.
Only jixiao targets return structure (citations, computations, grounded); for an OpenAI-compatible
endpoint the checks that need it are skipped and the report says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx

from evals.checks import AnswerView
from ingest.errors import ConfigError, JixiaoError

TargetKind = Literal["inprocess", "jixiao", "openai"]
RetrievedPage = tuple[str, int, int]  # doc_id, first page, last page of a retrieved passage


class EvalTargetError(JixiaoError):
    """The target could not answer (endpoint down, bad key, wrong answerer)."""

    code = "eval_target_error"


@dataclass
class Conversation:
    id: str | None = None
    messages: list[dict[str, str]] = field(default_factory=list)  # OpenAI-style history


class Target(Protocol):
    kind: TargetKind
    label: str
    structured: bool  # returns citations, computations and the grounded flag
    retrieval_source: str  # "retriever" (top-5 passages) | "citations" (ranked by n) | "none"

    def doc_ids(self, documents: Iterable[Path]) -> dict[str, str]: ...
    def ask(
        self, conversation: Conversation, question: str, *, document_ids: list[str] | None
    ) -> AnswerView: ...
    def retrieve(
        self, question: str, *, k: int, document_ids: list[str] | None = None
    ) -> list[RetrievedPage] | None: ...
    def close(self) -> None: ...


def answer_view(data: dict[str, Any], *, structured: bool = True) -> AnswerView:
    return AnswerView(
        answer=str(data.get("answer", "")),
        citations=[dict(c) for c in data.get("citations") or []] if structured else None,
        computations=[dict(c) for c in data.get("computations") or []] if structured else None,
        grounded=data.get("grounded") if structured else None,
        answerer=str(data.get("answerer", "")),
        conversation_id=str(data.get("conversation_id", "")),
        notes=[str(n) for n in data.get("notes") or []],
    )


def _local_ids(documents: Iterable[Path]) -> dict[str, str]:
    from ingest.index import file_identity

    out: dict[str, str] = {}
    for path in documents:
        if path.is_file():
            out[path.name] = file_identity(path)[0]
    return out


# ---------------------------------------------------------------- in-process


class InProcessTarget:
    """`service.assistant.build_assistant(settings)` over a data dir the runner prepared."""

    kind: TargetKind = "inprocess"
    structured = True
    retrieval_source = "retriever"

    def __init__(self, settings: Any, *, answerer: str = "deterministic") -> None:
        from service.assistant import build_assistant

        if answerer == "llm" and not settings.llm_configured:
            raise ConfigError(
                "评测 LLM 答题器需要配置 JIXIAO_LLM_BASE_URL 或 JIXIAO_LLM_GGUF / "
                "--answerer llm needs JIXIAO_LLM_BASE_URL or JIXIAO_LLM_GGUF"
            )
        self.settings = settings
        self.assistant = build_assistant(settings)
        active = getattr(self.assistant.active_answerer, "name", self.assistant.active_answerer)
        if answerer == "llm" and active != "llm":
            status = getattr(self.assistant, "llm_status", "")
            self.close()
            raise EvalTargetError(
                f"LLM 答题器不可用（{status}），不评测回退答题器 / the LLM answerer is not active ({status})"
            )
        self.label = f"in-process ({active})"
        self._retriever: Any = None
        self.routed: list[str] | None = None

    def doc_ids(self, documents: Iterable[Path]) -> dict[str, str]:
        ingested = {r.doc_id for r in self.assistant.store.list_documents(include_failed=False)}
        return {name: doc_id for name, doc_id in _local_ids(documents).items() if doc_id in ingested}

    def ask(self, conversation: Conversation, question: str, *, document_ids: list[str] | None) -> AnswerView:
        answer = self.assistant.ask(question, conversation_id=conversation.id, document_ids=document_ids)
        conversation.id = answer.conversation_id or conversation.id
        return answer_view(answer.model_dump())

    def retrieve(
        self, question: str, *, k: int, document_ids: list[str] | None = None
    ) -> list[RetrievedPage] | None:
        if self._retriever is None:
            self._retriever = getattr(self.assistant, "retriever", None) or getattr(
                self.assistant.toolbox, "retriever", None
            )
            if self._retriever is None:
                from service.search.retrieval import Retriever

                self._retriever = Retriever(self.assistant.store, self.assistant.settings)
        hits = self._retriever.search(question, k=k, doc_ids=document_ids)
        # an unscoped search the retriever routed to the documents the question names (None: not routed)
        self.routed = getattr(self._retriever, "last_routed", None) if document_ids is None else None
        return [(h.chunk.doc_id, h.chunk.page, h.chunk.end_page or h.chunk.page) for h in hits]

    def close(self) -> None:
        close = getattr(self.assistant, "close", None) or getattr(self.assistant.store, "close", None)
        if close:
            close()


# ---------------------------------------------------------------- HTTP


def split_endpoint(url: str) -> tuple[TargetKind, str]:
    """(kind, base URL): …/api/v1/chat or a bare base -> jixiao; …/v1/chat/completions or …/v1 -> openai."""
    u = url.rstrip("/")
    for suffix in ("/api/v1/chat", "/api/v1"):
        if u.endswith(suffix):
            return "jixiao", u[: -len(suffix)]
    for suffix in ("/v1/chat/completions", "/v1"):
        if u.endswith(suffix):
            return "openai", u[: -len(suffix)]
    return "jixiao", u


class _HttpTarget:
    def __init__(self, base: str, *, api_key: str | None, timeout: float) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.base = base
        self.client = httpx.Client(base_url=base, headers=headers, timeout=timeout)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            resp = self.client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise EvalTargetError(
                f"无法连接评测目标 {self.base}{path}：{exc} / cannot reach {self.base}{path}"
            ) from exc
        if resp.status_code >= 400:
            raise EvalTargetError(
                f"评测目标返回 HTTP {resp.status_code}：{resp.text[:300]} / {self.base}{path} answered {resp.status_code}"
            )
        return resp.json()

    def close(self) -> None:
        self.client.close()


class JixiaoHttpTarget(_HttpTarget):
    kind: TargetKind = "jixiao"
    structured = True
    retrieval_source = "citations"

    def __init__(self, base: str, *, api_key: str | None = None, timeout: float = 180.0) -> None:
        super().__init__(base, api_key=api_key, timeout=timeout)
        self.label = f"jixiao {base}/api/v1/chat"

    def doc_ids(self, documents: Iterable[Path]) -> dict[str, str]:
        """The served listing's doc_id for a file of that name; else the local file's content hash."""
        docs = list(documents)
        out: dict[str, str] = {}
        try:
            resp = self.client.get("/api/v1/documents")
            data = resp.json() if resp.status_code < 400 else []
        except (httpx.HTTPError, ValueError):
            data = []
        items = data.get("documents", []) if isinstance(data, dict) else data
        for item in items if isinstance(items, list) else []:
            name = Path(str(item.get("path", ""))).name
            if name and item.get("doc_id") and any(p.name == name for p in docs):
                out.setdefault(name, str(item["doc_id"]))
        return _local_ids(docs) | out

    def ask(self, conversation: Conversation, question: str, *, document_ids: list[str] | None) -> AnswerView:
        body: dict[str, Any] = {"message": question, "stream": False}
        if conversation.id:
            body["conversation_id"] = conversation.id
        if document_ids:
            body["document_ids"] = document_ids
        view = answer_view(self._post("/api/v1/chat", body))
        conversation.id = view.conversation_id or conversation.id
        return view

    def retrieve(
        self, question: str, *, k: int, document_ids: list[str] | None = None
    ) -> list[RetrievedPage] | None:
        return None  # ranked from the answer's citations instead


class OpenAITarget(_HttpTarget):
    kind: TargetKind = "openai"
    structured = False
    retrieval_source = "none"

    def __init__(
        self, base: str, *, api_key: str | None = None, model: str | None = None, timeout: float = 180.0
    ) -> None:
        super().__init__(base, api_key=api_key, timeout=timeout)
        self.model = model or self._first_model()
        self.label = f"OpenAI-compatible {base}/v1/chat/completions (model {self.model})"

    def _first_model(self) -> str:
        try:
            data = self.client.get("/v1/models").json().get("data") or []
            return str(data[0]["id"]) if data else "default"
        except (httpx.HTTPError, ValueError, KeyError, AttributeError):
            return "default"

    def doc_ids(self, documents: Iterable[Path]) -> dict[str, str]:
        return _local_ids(documents)

    def ask(self, conversation: Conversation, question: str, *, document_ids: list[str] | None) -> AnswerView:
        conversation.messages.append({"role": "user", "content": question})
        data = self._post("/v1/chat/completions", {"model": self.model, "messages": conversation.messages})
        try:
            content = str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as exc:
            raise EvalTargetError(f"不是 OpenAI 格式的回复：{str(data)[:300]} / not an OpenAI reply") from exc
        conversation.messages.append({"role": "assistant", "content": content})
        return AnswerView(answer=content, answerer=self.model)

    def retrieve(
        self, question: str, *, k: int, document_ids: list[str] | None = None
    ) -> list[RetrievedPage] | None:
        return None


def endpoint_target(url: str, *, api_key: str | None = None, model: str | None = None) -> Target:
    kind, base = split_endpoint(url)
    if kind == "openai":
        return OpenAITarget(base, api_key=api_key, model=model)
    return JixiaoHttpTarget(base, api_key=api_key)
