"""OpenAI-compatible API: the whole assistant is one model, `jixiao`.

`GET /v1/models`, `GET /v1/models/jixiao`, `POST /v1/chat/completions` (stream and non-stream;
`response_format` text or json_object; client tools, `n` > 1 and json_schema are refused with a
400 that says why, see `service.api.openai_params`). Earlier messages of the
request become the conversation's history; the last message must be the user's question. The
answer's citations are appended to the content as numbered sources and also returned in the extra
fields `citations` and `jixiao` (computations, grounded, conversation_id, answerer). Errors have
the OpenAI shape `{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from service.answer.models import Answer, Turn
from service.api.answering import check_question
from service.api.deps import AssistantDep, GuardDep, PrincipalDep, SettingsDep
from service.api.errors import error_responses
from service.api.openai_params import refuse_unsupported, response_format
from service.api.routes.documents import file_url_builder
from service.api.ui_stream import citation_json, text_pieces
from service.errors import BadRequest, NotFound

router = APIRouter(prefix="/v1", tags=["openai"], responses=error_responses(400, 401, 429))
MODEL_ID = "jixiao"
CREATED = 1_764_460_800  # 2025-11-30, a fixed "created" for the one model


class ModelNotFound(NotFound):
    code = "model_not_found"


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if not self.content:
            return ""
        return "".join(
            str(p.get("text", "")) for p in self.content if p.get("type") in ("text", "input_text")
        )


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = Field(examples=[MODEL_ID])
    messages: list[Message] = Field(min_length=1)
    stream: StrictBool = False
    stream_options: dict[str, Any] | None = None
    document_ids: list[str] | None = Field(None, description="jixiao extension: restrict to these documents")
    conversation_id: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="jixiao extension: continue a stored conversation",
    )
    response_format: dict[str, Any] | None = Field(
        None, description='{"type": "text"} (default) or {"type": "json_object"}: the answer as JSON'
    )
    n: int | None = Field(None, description="only 1: one grounded answer per question")
    tools: list[dict[str, Any]] | None = Field(
        None, description="refused: jixiao runs its own tools (use MCP at /mcp to call them)"
    )
    tool_choice: str | dict[str, Any] | None = Field(None, description='only "none" or "auto"')

    def options(self) -> dict[str, Any]:
        return {
            **(self.model_extra or {}),
            "response_format": self.response_format,
            "n": self.n,
            "tools": self.tools,
            "tool_choice": self.tool_choice,
        }


MODEL = {"id": MODEL_ID, "object": "model", "created": CREATED, "owned_by": "jixiao"}


@router.get("/models", summary="模型列表 / list models (OpenAI-compatible)")
async def list_models(principal: PrincipalDep) -> dict[str, Any]:
    return {"object": "list", "data": [MODEL]}


@router.get(
    "/models/{model_id}",
    summary="模型信息 / retrieve a model (OpenAI-compatible)",
    responses=error_responses(404),
)
async def retrieve_model(model_id: str, principal: PrincipalDep) -> dict[str, Any]:
    if model_id != MODEL_ID:
        raise ModelNotFound(
            f"没有模型 {model_id}，请使用 {MODEL_ID} / model {model_id!r} does not exist, use {MODEL_ID!r}"
        )
    return MODEL


def sources_text(answer: Answer, file_url: Callable[[str, int], str]) -> str:
    if not answer.citations:
        return ""
    lines = ["", "", "来源 / Sources:"]
    for c in answer.citations:
        quote = c.quote.replace("\n", " ").strip()
        if len(quote) > 80:
            quote = quote[:80] + "…"
        lines.append(f"[{c.n}] {c.title}，第{c.page}页：“{quote}” {file_url(c.doc_id, c.page)}")
    return "\n".join(lines)


def _extras(answer: Answer, file_url: Callable[[str, int], str]) -> dict[str, Any]:
    public = answer.public()
    citations = [citation_json(c, file_url) for c in answer.citations]
    jixiao = {k: v for k, v in public.items() if k not in ("answer", "citations")}
    return {"citations": citations, "jixiao": jixiao}


def _history(messages: list[Message]) -> tuple[str, list[Turn]]:
    last = messages[-1]
    if last.role != "user":
        raise BadRequest(
            "最后一条消息必须是用户的问题 / the last message must be the user's question",
            hint="messages[-1].role 应为 user / messages[-1].role must be `user`",
        )
    turns = [
        Turn(role=m.role, content=m.text())  # type: ignore[arg-type]
        for m in messages[:-1]
        if m.role in ("user", "assistant") and m.text().strip()
    ]
    return last.text(), turns


def _seed_conversation(request: Request, assistant: Any, turns: list[Turn]) -> str | None:
    """Store the request's earlier turns as a fresh conversation, so the Assistant resolves
    follow-ups against them; None when there is no history."""
    if not turns:
        return None
    conversations = getattr(assistant, "conversations", None) or request.app.state.conversations()
    cid = conversations.new_id()
    for turn in turns:
        conversations.append(cid, turn)
    return cid


@router.post(
    "/chat/completions",
    summary="对话补全 / chat completions (OpenAI-compatible)",
    responses=error_responses(404, 502, 503, 504),
)
async def chat_completions(
    body: CompletionRequest,
    request: Request,
    principal: PrincipalDep,
    assistant: AssistantDep,
    settings: SettingsDep,
    guard: GuardDep,
):
    if body.model != MODEL_ID:
        raise ModelNotFound(
            f"没有模型 {body.model}，请使用 {MODEL_ID} / model {body.model!r} does not exist, use {MODEL_ID!r}"
        )
    options = body.options()
    refuse_unsupported(options)
    fmt = response_format(options)
    question, turns = _history(body.messages)
    question = check_question(settings, question)
    conversation_id = body.conversation_id
    if conversation_id is None and turns:
        conversation_id = await asyncio.to_thread(_seed_conversation, request, assistant, turns)
    answer = await request.app.state.answer_runner.ask(
        assistant, question, conversation_id=conversation_id, document_ids=body.document_ids
    )
    file_url = file_url_builder(request, guard)
    if fmt == "json_object":
        public = answer.public()
        public["citations"] = _extras(answer, file_url)["citations"]
        content = json.dumps(public, ensure_ascii=False)
    else:
        content = answer.answer + sources_text(answer, file_url)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    usage = {
        # characters, not tokens: there is no tokenizer between the client and our pipeline
        "prompt_tokens": sum(len(m.text()) for m in body.messages),
        "completion_tokens": len(content),
    }
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    extras = _extras(answer, file_url)
    if not body.stream:
        return JSONResponse(
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": MODEL_ID,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": usage,
                **extras,
            }
        )
    include_usage = bool((body.stream_options or {}).get("include_usage"))
    return StreamingResponse(
        _chunks(completion_id, created, content, extras, usage if include_usage else None),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _chunks(
    completion_id: str, created: int, content: str, extras: dict[str, Any], usage: dict[str, int] | None
) -> AsyncIterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **more: Any) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
            **more,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for piece in text_pieces(content):
        yield chunk({"content": piece})
    yield chunk({}, "stop", **extras)
    if usage is not None:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [],
            "usage": usage,
        }
        yield f"data: {json.dumps(body)}\n\n"
    yield "data: [DONE]\n\n"
