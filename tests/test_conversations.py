"""Conversation storage on real SQLite: turns, citations, computations and meta survive a reopen."""

from __future__ import annotations

import shutil
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect

from ingest.store import Store
from service.answer.models import Answer, Citation, Computation, Turn
from service.config import Settings
from service.conversations import ConversationStore


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(settings: Settings):
    s = ConversationStore(settings)
    yield s
    s.close()


def _answer() -> Answer:
    return Answer(
        conversation_id="x",
        answer="2020年预算执行率为99.86%[1]。",
        citations=[Citation(n=1, doc_id="1ba8", title="报告", page=2, quote="预算执行率为 99.86%")],
        computations=[
            Computation(
                metric="budget_execution_rate",
                inputs=[{"name": "spent", "value": "11076.79", "unit": "万元"}],
                formula="11076.79 ÷ 11092.40 × 100% = 99.86%",
                value="99.859",
                unit="%",
                display="99.86%",
            )
        ],
        grounded=True,
        answerer="deterministic",
        notes=["searched: 预算执行率"],
        meta={
            "intent": "figure",
            "metric": "budget_execution_rate",
            "years": (2020,),
            "value": Decimal("99.86"),
        },
    )


def test_new_ids_are_uuid4_hex(store: ConversationStore) -> None:
    a, b = store.new_id(), store.new_id()
    assert a != b and len(a) == 32 and int(a, 16) >= 0


def test_unknown_conversation_has_empty_history(store: ConversationStore) -> None:
    assert store.history("nope") == []
    assert store.history("") == []
    assert not store.exists("nope")


def test_turns_round_trip_with_answer_context(store: ConversationStore, settings: Settings) -> None:
    cid = store.new_id()
    store.append(cid, Turn(role="user", content="2020年预算执行率是多少？"))
    answer = _answer()
    store.append(cid, Turn(role="assistant", content=answer.answer), answer)
    store.close()

    reopened = ConversationStore(settings)  # a new process would see the same
    turns = reopened.history(cid)
    assert [t.role for t in turns] == ["user", "assistant"]
    assert turns[0].content == "2020年预算执行率是多少？" and turns[0].meta == {}
    meta = turns[1].meta
    assert meta["intent"] == "figure" and meta["metric"] == "budget_execution_rate"
    assert meta["years"] == [2020] and meta["value"] == "99.86"  # JSON-safe
    assert meta["grounded"] is True and meta["answerer"] == "deterministic"
    assert meta["citations"][0]["page"] == 2
    assert meta["computations"][0]["display"] == "99.86%"
    reopened.close()


def test_history_limit_keeps_the_latest_turns_in_order(store: ConversationStore) -> None:
    cid = store.new_id()
    for i in range(5):
        store.append(cid, Turn(role="user" if i % 2 == 0 else "assistant", content=f"t{i}"))
    assert [t.content for t in store.history(cid, limit=2)] == ["t3", "t4"]
    assert [t.content for t in store.history(cid)] == [f"t{i}" for i in range(5)]


def test_conversations_are_separate(store: ConversationStore) -> None:
    a, b = store.new_id(), store.new_id()
    store.append(a, Turn(role="user", content="A"))
    store.append(b, Turn(role="user", content="B"))
    assert [t.content for t in store.history(a)] == ["A"]
    assert [t.content for t in store.history(b)] == ["B"]


def test_tables_are_prefixed_and_live_beside_the_ingest_store(settings: Settings, sample_settings) -> None:
    s = ConversationStore(settings)
    names = set(inspect(s.engine).get_table_names())
    assert {"conv_conversations", "conv_messages"} <= names
    s.close()
    # in the same database as an ingested store, without touching its tables
    shared = Settings(data_dir=settings.data_dir.parent / "shared")
    shutil.copytree(sample_settings.data_dir, shared.data_dir)
    with Store.open(shared) as ingest_store:
        before = set(inspect(ingest_store.engine).get_table_names())
    conv = ConversationStore(shared)
    after = set(inspect(conv.engine).get_table_names())
    assert after == before | {"conv_conversations", "conv_messages"}
    conv.close()


def test_concurrent_appends_keep_every_turn(store: ConversationStore) -> None:
    cid = store.new_id()

    def worker(n: int) -> None:
        for i in range(10):
            store.append(cid, Turn(role="user", content=f"{n}-{i}"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    contents = [t.content for t in store.history(cid)]
    assert len(contents) == 40 and len(set(contents)) == 40
    for n in range(4):  # each thread's turns in its own order
        assert [c for c in contents if c.startswith(f"{n}-")] == [f"{n}-{i}" for i in range(10)]


def test_invalid_conversation_id_is_refused(store: ConversationStore) -> None:
    with pytest.raises(ValueError, match="会话"):
        store.append("x" * 65, Turn(role="user", content="hi"))
