"""The runner over a scripted target (implements the Target protocol), the summary figures, the
report files, and the HTTP targets against a real localhost server speaking both APIs."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from evals.checks import AnswerView
from evals.gate import compare, make_baseline
from evals.report import render_markdown, write_outputs
from evals.runner import EvalRun, percentile, rank_of_first_relevant, run_cases, summarize
from evals.schema import parse_cases
from evals.targets import Conversation, JixiaoHttpTarget, OpenAITarget, RetrievedPage, split_endpoint

R = "report_2020_8890.pdf"
DOC_IDS = {R: "rid"}

CASES = parse_cases(
    {
        "documents": [R],
        "cases": [
            {
                "id": "exec",
                "question": "2020年预算执行率？",
                "tags": ["lookup", "critical"],
                "expect": {
                    "value": {"value": 99.86, "unit": "%"},
                    "citations": [{"doc": R, "page": 2}],
                    "grounded": True,
                },
            },
            {
                "id": "wrong",
                "question": "接听率？",
                "tags": ["lookup"],
                "expect": {"value": {"value": 96.12, "unit": "%"}, "citations": [{"doc": R, "page": 4}]},
            },
            {
                "id": "refuse",
                "question": "2021年执行率？",
                "tags": ["unanswerable"],
                "expect": {"refuse": True},
            },
            {
                "id": "conv",
                "turns": ["2020年接听量？", "2019年呢？"],
                "tags": ["followup"],
                "expect": {"value": {"value": 562.05, "unit": "万次"}},
            },
            {"id": "boom", "question": "爆炸？", "tags": ["lookup"], "expect": {"contains": ["x"]}},
        ],
    },
    "inline",
)

SCRIPT = {
    "2020年预算执行率？": {
        "answer": "预算执行率为99.86%[1]。",
        "citations": [{"n": 1, "doc_id": "rid", "page": 2}],
    },
    "接听率？": {"answer": "接听率为96.12%[1]。", "citations": [{"n": 1, "doc_id": "rid", "page": 5}]},
    "2021年执行率？": {"answer": "未找到2021年的预算执行率。"},
    "2020年接听量？": {"answer": "1012.36万次"},
}


class ScriptedTarget:
    """A target answering from a script; follow-ups read the conversation it keeps."""

    kind = "inprocess"
    label = "scripted"
    structured = True
    retrieval_source = "retriever"

    def __init__(self) -> None:
        self.asked: list[tuple[str | None, str]] = []
        self.retrieved: list[list[str] | None] = []  # the document_ids of each retrieve call

    def doc_ids(self, documents: Iterable[Path]) -> dict[str, str]:
        return DOC_IDS

    def ask(self, conversation: Conversation, question: str, *, document_ids: list[str] | None) -> AnswerView:
        self.asked.append((conversation.id, question))
        if question == "爆炸？":
            raise RuntimeError("answerer crashed")
        if question == "2019年呢？":
            assert conversation.id == "c-1", "a follow-up must go to the same conversation"
            data = {"answer": "2019年接听量为562.05万次[1]。"}
        else:
            data = SCRIPT[question]
        conversation.id = conversation.id or "c-1"
        return AnswerView(
            answer=data["answer"],
            citations=[{"title": "报告", "quote": "", **c} for c in data.get("citations", [])],
            computations=[],
            grounded=True,
            answerer="deterministic",
        )

    def retrieve(
        self, question: str, *, k: int, document_ids: list[str] | None = None
    ) -> list[RetrievedPage] | None:
        self.retrieved.append(document_ids)
        if document_ids:  # within its own document the evidence ranks higher
            return [("rid", 2, 3), ("rid", 4, 4)][:k]
        return [("rid", 1, 1), ("rid", 2, 3), ("rid", 4, 4)][:k]

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def results() -> list[dict[str, Any]]:
    return run_cases(CASES, ScriptedTarget(), DOC_IDS, progress=False)


def test_case_outcomes(results: list[dict[str, Any]]) -> None:
    by = {r["id"]: r for r in results}
    assert by["exec"]["passed"] and by["refuse"]["passed"] and by["conv"]["passed"]
    wrong = by["wrong"]
    assert not wrong["passed"]
    (cite,) = [c for c in wrong["turns"][0]["checks"] if c["kind"] == "citation"]
    assert not cite["passed"] and "第5页" in cite["why"]
    assert not by["boom"]["passed"] and "answerer crashed" in by["boom"]["error"]
    assert len(by["conv"]["turns"]) == 2


def test_retrieval_metrics(results: list[dict[str, Any]]) -> None:
    by = {r["id"]: r for r in results}
    assert by["exec"]["retrieval"]["rank"] == 2 and by["exec"]["retrieval"]["rr"] == 0.5
    assert by["exec"]["retrieval"]["hit_at_5"] and not by["exec"]["retrieval"]["hit_at_1"]
    assert by["wrong"]["retrieval"]["rank"] == 3
    assert by["conv"]["retrieval"] is None  # follow-ups are not retrieval queries
    assert rank_of_first_relevant([("x", 1, 1)], [("rid", [1])]) is None


def test_retrieval_is_measured_as_the_case_is_asked() -> None:
    """A scoped run ranks the evidence with the case's own documents as the scope (what the answer
    is built from), and also over every document with no scope; an unscoped case is asked with none."""
    cases = CASES[:2] + parse_cases(
        {
            "documents": [R],
            "cases": [
                {
                    "id": "named",
                    "question": "2020年预算执行率？",
                    "unscoped": True,
                    "tags": ["lookup"],
                    "expect": {"citations": [{"doc": R, "page": 2}]},
                }
            ],
        },
        "inline",
    )
    target = ScriptedTarget()
    results = run_cases(cases, target, DOC_IDS, progress=False, scoped=True)
    by = {r["id"]: r["retrieval"] for r in results}
    assert (by["exec"]["rank"], by["exec"]["scoped"], by["exec"]["all_documents"]["rank"]) == (1, True, 2)
    assert (by["wrong"]["rank"], by["wrong"]["all_documents"]["rank"]) == (2, 3)
    assert (by["named"]["rank"], by["named"]["scoped"], by["named"]["all_documents"]["rank"]) == (2, False, 2)
    assert target.retrieved.count(["rid"]) == 2 and target.retrieved.count(None) == 3
    s = summarize(results)
    assert (s["retrieval"]["hit_at_1"], s["retrieval"]["hit_at_5"]) == (pytest.approx(33.33), 100.0)
    assert (s["retrieval"]["all_documents"]["hit_at_1"], s["retrieval"]["all_documents"]["cases"]) == (0.0, 3)
    assert s["retrieval"]["unscoped_questions"]["cases"] == 1


def test_suite_table_shows_hit_at_1_and_5_per_set_and_mode(results: list[dict[str, Any]]) -> None:
    from evals.suite import SuiteRun, suite_markdown

    summary = summarize(results, retrieval_source="retriever")
    suite = SuiteRun(
        runs={
            "corpus/separate": EvalRun(results=results, summary=summary),
            "corpus/shared": EvalRun(
                results=results[:1], summary=summarize(results[:1], retrieval_source="")
            ),
        }
    )
    table = suite_markdown(suite)
    assert "| hit@1 | hit@5 | all docs hit@1 | all docs hit@5 |" in table
    separate = next(line for line in table.splitlines() if line.startswith("| corpus/separate"))
    assert separate.endswith("| 0.0% | 100.0% | 0.0% | 100.0% |")


def test_summary(results: list[dict[str, Any]]) -> None:
    s = summarize(results, retrieval_source="retriever")
    assert (s["cases"], s["passed"], s["pass_rate"]) == (5, 3, 60.0)
    assert s["tags"]["lookup"] == {"passed": 1, "total": 3, "rate": 33.33}
    assert s["numeric_accuracy"] == {"passed": 3, "total": 3, "rate": 100.0}
    assert s["citation_accuracy"] == {"passed": 1, "total": 2, "rate": 50.0}
    assert s["refusal_accuracy"]["rate"] == 100.0 and s["false_refusals"]["count"] == 0
    assert s["retrieval"]["hit_at_1"] == 0.0  # evidence second and third: in the top 5, never first
    assert s["retrieval"]["hit_at_5"] == 100.0 and s["retrieval"]["mrr"] == pytest.approx(
        (0.5 + 1 / 3) / 2, abs=1e-4
    )
    assert s["errors"] == 1 and s["seconds_per_question"]["questions"] == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == 10 and percentile([], 95) is None


def test_report_files_and_gate(results: list[dict[str, Any]], tmp_path: Path) -> None:
    run = EvalRun(results=results, summary=summarize(results), meta={"target": "scripted"})
    gate = compare(run.to_json(), make_baseline(run.to_json()))
    assert gate.passed, gate.failures  # the same run against its own baseline: nothing dropped
    results_path, report_path = write_outputs(run, tmp_path, gate)
    data = json.loads(results_path.read_text(encoding="utf-8"))
    assert {c["id"] for c in data["cases"]} == {c.id for c in CASES}
    wrong = next(c for c in data["cases"] if c["id"] == "wrong")
    assert wrong["turns"][0]["answer"] and wrong["turns"][0]["checks"][1]["why"]
    md = report_path.read_text(encoding="utf-8")
    assert "`wrong`" in md and "citation" in md and "| lookup | 3 | 1 | 33.3% |" in md
    assert md == render_markdown(run, gate)


# ---------------------------------------------------------------- HTTP targets, real localhost server


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, body: Any) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            self._send(200, {"data": [{"id": "jixiao"}]})
        elif self.path == "/api/v1/documents":
            self._send(200, [{"doc_id": "served-id", "path": f"/srv/{R}", "title": "报告"}])
        else:
            self._send(404, {"error": "no"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.headers.get("Authorization") != "Bearer k":
            self._send(401, {"error": {"message": "bad key"}})
        elif self.path == "/api/v1/chat":
            self._send(
                200,
                {
                    "conversation_id": "cv",
                    "answer": "预算执行率为99.86%[1]。",
                    "grounded": True,
                    "citations": [{"n": 1, "doc_id": "served-id", "title": "报告", "page": 2, "quote": "q"}],
                    "computations": [],
                    "answerer": "deterministic",
                },
            )
        elif self.path == "/v1/chat/completions":
            n = len(body["messages"])
            self._send(200, {"choices": [{"message": {"role": "assistant", "content": f"第{n}条：99.86%"}}]})
        else:
            self._send(404, {"error": "no"})


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_split_endpoint() -> None:
    assert split_endpoint("http://h:8000") == ("jixiao", "http://h:8000")
    assert split_endpoint("http://h:8000/api/v1/chat") == ("jixiao", "http://h:8000")
    assert split_endpoint("http://h:8000/v1/chat/completions") == ("openai", "http://h:8000")
    assert split_endpoint("http://h:8000/v1/") == ("openai", "http://h:8000")


def test_jixiao_endpoint_target(server: str) -> None:
    target = JixiaoHttpTarget(server, api_key="k")
    target_ids = target.doc_ids([Path("tests/fixtures") / R])
    assert target_ids == {R: "served-id"}  # the served listing wins over the local content hash
    results = run_cases(CASES[:1], target, target_ids, progress=False)
    assert results[0]["passed"], results[0]
    assert results[0]["retrieval"]["source"] == "citations" and results[0]["retrieval"]["rank"] == 1
    sent = _Handler.seen[-1]
    assert sent["path"] == "/api/v1/chat" and sent["body"]["message"] == CASES[0].question
    bad = JixiaoHttpTarget(server, api_key="wrong")
    (res,) = run_cases(CASES[:1], bad, target_ids, progress=False)
    assert not res["passed"] and "401" in res["error"]
    target.close()
    bad.close()


def test_openai_endpoint_target_skips_structured_checks(server: str) -> None:
    target = OpenAITarget(server, api_key="k")
    assert target.model == "jixiao"
    results = run_cases([CASES[0], CASES[3]], target, DOC_IDS, progress=False)
    exec_case, _conv = results
    kinds = {c["kind"]: c for c in exec_case["turns"][0]["checks"]}
    assert kinds["value"]["passed"] and kinds["citation"]["skipped"] and kinds["grounded"]["skipped"]
    assert exec_case["passed"] and exec_case["retrieval"] is None
    # the conversation history is sent back with each turn
    assert _Handler.seen[-1]["body"]["messages"][0]["content"] == "2020年接听量？"
    assert len(_Handler.seen[-1]["body"]["messages"]) == 3
    s = summarize(results, retrieval_source=target.retrieval_source)
    assert s["skipped_checks"] == {"citation": 1, "grounded": 1}
    run = EvalRun(
        results=results,
        summary=s,
        meta={"target": target.label, "skipped_check_kinds": ["citation", "grounded"]},
    )
    assert "skipped checks" in render_markdown(run)
    target.close()


def test_missing_documents_are_named(tmp_path: Path) -> None:
    from evals.runner import resolve_documents
    from ingest.errors import BadDocument

    with pytest.raises(BadDocument) as err:
        resolve_documents(["report_2020_8890.pdf", "absent.pdf"], tmp_path)
    assert "absent.pdf" in str(err.value) and "--documents-dir" in str(err.value)
