"""Indicator scoring rules (评分标准 / 计分标准) as data, and a value scored by them.

An evaluation's indicator table states, for each indicator, how its score is given. Three shapes
cover most numeric rules, and a rule is read only when every clause of it is understood:

- bands: "X=0，计3分；0-10%（含），计2分；10-20%（含），计1分；大于30%不得分";
- a standard and a deduction per step: "以100%为标准。X≤100%，计5分；每超过一个百分点扣0.5分，扣完为止",
  "100%计满分，每低于5%扣2分，扣完为止";
- a proportion of the weight: "按完成比例计算得分，满分为止" (分值 × 完成率, capped when it says so).

The rule arrives structured (`ScoringRule.to_dict()`): reading it from a document's words is the
answerer's job (service/answer/operations/rule_text.py, with glossary.yaml `scoring_rules`), so this
module stays pure. A value on a boundary the rule does not mark
（含 / 不含), a deduction for part of a step, or a value above 100% under a proportion the rule does not
cap is not decided here: the metric refuses (`AmbiguousRule`) and says why, never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.metrics._build import HUNDRED, build
from service.metrics.errors import MetricError
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult


class UnreadableRule(MetricError):
    """The text is not a numeric scoring rule this module can read."""

    code = "unreadable_rule"


class AmbiguousRule(MetricError):
    """The rule is read, but it does not decide this value (an unmarked boundary, part of a step)."""

    code = "ambiguous_rule"


@dataclass(frozen=True)
class Bound:
    value: Decimal
    inclusive: bool | None  # None: the rule does not say


@dataclass(frozen=True)
class Band:
    low: Bound | None
    high: Bound | None
    points: Decimal | None  # None: full marks (the indicator's 分值)
    text: str

    def contains(self, v: Decimal) -> bool | None:
        """True / False, or None when `v` sits on a bound whose inclusion the rule leaves open."""
        unsure = False
        for bound, below in ((self.low, False), (self.high, True)):
            if bound is None:
                continue
            if v == bound.value:
                if bound.inclusive is None:
                    unsure = True
                elif not bound.inclusive:
                    return False
            elif (v > bound.value) if below else (v < bound.value):
                return False
        return None if unsure else True


@dataclass(frozen=True)
class Deduction:
    threshold: Decimal
    up: bool  # points are taken when the value exceeds the threshold (else when it falls short)
    step: Decimal  # per this many percentage points (or units)
    per: Decimal  # points taken per step
    text: str


@dataclass(frozen=True)
class Linear:
    """得分 = 分值 × (base − factor × r), r a ratio (0.06 for 6%); 0 when r exceeds `zero_above`."""

    base: Decimal
    factor: Decimal
    zero_above: Decimal | None
    text: str


@dataclass(frozen=True)
class ScoringRule:
    text: str
    bands: tuple[Band, ...] = ()
    deduction: Deduction | None = None
    proportional: bool = False
    capped: bool = False
    percent: bool = False  # the rule's figures are percentages
    linear: Linear | None = None

    def needs_max(self) -> bool:
        return self.proportional or self.linear is not None or any(b.points is None for b in self.bands)

    def to_dict(self) -> dict[str, Any]:
        def bound(b: Bound | None) -> dict[str, Any] | None:
            return None if b is None else {"value": str(b.value), "inclusive": b.inclusive}

        d = self.deduction
        return {
            "text": self.text,
            "percent": self.percent,
            "proportional": self.proportional,
            "capped": self.capped,
            "bands": [
                {
                    "low": bound(b.low),
                    "high": bound(b.high),
                    "points": None if b.points is None else str(b.points),
                    "text": b.text,
                }
                for b in self.bands
            ],
            "deduction": None
            if d is None
            else {
                "threshold": str(d.threshold),
                "up": d.up,
                "step": str(d.step),
                "per": str(d.per),
                "text": d.text,
            },
            "linear": None
            if self.linear is None
            else {
                "base": str(self.linear.base),
                "factor": str(self.linear.factor),
                "zero_above": None if self.linear.zero_above is None else str(self.linear.zero_above),
                "text": self.linear.text,
            },
        }

    @staticmethod
    def from_dict(raw: Any) -> ScoringRule:
        """A rule from `to_dict`'s shape; `UnreadableRule` when it is not one."""
        try:

            def bound(b: Any) -> Bound | None:
                if b is None:
                    return None
                inc = b.get("inclusive")
                if inc is not None and not isinstance(inc, bool):
                    raise TypeError("inclusive")
                return Bound(Decimal(str(b["value"])), inc)

            d = raw.get("deduction")
            lin = raw.get("linear")
            rule = ScoringRule(
                text=str(raw.get("text", "")),
                bands=tuple(
                    Band(
                        bound(b.get("low")),
                        bound(b.get("high")),
                        None if b.get("points") is None else Decimal(str(b["points"])),
                        str(b.get("text", "")),
                    )
                    for b in raw.get("bands") or []
                ),
                deduction=None
                if d is None
                else Deduction(
                    Decimal(str(d["threshold"])),
                    bool(d["up"]),
                    Decimal(str(d["step"])),
                    Decimal(str(d["per"])),
                    str(d.get("text", "")),
                ),
                proportional=bool(raw.get("proportional", False)),
                capped=bool(raw.get("capped", False)),
                percent=bool(raw.get("percent", False)),
                linear=None
                if lin is None
                else Linear(
                    Decimal(str(lin["base"])),
                    Decimal(str(lin["factor"])),
                    None if lin.get("zero_above") is None else Decimal(str(lin["zero_above"])),
                    str(lin.get("text", "")),
                ),
            )
        except (AttributeError, KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise UnreadableRule(
                f"评分标准的结构不完整或有误（{type(exc).__name__}）",
                "the scoring rule's structure is malformed",
            ) from None
        if not (rule.proportional or rule.deduction or rule.linear or len(rule.bands) >= 2):
            raise UnreadableRule(
                "评分标准既无分档、也无扣分或按比例规则", "the rule has no bands, deduction or proportion"
            )
        if rule.deduction is not None and (rule.deduction.step <= 0 or len(rule.bands) != 1):
            raise UnreadableRule(
                "扣分规则的档距或满分档有误", "a deduction rule needs a positive step and one full band"
            )
        return rule


def txt(v: Decimal) -> str:
    """A figure as written, without trailing zeros: 5.00 -> "5", 0.50 -> "0.5"."""
    return format(v.normalize(), "f") if v == v else str(v)


def score_by(rule: ScoringRule, value: Decimal, max_score: Decimal | None) -> tuple[Decimal, str]:
    """(score, how) for `value` (percent points when the rule is in percent) under `rule`."""
    if rule.needs_max() and max_score is None:
        raise AmbiguousRule(
            "该评分标准按满分或分值计分，但没有给出该指标的分值",
            "the rule scores against full marks, but the indicator's weight is not given",
        )
    if rule.linear is not None:
        assert max_score is not None
        lin = rule.linear
        r = value / HUNDRED  # the value arrives in percent: 6 (%) is the ratio 0.06
        if lin.zero_above is not None and r > lin.zero_above:
            return Decimal(0), f"{txt(r)}超过{txt(lin.zero_above)}，此项得0分"
        score = max_score * (lin.base - lin.factor * r)
        if score < 0 or score > max_score:
            raise AmbiguousRule(
                f"按公式算出{txt(score)}分，超出0至{txt(max_score)}分，评分标准没有说明如何处理",
                "the formula gives a score outside 0..weight and the rule does not say what then",
            )
        return score, f"{txt(max_score)} × ({txt(lin.base)} − {txt(lin.factor)} × {txt(r)})"
    if rule.proportional:
        assert max_score is not None
        if value > HUNDRED and not rule.capped:
            raise AmbiguousRule(
                f"{txt(value)}%超过100%，而评分标准没有说明超过部分如何计分",
                "the value exceeds 100% and the rule does not say how that scores",
            )
        used = min(value, HUNDRED)
        cap = "（满分为止，超过100%按100%计）" if value > HUNDRED else ""
        return max_score * used / HUNDRED, f"{txt(max_score)} × {txt(used)}%{cap}"
    unit = "%" if rule.percent else ""
    if rule.deduction is not None:
        d = rule.deduction
        full = rule.bands[0].points if rule.bands[0].points is not None else max_score
        if full is None:
            raise AmbiguousRule("评分标准没有说明满分是多少", "the rule does not state full marks")
        gap = (value - d.threshold) if d.up else (d.threshold - value)
        word = "超过" if d.up else "低于"
        if gap <= 0:
            return full, f"{txt(value)}{unit}未{word}{txt(d.threshold)}{unit}，得满分{txt(full)}分"
        steps = gap / d.step
        if steps != steps.to_integral_value():
            raise AmbiguousRule(
                f"{txt(value)}{unit}{word}{txt(d.threshold)}{unit}共{txt(gap)}，不是整{txt(d.step)}个百分点，"
                "评分标准没有说明不足一档的部分如何扣分",
                "the gap is not a whole number of steps and the rule does not say how a part step is scored",
            )
        taken = steps * d.per
        score = max(full - taken, Decimal(0))
        floor = "，扣完为止" if full - taken < 0 else ""
        pp = "个百分点" if rule.percent else ""
        return score, (
            f"{txt(value)}{unit}{word}{txt(d.threshold)}{unit}共{txt(gap)}{pp}，每{txt(d.step)}{pp}扣{txt(d.per)}分："
            f"{txt(full)} − {txt(steps)} × {txt(d.per)}{floor}"
        )
    sure = [b for b in rule.bands if b.contains(value) is True]
    unsure = [b for b in rule.bands if b.contains(value) is None]
    if len(sure) > 1 and len({b.points for b in sure}) > 1:
        raise AmbiguousRule(
            f"{txt(value)}{unit}同时落在评分标准的几档里（{'；'.join(b.text for b in sure)}）",
            "the value falls in several bands of the rule",
        )
    if not sure:
        if unsure:
            raise AmbiguousRule(
                f"{txt(value)}{unit}正好在分档的界点上，评分标准没有写明该界点含不含在内（{'；'.join(b.text for b in unsure)}）",
                "the value sits on a band boundary the rule does not mark as included or excluded",
            )
        raise AmbiguousRule(
            f"评分标准的各档没有覆盖{txt(value)}{unit}", "no band of the rule covers the value"
        )
    band = sure[0]
    points = band.points if band.points is not None else max_score
    assert points is not None
    return points, f"{txt(value)}{unit}属于“{band.text}”一档"


@metric(
    name="rule_score",
    name_zh="按评分标准计分",
    name_en="Score by the stated rule",
    description=(
        "按文档所列评分标准（分档、标准值加每档扣分、按完成比例）为给定的值计分；规则或该值不能确定得分时拒绝。"
        "Scores a value by an indicator's scoring rule as the document states it (bands, a standard with a "
        "deduction per step, or a proportion of the weight); refuses when the rule does not decide the value."
    ),
    args=[
        ArgSpec("value", "评分对象的值", "the value scored (a rate in %, or a count)", unit_class="any"),
        ArgSpec(
            "rule",
            "评分标准",
            "the rule, structured (ScoringRule.to_dict: bands, deduction, proportion)",
            kind="rule",
        ),
        ArgSpec(
            "max_score",
            "分值",
            "the indicator's weight (full marks)",
            unit_class="score",
            default_unit="分",
            required=False,
        ),
    ],
)
def rule_score(
    value: MetricInput, rule: Any, max_score: MetricInput | None, places: int | None
) -> MetricResult:
    parsed = ScoringRule.from_dict(rule) if isinstance(rule, dict) else None
    if parsed is None:
        raise UnreadableRule(
            "评分标准应为结构化的规则（分档、扣分或按比例）", "the rule must be a structured rule"
        )
    text = parsed.text
    if parsed.percent and value.unit not in ("%", "") and value.value != 0:
        raise AmbiguousRule(
            f"评分标准按百分比计分，给定的值单位是“{value.unit}”", "the rule is in percent, the value is not"
        )
    score, how = score_by(parsed, value.value, max_score.value if max_score else None)
    exponent = score.normalize().as_tuple().exponent
    shown = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return build(
        "rule_score",
        value=score,
        unit="分",
        places=min(shown, 2) if places is None else places,
        formula=f"{how} = {{display}}",
        symbols="得分 = 评分标准(值)",
        words=f"按评分标准“{' '.join(text.split())[:120]}”计分",
        inputs=[value, *([max_score] if max_score else [])],
        details={"rule": text},
    )
