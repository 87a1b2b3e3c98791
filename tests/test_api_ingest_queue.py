"""The ingest queue over real HTTP (#15): a small PDF whose pages share one large content stream
ends `failed` at its time budget and the upload behind it ends `ok`; DELETE of a queued and of a
running job answers promptly and the document is gone; `jixiao serve` killed with SIGKILL while
one upload ingests and another waits resumes both after a restart, with no orphaned file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from api_server import LiveServer, free_port
from pdfgen import make_chinese_pdf, make_shared_stream_pdf, numbered_paragraphs

from ingest.lock import writer_lock
from service.api.app import create_app
from service.config import Settings

pytestmark = pytest.mark.slow

ADMIN_KEY = "admin-key-ingest-queue-5e6f7a"
ACTIVE = ("queued", "ingesting")


@contextmanager
def serve(data_dir: Path, **overrides) -> Iterator[httpx.Client]:
    settings = Settings(data_dir=data_dir, admin_keys=[ADMIN_KEY], rate_limit_per_minute=10_000, **overrides)
    server = LiveServer(create_app(settings)).start()
    try:
        with httpx.Client(
            base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {ADMIN_KEY}"}
        ) as client:
            yield client
    finally:
        server.stop()


def upload(client: httpx.Client, *paths: Path) -> list[str]:
    r = client.post(
        "/api/v1/documents", files=[("files", (p.name, p.read_bytes(), "application/pdf")) for p in paths]
    )
    assert r.status_code == 202, r.text
    return [d["doc_id"] for d in r.json()["documents"]]


def status(client: httpx.Client, doc_id: str) -> dict:
    r = client.get(f"/api/v1/documents/{doc_id}")
    assert r.status_code == 200, (doc_id, r.status_code, r.text)  # an accepted upload never 404s
    return r.json()


def wait_for(client: httpx.Client, doc_id: str, until: tuple[str, ...], timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = status(client, doc_id)
        if body["status"] in until:
            return body
        assert time.monotonic() < deadline, f"{doc_id} still {body['status']}: {body}"
        time.sleep(0.2)


def small_pdf(path: Path, tag: str, n: int = 3) -> Path:
    return make_chinese_pdf(
        path, title=f"2021年{tag}项目绩效评价报告", paragraphs=numbered_paragraphs(tag, n)
    )


@pytest.fixture
def bomb(tmp_path: Path) -> Path:
    # 30 pages drawing one 1 MB run of text operators: 30 KB on disk, about a minute to parse
    return make_shared_stream_pdf(tmp_path / "bomb.pdf", pages=30, stream_bytes=1_000_000)


def test_a_bomb_times_out_and_the_upload_behind_it_is_ingested(tmp_path: Path, bomb: Path) -> None:
    normal = small_pdf(tmp_path / "normal.pdf", "正常")
    # a budget the bomb (about a minute) overruns but a small PDF meets even on a cold, busy machine
    # (its worker loads the embedding model within the budget: 3 s was too tight on a fresh CI box)
    with serve(tmp_path / "data", ingest_timeout=15) as client:
        started = time.monotonic()
        bomb_id, normal_id = upload(client, bomb, normal)
        assert status(client, normal_id)["status"] == "queued"
        failed = wait_for(client, bomb_id, ("failed", "ok"), timeout=60)
        assert failed["status"] == "failed", failed
        assert "处理超时" in failed["message"] and "processing exceeded 15 s" in failed["message"]
        assert wait_for(client, normal_id, ("ok", "failed"))["status"] == "ok"
        assert time.monotonic() - started < 90
        listed = {d["doc_id"]: d["status"] for d in client.get("/api/v1/documents").json()["documents"]}
        assert listed == {bomb_id: "failed", normal_id: "ok"}


def test_delete_a_queued_and_a_running_job(tmp_path: Path, bomb: Path) -> None:
    data_dir = tmp_path / "data"
    queued_pdf, after = small_pdf(tmp_path / "queued.pdf", "排队"), small_pdf(tmp_path / "after.pdf", "之后")
    with serve(data_dir, ingest_timeout=300) as client:
        running_id, queued_id = upload(client, bomb, queued_pdf)
        wait_for(client, running_id, ("ingesting",), timeout=10)
        assert status(client, queued_id)["status"] == "queued"

        started = time.monotonic()
        r = client.delete(f"/api/v1/documents/{queued_id}")
        assert r.status_code == 200 and r.json()["deleted"]["doc_id"] == queued_id, r.text
        # not a speed check: the delete must not wait for the bomb's ingest (tens of seconds);
        # bounds are loose so a loaded CI machine does not fail them
        assert time.monotonic() - started < 15
        assert client.get(f"/api/v1/documents/{queued_id}").status_code == 404

        time.sleep(2.5)  # the worker is parsing the bomb by now
        assert status(client, running_id)["status"] == "ingesting"
        started = time.monotonic()
        r = client.delete(f"/api/v1/documents/{running_id}")
        assert r.status_code == 200 and r.json()["deleted"]["doc_id"] == running_id, r.text
        assert time.monotonic() - started < 15
        assert client.get(f"/api/v1/documents/{running_id}").status_code == 404
        assert client.get("/api/v1/documents").json()["documents"] == []
        assert not [p for p in (data_dir / "uploads").rglob("*") if p.is_file()]  # staging and upload removed
        assert not [p for p in (data_dir / "files").glob("*") if p.is_file()]

        # the writer is free again
        [after_id] = upload(client, after)
        assert wait_for(client, after_id, ("ok", "failed"))["status"] == "ok"

        # an indexed document is deleted promptly while another upload ingests (the bomb again:
        # a cancelled upload can be sent again), and is purged once the writer is free
        [again_id] = upload(client, bomb)
        assert again_id == running_id
        wait_for(client, again_id, ("ingesting",), timeout=10)
        started = time.monotonic()
        assert client.delete(f"/api/v1/documents/{after_id}").status_code == 200
        assert time.monotonic() - started < 15
        assert client.get(f"/api/v1/documents/{after_id}").status_code == 404
        assert client.delete(f"/api/v1/documents/{again_id}").status_code == 200
        assert client.get("/api/v1/documents").json()["documents"] == []
        deadline = time.monotonic() + 15
        while (data_dir / "files" / f"{after_id}.pdf").exists():
            assert time.monotonic() < deadline, "the deleted document's stored file was never purged"
            time.sleep(0.2)


def _start_serve(data_dir: Path, log: Path, **env: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    full_env = {
        **os.environ,
        "JIXIAO_DATA_DIR": str(data_dir),
        "JIXIAO_RATE_LIMIT_PER_MINUTE": "100000",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    for key in (
        "JIXIAO_API_KEYS",
        "JIXIAO_ADMIN_KEYS",
        "JIXIAO_TEST_SLOW_EMBED",
        "JIXIAO_EMBEDDING_BATCH_SIZE",
    ):
        if key not in env:
            full_env.pop(key, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env=full_env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "jixiao serve did not come up"
        time.sleep(0.3)


def test_kill_9_while_ingesting_and_queued_then_restart(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "serve.log"
    first = small_pdf(tmp_path / "first.pdf", "第一", n=40)
    second = small_pdf(tmp_path / "second.pdf", "第二")
    # one chunk per embedding batch, 3 s after each: the first upload is mid-ingest for a while
    proc, url = _start_serve(data_dir, log, JIXIAO_TEST_SLOW_EMBED="3", JIXIAO_EMBEDDING_BATCH_SIZE="1")
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            first_id, second_id = upload(client, first, second)
            deadline = time.monotonic() + 60
            while "向量化" not in status(client, first_id).get("progress", ""):
                assert time.monotonic() < deadline, status(client, first_id)
                time.sleep(0.2)
            assert status(client, second_id)["status"] == "queued"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    # the worker died with the service: the writer lock is free at once, not after the ingest
    with writer_lock(data_dir / "ingest.lock", wait=5):
        pass
    orphan = data_dir / "uploads" / ".staging" / "00000000deadbeef.pdf"
    orphan.write_bytes(b"%PDF-1.4 staged, never recorded")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))

    proc, url = _start_serve(data_dir, log)
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            for doc_id in (first_id, second_id):
                assert status(client, doc_id)["status"] in ACTIVE
            assert wait_for(client, first_id, ("ok", "failed"))["status"] == "ok"
            assert wait_for(client, second_id, ("ok", "failed"))["status"] == "ok"
            r = client.post(
                "/api/v1/chat", json={"message": "第一：预算执行率是多少？", "document_ids": [first_id]}
            )
            assert r.status_code == 200 and r.json()["citations"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    left = sorted(
        p.relative_to(data_dir / "uploads").as_posix()
        for p in (data_dir / "uploads").rglob("*")
        if p.is_file()
    )
    # the uploads the documents came from, each in its document's folder, nothing else
    assert left == sorted([f"{first_id}/first.pdf", f"{second_id}/second.pdf"]), left
    assert proc.returncode == 0, log.read_text()[-3000:]
