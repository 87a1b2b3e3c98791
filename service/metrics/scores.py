"""Scores: score rate, total score from dimension scores, grade from a score."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service.metrics._build import HUNDRED, align_all, build, divide, places_of, txt
from service.metrics.errors import MissingInput, OutOfRange
from service.metrics.grades import grade_rule_from
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult

POLICY = "《示例市项目支出绩效评价实施细则（测试用样本）》"


@metric(
    name="score_rate",
    name_zh="得分率",
    name_en="Score rate",
    description="指标得分率＝指标得分÷指标分值×100%。Score / maximum score x 100%.",
    source=f"{POLICY}第五条",
    args=[
        ArgSpec("score", "得分", "指标得分 score", unit_class="score", default_unit="分"),
        ArgSpec("max_score", "分值", "指标分值（满分）maximum score", unit_class="score", default_unit="分"),
    ],
)
def score_rate(score: MetricInput, max_score: MetricInput, places: int | None) -> MetricResult:
    if score.value > max_score.value:
        raise OutOfRange(
            f"得分 {score.text} 超过分值 {max_score.text}",
            f"score {score.text} exceeds the maximum {max_score.text}",
            field="score",
        )
    value = divide(score.value, max_score.value, what_zh="分值", what_en="max_score") * HUNDRED
    return build(
        "score_rate",
        value=value,
        unit="%",
        places=2 if places is None else places,
        formula=f"{score.text} ÷ {max_score.text} × 100% = {{display}}",
        symbols="得分 ÷ 分值 × 100%",
        words="指标得分率等于指标得分除以指标分值再乘以100%",
        inputs=[score, max_score],
    )


@metric(
    name="total_score",
    name_zh="总分",
    name_en="Total score",
    description="总分＝各一级指标得分之和；给出 max_scores 时逐项检查得分不超过分值。Sum of dimension scores.",
    args=[
        ArgSpec(
            "scores",
            "得分",
            "各指标得分 dimension scores",
            kind="quantity_list",
            unit_class="score",
            default_unit="分",
        ),
        ArgSpec(
            "max_scores",
            "分值",
            "各指标分值（可选，用于检查）maximum scores",
            kind="quantity_list",
            unit_class="score",
            default_unit="分",
            required=False,
        ),
    ],
)
def total_score(
    scores: list[MetricInput], max_scores: list[MetricInput] | None, places: int | None
) -> MetricResult:
    values, unit = align_all(scores)
    if max_scores is not None:
        if len(max_scores) != len(scores):
            raise MissingInput(
                f"得分与分值个数不一致：{len(scores)} 与 {len(max_scores)}",
                f"scores and max_scores differ in length: {len(scores)} vs {len(max_scores)}",
            )
        for s, m in zip(scores, max_scores, strict=True):
            if s.value > m.value:
                raise OutOfRange(
                    f"第 {scores.index(s) + 1} 项得分 {s.text} 超过分值 {m.text}",
                    f"score {s.text} exceeds its maximum {m.text}",
                    field=s.name,
                )
    value = sum(values, Decimal(0))
    return build(
        "total_score",
        value=value,
        unit=unit,
        places=places_of(*values) if places is None else places,
        formula=f"{' + '.join(txt(v) for v in values)} = {{display}}",
        symbols="得分₁ + 得分₂ + … + 得分ₙ",
        words="总分等于各一级指标得分之和",
        inputs=[*scores, *(max_scores or [])],
        details={"max_total": sum((m.value for m in max_scores), Decimal(0)) if max_scores else None},
    )


@metric(
    name="grade_from_score",
    name_zh="评价等级",
    name_en="Grade from score",
    description=(
        "按评级规则由总分确定等级；默认：90分（含）以上为“优”，80分（含）至90分为“良”，60分（含）至80分为“中”，"
        "60分以下为“差”。得分按原值判定，不先舍入。Grade by band rule; default 优>=90, 良>=80, 中>=60, 差<60."
    ),
    source=f"{POLICY}第八条（与财政部《项目支出绩效评价管理办法》（财预〔2020〕10号）四档划分相同）",
    args=[
        ArgSpec("score", "总分", "评价总分 total score", unit_class="score", default_unit="分"),
        ArgSpec(
            "bands",
            "评级规则",
            "评级档次（可选）：[{label, min, include_min}]，默认优90/良80/中60/差",
            kind="bands",
            required=False,
        ),
    ],
)
def grade_from_score(score: MetricInput, bands: Any, places: int | None) -> MetricResult:
    rule = grade_rule_from(bands)
    if score.value > rule.max_score:
        raise OutOfRange(
            f"总分 {score.text} 超过满分 {rule.max_score}",
            f"score {score.text} exceeds the maximum {rule.max_score}",
            field="score",
        )
    band = rule.grade(score.value)
    op = "≥" if band.include_min else ">"
    return build(
        "grade_from_score",
        value=band.label,
        unit="",
        places=0 if places is None else places,
        formula=f"{score.text} {op} {band.min} → {band.label}",
        symbols="总分所在档次 → 等级",
        words=f"评价等级按档次确定：{rule.describe()}",
        inputs=[score],
        details={
            "grade": band.label,
            "band_min": band.min,
            "include_min": band.include_min,
            "rule": [{"label": b.label, "min": b.min, "include_min": b.include_min} for b in rule.bands],
            "rule_source": rule.source,
        },
    )


def grade_for(score: Any, bands: Any = None) -> MetricResult:
    """The grade of `score` under `bands` (None = the default rule). Raises MetricError."""
    return grade_from_score(score=score, bands=bands)
