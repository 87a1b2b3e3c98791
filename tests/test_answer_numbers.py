"""Number extraction from Chinese answer text: values, units, scales and which numbers are exempt."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.answer.numbers import extract_numbers


def only(text: str):
    found = extract_numbers(text)
    assert len(found) == 1, found
    return found[0]


def figures(text: str) -> list[str]:
    return [n.raw for n in extract_numbers(text) if n.checkable]


@pytest.mark.parametrize(
    ("text", "value", "unit", "base_unit", "base_value"),
    [
        ("预算执行率为99.86%。", "99.86", "%", "%", "0.9986"),
        ("超预算8.93万元", "8.93", "万元", "元", "89300"),
        ("即89300元", "89300", "元", "元", "89300"),
        ("约1.2亿元", "1.2", "亿元", "元", "120000000"),
        ("接听562.05 万次", "562.05", "万次", "次", "5620500"),
        ("共计1,036.39万件", "1036.39", "万件", "件", "10363900"),
        ("合同制员工865人", "865", "人", "人", "865"),
        ("培训33478人次", "33478", "人次", "人次", "33478"),
        ("下降−15.03%", "-15.03", "%", "%", "-0.1503"),
        ("下降-15.03%", "-15.03", "%", "%", "-0.1503"),
        ("得分９２．３７分", "92.37", "分", "分", "92.37"),
        ("受理量１，０３６．３９万件", "1036.39", "万件", "件", "10363900"),
        ("约1.1万", "1.1", "万", "", "11000"),
        ("降低0.5个百分点", "0.5", "个百分点", "百分点", "0.5"),
    ],
)
def test_value_unit_and_scale(text: str, value: str, unit: str, base_unit: str, base_value: str) -> None:
    n = only(text)
    assert n.value == Decimal(value)
    assert n.unit == unit
    assert n.base_unit == base_unit
    assert n.base_value == Decimal(base_value)
    assert n.kind == "figure"
    assert text[n.start : n.end] == n.raw


def test_decimals_shown_are_kept() -> None:
    assert only("1.10%").decimals == 2
    assert only("1.1%").decimals == 1
    assert only("909人").decimals == 0


def test_approximate_markers() -> None:
    assert only("约855篇").approx
    assert only("1000余人").approx
    assert only("近1.1万件").approx
    assert only("1000人左右").approx
    assert not only("855篇").approx


def test_full_width_comma_separates_list_items() -> None:
    assert [n.value for n in extract_numbers("分别为621，777，909人")] == [
        Decimal(621),
        Decimal(777),
        Decimal(909),
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2020年", "year"),
        ("2020 年度", "year"),
        ("〔2020〕", "year"),
        ("5月", "date"),
        ("20日", "date"),
        ("[1]", "citation"),
        ("【2】", "citation"),
        ("第3页", "reference"),
        ("表3", "reference"),
        ("津政令第18号", "reference"),
        ("GB/T 33358", "reference"),
        ("12345政务服务", "reference"),
        ("8890项目", "reference"),
        ("“8890”", "reference"),
    ],
)
def test_exempt_kinds(text: str, kind: str) -> None:
    assert extract_numbers(text)[0].kind == kind


def test_ranges_take_the_unit_of_their_end() -> None:
    found = extract_numbers("2018-2019年均值为10.58万元，1-12月考评，80~90分为良")
    assert [(n.raw, n.kind) for n in found] == [
        ("2018", "year"),
        ("2019年", "year"),
        ("10.58万元", "figure"),
        ("1", "date"),
        ("12月", "date"),
        ("80", "figure"),
        ("90分", "figure"),
    ]
    assert found[3].unit == "月" and found[5].unit == "分"


def test_list_markers_and_table_numbers_are_not_figures() -> None:
    text = "1.项目背景\n2、主要内容\n(1)坐席电话接听率为96.12%[1]\n（2）见表1-2，话务岗7937.43万元"
    assert figures(text) == ["96.12%", "7937.43万元"]


def test_a_decimal_at_line_start_is_a_figure_not_a_marker() -> None:
    assert figures("1.1%为2020年月均流失率") == ["1.1%"]


def test_sums_in_running_text() -> None:
    assert figures("10200.59 + 913 − 21.19 = 11092.40") == ["10200.59", "913", "21.19", "11092.40"]


def test_words_that_begin_with_a_unit_character_are_not_units() -> None:
    found = extract_numbers("共有5600坐席，3项指标，得分92.37分别为")
    assert [(n.raw, n.unit, n.kind) for n in found] == [
        ("5600", "", "figure"),  # a bare count before a noun is still a figure to verify
        ("3项", "项", "figure"),
        ("92.37", "", "figure"),
    ]


def test_chinese_numerals_are_not_extracted() -> None:
    assert extract_numbers("存在四个问题，位列第二名") == []


def test_no_numbers() -> None:
    assert extract_numbers("") == []
    assert extract_numbers("未找到相关内容。") == []


def test_digits_quoted_as_a_name_are_a_name_wherever_they_recur() -> None:
    """No hotline word is built in: “8890” in quotes names something, so 8890 before any word of the
    same text is that name too; unquoted and unnamed elsewhere, the same digits stay a figure."""
    found = extract_numbers("开通“8890”服务平台。拨打8890热线的群众增多")
    assert [(n.raw, n.kind) for n in found] == [("8890", "reference"), ("8890", "reference")]
    assert [n.kind for n in extract_numbers("拨打8890热线的群众增多")] == ["figure"]
