"""Asking the Assistant from async routes: on a bounded thread pool, under `answer_timeout`, with the
deterministic answerer as the fallback when the LLM path runs out of time, and counted in /metrics.

Shared by the chat API, the OpenAI-compatible API and the MCP `ask` tool."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from service.answer.models import Answer, ProgressEvent
from service.api.deps import AssistantLike, answerer_name
from service.api.errors import AnswerTimeout
from service.api.monitoring import ApiMetrics
from service.config import Settings
from service.errors import BadRequest, JixiaoError

log = logging.getLogger("jixiao.api.answer")

FALLBACK_SECONDS = 15.0


def check_question(settings: Settings, message: str) -> str:
    text = message.strip()
    if not text:
        raise BadRequest("问题不能为空 / the question is empty", hint="例如：2020年预算执行率是多少？")
    if len(text) > settings.max_question_chars:
        raise BadRequest(
            f"问题太长：最多 {settings.max_question_chars} 个字符，当前 {len(text)} 个 / the question is too long: "
            f"at most {settings.max_question_chars} characters, got {len(text)}",
            hint="请把问题拆成几个较短的问题 / split it into shorter questions",
        )
    return text


def _deterministic_fallback(assistant: AssistantLike, message: str, document_ids: list[str] | None) -> Answer:
    answerer = getattr(assistant, "deterministic", None)
    if answerer is None:
        from service.answer.deterministic import DeterministicAnswerer

        answerer = DeterministicAnswerer(assistant.toolbox)
    return answerer.answer(message, history=[], document_ids=document_ids, on_event=None)


class AnswerRunner:
    """One per app: the thread pool answers run on (a stuck LLM call cannot starve the event loop's
    default executor) and the timeout policy."""

    def __init__(self, settings: Settings, metrics: ApiMetrics, *, max_workers: int = 8) -> None:
        self.settings = settings
        self.metrics = metrics
        self.pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="jixiao-answer")

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def ask(
        self,
        assistant: AssistantLike,
        message: str,
        *,
        conversation_id: str | None = None,
        document_ids: list[str] | None = None,
        on_event: Callable[[ProgressEvent], None] | None = None,
    ) -> Answer:
        loop = asyncio.get_running_loop()
        call = partial(
            assistant.ask,
            message,
            conversation_id=conversation_id,
            document_ids=document_ids,
            on_event=on_event,
        )
        started = time.perf_counter()
        try:
            answer = await asyncio.wait_for(
                loop.run_in_executor(self.pool, call), self.timeout_for(assistant)
            )
        except TimeoutError:
            self.metrics.answer_errors.labels("answer_timeout").inc()
            raise await self._timeout(assistant, message, document_ids) from None
        except JixiaoError as exc:
            self.metrics.answer_errors.labels(exc.code).inc()
            raise
        self.metrics.answer_seconds.observe(time.perf_counter() - started)
        self.metrics.answers.labels(answer.answerer, str(answer.grounded).lower()).inc()
        return answer

    def timeout_for(self, assistant: AssistantLike) -> float:
        """The Assistant bounds its LLM path by `answer_timeout` and then falls back to the
        deterministic answerer itself; leave that fallback time before answering 504."""
        seconds = self.settings.answer_timeout
        return seconds + min(FALLBACK_SECONDS, seconds) if answerer_name(assistant) == "llm" else seconds

    async def _timeout(
        self, assistant: AssistantLike, message: str, document_ids: list[str] | None
    ) -> AnswerTimeout:
        seconds = self.settings.answer_timeout
        error = AnswerTimeout(
            f"回答超时（超过 {seconds:g} 秒）/ the answer took longer than {seconds:g} s",
            hint="请缩小问题范围或稍后再试 / narrow the question or retry later",
        )
        if answerer_name(assistant) == "deterministic":
            return error  # the slow path was already the deterministic one
        loop = asyncio.get_running_loop()
        try:
            fallback = await asyncio.wait_for(
                loop.run_in_executor(
                    self.pool, partial(_deterministic_fallback, assistant, message, document_ids)
                ),
                min(FALLBACK_SECONDS, seconds),
            )
        except Exception as exc:
            log.warning("deterministic fallback after timeout failed: %s", exc)
            return error
        fallback.notes.append(
            "语言模型超时，以下为确定性检索与计算的结果 / the LLM timed out; deterministic answer"
        )
        error.fallback = fallback
        return error
