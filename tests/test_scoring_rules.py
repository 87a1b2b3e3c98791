"""Indicator scoring rules read from their wording (service/answer/operations/rule_text.py), scored
(service/metrics/scoring_rules.py), and what a given case scores by them (…/operations/rules.py). The rules below are written for these tests
in the usual shapes of 评分标准 (bands, a standard with a deduction per step, a proportion of the
weight); expected scores are worked out by hand in the comments, not by the module."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from pdfgen import deterministic_answerer

from service.answer.operations.rule_text import parse_rule
from service.metrics import compute
from service.metrics.errors import MetricError
from service.metrics.scoring_rules import AmbiguousRule, ScoringRule, score_by

BANDS = "会议费压减率≥20%,计4分;10%(含)-20%,计3分;5%(含)-10%,计2分;低于5%不得分。"
DEDUCT = "以100%为标准。政府采购执行率≥100%,计6分;每低于一个百分点扣0.4分,扣完为止。"
DEDUCT_UP = "培训费超支率≤0,计5分;培训费超支率>0,每超过一个百分点扣1分,扣完为止。"
PROPORTION = "按完成比例计算得分,满分为止。"
UNMARKED = "完成率90%-100%,计3分;80%-90%,计2分;低于80%不得分。"
LINEAR = (
    "指标得分=(1-5×非税收入退库金额/非税收入总额)×指标分值。若非税收入退库金额/非税收入总额>0.2,此项得0分。"
)


@pytest.mark.parametrize(
    ("rule", "value", "max_score", "expected"),
    [
        (BANDS, "25", None, "4"),  # ≥20%
        (BANDS, "20", None, "4"),  # 20% is in "≥20%", not in "10%(含)-20%" (its upper bound is open)
        (BANDS, "10", None, "3"),  # 10%(含)
        (BANDS, "7.5", None, "2"),
        (BANDS, "4.9", None, "0"),
        (DEDUCT, "100", None, "6"),
        (DEDUCT, "97", None, "4.8"),  # 3 points short: 6 − 3 × 0.4
        (DEDUCT, "80", None, "0"),  # 20 × 0.4 = 8 > 6: 扣完为止
        (DEDUCT_UP, "0", None, "5"),
        (DEDUCT_UP, "2", None, "3"),  # 5 − 2 × 1
        (PROPORTION, "92", "15", "13.8"),  # 15 × 92%
        (PROPORTION, "104", "15", "15"),  # 满分为止
        (LINEAR, "4", "10", "8"),  # 10 × (1 − 5 × 0.04)
        (LINEAR, "25", "10", "0"),  # 0.25 > 0.2: 此项得0分
    ],
)
def test_scores_by_the_rule_as_worded(rule: str, value: str, max_score: str | None, expected: str) -> None:
    parsed = parse_rule(rule)
    assert parsed is not None, rule
    score, _how = score_by(parsed, Decimal(value), Decimal(max_score) if max_score else None)
    assert score == Decimal(expected), (rule, value, score)


@pytest.mark.parametrize(
    "rule",
    [
        "无结余,3分;有结余,但不超过上年结转,2分;结余超过上年结转,不得分。",  # conditions in words
        "①已制定资金管理办法,1分;②相关制度得到有效执行,1分。",
        "指标得分=(1-10×调剂金额/年初预算数)×指标分值;完成的酌情加分。",  # a clause not understood
        "完成的得满分，未完成的酌情扣分。",
        "",
        "2023年度",
    ],
)
def test_a_rule_not_fully_understood_is_not_read(rule: str) -> None:
    assert parse_rule(rule) is None


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        (UNMARKED, "90"),  # 90% is a bound of two bands and neither says 含
        (DEDUCT, "97.5"),  # 2.5 points short: the rule does not say how half a step is taken
        ("按完成比例计算得分。", "104"),  # above 100% and the rule sets no cap
    ],
)
def test_a_value_the_rule_does_not_decide_is_refused(rule: str, value: str) -> None:
    parsed = parse_rule(rule)
    assert parsed is not None
    with pytest.raises(AmbiguousRule):
        score_by(parsed, Decimal(value), Decimal(10))


def test_metric_shows_its_working_and_refuses_what_it_cannot_read() -> None:
    rule = parse_rule(DEDUCT)
    assert rule is not None
    assert ScoringRule.from_dict(rule.to_dict()) == rule  # the structured form round-trips
    r = compute("rule_score", {"value": {"value": "97", "unit": "%"}, "rule": rule.to_dict()})
    assert r.display == "4.8分"
    assert "6 − 3 × 0.4" in r.formula, r.formula
    with pytest.raises(MetricError):  # words are not a rule: the metric scores structured rules only
        compute("rule_score", {"value": "5", "rule": "完成的得满分，未完成的酌情扣分。"})
    with pytest.raises(MetricError):  # malformed
        compute("rule_score", {"value": "5", "rule": {"bands": [{"low": {"value": "x"}}]}})
    proportion = parse_rule(PROPORTION)
    assert proportion is not None
    with pytest.raises(MetricError):  # a proportion needs the indicator's weight
        compute("rule_score", {"value": {"value": "90", "unit": "%"}, "rule": proportion.to_dict()})


def _scoring_table(path: Path) -> Path:
    """An indicator table written for this test: name, weight, rule, the rate's formula."""
    wb = Workbook()
    ws = wb.active
    ws.title = "评分表"
    rows = [
        ["示例区机关事务局整体支出绩效评价指标表"],
        ["一级指标", "三级指标", "分值", "评分标准", "指标说明", "得分"],
        ["过程", "政府采购执行率", 6, DEDUCT, "政府采购执行率=(实际采购金额/政府采购预算金额)×100%", 5],
        ["过程", "会议费压减率", 4, BANDS, "会议费压减率=[(上年会议费-本年会议费)/上年会议费]×100%", 3],
        ["产出", "维修项目完成率", 15, PROPORTION, "维修项目完成率=实际完成维修项目数*100%/计划维修项目数", 14],
        ["过程", "非税收入退库控制", 10, LINEAR, "按非税收入退库金额占非税收入总额的比例计分", 9],
    ]  # fmt: skip
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("rules")
    yield from deterministic_answerer(root / "data", [_scoring_table(root / "table.xlsx")])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected", "steps"),
    [
        # rate given: 97% is 3 points short of 100%: 6 − 3 × 0.4 = 4.8
        ("如果政府采购执行率是97%，这项能得几分？", "4.8分", ["6 − 3 × 0.4"]),
        # rate from the formula: 485 / 500 = 97%
        ("政府采购预算金额500万元，实际采购金额485万元，政府采购执行率能得几分？", "4.8分", ["485 ÷ 500"]),
        # (40 − 34) / 40 = 15% -> the 10%(含)-20% band
        (
            "上年会议费40万元，本年会议费34万元的话，会议费压减率能得几分？",
            "3分",
            ["40（上年会议费）− 34（本年会议费）", "6 ÷ 40"],
        ),
        # 18 / 20 = 90% of the weight 15 = 13.5
        ("计划维修项目数20个，实际完成维修项目数18个，维修项目完成率应该得几分？", "13.5分", ["15 × 90%"]),
        # a formula rule: 12 / 400 = 3%; 10 × (1 − 5 × 0.03) = 8.5
        ("非税收入总额400万元，退库金额12万元，非税收入退库控制能得几分？", "8.5分", ["10 × (1 − 5 × 0.03)"]),
    ],
)
def test_a_given_case_is_scored_by_the_documents_rule(
    scored, question: str, expected: str, steps: list[str]
) -> None:  # type: ignore[no-untyped-def]
    a = scored.answer(question, history=[])
    assert f"该项得{expected}" in a.answer, a.answer
    for step in steps:
        assert step in a.answer, (step, a.answer)
    assert a.citations and any("评分" in c.quote or "计" in c.quote for c in a.citations), a.citations
    assert a.computations[-1].metric == "rule_score"
    assert a.grounded, a.ungrounded


@pytest.mark.slow
def test_what_the_rule_does_not_decide_is_refused_not_guessed(scored) -> None:  # type: ignore[no-untyped-def]
    a = scored.answer("如果政府采购执行率是97.5%，这项能得几分？", history=[])
    assert a.answer.startswith("未找到"), a.answer
    assert "一个百分点" in a.answer or "不足一档" in a.answer, a.answer
    b = scored.answer("如果差旅费控制率是97%，这项能得几分？", history=[])
    assert b.answer.startswith("未找到") and "4.8" not in b.answer, b.answer


@pytest.mark.slow
def test_the_mean_of_a_named_column(scored) -> None:  # type: ignore[no-untyped-def]
    # the four indicators' 分值 6, 4, 15 and 10 (no total row in this table): 35 / 4 = 8.75
    a = scored.answer("四个指标的分值平均是多少？", history=[])
    assert "8.75" in a.answer and "(6 + 4 + 15 + 10) ÷ 4" in a.answer, a.answer
    assert len(a.citations) == 4 and a.computations[0].metric == "mean"
    # three asked, four in the column: refused, not averaged over what is there
    b = scored.answer("三个指标的分值平均是多少？", history=[])
    assert b.answer.startswith("未找到") and "8.75" not in b.answer, b.answer


@pytest.mark.slow
def test_the_highest_and_lowest_row_of_a_named_column(scored) -> None:  # type: ignore[no-untyped-def]
    # 分值: 政府采购执行率 6, 会议费压减率 4, 维修项目完成率 15, 非税收入退库控制 10
    a = scored.answer("哪个指标的分值最高？", history=[])
    assert "最高的是“" in a.answer and "维修项目完成率" in a.answer.split("；")[0], a.answer
    assert "15分" in a.answer.split("；")[0] and len(a.citations) == 4, a.answer
    b = scored.answer("分值最低的是哪个指标？", history=[])
    assert "会议费压减率" in b.answer.split("；")[0] and "4分" in b.answer.split("；")[0], b.answer


@pytest.mark.slow
def test_one_looked_up_figure_is_not_the_answer_to_which_is_lowest(scored) -> None:  # type: ignore[no-untyped-def]
    # a question the column reader does not take ("最低" with no 哪/谁) must not get one cell back
    a = scored.answer("得分最低多少？", history=[])
    assert not re.search(r"为\d", a.answer.split("已检索")[0]) or "最低的是" in a.answer, a.answer


@pytest.mark.slow
def test_the_gap_between_the_highest_and_the_lowest_row(scored) -> None:  # type: ignore[no-untyped-def]
    # 分值 15 (维修项目完成率) − 4 (会议费压减率) = 11
    a = scored.answer("哪个指标的分值最高？比最低的高出几分？", history=[])
    assert a.answer.split("\n")[0].endswith("为11分。"), a.answer
    assert (
        "15（产出·维修项目完成率）− 4" in a.answer
        and "维修项目完成率" in a.answer
        and "会议费压减率" in a.answer
    )
    assert a.computations[0].metric == "difference" and len(a.citations) == 2
