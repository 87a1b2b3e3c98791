"""The LLM answerer: a LangChain 1.x tool-calling agent over the jixiao toolbox.

One question = one `create_agent` run over `toolbox.langchain_tools()` (wrapped so every piece of
evidence gets a `ref` number the model cites), bounded by `settings.llm_max_steps` model + tool calls
and `settings.llm_timeout` per model call. The answer's citations and computations are rebuilt from
the recorded tool outputs, and the number-grounding check runs on the final text before anything is
returned. Any backend failure becomes `UpstreamModelError`, so the Assistant can fall back to the
deterministic answerer.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse, hook_config
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langgraph.errors import GraphRecursionError

import prompts
from service.answer._evidence import EvidenceCollector, wrap_tools
from service.answer.base import emit
from service.answer.grounding import ground
from service.answer.models import Answer, ProgressEvent, Turn
from service.errors import UpstreamModelError
from service.llm_errors import BACKEND_ERRORS, describe_backend_error

log = logging.getLogger(__name__)

MAX_LISTED_DOCUMENTS = 30  # documents named in the system prompt
HISTORY_TURNS = 6  # earlier turns given to the model, for follow-ups ("那2019年呢？")
LAST_STEP_HINT = (
    "你已用完本题的工具调用次数。现在只能根据上面已有的工具结果作答，并标注引用编号；证据不足就回答“未找到”。"
)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)


class LLMAnswerer:
    """Answers through a tool-calling chat model (the `Answerer` protocol)."""

    name = "llm"

    def __init__(self, chat_model: BaseChatModel, toolbox: Any, settings: Any) -> None:
        self.chat_model = chat_model
        self.toolbox = toolbox
        self.settings = settings
        self.max_steps: int = settings.llm_max_steps
        # set by `service.llm.build_llm_answerer`; what /readyz shows
        self.probe: Any = None
        self.backend: dict[str, Any] = {"kind": "custom", "model": type(chat_model).__name__}
        self._on_close: list[Callable[[], None]] = []

    # -- lifecycle ----------------------------------------------------------------------------

    def on_close(self, callback: Callable[[], None]) -> None:
        self._on_close.append(callback)

    def close(self) -> None:
        """Release what this answerer owns (an in-process llama.cpp server)."""
        callbacks, self._on_close = self._on_close, []
        for cb in callbacks:
            cb()

    def status(self) -> dict[str, Any]:
        return {
            "answerer": self.name,
            "backend": self.backend,
            "max_steps": self.max_steps,
            "probe": self.probe.to_dict() if self.probe is not None else None,
        }

    # -- answering ----------------------------------------------------------------------------

    def system_prompt(self, tools: list[Any]) -> str:
        return prompts.render(
            "system",
            today=date.today().isoformat(),
            tools=[{"name": t.name, "description": _first_line(t.description)} for t in tools],
            max_steps=self.max_steps,
            documents=self._documents(),
        )

    def _documents(self) -> list[dict[str, Any]]:
        """The ingested documents, so the model can name them (best effort: none is fine)."""
        list_documents = getattr(self.toolbox, "list_documents", None)
        if list_documents is None:
            return []
        try:
            docs = list_documents().get("documents", [])
        except Exception:  # the listing is a courtesy to the model; answering goes on without it
            log.exception("list_documents failed")
            return []
        return [
            {"doc_id": d.get("doc_id", ""), "title": d.get("title", ""), "year": d.get("year")}
            for d in docs[:MAX_LISTED_DOCUMENTS]
            if isinstance(d, dict)
        ]

    def answer(
        self,
        question: str,
        *,
        history: list[Turn],
        document_ids: list[str] | None,
        on_event: Callable[[ProgressEvent], None] | None = None,
    ) -> Answer:
        started = time.monotonic()
        collector = EvidenceCollector()
        tools = wrap_tools(list(self.toolbox.langchain_tools()), collector, on_event)
        agent = create_agent(
            self.chat_model,
            tools,
            system_prompt=self.system_prompt(tools),
            middleware=[StepBudget(self.max_steps)],
        )
        messages = [*_history_messages(history), HumanMessage(_question_text(question, document_ids))]
        emit(on_event, ProgressEvent(stage="searching", detail="大模型正在检索证据 / the model is searching"))
        try:
            state = agent.invoke(
                {"messages": messages},
                config={"recursion_limit": 4 * self.max_steps + 10},
            )
        except GraphRecursionError as exc:
            raise UpstreamModelError(
                f"大模型在 {self.max_steps} 步内没有给出答案 / the LLM did not answer within {self.max_steps} steps"
            ) from exc
        except BACKEND_ERRORS as exc:
            raise UpstreamModelError(
                describe_backend_error(exc, self.backend.get("where", "")),
                hint="检查大模型服务（JIXIAO_LLM_BASE_URL / JIXIAO_LLM_GGUF）/ check the LLM backend",
            ) from exc

        run = _this_run(state["messages"])
        final = run[-1] if run else None
        if not isinstance(final, AIMessage) or final.tool_calls or not _text(final).strip():
            raise UpstreamModelError(
                f"大模型在 {self.max_steps} 步内没有给出文字答案 / the LLM gave no text answer within "
                f"{self.max_steps} steps"
            )
        emit(on_event, ProgressEvent(stage="writing", detail="核对数字 / checking the numbers"))
        return self._finish(_THINK.sub("", _text(final)).strip(), collector, run, started)

    def _finish(
        self, text: str, collector: EvidenceCollector, run: list[AnyMessage], started: float
    ) -> Answer:
        cited_text, cited, unknown = collector.cite(text)
        result = ground(
            cited_text, evidence=[item.text for item in cited], computations=collector.computations
        )
        notes: list[str] = []
        for call in collector.calls:
            args = "，".join(f"{k}={v}" for k, v in call.args.items() if v not in (None, [], ""))
            outcome = f"出错：{call.error}" if call.error else f"{len(call.refs)} 条证据"
            notes.append(f"调用 {call.tool}（{args}）：{outcome}")
        if not collector.calls:
            notes.append("大模型没有调用任何工具，答案中的数字未经证据核实。/ The LLM called no tool.")
        if unknown:
            notes.append(
                f"大模型引用了工具未返回的编号 {'、'.join(unknown)}，已删除。/ Removed citations to unknown refs."
            )
        if not result.grounded:
            notes.append(
                "以下数字在引用的证据和计算结果中找不到，已标注或删除："
                f"{'、'.join(result.ungrounded)} / ungrounded numbers were removed or marked."
            )
        steps = sum(1 for m in run if isinstance(m, AIMessage | ToolMessage))
        return Answer(
            answer=result.text,
            citations=[item.citation(n, cited_text) for n, item in enumerate(cited, start=1)],
            computations=list(collector.computations),
            grounded=result.grounded,
            answerer="llm",
            ungrounded=list(result.ungrounded),
            notes=notes,
            meta={
                "answerer": "llm",
                "steps": steps,
                "tool_calls": [{"tool": c.tool, "args": c.args, "refs": c.refs} for c in collector.calls],
                "seconds": round(time.monotonic() - started, 3),
                "backend": self.backend,
            },
        )


class StepBudget(AgentMiddleware):
    """Caps model + tool calls per question at `max_steps`.

    Tools are offered only while a tool round and a final answer still fit in the budget; the last
    model call gets no tools and is told to answer from what it has. Excess parallel tool calls are
    dropped, so the total never exceeds the cap.
    """

    def __init__(self, max_steps: int) -> None:
        super().__init__()
        self.max_steps = max_steps

    def _budget(self, request: ModelRequest) -> ModelRequest:
        if _steps(request.messages) + 3 <= self.max_steps:  # room for a tool call and another model call
            return request
        system = request.system_message.content if request.system_message else ""
        return request.override(
            tools=[], system_message=SystemMessage(content=f"{system}\n\n{LAST_STEP_HINT}".strip())
        )

    def wrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]
    ) -> ModelResponse:
        return handler(self._budget(request))

    async def awrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], Awaitable[ModelResponse]]
    ) -> ModelResponse:
        return await handler(self._budget(request))

    @hook_config(can_jump_to=["end"])
    def after_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        messages = state["messages"]
        last = messages[-1] if messages else None
        if not isinstance(last, AIMessage) or not last.tool_calls:
            return None
        room = self.max_steps - _steps(messages) - 1  # keep one model call for the answer
        if len(last.tool_calls) <= room:
            return None
        kept = last.tool_calls[: max(room, 0)]
        log.info(
            "step budget: dropping %d of %d tool calls",
            len(last.tool_calls) - len(kept),
            len(last.tool_calls),
        )
        trimmed = last.model_copy(update={"tool_calls": kept, "invalid_tool_calls": []})
        update: dict[str, Any] = {"messages": [trimmed]}
        if not kept:
            update["jump_to"] = "end"
        return update

    @hook_config(can_jump_to=["end"])
    async def aafter_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        return self.after_model(state, runtime)


def _steps(messages: list[AnyMessage]) -> int:
    run = _this_run(messages)
    return sum(1 for m in run if isinstance(m, AIMessage | ToolMessage))


def _this_run(messages: list[AnyMessage]) -> list[AnyMessage]:
    """The messages after the current question (the last human message)."""
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return list(messages[i + 1 :])
    return list(messages)


def _history_messages(history: list[Turn]) -> list[BaseMessage]:
    out: list[BaseMessage] = []
    for turn in history[-HISTORY_TURNS:]:
        if turn.role == "user":
            out.append(HumanMessage(turn.content))
        else:
            out.append(AIMessage(turn.content))
    return out


def _question_text(question: str, document_ids: list[str] | None) -> str:
    if document_ids:
        return f"{question}\n（只在这些文件中查找 document_ids：{', '.join(document_ids)}）"
    return question


def _text(message: AIMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    parts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in content]
    return "".join(p for p in parts if isinstance(p, str))


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""
