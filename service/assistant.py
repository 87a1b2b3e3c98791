"""The one facade every entry point (CLI, HTTP, OpenAI-compatible API, MCP, evals) asks through.

`Assistant.ask` loads the conversation, picks the answerer (the LLM agent when one is configured and
answered the start-up probe, else the deterministic pipeline), falls back to the deterministic
answerer when the LLM fails or times out (saying so in `notes`), runs the number-grounding check on
the final text, stores both turns, and returns the `Answer`.

`build_assistant(settings)` opens the expensive parts once (store, retriever, toolbox, conversation
store, LLM backend); the app lifespan or the CLI command owns it and calls `close()`.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from typing import Any

from service.answer.base import Answerer, EventSink, emit
from service.answer.deterministic import DeterministicAnswerer
from service.answer.models import Answer, ProgressEvent, Turn
from service.answer.scanned import mark_scanned
from service.citation_boxes import attach_boxes
from service.errors import BadRequest
from service.portfolio import Portfolio

log = logging.getLogger(__name__)


class Assistant:
    def __init__(
        self,
        *,
        settings: Any,
        store: Any,
        toolbox: Any,
        conversations: Any,
        deterministic: Answerer | None = None,
        llm: Answerer | None = None,
        llm_status: str = "",
        retriever: Any = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.toolbox = toolbox
        self.retriever = retriever
        self.conversations = conversations
        self.deterministic: Answerer = deterministic or DeterministicAnswerer(toolbox)
        self.llm = llm
        self.llm_status = llm_status
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self.portfolio = Portfolio(store)

    @property
    def active_answerer(self) -> str:
        return "llm" if self.llm is not None else "deterministic"

    # ---- asking -------------------------------------------------------------------------------
    def ask(
        self,
        message: str,
        *,
        conversation_id: str | None = None,
        document_ids: list[str] | None = None,
        on_event: EventSink | None = None,
    ) -> Answer:
        message = (message or "").strip()
        if not message:
            raise BadRequest("问题不能为空。/ The question is empty.")
        limit = int(getattr(self.settings, "max_question_chars", 2000))
        if len(message) > limit:
            raise BadRequest(
                f"问题过长（{len(message)} 字，上限 {limit} 字）。/ The question is too long ({len(message)} > {limit} chars)."
            )
        if document_ids is not None and not document_ids:
            document_ids = None
        if document_ids:
            document_ids = self._resolve_documents(document_ids)

        cid = conversation_id or self.conversations.new_id()
        history: list[Turn] = self.conversations.history(cid) if conversation_id else []

        # many documents: the question's scope, a cross-document table or a clarifying answer first
        routed = self.portfolio.route(
            message,
            history=history,
            document_ids=document_ids,
            answer_one=lambda q, ids: self._answer(q, history=[], document_ids=ids, on_event=on_event),
        )
        answer = routed.answer or self._answer(
            message, history=history, document_ids=routed.document_ids, on_event=on_event
        )
        answer.meta.update({k: v for k, v in routed.meta.items() if k not in answer.meta})
        answer = self._ground(answer, message)
        answer = attach_boxes(self.store, answer)
        answer = mark_scanned(answer, self.store)
        answer.conversation_id = cid
        self.conversations.append(cid, Turn(role="user", content=message))
        self.conversations.append(
            cid, Turn(role="assistant", content=answer.answer, meta=answer.meta), answer
        )
        return answer

    def _answer(
        self, message: str, *, history: list[Turn], document_ids: list[str] | None, on_event: EventSink | None
    ) -> Answer:
        if self.llm is not None:
            try:
                answer = self._run_llm(message, history=history, document_ids=document_ids, on_event=on_event)
                answer.answerer = "llm"
                return answer
            except Exception as exc:
                reason = _reason(exc)
                log.warning("LLM answerer failed, falling back to the deterministic answerer: %s", reason)
                emit(
                    on_event,
                    ProgressEvent(stage="writing", detail=f"大模型不可用，改用确定性回答器：{reason}"),
                )
                answer = self.deterministic.answer(
                    message, history=history, document_ids=document_ids, on_event=on_event
                )
                answer.answerer = "deterministic"
                answer.notes.insert(
                    0,
                    f"大模型回答失败，已改用确定性回答器：{reason} / LLM failed, deterministic fallback: {reason}",
                )
                return answer
        answer = self.deterministic.answer(
            message, history=history, document_ids=document_ids, on_event=on_event
        )
        answer.answerer = "deterministic"
        return answer

    def _run_llm(
        self, message: str, *, history: list[Turn], document_ids: list[str] | None, on_event: EventSink | None
    ) -> Answer:
        """The LLM answer, bounded by `answer_timeout` as a whole (each model call has its own timeout)."""
        assert self.llm is not None
        timeout = float(getattr(self.settings, "answer_timeout", 90.0))
        with self._pool_lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=4, thread_name_prefix="jixiao-llm"
                )
        future = self._pool.submit(
            self.llm.answer, message, history=history, document_ids=document_ids, on_event=on_event
        )
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise TimeoutError(
                f"大模型在 {timeout:g} 秒内未完成回答 / no answer within {timeout:g}s"
            ) from exc

    def _ground(self, answer: Answer, question: str) -> Answer:
        """Every figure of the final text must be in the cited quotes or a computation. The question is
        not evidence: "执行率是98.5%吗？" must not make an echoed 98.5% count as verified."""
        try:
            from service.answer.grounding import ground
        except ImportError:  # pragma: no cover - grounding is part of the project
            return answer
        g = ground(
            answer.answer,
            evidence=[c.quote for c in answer.citations] + [c.formula for c in answer.computations],
            computations=answer.computations,
        )
        answer.answer = g.text
        answer.grounded = bool(answer.grounded and g.grounded)
        answer.ungrounded = list(dict.fromkeys([*answer.ungrounded, *g.ungrounded]))
        return answer

    def _resolve_documents(self, refs: list[str]) -> list[str]:
        from service.errors import NotFound

        out = []
        for ref in refs:
            try:
                out.append(self.store.resolve_document(ref).doc_id)
            except NotFound:
                raise
            except Exception:
                out.append(ref)
        return list(dict.fromkeys(out))

    # ---- lifecycle --------------------------------------------------------------------------------
    def close(self) -> None:
        for part in (self.llm, self.conversations, self.store):
            close = getattr(part, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:
                    log.exception("closing %r failed", part)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:300] + "…"


def build_assistant(settings: Any) -> Assistant:
    """Open the store, retriever, toolbox, conversation store and (when configured) the LLM, once."""
    from ingest.store import Store
    from service.conversations import ConversationStore
    from service.llm import build_llm_answerer
    from service.portfolio.scope import DocumentRouter
    from service.search.retrieval import Retriever
    from service.tools import Toolbox

    store = Store.open(settings)
    try:
        retriever = Retriever(store, settings, router=DocumentRouter(store))
        toolbox = Toolbox(store, retriever)
        conversations = ConversationStore(settings)
        llm, status = build_llm_answerer(settings, toolbox)
    except Exception:
        store.close()
        raise
    return Assistant(
        settings=settings,
        store=store,
        toolbox=toolbox,
        retriever=retriever,
        conversations=conversations,
        deterministic=DeterministicAnswerer(toolbox),
        llm=llm,
        llm_status=status,
    )
