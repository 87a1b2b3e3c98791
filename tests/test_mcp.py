"""The MCP server at /mcp, driven by the MCP Python SDK's own client over streamable HTTP against
uvicorn on a free port, with a Bearer key, on the real pipeline."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import httpx2
import pytest
from api_server import LiveServer
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from service.api.app import create_app
from service.config import Settings

pytestmark = pytest.mark.slow

KEY = "mcp-key-0a9b8c7d6e"
TOOLS = {"search_documents", "get_table", "compute_metric", "check_report", "audit_forms", "ask"}


@pytest.fixture(scope="module")
def server(sample_data_dir, tmp_path_factory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("mcp") / "data"
    shutil.copytree(sample_data_dir, data_dir)
    srv = LiveServer(
        create_app(Settings(data_dir=data_dir, api_keys=[KEY], rate_limit_per_minute=1000))
    ).start()
    yield srv
    srv.stop()


def run_session(url: str, key: str, steps) -> Any:
    async def main() -> Any:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=120)
        async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
            return await steps(client)

    return asyncio.run(main())


def test_lists_the_read_only_tools(server: LiveServer) -> None:
    async def steps(client: Client) -> Any:
        return (await client.list_tools()).tools

    tools = run_session(server.url, KEY, steps)
    assert {t.name for t in tools} == TOOLS
    for tool in tools:
        assert tool.annotations and tool.annotations.read_only_hint is True
        assert tool.description and tool.input_schema["properties"]


def test_calls_each_tool(server: LiveServer, sample_store) -> None:
    report = next(d for d in sample_store.list_documents() if d.kind == "report")

    async def steps(client: Client) -> dict[str, Any]:
        out = {}
        out["search"] = await client.call_tool("search_documents", {"query": "话务岗人数", "k": 3})
        out["table"] = await client.call_tool("get_table", {"doc": report.doc_id, "caption_or_id": "表1-1"})
        out["metric"] = await client.call_tool(
            "compute_metric",
            {"name": "budget_execution_rate", "inputs": {"spent": "11076.79", "adjusted_budget": "11092.40"}},
        )
        out["check"] = await client.call_tool("check_report", {"doc": report.doc_id})
        out["ask"] = await client.call_tool("ask", {"question": "8890项目2020年预算执行率是多少？"})
        out["bad"] = await client.call_tool("compute_metric", {"name": "no_such_metric", "inputs": {}})
        return out

    results = run_session(server.url, KEY, steps)
    for name in ("search", "table", "metric", "check", "ask"):
        assert results[name].is_error is False, (name, results[name].content)
    search = results["search"].structured_content
    assert len(search["passages"]) == 3 and all(p["page"] >= 1 for p in search["passages"])
    table = results["table"].structured_content
    assert table["doc_id"] == report.doc_id and table["rows"]
    metric = results["metric"].structured_content
    assert metric["metric"] == "budget_execution_rate" and metric["value"].startswith("99.859")
    assert results["check"].structured_content["items"]
    asked = results["ask"].structured_content
    assert asked["citations"] and asked["computations"] and asked["grounded"] is True
    assert results["bad"].is_error is True
    assert "no_such_metric" in results["bad"].content[0].text


def test_needs_a_bearer_key(server: LiveServer) -> None:
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    headers = {"Accept": "application/json, text/event-stream"}
    r = httpx.post(f"{server.url}/mcp", json=init, headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["error"]["code"] == "unauthorized"
    r = httpx.post(f"{server.url}/mcp", json=init, headers={**headers, "Authorization": "Bearer wrong"})
    assert r.status_code == 401
    r = httpx.post(f"{server.url}/mcp", json=init, headers={**headers, "Authorization": f"Bearer {KEY}"})
    assert r.status_code == 200 and r.json()["result"]["serverInfo"]["name"] == "jixiao"

    async def steps(client: Client) -> Any:
        return await client.list_tools()

    with pytest.raises(Exception):  # noqa: B017 - the SDK surfaces the 401 as its own error types
        run_session(server.url, "wrong", steps)


def test_unknown_tool_is_a_protocol_error(server: LiveServer) -> None:
    """MCP 2025-11-25 tools / error handling: an unknown tool is JSON-RPC -32602, not a result."""

    async def steps(client: Client) -> Any:
        with pytest.raises(MCPError) as raised:
            await client.call_tool("no_such_tool", {})
        invalid = await client.call_tool("search_documents", {"query": "x", "k": 999})
        return raised.value, invalid

    error, invalid = run_session(server.url, KEY, steps)
    assert error.error.code == -32602 and "no_such_tool" in error.error.message
    assert "ask" in error.error.data["available"]
    # invalid arguments stay a tool execution error the calling model can read (SEP-1303)
    assert invalid.is_error is True and "k" in invalid.content[0].text


def test_resources_open_what_an_answer_cites(server: LiveServer, sample_store) -> None:
    report = next(d for d in sample_store.list_documents() if d.kind == "report")
    tables = sample_store.get_tables(report.doc_id)

    async def steps(client: Client) -> dict[str, Any]:
        out: dict[str, Any] = {}
        out["list"] = (await client.list_resources()).resources
        out["templates"] = (await client.list_resource_templates()).resource_templates
        out["ask"] = await client.call_tool("ask", {"question": "8890项目2020年预算执行率是多少？"})
        cited = out["ask"].structured_content["citations"]
        out["pages"] = [await client.read_resource(c["uri"]) for c in cited]
        out["doc"] = await client.read_resource(f"jixiao://documents/{report.doc_id}")
        out["table"] = await client.read_resource(
            f"jixiao://documents/{report.doc_id}/tables/{tables[0].index}"
        )
        with pytest.raises(MCPError) as missing:
            await client.read_resource(f"jixiao://documents/{report.doc_id}/pages/9999")
        out["missing"] = missing.value
        return out

    out = run_session(server.url, KEY, steps)
    uris = {str(r.uri) for r in out["list"]}
    assert f"jixiao://documents/{report.doc_id}" in uris
    assert f"jixiao://documents/{report.doc_id}/pages/{report.pages}" in uris
    assert {f"jixiao://documents/{report.doc_id}/tables/{t.index}" for t in tables} <= uris
    assert {t.uri_template for t in out["templates"]} == {
        "jixiao://documents/{doc_id}",
        "jixiao://documents/{doc_id}/pages/{page}",
        "jixiao://documents/{doc_id}/tables/{index}",
    }
    citations = out["ask"].structured_content["citations"]
    assert citations
    for citation, page in zip(citations, out["pages"], strict=True):
        assert citation["uri"] == f"jixiao://documents/{citation['doc_id']}/pages/{citation['page']}"
        text = page.contents[0].text
        figures = re.findall(r"\d+\.\d+", citation["quote"])
        assert figures and all(f in text.replace(",", "") for f in figures), (citation, text[:200])
    doc = json.loads(out["doc"].contents[0].text)
    assert doc["title"] == report.title and len(doc["pages"]) == report.pages
    table = json.loads(out["table"].contents[0].text)
    assert table["table_id"] == tables[0].id and table["rows"]
    assert out["missing"].error.code == -32602


def test_local_mode_serves_an_inspector_session_without_429(sample_data_dir, tmp_path) -> None:
    """No keys (local mode, default limits): a developer's MCP client making well over 60
    requests in a minute is not throttled."""
    data_dir = tmp_path / "data"
    shutil.copytree(sample_data_dir, data_dir)
    srv = LiveServer(create_app(Settings(data_dir=data_dir))).start()

    async def steps(client: Client) -> int:
        for _ in range(80):
            await client.list_tools()
        result = await client.call_tool(
            "compute_metric",
            {"name": "budget_execution_rate", "inputs": {"spent": "1", "adjusted_budget": "2"}},
        )
        assert result.is_error is False
        return 81

    async def main() -> int:
        async with Client(streamable_http_client(f"{srv.url}/mcp")) as client:
            return await steps(client)

    try:
        assert asyncio.run(main()) == 81
    finally:
        srv.stop()
