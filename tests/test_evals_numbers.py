"""Number reading and unit normalisation in the eval value check (Chinese formats).

The numbers come from the evals' own reader `evals.numbers` (never the product's extractor); these tests
pin down how the eval compares them with an expected value and unit."""

from __future__ import annotations

import pytest

from evals.checks import AnswerView, check_value, figures, normalize_text, number_matches, to_decimal


def passes(text: str, value: object, unit: str = "", **kw: object) -> bool:
    return check_value({"value": value, "unit": unit, **kw}, AnswerView(answer=text)).passed


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("预算执行率为99.86%。", 99.86, "%"),
        ("预算执行率为９９．８６％。", 99.86, "%"),  # full-width digits and percent sign
        ("调整后预算11,092.40万元", "11092.40", "万元"),  # thousands separator
        ("调整后预算１１，０９２．４０万元", 11092.4, "万元"),  # full-width thousands separator
        ("实际支出约1.107679亿元", 11076.79, "万元"),  # 亿元 -> 万元
        ("超预算89,300元", 8.93, "万元"),  # 元 -> 万元
        ("超预算8.93万元", 89300, "元"),  # 万元 -> 元
        ("受理1036.39万件", 10363900, "件"),  # 万件 -> 件
        ("接听量1012.36万次", 1012.36, "万次"),
        ("较均值−15.03%", -15.03, "%"),  # minus sign U+2212
        ("较均值下降15.03%", -15.03, "%"),  # a word of decrease carries the sign
        ("较均值降低了 15.03%", -15.03, "%"),
        ("月均流失率1.1%", "1.10", "%"),  # same value, fewer decimals
        ("共有865人", 865, "人"),
        ("额定人数1030名", 1030, "人"),  # 名 counts as 人
        ("得分92.37分", 92.37, "分"),
        ("决策17、过程23", 23, ""),  # no unit expected: any unit or none
        ("合计 7937.43", 7937.43, "万元"),  # a bare number is accepted for a non-rate unit
    ],
)
def test_value_found_after_normalisation(text: str, value: object, unit: str) -> None:
    assert passes(text, value, unit)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("预算执行率为108.59%。", 99.86, "%"),  # wrong figure
        ("预算执行率为99.86。", 99.86, "%"),  # a rate must carry %
        ("增长15.03%", -15.03, "%"),  # an increase is not a decrease
        ("超预算8.93元", 8.93, "万元"),  # wrong unit scale
        ("接听1012.36万次", 1012.36, "万件"),  # different quantity
        ("流失率下降59.53%", 59.56, "%"),  # full-precision value instead of the report's 59.56%
        ("2020年", 2020, ""),  # a year is not a figure
        ("见表1-1[2]", 2, ""),  # citation marks and references are not figures
    ],
)
def test_value_not_found(text: str, value: object, unit: str) -> None:
    assert not passes(text, value, unit)


def test_tolerance_is_in_expected_unit() -> None:
    assert passes("执行率99.8593%", 99.86, "%")
    assert not passes("执行率99.80%", 99.86, "%")
    assert passes("执行率99.80%", 99.86, "%", tolerance=0.1)
    assert passes("超预算89,250元", 8.93, "万元", tolerance=0.01)  # 0.01 万元 = 100 元


def test_failure_lists_numbers_seen() -> None:
    result = check_value(
        {"value": 99.86, "unit": "%"}, AnswerView(answer="执行率为108.59%，支出11076.79万元")
    )
    assert not result.passed
    assert "108.59%" in result.why and "11076.79万元" in result.why


def test_figures_skip_years_citations_and_references() -> None:
    found = [n.raw for n in figures("2020年预算执行率99.86%[1]，见表1-1，第3页。")]
    assert found == ["99.86%"]


def test_number_matches_uses_base_units() -> None:
    (n,) = figures("1.1万元")
    assert number_matches(n, to_decimal(11000), "元", to_decimal("0.5"), "1.1万元")
    assert not number_matches(n, to_decimal(11000), "%", to_decimal("0.5"), "1.1万元")


def test_normalize_text_folds_width_and_space() -> None:
    assert normalize_text("ＧＢ/Ｔ 33358 －2016（一）") == "GB/T33358-2016(一)"
    assert to_decimal("11,092.40") == to_decimal("11092.4")
    with pytest.raises(ValueError):
        to_decimal("abc")
