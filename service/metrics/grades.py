"""Grade bands as data, and the grade of a score under a rule.

The default rule is the one in the test policy fixture `tests/fixtures/policy_sample.pdf`,
《示例市项目支出绩效评价实施细则（测试用样本）》第八条: 90分（含）以上为“优”；80分（含）至90分为“良”；
60分（含）至80分为“中”；60分以下为“差”. Real rule sets use the same four bands, e.g. 财政部
《项目支出绩效评价管理办法》（财预〔2020〕10号）. Another policy's bands are configured by passing a
`GradeRule` (or a list of {"label", "min", "include_min"}) — no code change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.metrics._inputs import to_decimal
from service.metrics.errors import BadGradeRule


@dataclass(frozen=True)
class GradeBand:
    label: str
    min: Decimal  # lower bound of the band
    include_min: bool = True  # "90分（含）以上": a score equal to `min` is in this band

    def contains_lower(self, score: Decimal) -> bool:
        return score >= self.min if self.include_min else score > self.min


@dataclass(frozen=True)
class GradeRule:
    """Bands from the highest down; a score gets the first band whose lower bound it meets."""

    bands: tuple[GradeBand, ...]
    source: str
    max_score: Decimal = Decimal(100)

    def describe(self) -> str:
        parts = []
        upper: GradeBand | None = None
        for band in self.bands:
            low = f"{band.min}分（{'含' if band.include_min else '不含'}）"
            if band.min <= 0 and upper is not None:
                parts.append(f"{upper.min}分以下为“{band.label}”")
            elif upper is None:
                parts.append(f"{low}以上为“{band.label}”")
            else:
                parts.append(f"{low}至{upper.min}分为“{band.label}”")
            upper = band
        return "；".join(parts)

    def grade(self, score: Decimal) -> GradeBand:
        for band in self.bands:
            if band.contains_lower(score):
                return band
        raise BadGradeRule(
            f"评级规则未覆盖得分 {score}（最低档下限为 {self.bands[-1].min}）",
            f"the grade rule does not cover score {score} (lowest band starts at {self.bands[-1].min})",
        )


DEFAULT_GRADE_RULE = GradeRule(
    bands=(
        GradeBand("优", Decimal(90)),
        GradeBand("良", Decimal(80)),
        GradeBand("中", Decimal(60)),
        GradeBand("差", Decimal(0)),
    ),
    source=(
        "《示例市项目支出绩效评价实施细则（测试用样本）》第八条（与财政部《项目支出绩效评价管理办法》"
        "（财预〔2020〕10号）的四档划分相同）"
    ),
)


def grade_rule_from(bands: GradeRule | Iterable[Any] | None) -> GradeRule:
    """A GradeRule from a rule, a list of {"label", "min", "include_min"?} / (label, min) items, or None."""
    if bands is None:
        return DEFAULT_GRADE_RULE
    if isinstance(bands, GradeRule):
        return bands
    if isinstance(bands, str | bytes | Mapping):
        raise BadGradeRule(
            '评级规则应为档次列表，如 [{"label": "优", "min": 90}, …]',
            'grade bands must be a list such as [{"label": "优", "min": 90}, ...]',
        )
    parsed: list[GradeBand] = []
    for item in bands:
        if isinstance(item, GradeBand):
            parsed.append(item)
            continue
        if isinstance(item, Mapping):
            label, low, inc = item.get("label"), item.get("min"), item.get("include_min", True)
        elif isinstance(item, list | tuple) and len(item) in (2, 3):
            label, low, inc = item[0], item[1], item[2] if len(item) == 3 else True
        else:
            raise BadGradeRule(f"无法识别的评级档次：{item!r}", f"cannot read grade band {item!r}")
        if not label or not isinstance(label, str):
            raise BadGradeRule("评级档次缺少名称 label", "a grade band has no label")
        value, _ = to_decimal(low, field=f"bands.{label}.min")
        parsed.append(GradeBand(label, value, bool(inc)))
    if not parsed:
        raise BadGradeRule("评级规则为空", "the grade rule has no bands")
    ordered = tuple(sorted(parsed, key=lambda b: b.min, reverse=True))
    mins = [b.min for b in ordered]
    if len(set(mins)) != len(mins):
        raise BadGradeRule("评级档次的下限重复", "two grade bands share a lower bound")
    return GradeRule(bands=ordered, source="调用方提供的评级规则 caller-supplied bands")
