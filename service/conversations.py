"""Conversation storage (SQLAlchemy; SQLite in the data dir by default, any URL via settings).

Two tables, prefixed so they never clash with the ingest store's tables in the same database:
    conv_conversations (id, created_at, updated_at)
    conv_messages      (id, conversation_id, seq, role, content, citations JSON, computations JSON,
                        meta JSON, created_at)
An assistant message stores its answer's citations and computations, and in `meta` the answer's
structured context (`Answer.meta`: intent, metric, years …) plus `grounded`, `answerer`,
`ungrounded` and `notes`, so a follow-up ("那2019年呢？") can be resolved from `history()`.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ingest.settings import StorageSettings
from ingest.store import create_tables, sql_engine
from service.answer.models import Answer, Turn

metadata = MetaData()

conversations = Table(
    "conv_conversations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

messages = Table(
    "conv_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "conversation_id", String(64), ForeignKey("conv_conversations.id", ondelete="CASCADE"), nullable=False
    ),
    Column("seq", Integer, nullable=False),
    Column("role", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("citations", JSON, nullable=False),
    Column("computations", JSON, nullable=False),
    Column("meta", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_conv_messages_conversation_seq", "conversation_id", "seq", unique=True),
)

MAX_ID_LENGTH = 64


class ConversationStore:
    """Thread-safe. One instance per process (built in the app lifespan / CLI command)."""

    def __init__(self, settings: StorageSettings, *, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else sql_engine(settings)
        self._lock = threading.Lock()
        create_tables(self.engine, metadata)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def exists(self, cid: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(select(conversations.c.id).where(conversations.c.id == cid)).first() is not None
            )

    def history(self, cid: str, *, limit: int | None = None) -> list[Turn]:
        """The turns of a conversation, oldest first (the last `limit` when given); [] when unknown."""
        if not cid:
            return []
        q = select(
            messages.c.role,
            messages.c.content,
            messages.c.citations,
            messages.c.computations,
            messages.c.meta,
        )
        q = q.where(messages.c.conversation_id == cid).order_by(messages.c.seq.desc())
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            rows = list(conn.execute(q))
        turns = []
        for role, content, citations, computations, meta in reversed(rows):
            meta = dict(meta or {})
            if role == "assistant":
                meta.setdefault("citations", citations or [])
                meta.setdefault("computations", computations or [])
            turns.append(Turn(role=role, content=content, meta=meta))
        return turns

    def append(self, cid: str, turn: Turn, answer: Answer | None = None) -> None:
        """Add a turn (creating the conversation when new). With `answer`, its citations,
        computations and meta are stored with the turn."""
        if not cid or len(cid) > MAX_ID_LENGTH:
            raise ValueError(f"会话 id 无效：{cid!r} / invalid conversation id")
        now = datetime.now(UTC)
        meta: dict[str, Any] = dict(turn.meta)
        citations: list[dict[str, Any]] = []
        computations: list[dict[str, Any]] = []
        if answer is not None:
            meta = {**answer.meta, **meta}
            meta.setdefault("grounded", answer.grounded)
            meta.setdefault("answerer", answer.answerer)
            if answer.ungrounded:
                meta.setdefault("ungrounded", list(answer.ungrounded))
            if answer.notes:
                meta.setdefault("notes", list(answer.notes))
            citations = [c.model_dump() for c in answer.citations]
            computations = [c.model_dump() for c in answer.computations]
        meta = _jsonable(meta)
        row = {
            "role": turn.role,
            "content": turn.content,
            "citations": citations,
            "computations": computations,
            "meta": meta,
            "created_at": now,
        }
        for attempt in range(3):  # another process may take the same seq (unique index): retry
            try:
                with self._lock:
                    self._insert(cid, row, now)
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def _insert(self, cid: str, row: dict[str, Any], now: datetime) -> None:
        with self.engine.begin() as conn:
            exists = conn.execute(select(conversations.c.id).where(conversations.c.id == cid)).first()
            if exists:
                conn.execute(update(conversations).where(conversations.c.id == cid).values(updated_at=now))
            else:
                conn.execute(insert(conversations).values(id=cid, created_at=now, updated_at=now))
            seq = conn.execute(
                select(func.coalesce(func.max(messages.c.seq), 0)).where(messages.c.conversation_id == cid)
            ).scalar_one()
            conn.execute(insert(messages).values(conversation_id=cid, seq=seq + 1, **row))

    def close(self) -> None:
        self.engine.dispose()


def _jsonable(obj: Any) -> Any:
    """Meta may carry Decimals, tuples or sets from the answerers; JSON columns need plain types."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [_jsonable(v) for v in obj]
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if hasattr(obj, "model_dump"):
        return _jsonable(obj.model_dump())
    return str(obj)
