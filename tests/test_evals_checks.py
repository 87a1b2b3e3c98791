"""Every check type, on synthetic `Answer` objects shaped exactly like the answerers' output."""

from __future__ import annotations

from typing import Any

from evals.checks import AnswerView, check_refuse, is_refusal, run_checks
from evals.targets import answer_view
from service.answer.models import Answer, Citation, Computation

REPORT, POLICY = "report_2020_8890.pdf", "policy_sample.pdf"
DOC_IDS = {REPORT: "r" * 16, POLICY: "p" * 16}


def exec_rate_answer(**changes: Any) -> AnswerView:
    answer = Answer(
        answer="2020年预算执行率为99.86%[1]，按调整后预算计算：11076.79 ÷ 11092.40 × 100% = 99.86%。",
        citations=[
            Citation(n=1, doc_id=DOC_IDS[REPORT], title="报告", page=2, quote="预算执行率为99.86%"),
            Citation(n=2, doc_id=DOC_IDS[POLICY], title="细则", page=1, quote="第三条"),
        ],
        computations=[
            Computation(
                metric="budget_execution_rate",
                inputs=[
                    {"name": "spent", "label": "实际支出", "value": "11076.79", "unit": "万元"},
                    {"name": "adjusted_budget", "label": "调整后预算", "value": "11092.40", "unit": "万元"},
                ],
                formula="11076.79 ÷ 11092.40 × 100% = 99.86%",
                value="99.85927301575853737694277163",
                unit="%",
                display="99.86%",
            )
        ],
        grounded=True,
    )
    return answer_view(answer.model_copy(update=changes).model_dump())


def kinds(expect: dict[str, Any], view: AnswerView, question: str = "执行率？") -> list[tuple[str, bool]]:
    return [(c.kind, c.passed) for c in run_checks(expect, view, question=question, doc_ids=DOC_IDS)]


def test_value_check() -> None:
    view = exec_rate_answer()
    assert kinds({"value": {"value": 99.86, "unit": "%"}}, view) == [("value", True)]
    assert kinds({"value": {"value": 108.59, "unit": "%"}}, view) == [("value", False)]
    both = {"values": [{"value": 11076.79, "unit": ""}, {"value": 913, "unit": "万元"}]}
    assert kinds(both, view) == [("value", True), ("value", False)]


def test_citation_check_needs_doc_and_page() -> None:
    view = exec_rate_answer()
    assert kinds({"citations": [{"doc": REPORT, "page": 2}]}, view) == [("citation", True)]
    assert kinds({"citations": [{"doc": REPORT, "page": 3}]}, view) == [("citation", False)]
    assert kinds({"citations": [{"doc": REPORT, "page": [3, 2]}]}, view) == [("citation", True)]
    assert kinds({"citations": [{"doc": POLICY, "page": 2}]}, view) == [("citation", False)]
    # right page, wrong document
    wrong_doc = {"citations": [{"doc": POLICY, "page": 1}, {"doc": REPORT, "page": 1}]}
    assert kinds(wrong_doc, view) == [("citation", True), ("citation", False)]
    # a document the runner could not map to a doc_id
    (res,) = run_checks({"citations": [{"doc": "other.pdf", "page": 2}]}, view, question="", doc_ids=DOC_IDS)
    assert not res.passed and "other.pdf" in res.why


def test_metric_check_name_inputs_value() -> None:
    view = exec_rate_answer()
    ok = {"metric": {"name": "budget_execution_rate", "inputs": [11076.79, "11092.4"], "value": 99.86}}
    assert kinds(ok, view) == [("metric", True)]
    named = {"metric": {"name": "budget_execution_rate", "inputs": {"adjusted_budget": 11092.4}}}
    assert kinds(named, view) == [("metric", True)]
    initial = {"metric": {"name": "budget_execution_rate", "inputs": [11076.79, 10200.59]}}
    (res,) = run_checks(initial, view, question="", doc_ids=DOC_IDS)
    assert not res.passed and "10200.59" in res.why
    wrong_value = {"metric": {"name": "budget_execution_rate", "value": 108.59}}
    assert kinds(wrong_value, view) == [("metric", False)]
    other = {"metric": {"name": ["growth_rate", "year_on_year_change"]}}
    (res,) = run_checks(other, view, question="", doc_ids=DOC_IDS)
    assert not res.passed and "budget_execution_rate" in res.why
    # the same input value used twice must appear twice
    twice = {"metric": {"name": "budget_execution_rate", "inputs": [11092.4, 11092.4]}}
    assert kinds(twice, view) == [("metric", False)]


def test_contains_and_not_contains() -> None:
    view = exec_rate_answer(answer="执行率 ９９．８６ ％，按调整后预算计算")
    assert kinds({"contains": ["99.86%", {"re": "调整后\\s*预算"}]}, view) == [("contains", True)] * 2
    assert kinds({"contains": ["年初预算"]}, view) == [("contains", False)]
    assert kinds({"not_contains": ["108.59"]}, view) == [("not_contains", True)]
    assert kinds({"not_contains": [{"re": "99\\.8\\d"}]}, view) == [("not_contains", False)]


def test_refuse_check() -> None:
    q = "2021年该项目的预算执行率是多少？"
    good = answer_view(
        Answer(answer="未找到2021年的预算执行率：报告只覆盖2020年（已检索：2021 预算执行率）。").model_dump()
    )
    assert check_refuse(good, q).passed
    invented = answer_view(Answer(answer="未找到2021年的数据，估计约为99.86%。").model_dump())
    res = check_refuse(invented, q)
    assert not res.passed and "99.86%" in res.why
    answered = answer_view(Answer(answer="2021年预算执行率为99.86%[1]。").model_dump())
    res = check_refuse(answered, q)
    assert not res.passed and "没有说明未找到" in res.why
    # numbers the official wrote in the question do not count as stated figures
    echo = answer_view(Answer(answer="报告中没有找到92.5分对应的项目。").model_dump())
    assert check_refuse(echo, "92.5分的项目有哪些？").passed
    assert is_refusal("The report does not contain it: not found")
    assert not is_refusal("商品和服务支出超预算8.93万元，没有履行调整程序。")


def test_grounded_check() -> None:
    assert kinds({"grounded": True}, exec_rate_answer()) == [("grounded", True)]
    assert kinds({"grounded": True}, exec_rate_answer(grounded=False)) == [("grounded", False)]


def test_structured_checks_skip_without_structure() -> None:
    plain = AnswerView(answer="执行率为99.86%")
    expect = {
        "value": {"value": 99.86, "unit": "%"},
        "citations": [{"doc": REPORT, "page": 2}],
        "metric": {"name": "budget_execution_rate"},
        "grounded": True,
    }
    results = run_checks(expect, plain, question="", doc_ids=DOC_IDS)
    assert [(r.kind, r.skipped) for r in results] == [
        ("value", False),
        ("citation", True),
        ("metric", True),
        ("grounded", True),
    ]
    assert results[0].passed
