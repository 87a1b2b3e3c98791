"""The LLM agent loop with a scripted chat model (LangChain's chat-model interface):
tool call -> tool result -> cited answer; grounding of wrong numbers; the step cap; a backend that
is down or hangs. The scripted model reads what the tools really returned, like a real model."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from api_server import free_port
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool
from scripted_chat import ScriptedChatModel, items_with_ref, tool_call, tool_results

from service.answer.agent import LLMAnswerer
from service.answer.grounding import MARK_PREFIX, MARK_SUFFIX, ground
from service.answer.models import ProgressEvent, Turn
from service.config import Settings
from service.errors import UpstreamModelError
from service.llm import make_chat_model

REPORT_ID = "a1b2c3d4e5f60718"
TITLE = "12345政务服务便民热线2020年度项目支出绩效评价报告"
PASSAGE_P2 = "项目执行过程中，2020 年度实际使用经费 11076.79 万元，预算执行率为 99.86%。具体情况见表 1:"
PASSAGE_P9 = (
    "商品和服务支出全年预算金额为1969.62万元，实际支出为1978.55万元，超预算金额8.93万元，"
    "且便民专线服务中心针对超预算部分未履行相应的预算调整手续。"
)


class PassageToolbox:
    """Minimal tools with the real interface (names, arguments, JSON-able dict results, errors as
    {"error": {...}}) over passages copied from the fixture report."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def search_documents(
        self, query: str, document_ids: list[str] | None = None, k: int = 8
    ) -> dict[str, Any]:
        self.calls.append(("search_documents", {"query": query, "document_ids": document_ids, "k": k}))
        hits = [
            {"doc_id": REPORT_ID, "title": TITLE, "page": 2, "section": "一、项目概况", "kind": "text",
             "score": 0.91, "text": PASSAGE_P2},
            {"doc_id": REPORT_ID, "title": TITLE, "page": 9, "section": "五、存在的主要问题", "kind": "text",
             "score": 0.52, "text": PASSAGE_P9},
        ]  # fmt: skip
        if "未知" in query:
            hits = []
        return {"query": query, "hits": hits[:k]}

    def compute_metric(self, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("compute_metric", {"name": name, "inputs": inputs}))
        if name != "over_budget_amount":
            return {"error": {"code": "unknown_metric", "message": f"没有指标 {name}"}}
        value = float(inputs["actual"]) - float(inputs["budget"])
        return {
            "metric": name,
            "name_zh": "超预算金额",
            "inputs": [
                {"name": "actual", "label": "实际支出", "value": str(inputs["actual"]), "unit": "万元"},
                {"name": "budget", "label": "预算金额", "value": str(inputs["budget"]), "unit": "万元"},
            ],
            "formula": f"{inputs['actual']} − {inputs['budget']} = {value:.2f}",
            "formula_words": "超预算金额 = 实际支出 − 预算金额",
            "value": f"{value:.2f}",
            "unit": "万元",
            "display": f"{value:.2f}万元",
        }

    def langchain_tools(self) -> list[BaseTool]:
        return [
            StructuredTool.from_function(
                self.search_documents, name="search_documents", description="检索报告和政策原文。"
            ),
            StructuredTool.from_function(
                self.compute_metric, name="compute_metric", description="用指标库计算一个指标。"
            ),
        ]


@pytest.fixture
def toolbox() -> PassageToolbox:
    return PassageToolbox()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, llm_max_steps=8, llm_timeout=5)


def refs_for(messages: list[BaseMessage], tool: str, needle: str) -> list[int]:
    """The refs of the evidence items of `tool`'s outputs whose text contains `needle`."""
    return [
        item["ref"]
        for out in tool_results(messages, tool)
        for item in items_with_ref(out)
        if needle in json.dumps(item, ensure_ascii=False)
    ]


def unmarked(text: str) -> str:
    return re.sub(re.escape(MARK_PREFIX) + ".*?" + re.escape(MARK_SUFFIX), "", text)


# --------------------------------------------------------------------------------------------


def test_tool_calls_then_cited_answer_with_computation(toolbox: PassageToolbox, settings: Settings) -> None:
    def script(messages: list[BaseMessage]) -> AIMessage:
        if not tool_results(messages, "search_documents"):
            return tool_call("search_documents", {"query": "商品和服务支出 超预算"}, "c1")
        if not tool_results(messages, "compute_metric"):
            return tool_call(
                "compute_metric",
                {"name": "over_budget_amount", "inputs": {"actual": "1978.55", "budget": "1969.62"}},
                "c2",
            )
        ref = refs_for(messages, "search_documents", "1978.55")[0]
        comp = tool_results(messages, "compute_metric")[0]
        return AIMessage(
            content=f"商品和服务支出实际支出1978.55万元，预算1969.62万元[{ref}]，"
            f"超预算金额 = {comp['formula']}，即{comp['display']}。"
        )

    model = ScriptedChatModel(script=script)
    events: list[ProgressEvent] = []
    answer = LLMAnswerer(model, toolbox, settings).answer(
        "商品和服务支出超预算多少？", history=[], document_ids=None, on_event=events.append
    )

    assert answer.answerer == "llm"
    assert answer.grounded is True, answer
    assert answer.ungrounded == []
    # the citation is the tool's passage, renumbered [1]
    assert [(c.n, c.doc_id, c.page) for c in answer.citations] == [(1, REPORT_ID, 9)]
    assert answer.citations[0].quote.startswith("商品和服务支出全年预算金额为1969.62万元")
    assert answer.citations[0].title == TITLE
    assert "[1]" in answer.answer and "[2]" not in answer.answer
    # the computation is compute_metric's own output, not the model's retelling
    assert len(answer.computations) == 1
    comp = answer.computations[0]
    assert (comp.metric, comp.value, comp.display, comp.unit) == (
        "over_budget_amount",
        "8.93",
        "8.93万元",
        "万元",
    )
    assert [c[0] for c in toolbox.calls] == ["search_documents", "compute_metric"]
    # every model call was offered the tools; the tool results went back to the model
    assert all(call["tools"] == ["search_documents", "compute_metric"] for call in model.calls)
    assert any(isinstance(m, ToolMessage) for m in model.calls[-1]["messages"])
    # progress: searching -> tool -> computing -> tool -> writing
    stages = [e.stage for e in events]
    assert stages[0] == "searching" and stages[-1] == "writing"
    assert "computing" in stages and stages.count("tool") == 2
    assert answer.meta["steps"] == 5


def test_system_prompt_lists_tools_and_rules(toolbox: PassageToolbox, settings: Settings) -> None:
    model = ScriptedChatModel(script=lambda messages: AIMessage(content="未找到。"))
    LLMAnswerer(model, toolbox, settings).answer("随便问问", history=[], document_ids=None)
    system = model.calls[0]["messages"][0]
    assert system.type == "system"
    for needle in ("search_documents", "compute_metric", "未找到", "[1]", str(settings.llm_max_steps)):
        assert needle in system.content


def test_wrong_number_is_caught_by_grounding(toolbox: PassageToolbox, settings: Settings) -> None:
    def script(messages: list[BaseMessage]) -> AIMessage:
        if not tool_results(messages, "search_documents"):
            return tool_call("search_documents", {"query": "2020 预算执行率"}, "c1")
        ref = refs_for(messages, "search_documents", "99.86")[0]
        return AIMessage(content=f"2020年预算执行率为98.5%[{ref}]。")  # the evidence says 99.86%

    answer = LLMAnswerer(ScriptedChatModel(script=script), toolbox, settings).answer(
        "2020年预算执行率是多少？", history=[], document_ids=None
    )
    assert answer.grounded is False
    assert any("98.5" in u for u in answer.ungrounded)
    assert MARK_PREFIX in answer.answer
    assert "98.5" not in unmarked(answer.answer)  # never shown as a fact
    assert answer.citations and answer.citations[0].page == 2
    assert any("98.5" in note for note in answer.notes)


def test_number_from_uncited_evidence_is_not_grounded(toolbox: PassageToolbox, settings: Settings) -> None:
    """Grounding checks the *cited* evidence: a right number without its source is still flagged."""

    def script(messages: list[BaseMessage]) -> AIMessage:
        if not tool_results(messages, "search_documents"):
            return tool_call("search_documents", {"query": "预算执行率"}, "c1")
        return AIMessage(content="2020年预算执行率为99.86%。")

    answer = LLMAnswerer(ScriptedChatModel(script=script), toolbox, settings).answer(
        "预算执行率？", history=[], document_ids=None
    )
    assert answer.citations == []
    assert answer.grounded is False and "99.86" not in unmarked(answer.answer)


def test_citation_to_a_ref_no_tool_returned_is_removed(toolbox: PassageToolbox, settings: Settings) -> None:
    def script(messages: list[BaseMessage]) -> AIMessage:
        if not tool_results(messages, "search_documents"):
            return tool_call("search_documents", {"query": "预算执行率"}, "c1")
        ref = refs_for(messages, "search_documents", "99.86")[0]
        return AIMessage(content=f"预算执行率为99.86%[{ref}][17]。")

    answer = LLMAnswerer(ScriptedChatModel(script=script), toolbox, settings).answer(
        "预算执行率？", history=[], document_ids=None
    )
    assert answer.answer.startswith("预算执行率为99.86%[1]。")
    assert "[17]" not in answer.answer and [c.n for c in answer.citations] == [1]
    assert answer.grounded is True
    assert any("17" in note for note in answer.notes)


def test_long_passage_is_quoted_by_the_sentences_it_grounds(settings: Settings) -> None:
    """The quote of a long passage keeps the sentences whose numbers the answer uses, so grounding
    over the quotes alone (as the Assistant re-checks) still verifies them."""
    filler = "热线服务中心持续完善工作机制，加强人员培训和质量监控。" * 12
    long_text = f"{filler}2020年坐席电话接听率为96.12%，较上年有所提高。{filler}"

    class LongToolbox:
        def langchain_tools(self) -> list[BaseTool]:
            def search_documents(query: str) -> dict[str, Any]:
                return {"passages": [{"doc_id": REPORT_ID, "title": TITLE, "page": 5, "text": long_text}]}

            return [StructuredTool.from_function(search_documents, description="检索")]

    def script(messages: list[BaseMessage]) -> AIMessage:
        if not tool_results(messages, "search_documents"):
            return tool_call("search_documents", {"query": "接听率"}, "c1")
        ref = refs_for(messages, "search_documents", "96.12")[0]
        return AIMessage(content=f"2020年坐席电话接听率为96.12%[{ref}]。")

    answer = LLMAnswerer(ScriptedChatModel(script=script), LongToolbox(), settings).answer(
        "接听率？", history=[], document_ids=None
    )
    quote = answer.citations[0].quote
    assert len(long_text) > 400 and len(quote) < 100
    assert quote == "2020年坐席电话接听率为96.12%，较上年有所提高。"
    assert answer.grounded is True
    assert ground(answer.answer, evidence=[quote], computations=[]).grounded is True


def test_not_found_answer_without_numbers(toolbox: PassageToolbox, settings: Settings) -> None:
    def script(messages: list[BaseMessage]) -> AIMessage:
        results = tool_results(messages, "search_documents")
        if not results:
            return tool_call("search_documents", {"query": "未知的指标"}, "c1")
        assert results[0]["hits"] == []
        return AIMessage(content="未找到。已检索“未知的指标”。")

    answer = LLMAnswerer(ScriptedChatModel(script=script), toolbox, settings).answer(
        "未知的指标是多少？", history=[], document_ids=None
    )
    assert answer.answer.startswith("未找到") and answer.grounded is True and answer.citations == []
    assert any("未知的指标" in n and "0 条证据" in n for n in answer.notes)


def test_tool_error_reaches_the_model(toolbox: PassageToolbox, settings: Settings) -> None:
    def script(messages: list[BaseMessage]) -> AIMessage:
        results = tool_results(messages, "compute_metric")
        if not results:
            return tool_call("compute_metric", {"name": "no_such_metric", "inputs": {}}, "c1")
        return AIMessage(content=f"未找到：{results[0]['error']['message']}")

    answer = LLMAnswerer(ScriptedChatModel(script=script), toolbox, settings).answer(
        "算一下", history=[], document_ids=None
    )
    assert "没有指标 no_such_metric" in answer.answer
    assert answer.computations == []
    assert any("出错" in n for n in answer.notes)


def test_a_crashing_tool_becomes_an_error_the_model_reads(settings: Settings) -> None:
    def broken(query: str) -> dict[str, Any]:
        raise RuntimeError("index is corrupt")

    class BrokenToolbox:
        def langchain_tools(self) -> list[BaseTool]:
            return [StructuredTool.from_function(broken, name="search_documents", description="检索")]

    seen: list[Any] = []

    def script(messages: list[BaseMessage]) -> AIMessage:
        results = tool_results(messages, "search_documents")
        if not results:
            return tool_call("search_documents", {"query": "x"}, "c1")
        seen.append(results[0])
        return AIMessage(content="未找到。")

    answer = LLMAnswerer(ScriptedChatModel(script=script), BrokenToolbox(), settings).answer(
        "x", history=[], document_ids=None
    )
    assert answer.answer == "未找到。"
    assert seen[0]["error"]["code"] == "tool_failed" and "index is corrupt" in seen[0]["error"]["message"]


def test_history_and_document_filter_reach_the_model(toolbox: PassageToolbox, settings: Settings) -> None:
    model = ScriptedChatModel(script=lambda messages: AIMessage(content="未找到。"))
    history = [
        Turn(role="user", content="2020年预算执行率是多少？"),
        Turn(role="assistant", content="2020年预算执行率为99.86%[1]。"),
    ]
    LLMAnswerer(model, toolbox, settings).answer("那2019年呢？", history=history, document_ids=[REPORT_ID])
    humans = [m.content for m in model.calls[0]["messages"] if isinstance(m, HumanMessage)]
    assert humans[0] == "2020年预算执行率是多少？"
    assert humans[-1].startswith("那2019年呢？") and REPORT_ID in humans[-1]
    assert any(isinstance(m, AIMessage) and "99.86%" in m.content for m in model.calls[0]["messages"])


@pytest.mark.parametrize("max_steps", [3, 5, 8])
def test_step_cap_bounds_model_and_tool_calls(toolbox: PassageToolbox, tmp_path, max_steps: int) -> None:
    """A model that never stops calling tools: at most max_steps model + tool calls, the last model
    call is offered no tools, and the result is a clear UpstreamModelError (so the Assistant falls back)."""
    counter = iter(range(1000))

    def script(messages: list[BaseMessage]) -> AIMessage:
        n = next(counter)
        return tool_call("search_documents", {"query": f"第{n}次"}, f"c{n}")

    model = ScriptedChatModel(script=script)
    settings = Settings(data_dir=tmp_path, llm_max_steps=max_steps)
    with pytest.raises(UpstreamModelError, match=f"{max_steps} 步"):
        LLMAnswerer(model, toolbox, settings).answer("循环", history=[], document_ids=None)
    assert len(model.calls) + len(toolbox.calls) <= max_steps
    assert model.calls[-1]["tools"] == []
    assert "工具调用次数" in model.calls[-1]["messages"][0].content


def test_step_cap_drops_excess_parallel_tool_calls(toolbox: PassageToolbox, tmp_path) -> None:
    def script(messages: list[BaseMessage]) -> AIMessage:
        if not tool_results(messages, "search_documents"):
            return AIMessage(
                content="",
                tool_calls=[
                    {
                        "name": "search_documents",
                        "args": {"query": f"q{i}"},
                        "id": f"c{i}",
                        "type": "tool_call",
                    }
                    for i in range(6)
                ],
            )
        ref = refs_for(messages, "search_documents", "99.86")[0]
        return AIMessage(content=f"预算执行率为99.86%[{ref}]。")

    model = ScriptedChatModel(script=script)
    answer = LLMAnswerer(model, toolbox, Settings(data_dir=tmp_path, llm_max_steps=4)).answer(
        "预算执行率？", history=[], document_ids=None
    )
    assert answer.grounded is True and answer.meta["steps"] <= 4
    assert len(toolbox.calls) == 2  # 4 steps = model, 2 tools, model


def test_model_that_answers_without_tools_is_not_trusted(toolbox: PassageToolbox, settings: Settings) -> None:
    model = ScriptedChatModel(script=lambda messages: AIMessage(content="预算执行率为97.3%，超支12.5万元。"))
    answer = LLMAnswerer(model, toolbox, settings).answer("预算执行率？", history=[], document_ids=None)
    assert answer.grounded is False
    assert {"97.3", "12.5"} <= {re.sub(r"[^\d.]", "", u) for u in answer.ungrounded}
    assert not re.search(r"\d", unmarked(answer.answer))
    assert any("没有调用任何工具" in n for n in answer.notes)


def test_empty_final_answer_is_an_upstream_error(toolbox: PassageToolbox, settings: Settings) -> None:
    model = ScriptedChatModel(script=lambda messages: AIMessage(content="  "))
    with pytest.raises(UpstreamModelError):
        LLMAnswerer(model, toolbox, settings).answer("x", history=[], document_ids=None)


def test_thinking_is_stripped(toolbox: PassageToolbox, settings: Settings) -> None:
    model = ScriptedChatModel(
        script=lambda messages: AIMessage(content="<think>算一算 1+1=2</think>未找到。")
    )
    answer = LLMAnswerer(model, toolbox, settings).answer("x", history=[], document_ids=None)
    assert answer.answer == "未找到。" and answer.grounded is True


# -- a real OpenAI client against a backend that is down or hangs ----------------------------


@pytest.fixture
def closed_port() -> int:
    return free_port()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts TCP connections (in the backlog) and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


def test_backend_down_is_a_clear_upstream_error(toolbox: PassageToolbox, tmp_path, closed_port: int) -> None:
    settings = Settings(data_dir=tmp_path, llm_base_url=f"http://127.0.0.1:{closed_port}/v1", llm_timeout=5)
    answerer = LLMAnswerer(make_chat_model(settings), toolbox, settings)
    with pytest.raises(UpstreamModelError) as err:
        answerer.answer("2020年预算执行率是多少？", history=[], document_ids=None)
    assert "无法连接大模型服务" in err.value.message and "cannot reach the LLM backend" in err.value.message
    assert err.value.code == "upstream_model_error"


def test_backend_that_hangs_times_out(toolbox: PassageToolbox, tmp_path, silent_server: int) -> None:
    settings = Settings(data_dir=tmp_path, llm_base_url=f"http://127.0.0.1:{silent_server}/v1", llm_timeout=1)
    answerer = LLMAnswerer(make_chat_model(settings), toolbox, settings)
    with pytest.raises(UpstreamModelError, match="超时"):
        answerer.answer("2020年预算执行率是多少？", history=[], document_ids=None)


# -- the real toolbox over the ingested sample report ----------------------------------------


@pytest.fixture(scope="module")
def real_toolbox(sample_store, sample_settings):
    from service.search.retrieval import Retriever
    from service.tools import Toolbox

    return Toolbox(sample_store, Retriever(sample_store, sample_settings))


@pytest.mark.slow
def test_agent_over_the_real_toolbox(real_toolbox, tmp_path) -> None:
    """search_documents -> compute_metric -> cited answer, with the real retrieval and metrics."""

    def script(messages: list[BaseMessage]) -> AIMessage:
        if not tool_results(messages, "search_documents"):
            return tool_call("search_documents", {"query": "2020年度实际使用经费 预算执行率"}, "c1")
        if not tool_results(messages, "compute_metric"):
            args = {
                "name": "budget_execution_rate",
                "inputs": {"spent": "11076.79", "adjusted_budget": "11092.40"},
            }
            return tool_call("compute_metric", args, "c2")
        ref = refs_for(messages, "search_documents", "11076.79")[0]
        comp = tool_results(messages, "compute_metric")[0]
        return AIMessage(
            content=f"2020年度实际使用经费11076.79万元[{ref}]，预算执行率为{comp['display']}（{comp['formula']}）。"
        )

    model = ScriptedChatModel(script=script)
    settings = Settings(data_dir=tmp_path, llm_max_steps=6)
    answer = LLMAnswerer(model, real_toolbox, settings).answer(
        "8890项目2020年预算执行率是多少？", history=[], document_ids=None
    )
    assert answer.grounded is True, (answer.answer, answer.ungrounded)
    assert len(answer.citations) == 1
    cite = answer.citations[0]
    assert cite.page == 2 and "11076.79" in cite.quote and cite.title
    assert [(c.metric, c.display) for c in answer.computations] == [("budget_execution_rate", "99.86%")]
    assert "99.86%" in answer.answer and "[1]" in answer.answer
    # the model was offered every tool of the registry, and told which documents exist
    from service.tools import TOOL_NAMES

    system = model.calls[0]["messages"][0].content
    assert "## 当前可查阅的文件" in system and cite.title in system and cite.doc_id in system

    assert model.calls[0]["tools"] == list(TOOL_NAMES)


@pytest.mark.slow
def test_agent_cites_table_cells_from_find_figure(real_toolbox, tmp_path) -> None:
    def script(messages: list[BaseMessage]) -> AIMessage:
        results = tool_results(messages, "find_figure")
        if not results:
            return tool_call("find_figure", {"query": "话务岗 工资福利支出总额"}, "c1")
        figure = results[0]["figures"][0]
        return AIMessage(content=f"话务岗工资福利支出总额为{figure['raw']}万元[{figure['ref']}]。")

    answer = LLMAnswerer(ScriptedChatModel(script=script), real_toolbox, Settings(data_dir=tmp_path)).answer(
        "话务岗工资福利支出是多少？", history=[], document_ids=None
    )
    assert answer.grounded is True, answer
    assert "7937.43" in answer.answer
    assert len(answer.citations) == 1 and "7937.43" in answer.citations[0].quote
    assert "话务岗" in answer.citations[0].quote


@pytest.mark.slow
def test_assistant_falls_back_to_deterministic_when_backend_is_down(
    real_toolbox, sample_store, tmp_path, closed_port: int
) -> None:
    from service.assistant import Assistant
    from service.conversations import ConversationStore

    settings = Settings(data_dir=tmp_path, llm_base_url=f"http://127.0.0.1:{closed_port}/v1", llm_timeout=5)
    llm = LLMAnswerer(make_chat_model(settings), real_toolbox, settings)
    assistant = Assistant(
        settings=settings,
        store=sample_store,
        toolbox=real_toolbox,
        conversations=ConversationStore(settings),
        llm=llm,
        llm_status="test",
    )
    answer = assistant.ask("2020年预算执行率是多少？")
    assert answer.answerer == "deterministic"
    assert "99.86%" in answer.answer
    assert any("无法连接大模型服务" in n for n in answer.notes), answer.notes


def test_step_cap_holds_when_the_agent_runs_async(toolbox: PassageToolbox, tmp_path) -> None:
    """The middleware's async hooks: the same cap through `ainvoke` (as an async server would run it)."""
    from langchain.agents import create_agent

    from service.answer._evidence import EvidenceCollector, wrap_tools
    from service.answer.agent import StepBudget

    counter = iter(range(1000))
    model = ScriptedChatModel(
        script=lambda m: tool_call("search_documents", {"query": "x"}, f"c{next(counter)}")
    )
    agent = create_agent(
        model, wrap_tools(toolbox.langchain_tools(), EvidenceCollector()), middleware=[StepBudget(5)]
    )
    asyncio.run(agent.ainvoke({"messages": [HumanMessage("循环")]}))
    assert len(model.calls) + len(toolbox.calls) <= 5 and model.calls[-1]["tools"] == []


@pytest.mark.slow
def test_build_assistant_with_a_backend_that_is_down_reports_it(data_dir_copy, closed_port: int) -> None:
    """At start-up the probe finds the server down: the Assistant answers deterministically and
    says why (what /readyz shows)."""
    from service.assistant import build_assistant

    settings = Settings(
        data_dir=data_dir_copy, llm_base_url=f"http://127.0.0.1:{closed_port}/v1", llm_timeout=5
    )
    with build_assistant(settings) as assistant:
        assert assistant.active_answerer == "deterministic"
        assert "无法连接大模型服务" in assistant.llm_status and "确定性回答器" in assistant.llm_status
        answer = assistant.ask("2020年预算执行率是多少？")
        assert answer.answerer == "deterministic" and "99.86%" in answer.answer


@pytest.mark.slow
def test_bad_arguments_are_answered_to_the_model(real_toolbox, tmp_path) -> None:
    """Arguments that break the tool's schema (k > 20) come back as the toolbox's structured error."""
    seen: list[Any] = []

    def script(messages: list[BaseMessage]) -> AIMessage:
        replies = [m for m in messages if isinstance(m, ToolMessage)]
        if not replies:
            return tool_call("search_documents", {"query": "预算执行率", "k": 500}, "c1")
        seen.append(json.loads(replies[0].content))
        return AIMessage(content="未找到。")

    answer = LLMAnswerer(ScriptedChatModel(script=script), real_toolbox, Settings(data_dir=tmp_path)).answer(
        "预算执行率？", history=[], document_ids=None
    )
    assert answer.answer == "未找到。"
    assert seen[0]["error"]["code"] == "bad_arguments" and "参数有误" in seen[0]["error"]["message"]
