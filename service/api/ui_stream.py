"""The Vercel AI SDK UI message stream protocol (v1), so any `useChat`-style front end can read our
answers: Server-Sent Events, one JSON part per `data:` line, ending with `data: [DONE]`, and the
response header `x-vercel-ai-ui-message-stream: v1`.

How an answer maps onto parts:
- `start` (messageId) first; progress while answering as transient `data-progress` parts
  ({stage: searching|computing|writing|tool, detail});
- each tool the answerer calls (search, tables, ...) as `tool-input-available` + `tool-output-available`;
- each computation of the final answer as a `compute_metric` tool call (input: metric + inputs,
  output: the full computation record with formula and value);
- the grounded answer text as `text-start`, `text-delta`s, `text-end` (text is released only after
  the number-grounding check, so no unverified figure is ever streamed);
- each citation as `source-url` (url opens the PDF at the page; `providerMetadata.jixiao` carries
  n, doc_id, title, page, quote) followed by a `source-document` (mediaType application/pdf, the
  document's title, the same metadata plus url);
- `finish` whose `messageMetadata` is the whole public answer (conversation_id, citations,
  computations, grounded, answerer, notes), then `[DONE]`.
Errors after the stream started are an `error` part ({errorText}) followed by `finish`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from service.answer.models import Answer, Citation, ProgressEvent

HEADERS = {
    "x-vercel-ai-ui-message-stream": "v1",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
}
MEDIA_TYPE = "text/event-stream"
DONE = "data: [DONE]\n\n"
KEEPALIVE = ": keep-alive\n\n"
MAX_TOOL_OUTPUT_CHARS = 20_000
_SENTENCE_END = re.compile(r"(?<=[。！？；\n!?;])")


def sse(part: dict[str, Any]) -> str:
    return f"data: {json.dumps(part, ensure_ascii=False, separators=(',', ':'))}\n\n"


def text_pieces(text: str, max_len: int = 40) -> list[str]:
    """Split text into deltas at sentence ends (and at `max_len` inside long sentences)."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > max_len:
            pieces.append(sentence[:max_len])
            sentence = sentence[max_len:]
        if sentence:
            pieces.append(sentence)
    return pieces


def _bounded(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= MAX_TOOL_OUTPUT_CHARS:
        return json.loads(text)
    return {"truncated": True, "preview": text[:MAX_TOOL_OUTPUT_CHARS]}


class ToolParts:
    """Turns live ProgressEvents into parts, pairing a tool's input with its output."""

    def __init__(self) -> None:
        self._count = 0
        self._open: dict[str, list[str]] = {}

    def parts(self, event: ProgressEvent) -> list[dict[str, Any]]:
        progress = {
            "type": "data-progress",
            "data": {"stage": event.stage, "detail": event.detail, "tool": event.tool},
            "transient": True,
        }
        if not event.tool or event.tool == "compute_metric":
            # computations are sent from the final, grounded answer (see `answer_parts`)
            return [progress]
        out: list[dict[str, Any]] = [] if event.stage == "tool" else [progress]
        waiting = self._open.setdefault(event.tool, [])
        if event.tool_output is None or not waiting:
            self._count += 1
            call_id = f"call-{self._count}"
            out.append(
                {
                    "type": "tool-input-available",
                    "toolCallId": call_id,
                    "toolName": event.tool,
                    "input": _bounded(event.tool_input or {}),
                }
            )
            if event.tool_output is None:
                waiting.append(call_id)
                return out
        else:
            call_id = waiting.pop(0)
        out.append(
            {"type": "tool-output-available", "toolCallId": call_id, "output": _bounded(event.tool_output)}
        )
        return out


_MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def citation_json(citation: Citation, file_url: Callable[[str, int], str]) -> dict[str, Any]:
    """A citation as every HTTP API returns it: its fields (`boxes` for a PDF, `locations` for an
    xlsx/docx), `url` opening the stored file at the page, and `image_url`, the page image the boxes
    are drawn over (a PDF's; null for an xlsx/docx, which has none)."""
    out = {**citation.model_dump(), "url": file_url(citation.doc_id, citation.page)}
    image = getattr(file_url, "image", None)
    pdf = citation.file_type == "pdf" and image is not None
    out["image_url"] = image(citation.doc_id, citation.page) if pdf else None  # type: ignore[misc]
    return out


def answer_parts(
    answer: Answer, *, file_url: Callable[[str, int], str], metadata: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """The parts after answering: computations, text, sources, finish."""
    for i, computation in enumerate(answer.computations, 1):
        call_id = f"computation-{i}"
        data = computation.model_dump()
        yield {
            "type": "tool-input-available",
            "toolCallId": call_id,
            "toolName": "compute_metric",
            "input": {"name": computation.metric, "inputs": data["inputs"]},
        }
        yield {"type": "tool-output-available", "toolCallId": call_id, "output": data}
    yield {"type": "text-start", "id": "text-1"}
    for piece in text_pieces(answer.answer):
        yield {"type": "text-delta", "id": "text-1", "delta": piece}
    yield {"type": "text-end", "id": "text-1"}
    for citation in answer.citations:
        yield {
            "type": "source-url",
            "sourceId": f"cite-{citation.n}",
            "url": file_url(citation.doc_id, citation.page),
            "title": f"[{citation.n}] {citation.title} 第{citation.page}页",
            "providerMetadata": {"jixiao": citation_json(citation, file_url)},
        }
        # the document itself, for front ends that list documents (the AI SDK's `source-document`)
        yield {
            "type": "source-document",
            "sourceId": f"cite-{citation.n}-document",
            "mediaType": _MEDIA_TYPES.get(citation.file_type or "", "application/pdf"),
            "title": citation.title,
            "providerMetadata": {"jixiao": citation_json(citation, file_url)},
        }
    meta = answer.public()
    meta["citations"] = [citation_json(c, file_url) for c in answer.citations]
    meta.update(metadata or {})
    yield {"type": "finish", "finishReason": "stop", "messageMetadata": meta}


def error_parts(message: str) -> Iterator[dict[str, Any]]:
    yield {"type": "error", "errorText": message}
    yield {"type": "finish", "finishReason": "error"}
