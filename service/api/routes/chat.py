"""POST /api/v1/chat — one question, a cited and computed answer; JSON or a UI message stream."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from service.answer.models import Answer, Citation, ProgressEvent
from service.api import ui_stream
from service.api.answering import AnswerRunner, check_question
from service.api.deps import AssistantDep, AssistantLike, GuardDep, PrincipalDep, SettingsDep
from service.api.errors import AnswerTimeout, error_body, error_responses
from service.api.routes.documents import file_url_builder
from service.api.ui_request import UIMessage, conversation_for, seed_history, split_messages
from service.errors import JixiaoError

log = logging.getLogger("jixiao.api.chat")
router = APIRouter(prefix="/api/v1", tags=["chat"])
KEEPALIVE_SECONDS = 15.0


class ChatRequest(BaseModel):
    """Either jixiao's own `{message, conversation_id?}` or the AI SDK's `useChat` /
    `DefaultChatTransport` body `{id, messages, trigger}` (see `service.api.ui_request`)."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["message"]}, {"required": ["messages"]}]}
    )

    # `str`/`list` with a None default (not `| None`): the schema says a sent value is never null,
    # and `oneOf` below says exactly one of the two is sent
    message: str = Field(  # type: ignore[assignment]
        None, description="问题 / the question", examples=["2020年预算执行率是多少？"]
    )
    conversation_id: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="续问时带上上一轮返回的 conversation_id",
    )
    document_ids: list[str] | None = Field(
        None, description="只在这些文档中查找 / restrict to these documents"
    )
    stream: StrictBool | None = Field(
        None,
        description="true: Server-Sent Events (Vercel AI SDK UI message stream v1); "
        "default false with `message`, true with `messages`",
    )
    id: str | None = Field(
        None, max_length=200, description="AI SDK: the chat id, used as the conversation id"
    )
    messages: list[UIMessage] = Field(  # type: ignore[assignment]
        None,
        min_length=1,
        max_length=200,
        description="AI SDK UIMessages; the last user message is the question, earlier ones the context",
    )
    trigger: Literal["submit-message", "regenerate-message"] | None = Field(
        None, description="AI SDK: why the client sent the request"
    )
    messageId: str | None = Field(None, max_length=200, description="AI SDK: the message to regenerate")

    @model_validator(mode="after")
    def _one_shape(self) -> ChatRequest:
        if (self.message is None) == (self.messages is None):
            raise ValueError(
                "需要 message（jixiao）或 messages（AI SDK useChat）之一 / send either `message` "
                "(jixiao) or `messages` (AI SDK useChat), not both or neither"
            )
        return self

    @property
    def wants_stream(self) -> bool:
        return self.stream if self.stream is not None else self.messages is not None


class CitationOut(Citation):
    url: str = Field(description="opens the stored file at the cited page")
    image_url: str | None = Field(
        default=None, description="the cited page as an image (a PDF's), for drawing `boxes` over it"
    )


class ChatResponse(BaseModel):
    conversation_id: str
    answer: str
    citations: list[CitationOut]
    computations: list[dict[str, Any]]
    grounded: bool
    answerer: str
    ungrounded: list[str] = []
    notes: list[str] = []


def _runner(request: Request) -> AnswerRunner:
    return request.app.state.answer_runner


def answer_json(answer: Answer, file_url: Any) -> dict[str, Any]:
    out = answer.public()
    out["citations"] = [ui_stream.citation_json(c, file_url) for c in answer.citations]
    return out


@router.post(
    "/chat",
    response_model=ChatResponse,
    summary="提问 / ask a question",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE when stream=true"},
        **error_responses(400, 401, 404, 422, 429, 502, 503, 504),
    },
)
async def chat(
    body: ChatRequest,
    request: Request,
    principal: PrincipalDep,
    assistant: AssistantDep,
    settings: SettingsDep,
    guard: GuardDep,
):
    conversation_id = body.conversation_id
    if body.messages is not None:
        question, turns = split_messages(body.messages)
        conversation_id = conversation_id or conversation_for(body.id)
        message = check_question(settings, question)
        if conversation_id and turns:
            conversations = getattr(assistant, "conversations", None) or request.app.state.conversations()
            await asyncio.to_thread(seed_history, conversations, conversation_id, turns)
    else:
        message = check_question(settings, body.message or "")
    file_url = file_url_builder(request, guard)
    runner = _runner(request)
    if not body.wants_stream:
        answer = await runner.ask(
            assistant, message, conversation_id=conversation_id, document_ids=body.document_ids
        )
        return JSONResponse(answer_json(answer, file_url))
    return StreamingResponse(
        _stream(runner, assistant, message, conversation_id, body.document_ids, file_url),
        media_type=ui_stream.MEDIA_TYPE,
        headers=ui_stream.HEADERS,
    )


async def _stream(
    runner: AnswerRunner,
    assistant: AssistantLike,
    message: str,
    conversation_id: str | None,
    document_ids: list[str] | None,
    file_url: Any,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[ProgressEvent] = asyncio.Queue()

    def on_event(event: ProgressEvent) -> None:  # called on the answering thread
        loop.call_soon_threadsafe(events.put_nowait, event)

    yield ui_stream.sse({"type": "start", "messageId": f"msg-{uuid.uuid4().hex[:16]}"})
    task = asyncio.ensure_future(
        runner.ask(
            assistant,
            message,
            conversation_id=conversation_id,
            document_ids=document_ids,
            on_event=on_event,
        )
    )
    tools = ui_stream.ToolParts()
    try:
        while not task.done():
            getter = asyncio.ensure_future(events.get())
            done, _ = await asyncio.wait(
                {task, getter}, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if getter in done:
                for part in tools.parts(getter.result()):
                    yield ui_stream.sse(part)
            else:
                getter.cancel()
                if not done:
                    yield ui_stream.KEEPALIVE
        while not events.empty():
            for part in tools.parts(events.get_nowait()):
                yield ui_stream.sse(part)
        try:
            answer = task.result()
            extra: dict[str, Any] = {}
        except AnswerTimeout as exc:
            if exc.fallback is None:
                raise
            answer, extra = exc.fallback, {"timeout": True, "error": error_body(exc)}
            yield ui_stream.sse({"type": "data-notice", "data": {"code": exc.code, "message": exc.message}})
        for part in ui_stream.answer_parts(answer, file_url=file_url, metadata=extra):
            yield ui_stream.sse(part)
    except JixiaoError as exc:
        for part in ui_stream.error_parts(exc.message + (f"（{exc.hint}）" if exc.hint else "")):
            yield ui_stream.sse(part)
    except Exception:
        log.exception("chat stream failed")
        for part in ui_stream.error_parts("服务内部错误，请稍后重试 / internal error, please retry"):
            yield ui_stream.sse(part)
    finally:
        if not task.done():
            task.cancel()
    yield ui_stream.DONE
