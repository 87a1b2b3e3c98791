"""Documents over real HTTP on the real pipeline: upload of the fixture PDF into an empty service,
ingest in the background, a question that cites it, the stored file and page text, the report
check, refusals (not a PDF, too large, too many pages, truncated, encrypted), deletion, signed
citation links, and a question answered while another upload is being ingested."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from api_server import LiveServer
from pypdf import PdfWriter

from ingest.lock import writer_lock
from service.api.app import create_app
from service.config import Settings

pytestmark = pytest.mark.slow

ADMIN_KEY = "admin-key-documents-9c8b7a"
API_KEY = "api-key-documents-1a2b3c"
UPLOAD_MAX_BYTES = 2_000_000
UPLOAD_MAX_PAGES = 20


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("documents"),
        api_keys=[API_KEY],
        admin_keys=[ADMIN_KEY],
        upload_max_bytes=UPLOAD_MAX_BYTES,
        upload_max_pages=UPLOAD_MAX_PAGES,
        rate_limit_per_minute=10_000,
    )


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    srv = LiveServer(create_app(settings)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def admin(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.url, timeout=120, headers={"Authorization": f"Bearer {ADMIN_KEY}"}
    ) as c:
        yield c


def upload(client: httpx.Client, *paths_or_files: Path | tuple[str, bytes]) -> httpx.Response:
    files = []
    for item in paths_or_files:
        name, data = (item.name, item.read_bytes()) if isinstance(item, Path) else item
        files.append(("files", (name, data, "application/pdf")))
    return client.post("/api/v1/documents", files=files)


def wait_done(client: httpx.Client, doc_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/documents/{doc_id}").json()
        assert "status" in status, status
        if status["status"] not in ("queued", "ingesting"):
            return status
        time.sleep(0.5)
    raise TimeoutError(f"{doc_id} still ingesting")


@pytest.fixture(scope="module")
def report_id(admin: httpx.Client, fixtures_dir: Path) -> str:
    pdf = fixtures_dir / "report_2020_8890.pdf"
    r = upload(admin, pdf)
    assert r.status_code == 202, r.text
    [doc] = r.json()["documents"]
    assert doc["doc_id"] == hashlib.sha256(pdf.read_bytes()).hexdigest()[:16]
    assert doc["status"] in ("queued", "ingesting")
    status = wait_done(admin, doc["doc_id"])
    assert status["status"] == "ok", status
    return doc["doc_id"]


def test_uploaded_report_is_listed_and_cited(admin: httpx.Client, report_id: str, fixtures_dir: Path) -> None:
    listed = {d["doc_id"]: d for d in admin.get("/api/v1/documents").json()["documents"]}
    assert listed[report_id]["status"] == "ok" and listed[report_id]["pages"] == 8
    detail = admin.get(f"/api/v1/documents/{report_id}").json()
    assert detail["tables"] == len(detail["table_list"]) > 0
    answer = admin.post("/api/v1/chat", json={"message": "8890项目2020年预算执行率是多少？"}).json()
    assert answer["citations"] and {c["doc_id"] for c in answer["citations"]} == {report_id}
    # the citation link is signed: it opens without an Authorization header (a new browser tab)
    url = answer["citations"][0]["url"]
    assert "token=" in url and url.endswith(f"#page={answer['citations'][0]['page']}")
    pdf = httpx.get(url.split("#")[0], timeout=30)
    assert pdf.status_code == 200
    assert pdf.content == (fixtures_dir / "report_2020_8890.pdf").read_bytes()
    assert pdf.headers["content-disposition"].startswith("inline")
    # a tampered or missing token is refused
    tampered = url.split("#")[0][:-3] + "abc"
    assert httpx.get(tampered, timeout=30).status_code == 401
    assert httpx.get(url.split("?")[0], timeout=30).status_code == 401
    # odd tokens are refused like any bad token, never a 500
    later = int(time.time()) + 3600
    for odd in ("²." + "a" * 32, f"{later}.中文签名", f"{later}.", "."):
        r = httpx.get(url.split("?")[0], params={"token": odd}, timeout=30)
        assert r.status_code == 401, (odd, r.text)


def test_page_text_and_check(admin: httpx.Client, report_id: str) -> None:
    page = admin.get(f"/api/v1/documents/{report_id}/pages/2")
    assert page.status_code == 200
    body = page.json()
    assert body["page"] == 2 and body["pages"] == 8 and "预算" in body["text"]
    assert body["file_url"].endswith("#page=2")
    missing = admin.get(f"/api/v1/documents/{report_id}/pages/99")
    assert missing.status_code == 404 and "共 8 页" in missing.json()["error"]["message"]
    check = admin.get(f"/api/v1/documents/{report_id}/check")
    assert check.status_code == 200, check.text
    assert check.json()


def test_unknown_document_is_404(admin: httpx.Client) -> None:
    for path in ("/api/v1/documents/0000000000000000", "/api/v1/documents/0000000000000000/file"):
        r = admin.get(path)
        assert r.status_code == 404 and "0000000000000000" in r.json()["error"]["message"]


def test_refused_uploads(admin: httpx.Client, fixtures_dir: Path) -> None:
    r = upload(admin, fixtures_dir / "not_a_pdf.pdf")
    assert r.status_code == 415 and r.json()["error"]["code"] == "not_a_pdf"
    r = upload(admin, ("big.pdf", b"%PDF-1.4\n" + b"0" * (UPLOAD_MAX_BYTES + 10)))
    assert r.status_code == 413 and "big.pdf" in r.json()["error"]["message"]
    writer = PdfWriter()
    for _ in range(UPLOAD_MAX_PAGES + 1):
        writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    r = upload(admin, ("long.pdf", buf.getvalue()))
    assert r.status_code == 422 and f"{UPLOAD_MAX_PAGES + 1} 页" in r.json()["error"]["message"]
    # one bad file refuses the whole request: nothing is queued
    r = upload(admin, fixtures_dir / "policy_sample.pdf", fixtures_dir / "not_a_pdf.pdf")
    assert r.status_code == 415
    r = admin.post("/api/v1/documents", data={"x": "1"})
    assert r.status_code == 422


def test_broken_pdfs_fail_with_a_message(admin: httpx.Client, fixtures_dir: Path) -> None:
    r = upload(admin, fixtures_dir / "truncated.pdf", fixtures_dir / "encrypted.pdf")
    assert r.status_code == 202
    ids = [d["doc_id"] for d in r.json()["documents"]]
    results = [wait_done(admin, doc_id) for doc_id in ids]
    for result in results:
        assert result["status"] == "failed" and result["message"], result
    listed = {d["doc_id"]: d["status"] for d in admin.get("/api/v1/documents").json()["documents"]}
    assert all(listed[doc_id] == "failed" for doc_id in ids)


def test_questions_are_answered_while_an_upload_waits_and_ingests(
    admin: httpx.Client,
    settings: Settings,
    report_id: str,
    fixtures_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    questions = ["8890项目2020年预算执行率是多少？", "话务岗有多少人？"]

    def ask_all() -> list[int]:
        with ThreadPoolExecutor(len(questions)) as pool:
            return list(
                pool.map(lambda q: admin.post("/api/v1/chat", json={"message": q}).status_code, questions)
            )

    # another writer (a `jixiao ingest` in a terminal) holds the data dir: the upload waits for
    # it on the writer thread, questions are answered meanwhile
    with writer_lock(settings.lock_path):
        r = upload(admin, fixtures_dir / "policy_sample.pdf")
        assert r.status_code == 202
        policy_id = r.json()["documents"][0]["doc_id"]
        assert ask_all() == [200, 200]
        assert admin.get(f"/api/v1/documents/{policy_id}").json()["status"] in ("queued", "ingesting")
    # and while it embeds (slowed down), too
    monkeypatch.setenv("JIXIAO_TEST_SLOW_EMBED", "2")
    assert ask_all() == [200, 200]
    assert wait_done(admin, policy_id)["status"] == "ok"
    answer = admin.post(
        "/api/v1/chat", json={"message": "按管理办法，92.37分是什么等级？", "document_ids": [policy_id]}
    )
    assert answer.status_code == 200
    assert {c["doc_id"] for c in answer.json()["citations"]} == {policy_id}


def test_delete_needs_admin_and_removes(admin: httpx.Client, server: LiveServer, fixtures_dir: Path) -> None:
    r = upload(admin, fixtures_dir / "policy_sample.pdf")
    doc_id = r.json()["documents"][0]["doc_id"]
    wait_done(admin, doc_id)
    api = httpx.delete(
        f"{server.url}/api/v1/documents/{doc_id}", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert api.status_code == 403
    r = admin.delete(f"/api/v1/documents/{doc_id}")
    assert r.status_code == 200 and r.json()["deleted"]["doc_id"] == doc_id
    assert admin.get(f"/api/v1/documents/{doc_id}").status_code == 404
    assert admin.delete(f"/api/v1/documents/{doc_id}").status_code == 404
    r = admin.post("/api/v1/chat", json={"message": "等级怎么划分？", "document_ids": [doc_id]})
    assert r.status_code == 404
