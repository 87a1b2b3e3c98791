"""The answerer protocol: every way of answering (deterministic pipeline, LLM agent) looks like this.

An answerer reaches data only through the `service.tools.Toolbox` it was built with, so every
answerer sees the same evidence and the same metrics.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import Protocol, runtime_checkable

from service.answer.models import Answer, ProgressEvent, Turn

EventSink = Callable[[ProgressEvent], None]
# the listener of the answer being written, for code that computes deep inside it (the fact path's
# metric calls) without an `on_event` parameter on every function between
current_events: ContextVar[EventSink | None] = ContextVar("jixiao_current_events", default=None)


@runtime_checkable
class Answerer(Protocol):
    name: str  # "llm" | "deterministic"

    def answer(
        self,
        question: str,
        *,
        history: list[Turn],
        document_ids: list[str] | None,
        on_event: EventSink | None,
    ) -> Answer:
        """Answer `question` in Chinese with numbered citations [n] and computations.

        `history` holds the earlier turns of the conversation (oldest first); an assistant turn's
        `meta` carries the structured context a follow-up is resolved against."""
        ...


def emit(on_event: EventSink | None, event: ProgressEvent) -> None:
    """Send a progress event if someone listens; a failing listener never breaks an answer."""
    if on_event is None:
        return
    with contextlib.suppress(Exception):  # a UI callback must not abort answering
        on_event(event)
