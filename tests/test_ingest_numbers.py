"""Exact number and unit parsing (ingest.numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.numbers import ParsedNumber, parse_number, unit_for_header, unit_in_label, units_of_unit_line


@pytest.mark.parametrize(
    ("raw", "value", "is_percent"),
    [
        ("11092.40", "11092.40", False),
        ("99.86%", "99.86", True),
        ("1,234.5", "1234.5", False),
        ("−15.03%", "-15.03", True),  # U+2212 MINUS SIGN
        ("-15.03%", "-15.03", True),
        ("－15.03％", "-15.03", True),  # full-width minus and percent
        ("１２３４．５６", "1234.56", False),  # full-width digits
        ("0%", "0", True),
        ("9", "9", False),
        (" 0.62 ", "0.62", False),
        ("(12.50)", "-12.50", False),
        ("19.45%⁴", "19.45", True),  # footnote mark on a figure
        ("+3.2", "3.2", False),
    ],
)
def test_parse_number(raw: str, value: str, is_percent: bool) -> None:
    parsed = parse_number(raw)
    assert parsed is not None
    assert (parsed.value, parsed.is_percent) == (value, is_percent)


@pytest.mark.parametrize(
    "raw", ["-", "—", "－", "", "  ", "/", "合计", "2020 年", "12,34", "1.2.3", "abc", "1e5"]
)
def test_not_a_number(raw: str) -> None:
    assert parse_number(raw) is None


def test_suffix_unit() -> None:
    assert parse_number("11092.4万元") == ParsedNumber("11092.4", False, "万元")
    assert parse_number("560 个") == ParsedNumber("560", False, "个")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9))
def test_decimal_text_round_trips(d: Decimal) -> None:
    text = f"{d:f}"
    parsed = parse_number(text)
    assert parsed is not None and parsed.value == text and Decimal(parsed.value) == d
    pct = parse_number(text + "%")
    assert pct is not None and pct.is_percent and pct.value == text


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_thousands_separators(n: int, cents: int) -> None:
    parsed = parse_number(f"{n:,}.{cents:02d}")
    assert parsed is not None and parsed.value == f"{n}.{cents:02d}"


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("接听量（万次）", "万次"),
        ("人工费用（万元）", "万元"),
        ("月均人员数量（人）", "人"),
        ("月均流失人数 ¹ （人）", "人"),
        ("金额(万元)", "万元"),
        ("月均人员流失率", ""),
        ("项目（一期）", ""),
    ],
)
def test_unit_in_label(label: str, unit: str) -> None:
    assert unit_in_label(label) == unit


def test_unit_lines() -> None:
    assert units_of_unit_line("单位：万元") == ["万元"]
    assert units_of_unit_line("单位：人、万元、年") == ["人", "万元", "年"]
    assert units_of_unit_line("（单位：元）") == ["元"]
    assert units_of_unit_line("表 1-1 预算执行情况明细表") == []


def test_unit_for_header_per_column() -> None:
    units = ["人", "万元", "年"]
    assert unit_for_header("2020 年末 人数", units) == "人"
    assert unit_for_header("2020 年月 均人数", units) == "人"
    assert unit_for_header("工资福利支出总额", units) == "万元"
    assert unit_for_header("其中： 保险", units) == "万元"
    assert unit_for_header("其中： 公积金", units) == "万元"
    assert unit_for_header("备注", units) == ""
    assert unit_for_header("随便什么", ["万元"]) == "万元"


def test_unit_for_header_volume_words_are_not_built_in() -> None:
    """A volume ("…量") takes 次 from a unit line that lists it, whatever is counted; 件 and 个 keep
    their own words (件数 is 件, 数量 is 个)."""
    units = ["万次", "万件", "个"]
    assert unit_for_header("培训量", units) == "万次"
    assert unit_for_header("办理件数", units) == "万件"
    assert unit_for_header("设备数量", units) == "个"
    assert unit_for_header("培训次数", ["人", "次"]) == "次"


def test_unit_for_header_reads_its_words_from_the_glossary(monkeypatch: pytest.MonkeyPatch) -> None:
    """No column word is built into the code: a glossary without 件数 leaves that column unsure."""
    import ingest.glossary

    real = ingest.glossary.load_glossary()
    assert unit_for_header("办理件数", ["万件", "个"]) == "万件"
    kinds = tuple((u, tuple(w for w in words if w != "件数")) for u, words in real.unit_kinds)

    class _Glossary:
        unit_kinds = kinds

    monkeypatch.setattr(ingest.glossary, "load_glossary", lambda: _Glossary())
    assert unit_for_header("办理件数", ["万件", "个"]) == ""
    assert unit_for_header("设备数量", ["万件", "个"]) == "个"
