"""The OpenAI-compatible API against the real pipeline, driven by the official `openai` client and
LangChain's `ChatOpenAI` over real HTTP (uvicorn on a free port, Bearer key)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import openai
import pytest
from api_server import LiveServer
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI

from service.api.app import create_app
from service.config import Settings

pytestmark = pytest.mark.slow

KEY = "openai-compat-key-4e5f6a7b"
QUESTION = "8890项目2020年预算执行率是多少？"


@pytest.fixture(scope="module")
def server(sample_data_dir, tmp_path_factory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("openai") / "data"
    shutil.copytree(sample_data_dir, data_dir)
    settings = Settings(data_dir=data_dir, api_keys=[KEY], rate_limit_per_minute=1000)
    srv = LiveServer(create_app(settings)).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0, timeout=120)


def test_models_lists_the_one_model(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["jixiao"]


def test_completion_appends_numbered_sources_and_returns_them_as_fields(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="jixiao", messages=[{"role": "user", "content": QUESTION}]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content or ""
    extra = completion.model_extra or {}
    citations = extra["citations"]
    assert citations, "the answer must carry its sources"
    answer, _, sources = content.partition("\n\n来源 / Sources:\n")
    assert sources, content
    for c in citations:
        assert f"[{c['n']}]" in answer
        assert f"[{c['n']}] {c['title']}，第{c['page']}页" in sources
        assert c["url"].endswith(f"#page={c['page']}")
    jixiao = extra["jixiao"]
    assert jixiao["grounded"] is True and jixiao["answerer"] == "deterministic"
    assert any(
        comp["metric"] == "budget_execution_rate" and comp["display"] in answer
        for comp in jixiao["computations"]
    )
    assert completion.usage and completion.usage.total_tokens > 0


def test_stream_delivers_the_same_content(client: openai.OpenAI) -> None:
    whole = client.chat.completions.create(model="jixiao", messages=[{"role": "user", "content": QUESTION}])
    stream = client.chat.completions.create(
        model="jixiao",
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(finals) == 1 and finals[0].model_extra["citations"] == (whole.model_extra or {})["citations"]
    assert chunks[-1].usage is not None and not chunks[-1].choices


def test_earlier_messages_become_the_conversation_history(client: openai.OpenAI, server: LiveServer) -> None:
    first = client.chat.completions.create(model="jixiao", messages=[{"role": "user", "content": QUESTION}])
    previous = first.choices[0].message.content or ""
    follow_up = client.chat.completions.create(
        model="jixiao",
        messages=[
            {"role": "system", "content": "你是助手"},
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": previous},
            {"role": "user", "content": [{"type": "text", "text": "那预算金额是多少？"}]},
        ],
    )
    cid = (follow_up.model_extra or {})["jixiao"]["conversation_id"]
    turns = server.server.config.app.state.assistant.conversations.history(cid)
    assert [(t.role, t.content) for t in turns[:2]] == [("user", QUESTION), ("assistant", previous)]
    assert turns[2].content == "那预算金额是多少？"


def test_errors_have_the_openai_shape(client: openai.OpenAI, server: LiveServer) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert missing.value.code == "model_not_found" and "jixiao" in missing.value.message
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model="jixiao", messages=[{"role": "assistant", "content": "你好"}])
    assert "最后一条消息" in bad.value.message
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="jixiao", messages=[])
    wrong_key = openai.OpenAI(base_url=f"{server.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as denied:
        wrong_key.models.list()
    assert denied.value.body["type"] == "authentication_error"


def test_langchain_chat_openai(server: LiveServer) -> None:
    llm = ChatOpenAI(base_url=f"{server.url}/v1", api_key=KEY, model="jixiao", max_retries=0, timeout=120)
    reply = llm.invoke([HumanMessage(QUESTION)])
    assert isinstance(reply, AIMessage) and "来源 / Sources:" in reply.content and "[1]" in reply.content
    streamed = "".join(str(chunk.content) for chunk in llm.stream(QUESTION))
    assert streamed == reply.content
    multi = llm.invoke(
        [HumanMessage(QUESTION), AIMessage(str(reply.content)), HumanMessage("那预算金额是多少？")]
    )
    assert multi.content


def test_models_retrieve(client: openai.OpenAI) -> None:
    model = client.models.retrieve("jixiao")
    assert model.id == "jixiao" and model.object == "model" and model.owned_by == "jixiao"
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("gpt-4o")
    assert missing.value.code == "model_not_found"


def test_response_format_json_object_returns_the_answer_as_json(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="jixiao",
        messages=[{"role": "user", "content": QUESTION}],
        response_format={"type": "json_object"},
    )
    body = json.loads(completion.choices[0].message.content or "")
    assert body["grounded"] is True and body["citations"] and body["computations"]
    assert all(c["url"].endswith(f"#page={c['page']}") for c in body["citations"])
    assert "来源 / Sources" not in body["answer"]
    stream = client.chat.completions.create(
        model="jixiao",
        messages=[{"role": "user", "content": QUESTION}],
        response_format={"type": "json_object"},
        stream=True,
    )
    streamed = json.loads("".join(c.choices[0].delta.content or "" for c in stream if c.choices))
    assert streamed["answer"] == body["answer"] and streamed["citations"] == body["citations"]


TOOL = {
    "type": "function",
    "function": {"name": "lookup", "description": "x", "parameters": {"type": "object", "properties": {}}},
}


@pytest.mark.parametrize(
    ("param", "kwargs", "says"),
    [
        ("tools", {"tools": [TOOL]}, "does not call a client's functions"),
        ("tool_choice", {"tool_choice": "required"}, "does not call a client's functions"),
        ("n", {"n": 2}, "one grounded answer"),
        (
            "response_format",
            {"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}},
            "json_object",
        ),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_unsupported_parameters_are_refused_with_the_reason(
    client: openai.OpenAI, param: str, kwargs: dict, says: str, stream: bool
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(
            model="jixiao", messages=[{"role": "user", "content": QUESTION}], stream=stream, **kwargs
        )
    error = refused.value
    assert error.code == "unsupported_parameter" and error.param == param
    assert says in error.message and error.body["type"] == "invalid_request_error"
