"""The Assistant facade on the real fixture: conversation storage and follow-ups, answerer choice,
LLM failure/timeout -> deterministic fallback, grounding of the final text, progress events."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from service.answer.models import Answer, Citation, ProgressEvent, Turn
from service.assistant import Assistant, build_assistant
from service.errors import BadRequest, UpstreamModelError


@pytest.fixture(scope="module")
def data_dir(sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("assistant") / "data"
    shutil.copytree(sample_data_dir, dest)
    return dest


@pytest.fixture(scope="module")
def assistant(data_dir: Path):
    from service.config import Settings

    a = build_assistant(Settings(data_dir=data_dir))
    yield a
    a.close()


def with_llm(base: Assistant, llm, **settings) -> Assistant:
    """The same store/toolbox/conversations, with another (LLM) answerer in front."""
    s = base.settings.model_copy(update=settings) if settings else base.settings
    return Assistant(
        settings=s,
        store=base.store,
        toolbox=base.toolbox,
        conversations=base.conversations,
        deterministic=base.deterministic,
        llm=llm,
        llm_status="test",
    )


class DownLLM:
    """An answerer whose backend is down (what service.answer.agent raises then)."""

    name = "llm"

    def answer(self, question, *, history, document_ids, on_event):
        raise UpstreamModelError("大模型服务无法连接（connection refused）/ LLM backend unreachable")


class SlowLLM:
    name = "llm"

    def answer(self, question, *, history, document_ids, on_event):
        time.sleep(12)  # far beyond the 0.5 s timeout, so the check below is not a speed check
        return Answer(answer="太慢了", answerer="llm")


class InventingLLM:
    """Answers with a figure that is in none of its cited evidence."""

    name = "llm"

    def answer(self, question, *, history, document_ids, on_event):
        return Answer(
            answer="2020年预算执行率为99.86%[1]，接听率为95.2%[1]。",
            citations=[Citation(n=1, doc_id="d", title="t", page=2, quote="预算执行率为 99.86%。")],
            answerer="llm",
        )


def test_built_without_llm_is_deterministic(assistant):
    assert assistant.active_answerer == "deterministic"
    assert assistant.llm is None
    assert "未配置" in assistant.llm_status
    assert assistant.store is not None and assistant.toolbox is not None and assistant.settings is not None


def test_ask_returns_the_contract(assistant):
    a = assistant.ask("8890项目2020年预算执行率是多少？")
    assert a.conversation_id
    assert a.answerer == "deterministic" and a.grounded
    assert "99.86%" in a.answer
    assert any(c.page == 2 for c in a.citations)
    pub = a.public()
    assert {"conversation_id", "answer", "citations", "computations", "grounded", "answerer"} <= set(pub)
    assert "meta" not in pub


def test_conversation_is_stored_and_followups_resolve(assistant):
    first = assistant.ask("2020年接听量是多少？")
    cid = first.conversation_id
    second = assistant.ask("那2019年呢？", conversation_id=cid)
    assert second.conversation_id == cid
    assert "562.05" in second.answer
    turns = assistant.conversations.history(cid)
    assert [t.role for t in turns] == ["user", "assistant", "user", "assistant"]
    assert turns[-1].meta.get("citations"), "citations are stored with the turn"
    assert turns[-1].meta.get("years") == [2019]


def test_followup_of_score_rate_across_turns(assistant):
    first = assistant.ask("项目决策得了多少分？")
    second = assistant.ask("它的得分率呢？", conversation_id=first.conversation_id)
    assert "88.24%" in second.answer
    assert second.computations and second.computations[0].metric == "score_rate"


def test_llm_down_falls_back_to_deterministic(assistant):
    a = with_llm(assistant, DownLLM())
    assert a.active_answerer == "llm"
    ans = a.ask("坐席电话接听率是多少？")
    assert ans.answerer == "deterministic"
    assert "96.12%" in ans.answer
    assert "大模型" in ans.notes[0] and "connection refused" in ans.notes[0]


def test_llm_timeout_falls_back(assistant):
    a = with_llm(assistant, SlowLLM(), answer_timeout=0.5)
    t0 = time.perf_counter()
    ans = a.ask("话务岗工资福利支出是多少？")
    assert time.perf_counter() - t0 < 10  # did not wait for the 12 s LLM
    assert ans.answerer == "deterministic"
    assert "7937.43" in ans.answer
    assert "0.5" in ans.notes[0]


def test_llm_answer_is_grounded_by_the_facade(assistant):
    a = with_llm(assistant, InventingLLM())
    ans = a.ask("2020年预算执行率是多少？")
    assert ans.answerer == "llm"
    assert not ans.grounded
    assert "95.2%" in ans.ungrounded
    assert "99.86%" not in ans.ungrounded


def test_progress_events(assistant):
    events: list[ProgressEvent] = []
    assistant.ask("2020年受理量比2019年增长多少？", on_event=events.append)
    stages = [e.stage for e in events]
    assert stages.index("searching") < stages.index("computing") < stages.index("writing")
    calls = [e for e in events if e.stage == "tool" and e.tool == "compute_metric" and e.tool_output]
    assert calls and calls[0].tool_input["name"] == "growth_rate"


def test_document_scope_by_file_name(assistant):
    ans = assistant.ask("坐席电话接听率是多少？", document_ids=["policy_sample.pdf"])
    assert "96.12" not in ans.answer


@pytest.mark.parametrize("question", ["", "   ", "问" * 5000])
def test_bad_questions_are_refused_clearly(assistant, question):
    with pytest.raises(BadRequest) as err:
        assistant.ask(question)
    assert "问题" in str(err.value)


def test_unknown_document_is_not_found(assistant):
    from service.errors import NotFound

    with pytest.raises(NotFound):
        assistant.ask("预算执行率是多少？", document_ids=["no-such-document.pdf"])


def test_history_turns_from_store_are_turn_objects(assistant):
    a = assistant.ask("存在的主要问题有哪些？")
    turns = assistant.conversations.history(a.conversation_id)
    assert all(isinstance(t, Turn) for t in turns)
    assert turns[-1].meta.get("section") == "存在的主要问题"
