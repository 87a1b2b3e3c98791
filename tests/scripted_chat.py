"""A scripted chat model implementing LangChain's chat-model interface (like llm's MockModel or
pydantic-ai's FunctionModel): each call hands the conversation so far to a Python function that
decides the reply — a tool call, or the final text — from what the tools really returned."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

Script = Callable[[list[BaseMessage]], AIMessage]


class ScriptedChatModel(BaseChatModel):
    script: Any  # Script
    calls: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any) -> Any:
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.bind(offered_tools=names, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append({"messages": list(messages), "tools": kwargs.get("offered_tools", [])})
        reply = self.script(list(messages))
        return ChatResult(generations=[ChatGeneration(message=reply)])


def tool_call(name: str, args: dict[str, Any], call_id: str) -> AIMessage:
    return AIMessage(
        content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}]
    )


def tool_results(messages: list[BaseMessage], name: str) -> list[Any]:
    """The parsed outputs of every call to tool `name` so far."""
    out = []
    for m in messages:
        if isinstance(m, ToolMessage) and m.name == name:
            try:
                out.append(json.loads(m.content))
            except (TypeError, ValueError):
                out.append(m.content)
    return out


def items_with_ref(node: Any) -> list[dict[str, Any]]:
    """Every dict carrying a `ref` number in a tool output (what the model may cite)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, list):
        for x in node:
            found += items_with_ref(x)
    elif isinstance(node, dict):
        if "ref" in node:
            found.append(node)
        for v in node.values():
            found += items_with_ref(v)
    return found
