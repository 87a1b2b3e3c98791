"""POST /api/v1/chat on the real pipeline (real Store, embedding model, retrieval, deterministic
answerer, grounding) served by uvicorn on a free port: the JSON contract, citations that open the
PDF at the page, follow-ups, and the UI message stream parsed part by part."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator

import httpx
import pytest
from api_server import LiveServer, ScriptedAssistant, live_server, sse_parts
from langchain_core.messages import AIMessage, BaseMessage
from scripted_chat import ScriptedChatModel, items_with_ref, tool_call, tool_results

from ingest.store import Store
from service.answer.agent import LLMAnswerer
from service.api.app import create_app
from service.assistant import Assistant
from service.config import Settings
from service.conversations import ConversationStore
from service.search.retrieval import Retriever
from service.tools import Toolbox

pytestmark = pytest.mark.slow

QUESTION = "8890项目2020年预算执行率是多少？"


@pytest.fixture(scope="module")
def server(sample_data_dir, tmp_path_factory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("chat") / "data"
    shutil.copytree(sample_data_dir, data_dir)  # asking writes conversations
    srv = LiveServer(create_app(Settings(data_dir=data_dir))).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def test_json_answer_cites_pages_that_contain_the_quotes(client: httpx.Client, sample_store) -> None:
    r = client.post("/api/v1/chat", json={"message": QUESTION})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"conversation_id", "answer", "citations", "computations", "grounded", "answerer"}
    assert body["answerer"] == "deterministic" and body["grounded"] is True
    assert body["citations"], "a figure must come with its source"
    report = next(d for d in sample_store.list_documents() if d.kind == "report")
    for citation in body["citations"]:
        assert f"[{citation['n']}]" in body["answer"]
        assert citation["doc_id"] == report.doc_id
        # the page endpoint shows the page the citation names, and its figures are on it
        page = client.get(f"/api/v1/documents/{citation['doc_id']}/pages/{citation['page']}").json()
        assert _numbers(citation["quote"]) <= _numbers(page["text"]) | _numbers(page["text"].replace(",", ""))
        # the link opens the stored PDF at that page
        assert citation["url"].endswith(f"#page={citation['page']}")
        pdf = client.get(citation["url"].split("#")[0])
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
    rate = next(c for c in body["computations"] if c["metric"] == "budget_execution_rate")
    assert rate["display"] in body["answer"]
    assert rate["formula"] and rate["inputs"]


def test_follow_up_keeps_the_conversation(client: httpx.Client) -> None:
    first = client.post("/api/v1/chat", json={"message": QUESTION}).json()
    second = client.post(
        "/api/v1/chat", json={"message": "那预算金额是多少？", "conversation_id": first["conversation_id"]}
    )
    assert second.status_code == 200
    assert second.json()["conversation_id"] == first["conversation_id"]


def test_unknown_document_is_404(client: httpx.Client) -> None:
    r = client.post("/api/v1/chat", json={"message": QUESTION, "document_ids": ["no-such-document"]})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_stream_follows_the_ui_message_stream_protocol(client: httpx.Client) -> None:
    with client.stream("POST", "/api/v1/chat", json={"message": QUESTION, "stream": True}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["x-vercel-ai-ui-message-stream"] == "v1"
        parts = sse_parts(r)
    assert parts[-1] == "[DONE]"
    parts = parts[:-1]
    types = [p["type"] for p in parts]
    assert types[0] == "start" and parts[0]["messageId"]
    assert types[-1] == "finish" and parts[-1]["finishReason"] == "stop"
    assert "error" not in types
    # text: one block, start < deltas < end, deltas concatenate to the final answer
    start, end = types.index("text-start"), types.index("text-end")
    deltas = [p for p in parts if p["type"] == "text-delta"]
    assert all(start < parts.index(d) < end and d["id"] == "text-1" for d in deltas)
    answer = parts[-1]["messageMetadata"]
    assert "".join(d["delta"] for d in deltas) == answer["answer"]
    # every tool call has its input before its output, with the same id
    inputs = {p["toolCallId"]: i for i, p in enumerate(parts) if p["type"] == "tool-input-available"}
    outputs = {p["toolCallId"]: i for i, p in enumerate(parts) if p["type"] == "tool-output-available"}
    assert inputs and set(inputs) == set(outputs)
    assert all(inputs[k] < outputs[k] for k in inputs)
    # each computation is a compute_metric tool call carrying the full record
    computed = [
        p
        for p in parts
        if p["type"] == "tool-output-available" and p["toolCallId"].startswith("computation-")
    ]
    assert [c["output"] for c in computed] == answer["computations"]
    # each citation is a source-url that opens the PDF at its page
    sources = [p for p in parts if p["type"] == "source-url"]
    assert len(sources) == len(answer["citations"]) > 0
    for source, citation in zip(sources, answer["citations"], strict=True):
        assert source["url"] == citation["url"] and source["url"].endswith(f"#page={citation['page']}")
        assert source["providerMetadata"]["jixiao"]["quote"] == citation["quote"]
    # progress parts are transient data parts
    assert all(p.get("transient") for p in parts if p["type"] == "data-progress")


def test_stream_error_is_an_error_part(client: httpx.Client) -> None:
    with client.stream(
        "POST",
        "/api/v1/chat",
        json={"message": QUESTION, "stream": True, "document_ids": ["no-such-document"]},
    ) as r:
        parts = sse_parts(r)
    assert [p if p == "[DONE]" else p["type"] for p in parts][-3:] == ["error", "finish", "[DONE]"]
    assert "no-such-document" in parts[-3]["errorText"]


def test_readyz_names_the_answerer_and_checks_store_and_model(client: httpx.Client) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["answerer"] == "deterministic"
    assert body["checks"]["store"]["ok"] and body["checks"]["store"]["documents"] == 2
    assert body["checks"]["embedding"]["ok"]
    assert body["checks"]["llm"]["configured"] is False


def test_stream_pairs_live_tool_events_of_a_scripted_trace(tmp_path) -> None:
    """A tool call reported first without and then with its output (as the LLM agent does; its
    trace cannot be produced on demand, so it is scripted here) is one tool call in the stream."""
    settings = Settings(data_dir=tmp_path)
    app = create_app(settings, assistant=ScriptedAssistant(settings))
    with (
        live_server(app) as srv,
        httpx.Client() as c,
        c.stream("POST", f"{srv.url}/api/v1/chat", json={"message": QUESTION, "stream": True}) as r,
    ):
        parts = [p for p in sse_parts(r) if p != "[DONE]"]
    search = [p for p in parts if p.get("toolCallId") == "call-1"]
    assert [p["type"] for p in search] == ["tool-input-available", "tool-output-available"]
    assert search[0]["toolName"] == "search_documents" and search[0]["input"] == {"query": QUESTION}
    assert search[1]["output"] == {"hits": 1}
    stages = [p["data"]["stage"] for p in parts if p["type"] == "data-progress"]
    assert stages == ["searching", "computing"]
    assert [p["type"] for p in parts].index("tool-input-available") < [p["type"] for p in parts].index(
        "text-start"
    )


def test_stream_of_the_llm_agent_on_the_real_tools(sample_data_dir, tmp_path) -> None:
    """The real Assistant with the real LLM agent loop over the real Toolbox; only the chat model is
    scripted (it reads what the tools really returned). Its tool trace and computation arrive as
    tool parts, its grounded answer as text, `answerer` is `llm`."""
    data_dir = tmp_path / "data"
    shutil.copytree(sample_data_dir, data_dir)
    settings = Settings(data_dir=data_dir, llm_base_url="http://127.0.0.1:9/v1")

    def script(messages: list[BaseMessage]) -> AIMessage:
        if not tool_results(messages, "search_documents"):
            return tool_call("search_documents", {"query": "预算执行情况明细表 合计 支出金额"}, "c1")
        if not tool_results(messages, "compute_metric"):
            inputs = {"spent": "11076.79", "adjusted_budget": "11092.40"}
            return tool_call("compute_metric", {"name": "budget_execution_rate", "inputs": inputs}, "c2")
        [ref] = [
            item["ref"]
            for out in tool_results(messages, "search_documents")
            for item in items_with_ref(out)
            if "11076.79" in json.dumps(item, ensure_ascii=False)
        ][:1]
        computed = tool_results(messages, "compute_metric")[0]
        return AIMessage(content=f"2020年预算执行率为{computed['display']}[{ref}]，支出11076.79万元。")

    store = Store.open(settings)
    retriever = Retriever(store, settings)
    toolbox = Toolbox(store, retriever)
    assistant = Assistant(
        settings=settings,
        store=store,
        toolbox=toolbox,
        retriever=retriever,
        conversations=ConversationStore(settings),
        llm=LLMAnswerer(ScriptedChatModel(script=script), toolbox, settings),
        llm_status="scripted chat model",
    )
    try:
        with (
            live_server(create_app(settings, assistant=assistant)) as srv,
            httpx.Client(timeout=120) as c,
            c.stream("POST", f"{srv.url}/api/v1/chat", json={"message": QUESTION, "stream": True}) as r,
        ):
            parts = [p for p in sse_parts(r) if p != "[DONE]"]
            ready = c.get(f"{srv.url}/readyz").json()
    finally:
        assistant.close()
    answer = parts[-1]["messageMetadata"]
    assert answer["answerer"] == "llm" and answer["grounded"] is True, answer
    assert ready["answerer"] == "llm" and ready["status"] == "ok"
    calls = {p["toolCallId"]: p for p in parts if p["type"] == "tool-input-available"}
    searches = [c for c in calls.values() if c["toolName"] == "search_documents"]
    assert searches and searches[0]["input"]["query"] == "预算执行情况明细表 合计 支出金额"
    search_out = next(
        p
        for p in parts
        if p["type"] == "tool-output-available" and p["toolCallId"] == searches[0]["toolCallId"]
    )
    assert "11076.79" in json.dumps(search_out["output"], ensure_ascii=False)
    [computation] = answer["computations"]
    assert computation["metric"] == "budget_execution_rate" and computation["display"] in answer["answer"]
    assert calls["computation-1"]["input"]["name"] == "budget_execution_rate"
    text = "".join(p["delta"] for p in parts if p["type"] == "text-delta")
    assert text == answer["answer"] and "[1]" in text
    [source] = [p for p in parts if p["type"] == "source-url"]
    assert source["providerMetadata"]["jixiao"]["page"] == answer["citations"][0]["page"]
