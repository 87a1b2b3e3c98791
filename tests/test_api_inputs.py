"""Documents over real HTTP, the inputs issue #15 found: a document is its content, not its file
name (two different files named alike are two documents, and the list never shows one that is
gone); a 400-character Chinese file name; an oversized upload's real size; a 404 that does not echo
a 60k-character id; `"stream": 0` refused; the OpenAPI spec naming the errors routes give."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_server import LiveServer
from pdfgen import make_chinese_pdf

from service.api.app import create_app
from service.config import Settings

pytestmark = pytest.mark.slow

ADMIN_KEY = "admin-key-inputs-4d5e6f"
UPLOAD_MAX_BYTES = 2_000_000


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("inputs"),
        api_keys=["api-key-inputs-7a8b9c"],
        admin_keys=[ADMIN_KEY],
        upload_max_bytes=UPLOAD_MAX_BYTES,
        rate_limit_per_minute=10_000,
    )


@pytest.fixture(scope="module")
def admin(settings: Settings) -> Iterator[httpx.Client]:
    server = LiveServer(create_app(settings)).start()
    with httpx.Client(
        base_url=server.url, timeout=120, headers={"Authorization": f"Bearer {ADMIN_KEY}"}
    ) as client:
        yield client
    server.stop()


def _pdf(tmp_path: Path, tag: str) -> bytes:
    path = make_chinese_pdf(
        tmp_path / f"{tag}.pdf",
        title=f"2021年{tag}项目绩效评价报告",
        paragraphs=[f"{tag}项目预算执行率为9{len(tag)}.5%。"],
    )
    return path.read_bytes()


def _upload(client: httpx.Client, name: str, data: bytes) -> str:
    r = client.post("/api/v1/documents", files=[("files", (name, data, "application/pdf"))])
    assert r.status_code == 202, r.text
    return r.json()["documents"][0]["doc_id"]


def _wait(client: httpx.Client, doc_id: str) -> dict:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/documents/{doc_id}").json()
        if status.get("status") not in ("queued", "ingesting"):
            return status
        time.sleep(0.3)
    raise TimeoutError(doc_id)


def _listed(client: httpx.Client) -> dict[str, str]:
    return {d["doc_id"]: d["status"] for d in client.get("/api/v1/documents").json()["documents"]}


def test_same_file_name_different_content_are_two_documents(
    admin: httpx.Client, settings: Settings, tmp_path: Path
) -> None:
    first, second = _pdf(tmp_path, "甲"), _pdf(tmp_path, "乙乙")
    a = _upload(admin, "报告.pdf", first)
    assert _wait(admin, a)["status"] == "ok"
    b = _upload(admin, "报告.pdf", second)
    assert _wait(admin, b)["status"] == "ok"
    assert a != b
    listed = _listed(admin)
    assert listed[a] == "ok" and listed[b] == "ok"
    for doc_id, data in ((a, first), (b, second)):
        assert admin.get(f"/api/v1/documents/{doc_id}/file").content == data
        assert admin.get(f"/api/v1/documents/{doc_id}/pages/1").status_code == 200

    # removed behind the service's back (a `jixiao remove` in a terminal): gone from the list
    from ingest.index import remove_document

    remove_document(settings, a, wait=60)
    assert a not in _listed(admin)
    assert admin.get(f"/api/v1/documents/{a}").status_code == 404
    assert _listed(admin)[b] == "ok"


def test_a_400_character_chinese_file_name(admin: httpx.Client, settings: Settings, tmp_path: Path) -> None:
    name = "关于绩效评价" * 66 + "报告.pdf"
    assert len(name) > 400
    doc_id = _upload(admin, name, _pdf(tmp_path, "长名"))
    status = _wait(admin, doc_id)
    assert status["status"] == "ok", status
    stored = Path(status["path"]).name  # the admin sees where the upload was put
    assert len(stored.encode()) <= 200 and stored.endswith(".pdf") and stored.startswith("关于绩效评价")
    assert not list((settings.data_dir / "uploads" / ".staging").glob("*"))


def test_oversized_upload_reports_its_real_size(admin: httpx.Client) -> None:
    data = b"%PDF-1.4\n" + b"0" * 2_500_000
    r = admin.post("/api/v1/documents", files=[("files", ("big.pdf", data, "application/pdf"))])
    assert r.status_code == 413
    message = r.json()["error"]["message"]
    assert "2.5 MB" in message and "上限 2 MB" in message, message


def test_not_found_does_not_echo_a_huge_id(admin: httpx.Client) -> None:
    huge = "a" * 60_000
    for path in (f"/api/v1/documents/{huge}", f"/api/v1/documents/{huge}/pages/1"):
        r = admin.get(path)
        assert r.status_code == 404
        assert len(r.text) < 1000, len(r.text)
    r = admin.post("/api/v1/chat", json={"message": "预算执行率是多少？", "document_ids": ["b" * 500_000]})
    assert r.status_code == 404 and len(r.text) < 1000, (r.status_code, len(r.text))


def test_stream_must_be_a_boolean(admin: httpx.Client) -> None:
    r = admin.post("/api/v1/chat", json={"message": "预算执行率是多少？", "stream": 0})
    assert r.status_code == 422 and "stream" in r.json()["error"]["message"]
    r = admin.post(
        "/v1/chat/completions",
        json={"model": "jixiao", "messages": [{"role": "user", "content": "你好"}], "stream": 0},
    )
    assert r.status_code == 400 and "stream" in r.json()["error"]["message"]


def test_openapi_declares_the_errors_routes_give(admin: httpx.Client) -> None:
    paths = admin.get("/openapi.json").json()["paths"]

    def codes(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    assert {"401", "403", "413", "415", "422", "429"} <= codes("/api/v1/documents", "post")
    assert {"401", "403", "404", "429"} <= codes("/api/v1/documents/{doc_id}", "delete")
    for path in ("/api/v1/documents/{doc_id}", "/api/v1/documents/{doc_id}/file"):
        assert {"401", "404", "429"} <= codes(path, "get")
    assert {"400", "401", "404", "429", "504"} <= codes("/api/v1/chat", "post")
    assert {"400", "401", "404", "429"} <= codes("/v1/chat/completions", "post")
    error = paths["/api/v1/documents/{doc_id}"]["get"]["responses"]["404"]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
