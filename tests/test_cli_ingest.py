"""`jixiao ingest / documents / remove`: in-process through typer's CliRunner, and as real
subprocesses of `.venv/bin/jixiao` for the single-writer lock and the SIGKILL case."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from pdfgen import make_chinese_pdf, numbered_paragraphs
from typer.testing import CliRunner

from ingest.store import Store
from service.commands import documents
from service.config import Settings

FIXTURES = Path(__file__).parent / "fixtures"
POLICY = FIXTURES / "policy_sample.pdf"
JIXIAO = Path(sys.executable).parent / "jixiao"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    documents.register(app)
    return app


def run(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_help_is_bilingual(app: typer.Typer) -> None:
    for cmd in ("ingest", "documents", "remove"):
        result = run(app, cmd, "--help")
        assert result.exit_code == 0
        assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stdout)
        assert "--data-dir" in result.stdout and "--json" in result.stdout


def test_ingest_json_mixed_batch_documents_and_remove(app: typer.Typer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    good = make_chinese_pdf(
        tmp_path / "good.pdf", title="2021年测试报告", paragraphs=numbered_paragraphs("好", 3)
    )
    bad = shutil.copy(FIXTURES / "not_a_pdf.pdf", tmp_path / "bad.pdf")

    result = run(app, "ingest", good, bad, "--json", "--data-dir", data)
    assert result.exit_code == 2, result.output  # some files failed
    rows = json.loads(result.stdout)  # stdout is exactly the JSON
    assert [(Path(r["path"]).name, r["status"]) for r in rows] == [("good.pdf", "ok"), ("bad.pdf", "failed")]
    assert set(rows[0]) >= {"doc_id", "path", "title", "pages", "chunks", "tables", "status", "message"}
    assert rows[0]["pages"] == 1 and rows[0]["chunks"] > 0 and "PDF" in rows[1]["message"]

    again = run(app, "ingest", good, "--json", "--data-dir", data)
    assert again.exit_code == 0 and json.loads(again.stdout)[0]["status"] == "unchanged"

    listed = run(app, "documents", "--json", "--data-dir", data)
    assert listed.exit_code == 0
    assert {(Path(r["path"]).name, r["status"]) for r in json.loads(listed.stdout)} == {
        ("good.pdf", "ok"),
        ("bad.pdf", "failed"),
    }
    table = run(app, "documents", "--data-dir", data)
    assert "2021年测试报告" in table.stdout and "bad" in table.stdout and "failed" in table.stdout

    missing = run(app, "remove", "没有这份", "--data-dir", data)
    assert missing.exit_code == 1 and "找不到" in missing.output
    removed = run(app, "remove", rows[0]["doc_id"][:6], "--data-dir", data)
    assert removed.exit_code == 0 and rows[0]["doc_id"] in removed.stdout
    left = json.loads(run(app, "documents", "--json", "--data-dir", data).stdout)
    assert [r["status"] for r in left] == ["failed"]


def test_ingest_summary_table_and_exit_codes(app: typer.Typer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    good = make_chinese_pdf(
        tmp_path / "g.pdf", title="2021年测试报告", paragraphs=numbered_paragraphs("表", 2)
    )
    ok = run(app, "ingest", good, "--data-dir", data)
    assert ok.exit_code == 0
    assert "g.pdf" in ok.stdout and "ok" in ok.stdout and "入库结果" in ok.stdout

    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    nothing = run(app, "ingest", empty_dir, "--data-dir", data)
    assert nothing.exit_code == 1 and "没有 PDF" in nothing.stdout

    scanned = run(
        app,
        "ingest",
        FIXTURES / "report_2020_8890_scanned.pdf",
        "--ocr",
        "never",
        "--json",
        "--data-dir",
        data,
    )
    assert scanned.exit_code == 1 and json.loads(scanned.stdout)[0]["status"] == "needs_ocr"


def test_encrypted_pdf_with_password_flag(app: typer.Typer, tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_chinese_pdf(
        tmp_path / "plain.pdf", title="2021年测试报告", paragraphs=numbered_paragraphs("密", 2)
    )
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="pw-2021", owner_password="owner-2021", algorithm="AES-256")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    data = tmp_path / "data"
    refused = run(app, "ingest", locked, "--json", "--data-dir", data)
    assert refused.exit_code == 1 and "密码" in json.loads(refused.stdout)[0]["message"]
    wrong = run(app, "ingest", locked, "--password", "nope", "--json", "--data-dir", data)
    assert wrong.exit_code == 1 and json.loads(wrong.stdout)[0]["status"] == "failed"
    opened = run(app, "ingest", locked, "--password", "pw-2021", "--json", "--data-dir", data)
    assert opened.exit_code == 0, opened.output
    [row] = json.loads(opened.stdout)
    assert row["status"] == "ok" and row["pages"] == 1 and row["chunks"] > 0


def test_data_dir_env_variable_is_used(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIXIAO_DATA_DIR", str(tmp_path / "from-env"))
    result = run(app, "documents")
    assert result.exit_code == 0 and "from-env" in result.stdout.replace("\n", "")


# ---- real processes -----------------------------------------------------------------------------
def jixiao(*args: object, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [str(JIXIAO), *map(str, args)],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def wait_for(predicate, timeout: float = 120.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def manifest_status(data: Path, doc_id: str) -> str | None:
    db = data / "jixiao.db"
    if not db.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute("select status from documents where doc_id = ?", (doc_id,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def test_sigkill_mid_document_leaves_the_index_as_before_and_a_rerun_completes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = tmp_path / "docs" / "实施细则.pdf"
    make_chinese_pdf(
        src, title="示例实施细则（旧版）", paragraphs=numbered_paragraphs("旧版", 3)
    )  # version 1
    first = jixiao("ingest", src, "--json", "--data-dir", data)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    [v1] = json.loads(out)

    shutil.copy(POLICY, src)  # version 2: different bytes, same path
    import hashlib

    v2_id = hashlib.sha256(src.read_bytes()).hexdigest()[:16]
    slow = jixiao(
        "ingest",
        src,
        "--data-dir",
        data,
        env={"JIXIAO_TEST_SLOW_EMBED": "0.5", "JIXIAO_EMBEDDING_BATCH_SIZE": "1"},
    )
    # the PDF copy is written right before the embedding loop: once it exists and the row is
    # `ingesting`, the process is in the middle of embedding this document
    wait_for(
        lambda: manifest_status(data, v2_id) == "ingesting" and (data / "files" / f"{v2_id}.pdf").exists(),
        what="the second ingest to start embedding",
    )
    time.sleep(2.0)
    slow.send_signal(signal.SIGKILL)
    slow.communicate(timeout=30)
    assert slow.returncode == -signal.SIGKILL

    settings = Settings(data_dir=data)
    with Store.open(settings) as store:
        # exactly the state before that document
        assert [(d.doc_id, d.status) for d in store.list_documents()] == [(v1["doc_id"], "ok")]
        assert {c.doc_id for c in store.get_chunks()} == {v1["doc_id"]}
        assert {h.chunk.doc_id for h in store.vector_search("坐席电话接听率", k=10)} == {v1["doc_id"]}
        assert store.get_tables() == store.get_tables(v1["doc_id"])
        # the killed run did write part of the new version (invisible): we really killed mid-document
        assert store.leftovers() == [v2_id]
        assert store.vector_count(v2_id) > 0

    rerun = jixiao("ingest", src, "--json", "--data-dir", data)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    [v2] = json.loads(out)
    assert v2["doc_id"] == v2_id and v2["status"] == "ok" and v2["pages"] == 2
    with Store.open(settings) as store:
        assert [(d.doc_id, d.status) for d in store.list_documents()] == [(v2_id, "ok")]
        assert store.leftovers() == []
        assert store.vector_count(v1["doc_id"]) == 0
        assert store.vector_count() == store.vector_count(v2_id) == v2["chunks"] == len(store.get_chunks())
        assert any("第一条" in c.text for c in store.get_chunks())
        assert all("旧版" not in c.text for c in store.get_chunks())


def test_second_ingest_process_refuses_or_waits_for_the_writer(tmp_path: Path) -> None:
    data = tmp_path / "data"
    other = make_chinese_pdf(
        tmp_path / "other.pdf", title="2021年测试报告", paragraphs=numbered_paragraphs("等", 2)
    )
    holder = jixiao(
        "ingest",
        POLICY,
        "--data-dir",
        data,
        env={"JIXIAO_TEST_SLOW_EMBED": "0.5", "JIXIAO_EMBEDDING_BATCH_SIZE": "1"},
    )
    lock = data / "ingest.lock"
    wait_for(lambda: lock.exists() and lock.read_text().strip() == str(holder.pid), what="the lock holder")

    refused = jixiao("ingest", other, "--data-dir", data, "--wait", "0")
    _, err = refused.communicate(timeout=120)
    assert refused.returncode == 1
    assert f"PID {holder.pid}" in err and "占用" in err

    waiter = jixiao("ingest", other, "--json", "--data-dir", data, "--wait", "300")
    out, err = waiter.communicate(timeout=400)
    assert holder.poll() is not None  # the waiter only got in after the holder finished
    assert waiter.returncode == 0, err
    assert "等待" in err and json.loads(out)[0]["status"] == "ok"
    _, herr = holder.communicate(timeout=60)
    assert holder.returncode == 0, herr
    with Store.open(Settings(data_dir=data)) as store:
        assert sorted(d.status for d in store.list_documents()) == ["ok", "ok"]


def test_an_open_store_sees_what_another_process_ingests(tmp_path: Path) -> None:
    """A running service keeps its Store open while `jixiao ingest` writes from a terminal:
    embedded Chroma caches its index per process, so the Store must notice and reopen (in the
    background: the first query after the change is answered from the view it had)."""
    data = tmp_path / "data"
    first = make_chinese_pdf(tmp_path / "a.pdf", title="2021年甲报告", paragraphs=["会议室租赁合同已续签。"])
    second = make_chinese_pdf(
        tmp_path / "b.pdf", title="2021年乙报告", paragraphs=["坐席电话接听率为97.5%。"]
    )
    proc = jixiao("ingest", first, "--json", "--data-dir", data)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    with Store.open(Settings(data_dir=data)) as store:
        assert {h.chunk.doc_id for h in store.vector_search("坐席电话接听率")} == {
            json.loads(out)[0]["doc_id"]
        }
        proc = jixiao("ingest", second, "--json", "--data-dir", data)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        new_id = json.loads(out)[0]["doc_id"]
        store.vector_search("坐席电话接听率", k=1)  # notices the change, reopens in the background
        store.wait_for_vectors()
        hits = store.vector_search("坐席电话接听率", k=1)
        assert hits and hits[0].chunk.doc_id == new_id and "97.5%" in hits[0].chunk.text
        proc = jixiao("remove", new_id, "--data-dir", data)
        assert proc.wait(timeout=300) == 0
        assert all(h.chunk.doc_id != new_id for h in store.vector_search("坐席电话接听率"))


def test_a_reingest_in_a_fresh_process_opens_the_vectors_before_embedding_beside_it(tmp_path: Path) -> None:
    """A document read again by a new reader version (same bytes, same doc_id) deletes its old
    vectors while its chunks are being embedded in a second thread. In a fresh process both
    sides import numpy's packages for the first time: at once, the import failed ("partially
    initialized module 'numpy._typing'") and the report was marked failed — seen on `make
    ingest-sample` after a reader upgrade."""
    data = tmp_path / "data"
    src = tmp_path / "docs" / "实施细则.pdf"
    src.parent.mkdir()
    shutil.copy(POLICY, src)
    first = jixiao("ingest", src, "--json", "--data-dir", data)
    _out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    # a new reader version: what `ingest` compares before it reads a file again
    code = (
        "import sys, json; import ingest.index as ix; ix.FACTS_VERSION = 'test-upgrade';"
        "from ingest.settings import StorageSettings;"
        "recs = ix.ingest_paths(StorageSettings(data_dir=sys.argv[1]), [sys.argv[2]]);"
        "print(json.dumps([(r.status, r.message) for r in recs], ensure_ascii=False))"
    )
    again = subprocess.run(
        [sys.executable, "-c", code, str(data), str(src)], capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    [(status, message)] = json.loads(again.stdout.strip().splitlines()[-1])
    assert status == "ok", message
