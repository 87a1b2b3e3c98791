"""`POST /api/v1/audit` on a real server (uvicorn on a free port): uploaded forms audited without
ingest; a broken file is a row with its error; an API key is required; html and csv outputs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from api_server import LiveServer

from evals.generator.formats import write_xlsx
from evals.generator.selfeval import make_form
from service.api.app import create_app
from service.config import Settings

API_KEY = "api-key-audit-5d6e7f"


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[httpx.Client]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("audit"), api_keys=[API_KEY], rate_limit_per_minute=10_000
    )
    server = LiveServer(create_app(settings)).start()
    with httpx.Client(base_url=server.url, timeout=120, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        yield c
    server.stop()


def _xlsx(tmp_path, *forms) -> bytes:
    path = write_xlsx(list(forms), tmp_path / "f.xlsx")
    return path.read_bytes()


def test_audit_upload(client: httpx.Client, tmp_path) -> None:
    good, bad = make_form(201, None), make_form(202, "score_over_max")
    files = [
        ("files", ("forms.xlsx", io.BytesIO(_xlsx(tmp_path, good, bad)))),
        ("files", ("broken.docx", io.BytesIO(b"garbage"))),
    ]
    r = client.post("/api/v1/audit", files=files)
    assert r.status_code == 200, r.text
    data = r.json()
    rows = data["rows"]
    assert [row["file"] for row in rows] == ["forms.xlsx", "forms.xlsx", "broken.docx"]
    assert rows[2]["error"] and "broken.docx" in rows[2]["error"]
    assert Decimal(rows[0]["stated_total"]) == good.total and rows[0]["findings"] == 0
    assert rows[1]["findings"] == 1
    assert data["forms"][1]["findings"][0]["kind"] == "score_over_max"
    html = client.post("/api/v1/audit?format=html", files=files[:1])
    assert html.status_code == 200 and html.text.startswith("<!DOCTYPE html>")
    csv = client.post("/api/v1/audit?format=csv", files=files[:1])
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("文件,")


def test_audit_needs_a_key_and_files(client: httpx.Client, tmp_path) -> None:
    anon = httpx.post(f"{client.base_url}/api/v1/audit", files=[("files", ("a.xlsx", b"x"))])
    assert anon.status_code == 401
    assert client.post("/api/v1/audit").status_code in (400, 422)


def test_upload_check_accepts_office_files_by_their_zip_header(tmp_path) -> None:
    from service.api.errors import NotAPdf
    from service.api.routes.documents import _check_upload, _safe_name

    settings = Settings(data_dir=tmp_path)
    assert _safe_name("自评表.xlsx") == "自评表.xlsx" and _safe_name("a.docx") == "a.docx"
    assert _safe_name("a.xls") == "a.xls.pdf"
    _check_upload(settings, "f.xlsx", _xlsx(tmp_path, make_form(203, None)))  # no error
    with pytest.raises(NotAPdf):
        _check_upload(settings, "f.docx", b"%PDF-1.4 pretending")


def test_mcp_audit_forms(client: httpx.Client, tmp_path) -> None:
    import asyncio
    import base64

    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    content = base64.b64encode(_xlsx(tmp_path, make_form(204, "missing_reason"))).decode()

    async def main() -> object:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {API_KEY}"}, timeout=120)
        async with http, Client(streamable_http_client(f"{client.base_url}/mcp", http_client=http)) as mcp:
            tools = {t.name for t in (await mcp.list_tools()).tools}
            assert "audit_forms" in tools
            return await mcp.call_tool(
                "audit_forms", {"files": [{"name": "f.xlsx", "content_base64": content}]}
            )

    result = asyncio.run(main())
    data = result.structured_content if getattr(result, "structured_content", None) else None
    text = data if data is not None else result.content[0].text
    payload = text if isinstance(text, dict) else __import__("json").loads(text)
    assert payload["rows"][0]["file"] == "f.xlsx" and payload["rows"][0]["findings"] == 1
    assert payload["forms"][0]["findings"][0]["kind"] == "missing_reason"
