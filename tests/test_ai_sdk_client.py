"""The Vercel AI SDK's own chat client (`ai` from npm, pinned in tests/node/package-lock.json)
against `/api/v1/chat` on the real pipeline: `DefaultChatTransport` with no request mapping, a
question and a follow-up, as a React `useChat` app sends them. Node and npm come from
`make sysdeps`; `npm ci` runs here when node_modules is missing or stale, and a failure fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_server import LiveServer

from service.api.app import create_app
from service.config import Settings

pytestmark = pytest.mark.slow

NODE_DIR = Path(__file__).parent / "node"
QUESTION = "8890项目2020年预算执行率是多少？"
FOLLOW_UP = "那预算金额是多少？"


@pytest.fixture(scope="session")
def node_client() -> Path:
    """tests/node with its locked packages installed (`npm ci`), or a loud failure."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: run `make sysdeps` (Debian packages nodejs, npm)")
    lock = NODE_DIR / "package-lock.json"
    stamp = NODE_DIR / "node_modules" / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci failed in {NODE_DIR} (needs the npm registry):\n{done.stderr[-3000:]}")
    return NODE_DIR


@pytest.fixture(scope="module")
def server(sample_data_dir, tmp_path_factory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("aisdk") / "data"
    shutil.copytree(sample_data_dir, data_dir)
    srv = LiveServer(create_app(Settings(data_dir=data_dir))).start()
    yield srv
    srv.stop()


def run_chat(node_dir: Path, url: str, *questions: str, key: str | None = None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "JIXIAO_API_KEY"}
    if key:
        env["JIXIAO_API_KEY"] = key
    done = subprocess.run(
        ["node", "chat.mjs", url, *questions],
        cwd=node_dir,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_default_chat_transport_asks_and_follows_up(node_client: Path, server: LiveServer) -> None:
    chat = run_chat(node_client, server.url, QUESTION, FOLLOW_UP)
    assert chat["status"] == "ready" and not chat["errors"], chat
    roles = [m["role"] for m in chat["messages"]]
    assert roles == ["user", "assistant", "user", "assistant"]
    first, second = chat["messages"][1], chat["messages"][3]
    for reply in (first, second):
        text = "".join(p["text"] for p in reply["parts"] if p["type"] == "text")
        assert text and text == reply["metadata"]["answer"]
    meta = first["metadata"]
    assert meta["grounded"] is True and meta["citations"] and meta["computations"]
    # the chat id is the conversation: the follow-up was answered with the first turn as history
    assert meta["conversation_id"] == second["metadata"]["conversation_id"] == chat["id"]
    history = server.server.config.app.state.assistant.conversations.history(chat["id"])
    assert [t.role for t in history] == ["user", "assistant", "user", "assistant"]
    assert history[0].content == QUESTION and history[2].content == FOLLOW_UP
    # citations arrive as source-url (opens the PDF at the page) and source-document parts
    urls = [p for p in first["parts"] if p["type"] == "source-url"]
    docs = [p for p in first["parts"] if p["type"] == "source-document"]
    assert len(urls) == len(docs) == len(meta["citations"])
    for url, doc, citation in zip(urls, docs, meta["citations"], strict=True):
        assert url["url"] == citation["url"] and url["url"].endswith(f"#page={citation['page']}")
        assert doc["mediaType"] == "application/pdf" and doc["title"] == citation["title"]
    # each computation is a compute_metric tool part with its output
    tools = [p for p in first["parts"] if p["type"] == "tool-compute_metric"]
    assert [t["output"] for t in tools] == meta["computations"]
    assert all(t["state"] == "output-available" for t in tools)


def test_earlier_messages_are_context_for_a_chat_new_to_the_server(
    node_client: Path, server: LiveServer
) -> None:
    """A chat the server has never seen (restored by the client) brings its history in `messages`."""
    import httpx

    body = {
        "id": "restored-chat-1",
        "trigger": "submit-message",
        "messages": [
            {"id": "u1", "role": "user", "parts": [{"type": "text", "text": QUESTION}]},
            {"id": "a1", "role": "assistant", "parts": [{"type": "text", "text": "预算执行率为99.86%。"}]},
            {"id": "u2", "role": "user", "parts": [{"type": "text", "text": FOLLOW_UP}]},
        ],
    }
    with httpx.Client(timeout=120) as c, c.stream("POST", f"{server.url}/api/v1/chat", json=body) as r:
        assert r.status_code == 200 and r.headers["x-vercel-ai-ui-message-stream"] == "v1"
        r.read()
    history = server.server.config.app.state.assistant.conversations.history("restored-chat-1")
    assert [(t.role, t.content) for t in history[:3]] == [
        ("user", QUESTION),
        ("assistant", "预算执行率为99.86%。"),
        ("user", FOLLOW_UP),
    ]


def test_default_chat_transport_with_a_key(node_client: Path, sample_data_dir, tmp_path) -> None:
    """With keys configured the transport's `headers` carry the Bearer key; without it, 401."""
    key = "aisdk-key-7c6d5e4f3a2b"
    data_dir = tmp_path / "data"
    shutil.copytree(sample_data_dir, data_dir)
    srv = LiveServer(create_app(Settings(data_dir=data_dir, api_keys=[key]))).start()
    try:
        chat = run_chat(node_client, srv.url, QUESTION, key=key)
        refused = run_chat(node_client, srv.url, QUESTION)
    finally:
        srv.stop()
    assert chat["status"] == "ready" and chat["messages"][1]["metadata"]["grounded"] is True
    assert refused["status"] == "error" and "Authorization" in refused["errors"][0]
