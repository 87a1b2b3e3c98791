"""Property tests: the arithmetic identities every metric must keep."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from service.metrics import (
    REGISTRY,
    budget_execution_rate,
    change_vs_baseline,
    compute,
    difference,
    grade_for,
    growth_rate,
    score_rate,
    sum_check,
    value_from_change,
    year_on_year_change,
)
from service.metrics.units import convert

amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False
)
nonneg = st.decimals(
    min_value=Decimal(0), max_value=Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False
)
money_units = st.sampled_from(["元", "万元", "亿元"])


@given(amounts)
def test_growth_of_a_value_against_itself_is_zero(a: Decimal) -> None:
    r = growth_rate(current=a, previous=a)
    assert r.value == 0 and r.display == "0.00%"
    assert change_vs_baseline(current=a, baseline=a).value == 0


@given(nonneg, amounts)
def test_execution_rate_times_budget_gives_spending(spent: Decimal, budget: Decimal) -> None:
    rate = budget_execution_rate(spent=spent, adjusted_budget=budget).value
    assert abs(rate * budget / 100 - spent) <= Decimal("1e-18") * max(spent, Decimal(1))


@given(
    st.lists(
        st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=2), min_size=1, max_size=30
    )
)
def test_sum_check_of_a_list_equals_its_sum(parts: list[Decimal]) -> None:
    total = sum(parts, Decimal(0))
    r = sum_check(parts=parts, stated_total=total)
    assert r.value == total and r.details["ok"] is True and r.details["difference"] == 0
    off = sum_check(parts=parts, stated_total=total + 1)  # one whole unit off: beyond rounding for ≤30 parts
    assert off.details["ok"] is False


@given(nonneg, money_units, money_units)
def test_money_conversion_round_trips(value: Decimal, a: str, b: str) -> None:
    assert convert(convert(value, a, b), b, a) == value


@given(nonneg, money_units, money_units, amounts)
def test_rates_do_not_depend_on_the_money_unit(spent: Decimal, a: str, b: str, budget: Decimal) -> None:
    direct = budget_execution_rate(
        spent={"value": spent, "unit": a}, adjusted_budget={"value": convert(budget, "万元", a), "unit": a}
    )
    mixed = budget_execution_rate(
        spent={"value": spent, "unit": a}, adjusted_budget={"value": convert(budget, "万元", b), "unit": b}
    )
    assert direct.display == mixed.display


@given(st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2))
def test_grade_is_monotone_and_total(score: Decimal) -> None:
    order = ["差", "中", "良", "优"]
    g = grade_for(score).value
    assert g in order
    higher = min(score + Decimal("0.01"), Decimal(100))
    assert order.index(grade_for(higher).value) >= order.index(g)


@given(
    st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2),
    st.decimals(min_value=Decimal(1), max_value=Decimal(100), places=0),
)
def test_score_rate_between_0_and_100(score: Decimal, max_score: Decimal) -> None:
    if score <= max_score:
        v = score_rate(score=score, max_score=max_score).value
        assert 0 <= v <= 100


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2))
def test_a_reduction_of_equal_rates_is_zero(rate: Decimal) -> None:
    assert compute("reduction_vs_baseline", {"current": rate, "baseline": rate}).value == 0


@given(st.sampled_from(sorted(REGISTRY)), st.integers(min_value=0, max_value=6))
def test_display_matches_value_for_every_metric(name: str, places: int) -> None:
    from test_metrics_catalogue import SAMPLE_INPUTS

    r = compute(name, SAMPLE_INPUTS[name], places=places)
    if not isinstance(r.value, str):
        assert r.display.startswith(format(r.rounded, "f"))
        assert abs(r.rounded - r.value) <= Decimal("0.5").scaleb(-places)


signed = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2)


@given(signed, signed)
def test_difference_is_antisymmetric_and_zero_on_itself(a: Decimal, b: Decimal) -> None:
    assert difference(minuend=a, subtrahend=b).value == -difference(minuend=b, subtrahend=a).value
    assert difference(minuend=a, subtrahend=a).value == 0
    assert difference(minuend=a, subtrahend=b).details["absolute"] == abs(a - b)


@given(nonneg, money_units, money_units, nonneg)
def test_difference_does_not_depend_on_the_second_unit(a: Decimal, u1: str, u2: str, b: Decimal) -> None:
    direct = difference(minuend={"value": a, "unit": u1}, subtrahend={"value": b, "unit": u1})
    other = difference(minuend={"value": a, "unit": u1}, subtrahend={"value": convert(b, u1, u2), "unit": u2})
    assert direct.value == other.value


@given(nonneg, nonneg)
def test_value_from_change_inverts_year_on_year_change(previous: Decimal, current: Decimal) -> None:
    change = current - previous
    derived = value_from_change(
        current={"value": current, "unit": "人次"}, change={"value": change, "unit": "人次"}
    )
    assert derived.value == previous
    assert year_on_year_change(current=current, previous=derived.value).value == change
