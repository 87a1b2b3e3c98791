"""A document read again under its own id (the same bytes, after a reader or embedding upgrade) is
staged beside the indexed version and swapped in at once; a failure at any point (a refused
reading, an exception while embedding or publishing, a killed process) keeps the indexed version
searchable and answerable, and says so. Real PDFs, Chroma, SQLite and embedding model."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import typer
from pdfgen import make_chinese_pdf, numbered_paragraphs
from typer.testing import CliRunner

import ingest.index
from ingest.errors import REINGEST_FAILED
from ingest.index import IngestEvent, ingest_paths
from ingest.store import Store
from service.commands import documents
from service.config import Settings

QUERY = "坐席电话接听率"


def _document(tmp_path: Path, paragraphs: int = 8) -> tuple[Settings, Path, str]:
    settings = Settings(data_dir=tmp_path / "data", embedding_batch_size=2)
    src = make_chinese_pdf(
        tmp_path / "docs" / "项目报告.pdf",
        title="2021年热线项目绩效评价报告",
        paragraphs=numbered_paragraphs("热线", paragraphs),
    )
    [v1] = ingest_paths(settings, [src])
    assert v1.status == "ok"
    return settings, src, v1.doc_id


def _seen(store: Store, doc_id: str) -> dict[str, Any]:
    """What a reader gets of the document: manifest, chunks, facts, pages, dense hits."""
    doc = store.get_document(doc_id)
    return {
        "listed": [(d.doc_id, d.status) for d in store.list_documents()],
        "version": (doc.status, doc.chunker_version, doc.ingested_at, doc.chunks),
        "chunks": [(c.id, c.text) for c in store.get_chunks([doc_id])],
        "facts": [(f.id, f.value, f.description) for f in store.get_facts([doc_id])],
        "pages": [p.text for p in store.get_pages(doc_id)],
        "hits": [h.chunk.id for h in store.vector_search(QUERY, k=4)],
        "scoped": [h.chunk.id for h in store.vector_search(QUERY, k=4, doc_ids=[doc_id])],
    }


def _upgrade(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new reader version: what `ingest` compares before it reads an indexed file again."""
    monkeypatch.setattr("ingest.index.FACTS_VERSION", "test-upgrade")


def _indexed_then_upgraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Settings, Path, str, dict[str, Any]]:
    """A document indexed, what readers see of it, and a reader upgrade that reads it again."""
    settings, src, doc_id = _document(tmp_path)
    with Store.open(settings) as store:
        before = _seen(store, doc_id)
    _upgrade(monkeypatch)
    return settings, src, doc_id, before


def _raises(message: str) -> Any:
    def fault(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError(message)

    return fault


def test_a_reingest_swaps_the_new_reading_in_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, src, doc_id = _document(tmp_path)
    reader = Store.open(settings)
    before = _seen(reader, doc_id)
    assert before["chunks"] and before["facts"] and before["hits"]
    _upgrade(monkeypatch)
    during: list[dict[str, Any]] = []

    def watch(event: IngestEvent) -> None:
        if event.kind == "embed" and event.done:
            during.append(_seen(reader, doc_id))

    [v2] = ingest_paths(settings, [src], progress=watch)
    assert v2.status == "ok" and v2.doc_id == doc_id and "test-upgrade" in v2.chunker_version
    assert during and all(seen == before for seen in during)  # the old version until the swap
    after = _seen(reader, doc_id)
    assert after["listed"] == [(doc_id, "ok")] and after["version"][1] == v2.chunker_version
    assert [t for _, t in after["chunks"]] == [t for _, t in before["chunks"]]  # the same text …
    assert {i for i, _ in after["chunks"]}.isdisjoint(i for i, _ in before["chunks"])  # … new rows
    assert after["hits"] and set(after["hits"]) <= {i for i, _ in after["chunks"]}
    assert after["scoped"] and set(after["scoped"]) <= {i for i, _ in after["chunks"]}
    assert reader.leftovers() == []
    assert reader.vector_count() == reader.vector_count(doc_id) == v2.chunks == len(after["chunks"])
    assert sorted(p.name for p in settings.files_dir.iterdir()) == [f"{doc_id}.pdf"]
    reader.close()


def test_a_reingest_refused_while_reading_keeps_the_indexed_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = typer.Typer()
    documents.register(app)

    def cli(*args: str) -> Any:
        data = ["--data-dir", str(settings.data_dir)]
        return CliRunner().invoke(app, [*args, *data], env={"COLUMNS": "300"})

    settings, src, doc_id, before = _indexed_then_upgraded(tmp_path, monkeypatch)
    real = ingest.index.extract_facts
    monkeypatch.setattr(ingest.index, "extract_facts", _raises("fact extractor bug"))
    result = cli("ingest", str(src), "--json")  # what `jixiao ingest` says
    assert result.exit_code == 1, result.output  # nothing ingested
    [again] = json.loads(result.stdout)
    assert again["status"] == "failed" and again["message"].startswith(REINGEST_FAILED + "：")
    with Store.open(settings) as store:
        assert _seen(store, doc_id) == before
        assert store.leftovers() == [] and store.vector_count() == len(before["chunks"])
    [listed] = json.loads(cli("documents", "--json").stdout)  # what `jixiao documents` says
    assert listed["status"] == "ok" and REINGEST_FAILED in listed["message"]

    monkeypatch.setattr(ingest.index, "extract_facts", real)  # fixed: the next run reads it anew
    [fixed] = ingest_paths(settings, [src])
    assert fixed.status == "ok" and "test-upgrade" in fixed.chunker_version
    with Store.open(settings) as store:
        [listed] = store.list_documents()
        assert listed.chunker_version == fixed.chunker_version and REINGEST_FAILED not in listed.message
        assert store.leftovers() == [] and store.vector_count() == fixed.chunks


class _FailingEmbedder:
    """The real embedder; batch `fail_at` (1-based) raises."""

    def __init__(self, real: Any, fail_at: int) -> None:
        self.real, self.fail_at, self.calls = real, fail_at, 0
        self.version, self.dim = real.version, real.dim

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("embedding server went away")
        return self.real.embed_passages(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def test_a_reingest_failing_mid_embedding_keeps_the_indexed_version_throughout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.embeddings import get_embedder

    settings, src, doc_id = _document(tmp_path, paragraphs=10)
    reader = Store.open(settings)
    before = _seen(reader, doc_id)
    _upgrade(monkeypatch)
    during: list[dict[str, Any]] = []

    def watch(event: IngestEvent) -> None:
        if event.kind == "embed" and event.done:  # some of the new version's vectors are written
            during.append(_seen(reader, doc_id))

    embedder = _FailingEmbedder(get_embedder(settings), fail_at=3)
    with Store(settings, embedder=embedder) as writer:  # type: ignore[arg-type]
        [again] = ingest_paths(settings, [src], store=writer, progress=watch)
    assert again.status == "failed" and REINGEST_FAILED in again.message
    assert during and all(seen == before for seen in during)
    assert _seen(reader, doc_id) == before
    assert reader.leftovers() == [] and reader.vector_count() == len(before["chunks"])
    reader.close()


def test_a_failure_inside_the_swap_keeps_the_indexed_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, src, doc_id, before = _indexed_then_upgraded(tmp_path, monkeypatch)
    # the last statement of the swap's transaction
    monkeypatch.setattr(Store, "_bump_generation", _raises("database went away mid-transaction"))
    [again] = ingest_paths(settings, [src])
    monkeypatch.undo()
    assert again.status == "failed" and REINGEST_FAILED in again.message
    with Store.open(settings) as store:
        assert _seen(store, doc_id) == before
        assert store.leftovers() == [] and store.vector_count() == len(before["chunks"])


# ---- other processes ----------------------------------------------------------------------------
_UPGRADED_INGEST = (
    "import sys, json; import ingest.index as ix; ix.FACTS_VERSION = 'test-upgrade';"
    "from ingest.settings import StorageSettings;"
    "recs = ix.ingest_paths(StorageSettings(data_dir=sys.argv[1]), [sys.argv[2]], wait=300);"
    "print(json.dumps([(r.status, r.message) for r in recs], ensure_ascii=False))"
)
_SLOW = {"JIXIAO_TEST_SLOW_EMBED": "0.5", "JIXIAO_EMBEDDING_BATCH_SIZE": "1"}


def _upgraded_ingest(data: Path, src: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    import os

    return subprocess.Popen(
        [sys.executable, "-c", _UPGRADED_INGEST, str(data), str(src)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _staged_vectors(data: Path, doc_id: str) -> int:
    """Vector rows of `doc_id` being written (under a staging key) by a re-ingest in progress."""
    try:
        with sqlite3.connect(f"file:{data / 'jixiao.db'}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute(
                "select count(*) from chunk_vectors v join documents d on d.doc_id = v.doc_id "
                "where (d.doc_id = ? or d.doc_id like ?) and d.status = 'ingesting'",
                (doc_id, f"{doc_id}~%"),
            ).fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0])


def _wait_for(check: Any, what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_reingest_killed_mid_document_keeps_the_indexed_version_and_the_next_run_completes(
    tmp_path: Path,
) -> None:
    settings, src, doc_id = _document(tmp_path)
    assert (settings.data_dir / "jixiao.db").exists()
    with Store.open(settings) as store:
        before = _seen(store, doc_id)
    slow = _upgraded_ingest(settings.data_dir, src, _SLOW)
    _wait_for(lambda: _staged_vectors(settings.data_dir, doc_id) >= 2, "the re-ingest to embed")
    slow.send_signal(signal.SIGKILL)
    slow.communicate(timeout=30)
    assert slow.returncode == -signal.SIGKILL
    with Store.open(settings) as store:
        assert _seen(store, doc_id) == before  # the indexed version, whole
        [staged] = store.leftovers()  # the killed run's half-written reading, invisible
        assert staged.startswith(doc_id + "~")

    rerun = _upgraded_ingest(settings.data_dir, src)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    [[status, message]] = json.loads(out.strip().splitlines()[-1])
    assert status == "ok", message
    with Store.open(settings) as store:
        assert store.leftovers() == []
        doc = store.get_document(doc_id)
        assert "test-upgrade" in doc.chunker_version
        assert store.vector_count() == doc.chunks == len(store.get_chunks())


def test_two_reingests_of_one_file_at_once_publish_one_version(tmp_path: Path) -> None:
    settings, src, doc_id = _document(tmp_path)
    first = _upgraded_ingest(settings.data_dir, src, _SLOW)
    _wait_for(lambda: _staged_vectors(settings.data_dir, doc_id) >= 1, "the first re-ingest to embed")
    second = _upgraded_ingest(settings.data_dir, src)  # waits for the writer lock
    with Store.open(settings) as reader:
        while first.poll() is None:  # the document stays answerable while both are at work
            assert [(d.doc_id, d.status) for d in reader.list_documents()] == [(doc_id, "ok")]
            assert reader.get_chunks([doc_id]) and reader.vector_search(QUERY, k=2, doc_ids=[doc_id])
            time.sleep(0.3)
    results = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results += [status for status, _ in json.loads(out.strip().splitlines()[-1])]
    assert results == ["ok", "unchanged"]
    with Store.open(settings) as store:
        assert [(d.doc_id, d.status) for d in store.list_documents()] == [(doc_id, "ok")]
        assert store.leftovers() == []
        assert store.vector_count() == store.get_document(doc_id).chunks == len(store.get_chunks())


def test_a_worker_stopped_mid_reingest_leaves_the_version_and_a_note(tmp_path: Path) -> None:
    """The service's worker killed (timeout, crash) while reading an indexed document again."""
    from ingest.drain import failed_record
    from ingest.index import settle_stopped

    settings, src, doc_id = _document(tmp_path)
    with Store.open(settings) as store:
        before = _seen(store, doc_id)
        failed = failed_record(doc_id, src, "处理超时 / timed out")
        settle_stopped(settings, doc_id, store=store, wait=5, failed=failed)
        assert _seen(store, doc_id) == before
        [listed] = store.list_documents()
        assert listed.status == "ok" and f"{REINGEST_FAILED}：处理超时" in listed.message
