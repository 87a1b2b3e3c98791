"""The request side of the AI SDK chat protocol: what `useChat` / `DefaultChatTransport` POST.

`{id, messages: [{id, role, parts: [{type: "text", text}], metadata?}], trigger, messageId?}`.
The chat `id` is the conversation (valid ids are used as they are, others are hashed into one);
the last user message is the question; the earlier messages are the context, stored as the
conversation's history when the server does not already hold it (a new server, a chat restored
by the client).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.answer.models import Turn
from service.errors import BadRequest

_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class UIMessage(BaseModel):
    """One message of the AI SDK's `UIMessage` shape (parts other than text are kept, not read)."""

    model_config = ConfigDict(extra="allow")
    id: str | None = Field(None, max_length=200)
    role: Literal["system", "user", "assistant"]
    parts: list[dict[str, Any]] = Field(default_factory=list, max_length=200)

    def text(self) -> str:
        return "".join(str(p.get("text", "")) for p in self.parts if p.get("type") == "text")


def conversation_for(chat_id: str | None) -> str | None:
    if not chat_id:
        return None
    if _CONVERSATION_ID.match(chat_id):
        return chat_id
    return "aisdk-" + hashlib.sha256(chat_id.encode()).hexdigest()[:32]


def split_messages(messages: list[UIMessage]) -> tuple[str, list[Turn]]:
    """The question (the last user message) and the earlier user/assistant turns."""
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last_user is None:
        raise BadRequest(
            "messages 中没有用户的问题 / messages holds no user message",
            hint='最后一条 role 为 "user" 的消息是问题 / the last message with role "user" is the question',
        )
    turns = [
        Turn(role=m.role, content=m.text())  # type: ignore[arg-type]
        for m in messages[:last_user]
        if m.role in ("user", "assistant") and m.text().strip()
    ]
    return messages[last_user].text(), turns


def seed_history(conversations: Any, cid: str, turns: list[Turn]) -> None:
    """Store the client's earlier turns under `cid` unless the server already has this chat."""
    if turns and not conversations.history(cid):
        for turn in turns:
            conversations.append(cid, turn)
