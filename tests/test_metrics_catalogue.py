"""Every catalogue entry, with the sample report's own figures as expected results.

Expected values were checked by hand against `tests/fixtures/reference.txt` (the report rounds half-up
to 2 decimals; some of its changes are computed from rounded intermediates, tested as such).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.answer.models import Computation
from service.metrics import (
    REGISTRY,
    adjusted_budget,
    baseline_mean_of_ratios,
    baseline_ratio_of_totals,
    budget_execution_rate,
    budget_execution_rate_arrived_funds,
    budget_execution_rate_initial_budget,
    change_vs_baseline,
    completion_rate,
    compute,
    cost_per_10k_units,
    difference,
    funds_arrival_rate,
    funds_timeliness_rate,
    grade_for,
    growth_rate,
    multi_year_average,
    over_budget_amount,
    pass_rate,
    ratio,
    satisfaction_rate,
    score_rate,
    share,
    sum_check,
    target_completion_rate,
    total_score,
    unit_cost,
    value_from_change,
    year_on_year_change,
)

WAN = "万元"


def money(v: str) -> dict:
    return {"value": v, "unit": WAN}


def people(v: int | str) -> dict:
    return {"value": v, "unit": "人"}


# ---- budget ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spent", "budget", "display"),
    [
        ("11076.79", "11092.40", "99.86%"),  # 合计 row, and the text "预算执行率为 99.86%"
        ("9098.24", "9113.78", "99.83%"),  # 工资福利支出
        ("1978.55", "1969.62", "100.45%"),  # 商品和服务支出 (over budget: the rate may exceed 100%)
        ("0", "9", "0.00%"),  # 资本性支出
    ],
)
def test_budget_execution_rate_rows_of_table_1_1(spent: str, budget: str, display: str) -> None:
    r = budget_execution_rate(spent=money(spent), adjusted_budget=money(budget))
    assert r.display == display
    assert r.unit == "%"
    assert r.formula == f"{spent} ÷ {budget} × 100% = {display}"
    assert "调整后预算" in r.formula_words and "第三条" in r.source


def test_budget_execution_rate_keeps_full_precision() -> None:
    r = budget_execution_rate(spent="11076.79", adjusted_budget="11092.40")
    assert r.value == Decimal("11076.79") / Decimal("11092.40") * 100
    assert r.rounded == Decimal("99.86")
    assert r.places == 2 and "ROUND_HALF_UP" in r.rounding


def test_execution_rate_variants_are_named_by_denominator() -> None:
    initial = budget_execution_rate_initial_budget(spent="11076.79", initial_budget="10200.59")
    assert initial.display == "108.59%"
    assert initial.metric == "budget_execution_rate_initial_budget" and "年初预算" in initial.name_zh
    arrived = budget_execution_rate_arrived_funds(spent="11076.79", arrived_funds="11092.4")
    assert arrived.display == "99.86%" and "到位资金" in arrived.name_zh


def test_adjusted_budget_arithmetic_of_the_report() -> None:
    r = adjusted_budget(initial_budget=money("10200.59"), additions=money("913"), reductions=money("21.19"))
    assert r.display == "11092.40万元"
    assert r.formula == "10200.59 + 913 − 21.19 = 11092.40万元"
    assert adjusted_budget(initial_budget="100").display == "100万元"  # additions/reductions default 0


def test_funds_arrival_and_timeliness() -> None:
    assert funds_arrival_rate(arrived_funds="11092.4", budget="11092.40").display == "100.00%"
    assert funds_timeliness_rate(on_time_funds="11092.4", due_funds="11092.4").display == "100.00%"
    # 元 and 万元 are converted explicitly: 5546.2万元 of 1.109240亿元
    half = funds_arrival_rate(arrived_funds=money("5546.2"), budget={"value": "1.109240", "unit": "亿元"})
    assert half.display == "50.00%"


def test_over_budget_amount_of_goods_and_services() -> None:
    r = over_budget_amount(spent=money("1978.55"), budget=money("1969.62"))
    assert r.display == "8.93万元" and r.details["status"] == "超预算"
    under = over_budget_amount(spent=money("0"), budget=money("9"))
    assert under.display == "-9万元" and under.details["status"] == "结余"


# ---- change ------------------------------------------------------------------------------------


def test_growth_rate_of_cases_accepted() -> None:
    r = growth_rate(
        current={"value": "1036.39", "unit": "万件"}, previous={"value": "751.92", "unit": "万件"}
    )
    assert r.display == "37.83%"
    assert r.formula == "(1036.39 − 751.92) ÷ 751.92 × 100% = 37.83%"


def test_year_on_year_change_is_absolute() -> None:
    r = year_on_year_change(
        current={"value": "1036.39", "unit": "万件"}, previous={"value": "751.92", "unit": "万件"}
    )
    assert r.display == "284.47万件"


def test_multi_year_average_of_table_3() -> None:
    assert multi_year_average(values=[{"value": "562.05", "unit": "万次"}, "544.77"]).display == "553.41万次"
    assert multi_year_average(values=[money("6826.25"), money("4884.18")]).display == "5855.22万元"
    assert multi_year_average(values=[people(777), people(621)]).display == "699人"
    assert multi_year_average(values=[people(23), people(15)]).display == "19人"


def test_baseline_ratio_of_totals_is_what_the_report_uses() -> None:
    """2018–2019 单位人工成本 8.38 = 5855.22/699 = (6826.25+4884.18)/(777+621), not a mean of ratios."""
    kw = {"numerators": [money("6826.25"), money("4884.18")], "denominators": [people(777), people(621)]}
    totals = baseline_ratio_of_totals(**kw)
    mean = baseline_mean_of_ratios(**kw)
    assert totals.display == "8.38万元/人"
    assert mean.display == "8.33万元/人"
    assert totals.name_zh != mean.name_zh and "合计数之比" in totals.name_zh and "简单平均" in mean.name_zh
    assert "第六条" in totals.source
    # the same convention gives the 2018–2019 per-10k cost 10.58 and turnover 2.72%
    calls = [{"value": "562.05", "unit": "万次"}, {"value": "544.77", "unit": "万次"}]
    per10k = baseline_ratio_of_totals(numerators=kw["numerators"], denominators=calls)
    assert per10k.display == "10.58万元/万次"
    assert (
        baseline_mean_of_ratios(numerators=kw["numerators"], denominators=calls).display == "10.56万元/万次"
    )
    turnover = baseline_ratio_of_totals(
        numerators=[people(23), people(15)], denominators=[people(777), people(621)]
    )
    assert turnover.display == "2.72%"  # same kind of unit: a rate
    assert (
        baseline_mean_of_ratios(
            numerators=[people(23), people(15)], denominators=[people(777), people(621)]
        ).display
        == "2.69%"
    )


@pytest.mark.parametrize(
    ("current", "baseline", "display"),
    [
        ("8.99", "10.58", "-15.03%"),  # 每1万接听量人工成本, from the rounded figures the report prints
        ("10.01", "8.38", "19.45%"),  # 单位人工成本, likewise
    ],
)
def test_change_vs_baseline_from_rounded_intermediates(current: str, baseline: str, display: str) -> None:
    assert change_vs_baseline(current=current, baseline=baseline).display == display


def test_change_vs_baseline_at_full_precision_differs() -> None:
    per10k_2020 = cost_per_10k_units(
        cost=money("9098.24"), quantity={"value": "1012.36", "unit": "万次"}
    ).value
    per10k_base = baseline_ratio_of_totals(
        numerators=["6826.25", "4884.18"], denominators=["562.05", "544.77"]
    ).value
    assert change_vs_baseline(current=per10k_2020, baseline=per10k_base).display == "-15.06%"
    unit_2020 = unit_cost(cost=money("9098.24"), quantity=people(909)).value
    unit_base = baseline_ratio_of_totals(numerators=["6826.25", "4884.18"], denominators=["777", "621"]).value
    assert change_vs_baseline(current=unit_2020, baseline=unit_base).display == "19.49%"


# ---- rates -------------------------------------------------------------------------------------


def test_share_of_spending() -> None:
    assert share(part=money("1978.55"), total=money("11076.79")).display == "17.86%"
    assert share(part=money("7937.43"), total=money("9098.24")).display == "87.24%"


def test_a_rate_by_its_documents_formula_is_the_general_ratio() -> None:
    # a report's own rate (here answered ÷ received calls) has no metric of its own: the general ratio
    r = ratio(numerator={"value": "1012.36", "unit": "万次"}, denominator={"value": "1053.2", "unit": "万次"})
    assert r.display == "96.12%"
    assert r.formula == "1012.36 ÷ 1053.2 × 100% = 96.12%"
    # 万次 and 次 convert explicitly
    assert (
        ratio(
            numerator={"value": "10123600", "unit": "次"}, denominator={"value": "1053.2", "unit": "万次"}
        ).display
        == "96.12%"
    )


def test_completion_satisfaction_pass_rates() -> None:
    assert (
        pass_rate(passed={"value": 30, "unit": "条"}, total={"value": 30, "unit": "条"}).display == "100.00%"
    )
    assert completion_rate(completed=9473, total=10000).display == "94.73%"
    assert satisfaction_rate(satisfied=8755, total=10000).display == "87.55%"


def test_target_completion() -> None:
    assert target_completion_rate(actual="96.12%", target="90%").display == "106.80%"
    trainings = target_completion_rate(
        actual={"value": 33478, "unit": "人次"}, target={"value": 8000, "unit": "人次"}
    )
    assert trainings.display == "418.48%"  # 418.475 rounds half up


@pytest.mark.parametrize(
    ("leavers", "heads", "display"), [(10, 909, "1.10%"), (23, 777, "2.96%"), (15, 621, "2.42%")]
)
def test_a_monthly_rate_of_table_3_is_a_ratio(leavers: int, heads: int, display: str) -> None:
    assert ratio(numerator=leavers, denominator=heads).display == display


def test_reduction_vs_baseline_is_the_general_reduction() -> None:
    """(baseline − current) ÷ baseline: any line's reduction, here a training programme's drop-out rate."""
    from service.metrics import compute

    r = compute(
        "reduction_vs_baseline",
        {"current": {"value": "4.5", "unit": "%"}, "baseline": {"value": "6", "unit": "%"}},
    )
    assert r.display == "25.00%" and r.formula == "(6% − 4.5%) ÷ 6% × 100% = 25.00%"
    up = compute("reduction_vs_baseline", {"current": "7.5", "baseline": "6"})
    assert up.display == "-25.00%"  # a rise is a negative reduction


def test_reduction_against_a_baseline_both_conventions() -> None:
    from service.metrics import compute

    rounded = compute("reduction_vs_baseline", {"current": "1.10", "baseline": "2.72"})
    assert rounded.display == "59.56%"  # from the rounded rates, as the report
    full = compute(
        "reduction_vs_baseline",
        {
            "current": ratio(numerator=10, denominator=909).value,
            "baseline": baseline_ratio_of_totals(numerators=[23, 15], denominators=[777, 621]).value * 100,
        },
    )
    assert full.display == "59.53%"


# ---- costs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "heads", "display"),
    [("9098.24", 909, "10.01万元/人"), ("6826.25", 777, "8.79万元/人"), ("4884.18", 621, "7.87万元/人")],
)
def test_unit_cost_per_person(cost: str, heads: int, display: str) -> None:
    assert unit_cost(cost=money(cost), quantity=people(heads)).display == display


@pytest.mark.parametrize(
    ("cost", "calls", "display"),
    [("9098.24", "1012.36", "8.99"), ("6826.25", "562.05", "12.15"), ("4884.18", "544.77", "8.97")],
)
def test_cost_per_10k_calls(cost: str, calls: str, display: str) -> None:
    r = cost_per_10k_units(cost=money(cost), quantity={"value": calls, "unit": "万次"})
    assert r.display == f"{display}万元/万次"


def test_cost_per_10k_converts_plain_counts() -> None:
    r = cost_per_10k_units(cost=money("9098.24"), quantity={"value": "10123600", "unit": "次"})
    assert r.display == "8.99万元/万次"


# ---- scores ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "max_score", "display"),
    [
        ("15", "17", "88.24%"),
        ("19.50", "23", "84.78%"),
        ("38", "38", "100.00%"),
        ("19.87", "22", "90.32%"),
        ("92.37", "100", "92.37%"),
    ],
)
def test_score_rates_of_table_2(score: str, max_score: str, display: str) -> None:
    r = score_rate(score=score, max_score=max_score)
    assert r.display == display and "第五条" in r.source


def test_total_score_of_table_2() -> None:
    r = total_score(scores=["15", "19.50", "38", "19.87"], max_scores=[17, 23, 38, 22])
    assert r.display == "92.37分"
    assert r.details["max_total"] == 100


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("92.37", "优"),
        ("100", "优"),
        ("90", "优"),
        ("89.99", "良"),
        ("80", "良"),
        ("79.99", "中"),
        ("60", "中"),
        ("59.99", "差"),
        ("0", "差"),
    ],
)
def test_grade_bands_and_boundaries(score: str, grade: str) -> None:
    r = grade_for(score)
    assert r.value == grade and r.display == grade
    assert "第八条" in r.source and "财预〔2020〕10号" in r.source


def test_grade_rule_is_data() -> None:
    # another policy: 优 ≥ 85, 良 ≥ 75, 合格 ≥ 60, 不合格 below
    bands = [
        {"label": "优", "min": 85},
        {"label": "良", "min": 75},
        {"label": "合格", "min": 60},
        {"label": "不合格", "min": 0},
    ]
    assert grade_for("86", bands).value == "优"
    assert grade_for("84.99", bands).value == "良"
    assert grade_for("59", bands).value == "不合格"
    # an exclusive lower bound ("90分以上", 90 itself not included)
    assert grade_for("90", [("优", 90, False), ("良", 0)]).value == "良"


def test_grade_from_score_full_precision_not_display() -> None:
    # 89.995 displays as 90.00 but is still below 90
    assert grade_for("89.995").value == "良"


# ---- sums --------------------------------------------------------------------------------------


def test_sum_check_table_1_1_columns() -> None:
    r = sum_check(parts=[money("9113.78"), money("1969.62"), money("9")], stated_total=money("11092.40"))
    assert r.details["ok"] is True and r.display == "11092.40万元"
    r = sum_check(parts=["9098.24", "1978.55", "0"], stated_total="11076.79")
    assert r.details["ok"] is True


def test_sum_check_table_1_3_and_headcount() -> None:
    parts = [
        "178.06",
        "122.85",
        "0.62",
        "1052.50",
        "102.10",
        "130.38",
        "123.98",
        "1.19",
        "0.23",
        "166.53",
        "58.19",
        "41.92",
    ]
    assert sum_check(parts=parts, stated_total="1978.55").details["ok"] is True
    heads = [people(n) for n in (1, 13, 2, 1, 4, 3, 61, 780)]
    assert sum_check(parts=heads, stated_total=people(865)).details["ok"] is True
    assert sum_check(parts=heads, stated_total=people(866)).details["ok"] is False  # counts add exactly


def test_sum_check_reports_a_mismatch_without_correcting_it() -> None:
    r = sum_check(parts=["9098.24", "1988.55", "0"], stated_total="11076.79")
    assert r.details["ok"] is False
    assert r.details["difference"] == Decimal("10.00")
    assert r.details["stated_total"] == Decimal("11076.79")
    assert "不一致" in r.formula


def test_sum_check_tolerates_rounding() -> None:
    # three thirds of 100 shown as 33.33 each: the rounded parts miss the total by 0.01 (within 3 × 0.005)
    assert sum_check(parts=["33.33", "33.33", "33.33"], stated_total="100.00").details["ok"] is True
    assert sum_check(parts=["33.33", "33.33", "33.33"], stated_total="100.02").details["ok"] is False
    assert sum_check(parts=["33.334", "33.333", "33.333"], stated_total="100.00").details["ok"] is True
    assert sum_check(parts=["1", "2"], stated_total="3.5", tolerance="0.5").details["ok"] is True


# ---- differences and figures derived from a stated change ---------------------------------------


def test_difference_of_quota_and_headcount() -> None:
    # p4: 额定人数（1030 名）; 月均总人数为 909 人 — 名 and 人 are the same kind of unit
    r = difference(
        minuend={"value": 1030, "unit": "名", "label": "额定人数"},
        subtrahend={"value": 909, "unit": "人", "label": "月均人数"},
    )
    assert r.display == "121名" and r.value == 121
    assert r.formula == "1030（额定人数）− 909（月均人数）= 121名"
    assert "额定人数" in r.formula_words and "月均人数" in r.formula_words
    assert r.details["relation"] == "多于"


def test_difference_converts_to_the_first_unit_and_keeps_its_sign() -> None:
    r = difference(minuend=money("1969.62"), subtrahend={"value": "19785500", "unit": "元"})
    assert (
        r.display == "-8.93万元"
        and r.details["relation"] == "少于"
        and r.details["absolute"] == Decimal("8.93")
    )


def test_difference_of_two_rates_is_in_percentage_points() -> None:
    r = difference(minuend="96.12%", subtrahend="90%")  # 接听率 against the planned 90%
    assert r.display == "6.12%" and r.details["percentage_points"] is True
    assert "百分点" in r.formula


def test_value_from_a_stated_increase() -> None:
    # p4: 2020 年度累计开展培训 33478 人次 … 培训总数较 2019 年增加了 24445 人次
    r = value_from_change(current={"value": 33478, "unit": "人次"}, change={"value": 24445, "unit": "人次"})
    assert r.display == "9033人次"
    assert r.formula == "33478 − 24445 = 9033人次"
    assert r.details["direction"] == "增加"


def test_value_from_a_stated_decrease() -> None:
    # 受理量 1036.39 万件 "较上年减少了 284.47 万件" would mean the previous year had 1320.86 万件
    r = value_from_change(
        current={"value": "1036.39", "unit": "万件"}, change={"value": "-284.47", "unit": "万件"}
    )
    assert r.display == "1320.86万件" and r.formula == "1036.39 + 284.47 = 1320.86万件"
    assert r.details["direction"] == "减少"


def test_value_from_change_and_year_on_year_change_are_inverse() -> None:
    prev = value_from_change(current={"value": "1036.39", "unit": "万件"}, change="284.47")
    assert prev.display == "751.92万件"
    assert year_on_year_change(current="1036.39", previous=prev.value).display == "284.47"


# ---- every entry: computable by name, and a valid Computation ----------------------------------

SAMPLE_INPUTS: dict[str, dict] = {
    "adjusted_budget": {"initial_budget": "10200.59", "additions": "913", "reductions": "21.19"},
    "budget_execution_rate": {"spent": "11076.79", "adjusted_budget": "11092.40"},
    "budget_execution_rate_initial_budget": {"spent": "11076.79", "initial_budget": "10200.59"},
    "budget_execution_rate_arrived_funds": {"spent": "11076.79", "arrived_funds": "11092.4"},
    "funds_arrival_rate": {"arrived_funds": "11092.4", "budget": "11092.40"},
    "funds_timeliness_rate": {"on_time_funds": "11092.4", "due_funds": "11092.4"},
    "over_budget_amount": {"spent": "1978.55", "budget": "1969.62"},
    "growth_rate": {"current": "1036.39", "previous": "751.92"},
    "year_on_year_change": {"current": "1036.39", "previous": "751.92"},
    "difference": {"minuend": "1030", "subtrahend": "909"},
    "value_from_change": {"current": "33478", "change": "24445"},
    "change_vs_baseline": {"current": "10.01", "baseline": "8.38"},
    "multi_year_average": {"values": ["6826.25", "4884.18"]},
    "baseline_ratio_of_totals": {"numerators": ["6826.25", "4884.18"], "denominators": ["777", "621"]},
    "baseline_mean_of_ratios": {"numerators": ["6826.25", "4884.18"], "denominators": ["777", "621"]},
    "mean_of_ratios": {"numerators": ["90", "45"], "denominators": ["100", "50"]},
    "share": {"part": "1978.55", "total": "11076.79"},
    "ratio": {"numerator": "51", "denominator": "50"},
    "mean": {"values": ["96.5", "92", "91"]},
    "rule_score": {
        "value": {"value": "102", "unit": "%"},
        "rule": {
            "text": "以100%为标准，X≤100%计5分；每超过一个百分点扣0.5分，扣完为止",
            "percent": True,
            "bands": [
                {
                    "low": None,
                    "high": {"value": "100", "inclusive": True},
                    "points": "5",
                    "text": "X≤100%计5分",
                }
            ],
            "deduction": {
                "threshold": "100",
                "up": True,
                "step": "1",
                "per": "0.5",
                "text": "每超过一个百分点扣0.5分",
            },
        },
    },
    "completion_rate": {"completed": "9473", "total": "10000"},
    "satisfaction_rate": {"satisfied": "8755", "total": "10000"},
    "pass_rate": {"passed": "30", "total": "30"},
    "target_completion_rate": {"actual": "96.12", "target": "90"},
    "reduction_vs_baseline": {"current": "1.10%", "baseline": "2.72%"},
    "unit_cost": {"cost": "9098.24", "quantity": "909"},
    "per_unit": {"total": {"value": "210", "unit": "人次"}, "units": {"value": "24", "unit": "户"}},
    "cost_per_10k_units": {"cost": "9098.24", "quantity": "1012.36"},
    "score_rate": {"score": "15", "max_score": "17"},
    "execution_score": {"max_score": "10", "rate": "87.4"},
    "total_score": {"scores": ["15", "19.50", "38", "19.87"]},
    "grade_from_score": {"score": "92.37"},
    "sum_check": {"parts": ["9113.78", "1969.62", "9"], "stated_total": "11092.40"},
    "sum_of_parts": {"parts": ["5", "5", "5"]},
}

EXPECTED_DISPLAY = {
    "adjusted_budget": "11092.40万元",
    "budget_execution_rate": "99.86%",
    "budget_execution_rate_initial_budget": "108.59%",
    "budget_execution_rate_arrived_funds": "99.86%",
    "funds_arrival_rate": "100.00%",
    "funds_timeliness_rate": "100.00%",
    "over_budget_amount": "8.93万元",
    "growth_rate": "37.83%",
    "year_on_year_change": "284.47",
    "difference": "121",
    "value_from_change": "9033",
    "change_vs_baseline": "19.45%",
    "multi_year_average": "5855.22",
    "baseline_ratio_of_totals": "8.38",
    "baseline_mean_of_ratios": "8.33",
    "mean_of_ratios": "0.90",
    "share": "17.86%",
    "ratio": "102.00%",
    "mean": "93.17",
    "rule_score": "4分",
    "completion_rate": "94.73%",
    "satisfaction_rate": "87.55%",
    "pass_rate": "100.00%",
    "target_completion_rate": "106.80%",
    "reduction_vs_baseline": "59.56%",
    "unit_cost": "10.01万元",
    "per_unit": "8.75人次/户",  # 210 ÷ 24 = 8.75
    "cost_per_10k_units": "8.99万元/万",
    "score_rate": "88.24%",
    "execution_score": "8.74分",
    "total_score": "92.37分",
    "grade_from_score": "优",
    "sum_check": "11092.40",
    "sum_of_parts": "15",
}


def test_sample_inputs_cover_the_whole_catalogue() -> None:
    assert set(SAMPLE_INPUTS) == set(REGISTRY) == set(EXPECTED_DISPLAY)


@pytest.mark.parametrize("name", sorted(SAMPLE_INPUTS))
def test_compute_by_name_gives_a_valid_computation(name: str) -> None:
    r = compute(name, SAMPLE_INPUTS[name])
    assert r.display == EXPECTED_DISPLAY[name]
    comp = r.to_computation()
    assert set(comp) == set(Computation.model_fields)
    Computation.model_validate(comp)  # the answer contract accepts it as is
    assert comp["value"] not in ("NaN", "Infinity") and comp["formula"] and comp["name_zh"]
    assert r.display in r.formula or name == "grade_from_score"


def test_sources_travel_with_inputs() -> None:
    src = {
        "doc_id": "abc",
        "page": 2,
        "table": "表 1-1 预算执行情况明细表",
        "row": "合计",
        "column": "支出金额",
    }
    r = compute(
        "budget_execution_rate",
        {"spent": {"value": "11076.79", "unit": WAN, "source": src}, "adjusted_budget": "11092.40"},
    )
    inputs = r.to_computation()["inputs"]
    assert inputs[0]["source"] == src and inputs[0]["label"] == "实际支出" and inputs[0]["unit"] == WAN
    assert inputs[1]["source"] is None and inputs[1]["unit"] == WAN  # default unit of a money argument


def test_places_override() -> None:
    assert (
        compute("budget_execution_rate", SAMPLE_INPUTS["budget_execution_rate"], places=4).display
        == "99.8593%"
    )
    assert (
        compute("budget_execution_rate", SAMPLE_INPUTS["budget_execution_rate"], places=0).display == "100%"
    )


def test_sum_of_parts_adds_in_the_first_part_unit() -> None:
    from service.metrics import sum_of_parts

    assert sum_of_parts(parts=[money("3"), money("2.5"), money("0.25")]).display == "5.75万元"
    assert compute("sum_of_parts", {"parts": ["1", "2"]}).value == 3
