"""Suggested questions come from the loaded documents, and jixiao can answer every one of them."""

from __future__ import annotations

import httpx
import pytest
from api_server import live_server

from service.suggestions import suggest_questions


def _ids(store, kind: str) -> list[str]:
    return [d.doc_id for d in store.list_documents() if d.status == "ok" and d.kind == kind]


def test_suggestions_follow_the_documents(sample_store) -> None:
    everything = suggest_questions(sample_store, limit=20)
    assert "2020年预算执行率是多少？" in everything  # 表1-1 has a 预算执行率 column, the report is of 2020
    assert "评价得分和等级是多少？" in everything  # 表2 has 得分率
    assert "报告指出了哪些主要问题？" in everything  # the report has the section
    assert any(q.startswith("按《示例市项目支出绩效评价实施细则") for q in everything)
    only_policy = suggest_questions(sample_store, doc_ids=_ids(sample_store, "policy"))
    assert only_policy and all("细则" in q for q in only_policy)
    assert len(suggest_questions(sample_store, limit=3)) == 3


def test_every_suggestion_is_answerable(sample_settings, sample_store) -> None:
    from service.answer.deterministic import DeterministicAnswerer
    from service.search.retrieval import Retriever
    from service.tools import Toolbox

    answerer = DeterministicAnswerer(Toolbox(sample_store, Retriever(sample_store, sample_settings)))
    for question in suggest_questions(sample_store, limit=20):
        answer = answerer.answer(question, history=[], document_ids=None, on_event=None)
        assert "未找到" not in answer.answer, (question, answer.answer)
        # every answer rests on evidence: cited passages, or the report check's own item list
        assert answer.citations or "复核" in answer.answer, question


@pytest.fixture
def app(data_dir_copy):
    from service.api.app import create_app
    from service.config import Settings

    return create_app(Settings(data_dir=data_dir_copy))


def test_suggestions_endpoint(app) -> None:
    with live_server(app) as server:
        body = httpx.get(f"{server.url}/api/v1/suggestions", timeout=60).json()
        assert "2020年预算执行率是多少？" in body["questions"]
        docs = httpx.get(f"{server.url}/api/v1/documents", timeout=60).json()["documents"]
        policy = next(d["doc_id"] for d in docs if d["kind"] == "policy")
        only = httpx.get(
            f"{server.url}/api/v1/suggestions", params={"document_ids": policy}, timeout=60
        ).json()
        assert only["questions"] and all("细则" in q for q in only["questions"])
