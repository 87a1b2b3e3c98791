"""Bad input gets a MetricError with a Chinese and an English message — never NaN, inf or a silent 0."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.metrics import (
    BadGradeRule,
    BadNumber,
    MetricError,
    MissingInput,
    NegativeValue,
    OutOfRange,
    UnexpectedInput,
    UnitMismatch,
    UnknownMetric,
    ZeroDenominator,
    compute,
    grade_for,
)


def _bilingual(err: MetricError) -> None:
    assert err.message_zh and err.message_en
    assert str(err) == f"{err.message_zh} / {err.message_en}"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message_zh)
    d = err.to_dict()
    assert d["code"] == err.code and d["message"] == str(err)


@pytest.mark.parametrize(
    ("name", "inputs", "error"),
    [
        ("budget_execution_rate", {"spent": "100", "adjusted_budget": "0"}, ZeroDenominator),
        ("growth_rate", {"current": "5", "previous": 0}, ZeroDenominator),
        ("unit_cost", {"cost": "9098.24", "quantity": "0"}, ZeroDenominator),
        ("baseline_ratio_of_totals", {"numerators": ["1", "2"], "denominators": ["0", "0"]}, ZeroDenominator),
        ("baseline_mean_of_ratios", {"numerators": ["1", "2"], "denominators": ["3", "0"]}, ZeroDenominator),
        ("reduction_vs_baseline", {"current": "1.1", "baseline": "0"}, ZeroDenominator),
        (
            "difference",
            {"minuend": {"value": "1030", "unit": "人"}, "subtrahend": {"value": "909", "unit": "万元"}},
            UnitMismatch,
        ),
        ("difference", {"minuend": "1030"}, MissingInput),
        (
            "value_from_change",
            {"current": {"value": "33478", "unit": "人次"}, "change": {"value": "24445", "unit": "万元"}},
            UnitMismatch,
        ),
        (
            "value_from_change",
            {"current": {"value": "100", "unit": "人次"}, "change": {"value": "150", "unit": "人次"}},
            OutOfRange,
        ),
        ("value_from_change", {"current": "-5", "change": "1"}, NegativeValue),
        ("budget_execution_rate", {"spent": "100"}, MissingInput),
        ("budget_execution_rate", {"spent": "100", "adjusted_budget": None}, MissingInput),
        ("budget_execution_rate", {"spent": {"unit": "万元"}, "adjusted_budget": "1"}, MissingInput),
        ("baseline_ratio_of_totals", {"numerators": ["1", "2"], "denominators": ["3"]}, MissingInput),
        ("multi_year_average", {"values": []}, MissingInput),
        ("multi_year_average", {"values": "12"}, MissingInput),
        ("budget_execution_rate", {"spent": "-5", "adjusted_budget": "100"}, NegativeValue),
        ("unit_cost", {"cost": "100", "quantity": "-3"}, NegativeValue),
        ("score_rate", {"score": "-1", "max_score": "17"}, NegativeValue),
        (
            "budget_execution_rate",
            {"spent": {"value": "5", "unit": "人"}, "adjusted_budget": "100"},
            UnitMismatch,
        ),
        (
            "sum_check",
            {"parts": [{"value": "5", "unit": "万元"}, {"value": "3", "unit": "人"}], "stated_total": "8"},
            UnitMismatch,
        ),
        (
            "share",
            {"part": {"value": "5", "unit": "万次"}, "total": {"value": "9", "unit": "万件"}},
            UnitMismatch,
        ),
        (
            "budget_execution_rate",
            {"spent": {"value": "5", "unit": "美元"}, "adjusted_budget": "100"},
            UnitMismatch,
        ),
        ("budget_execution_rate", {"spent": "abc", "adjusted_budget": "100"}, BadNumber),
        ("budget_execution_rate", {"spent": "12万元", "adjusted_budget": "100"}, BadNumber),
        ("budget_execution_rate", {"spent": float("nan"), "adjusted_budget": "100"}, BadNumber),
        ("budget_execution_rate", {"spent": float("inf"), "adjusted_budget": "100"}, BadNumber),
        ("budget_execution_rate", {"spent": Decimal("NaN"), "adjusted_budget": "100"}, BadNumber),
        ("budget_execution_rate", {"spent": True, "adjusted_budget": "100"}, BadNumber),
        ("budget_execution_rate", {"spent": [1], "adjusted_budget": "100"}, BadNumber),
        ("budget_execution_rate", {"spent": {"value": 1, "note": "x"}, "adjusted_budget": "100"}, BadNumber),
        ("budget_execution_rate", {"spent": "1", "budget": "100", "adjusted_budget": "100"}, UnexpectedInput),
        ("no_such_metric", {}, UnknownMetric),
        ("share", {"part": "1100", "total": "1053.2"}, OutOfRange),
        ("score_rate", {"score": "18", "max_score": "17"}, OutOfRange),
        ("total_score", {"scores": ["18", "1"], "max_scores": ["17", "23"]}, OutOfRange),
        ("grade_from_score", {"score": "100.5"}, OutOfRange),
        ("grade_from_score", {"score": "50", "bands": [{"label": "优", "min": 90}]}, BadGradeRule),
        ("grade_from_score", {"score": "95", "bands": {"优": 90}}, BadGradeRule),
        (
            "grade_from_score",
            {"score": "95", "bands": [{"label": "优", "min": 90}, {"label": "良", "min": 90}]},
            BadGradeRule,
        ),
    ],
)
def test_errors(name: str, inputs: dict, error: type[MetricError]) -> None:
    with pytest.raises(error) as info:
        compute(name, inputs)
    _bilingual(info.value)


def test_inputs_must_be_an_object() -> None:
    with pytest.raises(MissingInput):
        compute("growth_rate", ["1", "2"])  # type: ignore[arg-type]


def test_unknown_metric_lists_the_catalogue() -> None:
    with pytest.raises(UnknownMetric) as info:
        compute("execution_rate", {})
    assert "budget_execution_rate" in str(info.value)


def test_bad_places() -> None:
    with pytest.raises(UnexpectedInput):
        compute("growth_rate", {"current": 2, "previous": 1}, places=-1)


def test_floats_are_read_through_their_text() -> None:
    r = compute("budget_execution_rate", {"spent": 0.1, "adjusted_budget": 0.3})
    assert r.inputs[0].value == Decimal("0.1")  # not 0.1000000000000000055511151231257827…
    assert r.display == "33.33%"


def test_strings_with_separators_and_percent() -> None:
    r = compute(
        "adjusted_budget", {"initial_budget": "10,200.59", "additions": "９１３", "reductions": " 21.19 "}
    )
    assert r.display == "11092.40万元"
    r = compute("target_completion_rate", {"actual": "96.12%", "target": "90%"})
    assert r.inputs[0].unit == "%" and r.display == "106.80%"


def test_grade_for_rejects_text() -> None:
    with pytest.raises(BadNumber):
        grade_for("优秀")
