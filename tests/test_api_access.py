"""Access and limits through real HTTP (uvicorn on a free localhost port): API keys (401 with
WWW-Authenticate), admin scope (403), site keys bound to origins, CORS allowlist, foreign origins,
rate limit (429 + Retry-After), body limit (413), validation (400/422), answer timeout (504 with
the deterministic fallback), JSON errors without stack traces, OpenAPI docs, health and metrics.

The Assistant is scripted here (the real interface; answers decided by the test) because these
tests are about the HTTP layer and need slow or failing answers on demand; the real pipeline is
exercised in test_api_chat.py and test_api_documents.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from api_server import LiveServer, ScriptedAssistant, default_script, live_server, sse_parts

from service.answer.models import Answer
from service.api.app import create_app
from service.config import Settings

API_KEY = "api-key-5f0c1d9e7b"
ADMIN_KEY = "admin-key-8a7d6c5b4e"
SITE_KEY = "site-key-1e2d3c4b5a"
PORTAL = "http://portal.example.gov.cn"
OTHER_PORTAL = "https://intranet.example.org"


def keyed_settings(tmp_path, **overrides) -> Settings:
    values = {
        "data_dir": tmp_path,
        "api_keys": [API_KEY],
        "admin_keys": [ADMIN_KEY],
        "site_keys": {SITE_KEY: [PORTAL]},
        "cors_origins": [OTHER_PORTAL],
        "rate_limit_per_minute": 1000,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    settings = keyed_settings(tmp_path_factory.mktemp("access"))
    srv = LiveServer(create_app(settings, assistant=ScriptedAssistant(settings))).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_json_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["message"], "an error must say what happened"
    assert "Traceback" not in response.text
    if code:
        assert error["code"] == code
    return error


@contextmanager
def _serve(app) -> Iterator[str]:
    with live_server(app) as srv:
        yield srv.url


# ---- keys -------------------------------------------------------------------------------------


def test_missing_key_is_401_with_bearer_challenge(client: httpx.Client) -> None:
    r = client.post("/api/v1/chat", json={"message": "预算执行率是多少？"})
    error = assert_json_error(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in error["message"]


def test_wrong_key_is_401_invalid_token(client: httpx.Client) -> None:
    r = client.post("/api/v1/chat", json={"message": "预算执行率是多少？"}, headers=bearer("not-a-key"))
    assert_json_error(r, 401, "invalid_api_key")
    assert 'error="invalid_token"' in r.headers["www-authenticate"]


def test_api_key_can_ask(client: httpx.Client) -> None:
    r = client.post("/api/v1/chat", json={"message": "预算执行率是多少？"}, headers=bearer(API_KEY))
    assert r.status_code == 200
    body = r.json()
    assert body["answer"] and body["conversation_id"]
    assert body["citations"][0]["url"].endswith("#page=3")


@pytest.mark.parametrize("method,path", [("delete", "/api/v1/documents/abc"), ("post", "/api/v1/documents")])
def test_non_admin_cannot_upload_or_delete(client: httpx.Client, method: str, path: str) -> None:
    kwargs = {"files": {"files": ("a.pdf", b"%PDF-1.4\n", "application/pdf")}} if method == "post" else {}
    r = client.request(method.upper(), path, headers=bearer(API_KEY), **kwargs)
    error = assert_json_error(r, 403, "forbidden")
    assert "管理员" in error["message"]


def test_site_key_works_only_from_its_origin(client: httpx.Client) -> None:
    ok = client.post(
        "/api/v1/chat", json={"message": "预算执行率？"}, headers={**bearer(SITE_KEY), "Origin": PORTAL}
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == PORTAL
    # from an origin the key was not issued for (which is itself an allowed CORS origin)
    r = client.post(
        "/api/v1/chat", json={"message": "预算执行率？"}, headers={**bearer(SITE_KEY), "Origin": OTHER_PORTAL}
    )
    assert_json_error(r, 403, "forbidden")
    # without any Origin (a script pretending to be the widget)
    r = client.post("/api/v1/chat", json={"message": "预算执行率？"}, headers=bearer(SITE_KEY))
    assert_json_error(r, 403, "forbidden")


def test_site_key_cannot_upload_delete_or_use_other_apis(client: httpx.Client) -> None:
    headers = {**bearer(SITE_KEY), "Origin": PORTAL}
    assert_json_error(client.delete("/api/v1/documents/abc", headers=headers), 403)
    r = client.post(
        "/api/v1/documents", headers=headers, files={"files": ("a.pdf", b"%PDF-1.4\n", "application/pdf")}
    )
    assert_json_error(r, 403)
    assert_json_error(client.get("/v1/models", headers=headers), 403)


def test_foreign_origin_is_refused_even_with_a_valid_key(client: httpx.Client) -> None:
    r = client.post(
        "/api/v1/chat",
        json={"message": "预算执行率？"},
        headers={**bearer(API_KEY), "Origin": "https://evil.example"},
    )
    error = assert_json_error(r, 403, "forbidden")
    assert "evil.example" in error["message"]


def test_cors_preflight_allowlist(client: httpx.Client) -> None:
    def preflight(origin: str) -> httpx.Response:
        return client.options(
            "/api/v1/chat",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )

    for origin in (PORTAL, OTHER_PORTAL):
        r = preflight(origin)
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == origin
        assert "authorization" in r.headers["access-control-allow-headers"].lower()
    r = preflight("https://evil.example")
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers


# ---- limits -----------------------------------------------------------------------------------


def test_rate_limit_is_per_key_with_retry_after(tmp_path) -> None:
    settings = keyed_settings(tmp_path, rate_limit_per_minute=3)
    with (
        httpx.Client(timeout=30) as c,
        _serve(create_app(settings, assistant=ScriptedAssistant(settings))) as url,
    ):
        statuses = [
            c.post(
                f"{url}/api/v1/chat", json={"message": "预算执行率？"}, headers=bearer(API_KEY)
            ).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 200]
        r = c.post(f"{url}/api/v1/chat", json={"message": "预算执行率？"}, headers=bearer(API_KEY))
        error = assert_json_error(r, 429, "rate_limited")
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert "每分钟最多 3 次" in error["message"]
        # another key has its own budget
        assert c.get(f"{url}/v1/models", headers=bearer(ADMIN_KEY)).status_code == 200
        # OpenAI-shaped on /v1
        for _ in range(3):
            c.get(f"{url}/v1/models", headers=bearer(ADMIN_KEY))
        r = c.get(f"{url}/v1/models", headers=bearer(ADMIN_KEY))
        assert r.status_code == 429 and r.json()["error"]["type"] == "rate_limit_error"


def test_body_limit_413(client: httpx.Client) -> None:
    big = {"message": "问" * 10, "pad": "x" * 1_200_000}
    r = client.post("/api/v1/chat", json=big, headers=bearer(API_KEY))
    assert_json_error(r, 413, "payload_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b'{"message": "' + b"x" * 600_000
        yield b"x" * 600_000 + b'"}'

    r = client.post(
        "/api/v1/chat", content=chunks(), headers={**bearer(API_KEY), "Content-Type": "application/json"}
    )
    assert_json_error(r, 413, "payload_too_large")


def test_empty_too_long_and_malformed_questions(client: httpx.Client) -> None:
    headers = bearer(API_KEY)
    error = assert_json_error(
        client.post("/api/v1/chat", json={"message": "  "}, headers=headers), 400, "bad_request"
    )
    assert "空" in error["message"]
    error = assert_json_error(
        client.post("/api/v1/chat", json={"message": "问" * 2001}, headers=headers), 400
    )
    assert "2000" in error["message"]
    error = assert_json_error(
        client.post("/api/v1/chat", json={"text": "?"}, headers=headers), 422, "invalid_request"
    )
    assert "message" in error["message"]
    r = client.post(
        "/api/v1/chat", content=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert_json_error(r, 422)
    r = client.post("/api/v1/chat", json={"message": "?", "conversation_id": "x" * 65}, headers=headers)
    assert_json_error(r, 422)


def test_unknown_route_and_method_are_json(client: httpx.Client) -> None:
    assert_json_error(client.get("/api/v1/nothing-here", headers=bearer(API_KEY)), 404)
    assert_json_error(client.get("/api/v1/chat", headers=bearer(API_KEY)), 405)


# ---- timeouts and failures --------------------------------------------------------------------


class _Deterministic:
    name = "deterministic"

    def answer(self, question, *, history, document_ids, on_event) -> Answer:
        answer = default_script(question, history)
        answer.answer = "（确定性）" + answer.answer
        return answer


def test_answer_timeout_is_504_with_deterministic_fallback(tmp_path) -> None:
    settings = keyed_settings(tmp_path, answer_timeout=0.5)
    slow_llm = ScriptedAssistant(settings, delay=20.0, answerer="llm")
    slow_llm.deterministic = _Deterministic()
    with httpx.Client(timeout=60) as c, _serve(create_app(settings, assistant=slow_llm)) as url:
        started = time.monotonic()
        r = c.post(f"{url}/api/v1/chat", json={"message": "预算执行率？"}, headers=bearer(API_KEY))
        assert time.monotonic() - started < 19, "the timeout must not wait for the stuck answer"
        error = assert_json_error(r, 504, "answer_timeout")
        assert "超时" in error["message"]
        fallback = r.json()["fallback"]
        assert fallback["answer"].startswith("（确定性）")
        assert fallback["citations"] and fallback["computations"]


def test_deterministic_timeout_is_504_without_fallback(tmp_path) -> None:
    settings = keyed_settings(tmp_path, answer_timeout=0.3)
    slow = ScriptedAssistant(settings, delay=3.0)
    with httpx.Client(timeout=60) as c, _serve(create_app(settings, assistant=slow)) as url:
        r = c.post(f"{url}/api/v1/chat", json={"message": "预算执行率？"}, headers=bearer(API_KEY))
        assert_json_error(r, 504, "answer_timeout")
        assert "fallback" not in r.json()


def test_stream_timeout_is_an_error_part(tmp_path) -> None:
    settings = keyed_settings(tmp_path, answer_timeout=0.3)
    slow = ScriptedAssistant(settings, delay=3.0)
    with (
        _serve(create_app(settings, assistant=slow)) as url,
        httpx.Client(timeout=60) as c,
        c.stream(
            "POST",
            f"{url}/api/v1/chat",
            json={"message": "预算执行率？", "stream": True},
            headers=bearer(API_KEY),
        ) as r,
    ):
        assert r.status_code == 200
        parts = sse_parts(r)
    assert parts[0]["type"] == "start" and parts[-1] == "[DONE]"
    error = next(p for p in parts[:-1] if p["type"] == "error")
    assert "超时" in error["errorText"]
    assert parts[-2] == {"type": "finish", "finishReason": "error"}
    assert not any(p["type"] == "text-delta" for p in parts[:-1])


def test_crash_is_500_json_without_stack_trace(tmp_path) -> None:
    settings = keyed_settings(tmp_path)

    def crash(message, history):
        raise RuntimeError("secret internal detail /srv/jixiao/x.py line 42")

    with (
        httpx.Client(timeout=30) as c,
        _serve(create_app(settings, assistant=ScriptedAssistant(settings, script=crash))) as url,
    ):
        r = c.post(f"{url}/api/v1/chat", json={"message": "预算执行率？"}, headers=bearer(API_KEY))
        error = assert_json_error(r, 500, "internal_error")
        assert "secret internal detail" not in r.text
        assert "错误编号" in error["message"]


# ---- operations -------------------------------------------------------------------------------


def test_health_metrics_and_docs_are_served(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    client.post("/api/v1/chat", json={"message": "预算执行率？"}, headers=bearer(API_KEY))
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert 'jixiao_http_requests_total{method="POST",route="/api/v1/chat",status="200"}' in metrics.text
    assert 'jixiao_answers_total{answerer="deterministic",grounded="true"}' in metrics.text
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/chat", "/v1/chat/completions", "/v1/models", "/api/v1/documents", "/readyz"):
        assert path in spec["paths"]
    assert "APIKey" in spec["components"]["securitySchemes"]


def test_local_mode_needs_no_key(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    with (
        httpx.Client(timeout=30) as c,
        _serve(create_app(settings, assistant=ScriptedAssistant(settings))) as url,
    ):
        assert c.post(f"{url}/api/v1/chat", json={"message": "预算执行率？"}).status_code == 200
        # a page on another site must not be able to drive the local service (CSRF)
        r = c.post(
            f"{url}/api/v1/chat", json={"message": "预算执行率？"}, headers={"Origin": "https://evil.example"}
        )
        assert_json_error(r, 403)
        # the service's own pages may
        r = c.post(f"{url}/api/v1/chat", json={"message": "预算执行率？"}, headers={"Origin": url})
        assert r.status_code == 200
        # a foreign name resolving to this machine (DNS rebinding) is refused, Origin or not
        port = url.rsplit(":", 1)[1]
        for headers in (
            {"Host": f"evil.example:{port}"},
            {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"},
        ):
            r = c.post(f"{url}/api/v1/chat", json={"message": "预算执行率？"}, headers=headers)
            assert_json_error(r, 403)
        assert (
            c.post(
                f"{url}/api/v1/chat", json={"message": "预算执行率？"}, headers={"Host": f"localhost:{port}"}
            ).status_code
            == 200
        )


@pytest.mark.slow
@pytest.mark.parametrize("active,status", [("llm", "ok"), ("deterministic", "degraded")])
def test_readyz_says_which_answerer_is_active(tmp_path, sample_store, active: str, status: str) -> None:
    settings = keyed_settings(tmp_path, llm_base_url="http://127.0.0.1:9/v1")
    assistant = ScriptedAssistant(settings, store=sample_store, answerer=active)
    assistant.llm_status = "探测结果 / probe result"
    with _serve(create_app(settings, assistant=assistant)) as url:
        r = httpx.get(f"{url}/readyz", timeout=60)
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["answerer"]) == (status, active)
    assert body["checks"]["llm"] == {
        "configured": True,
        "ok": active == "llm",
        "status": assistant.llm_status,
    }
    assert body["checks"]["store"]["ok"] and body["checks"]["embedding"]["ok"]
