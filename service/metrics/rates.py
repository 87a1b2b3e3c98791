"""Rates of a part over a whole: share, a ratio by a document's own formula, completion /
satisfaction / pass rates, target completion. (A rate one report defines, such as its call-answer or
staff-turnover rate, is the general `ratio` of the figures its formula names.)"""

from __future__ import annotations

from service.metrics._build import align, simple_rate, txt
from service.metrics.errors import OutOfRange
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult


def _part_of_whole(
    name: str, part: MetricInput, whole: MetricInput, places: int | None, *, words: str, symbols: str
) -> MetricResult:
    whole_value, _ = align(part, whole)
    if part.value > whole_value:
        raise OutOfRange(
            f"“{part.label}”（{part.text}）大于“{whole.label}”（{txt(whole_value)}），该比率不可能超过100%",
            f"{part.name} ({part.text}) exceeds {whole.name} ({txt(whole_value)}); this rate cannot exceed 100%",
            field=part.name,
        )
    return simple_rate(name, part, whole, places=places, words=words, symbols=symbols)


@metric(
    name="share",
    name_zh="占比",
    name_en="Share of total",
    description="占比＝部分÷总体×100%（结构、构成分析）。Part / total x 100%.",
    args=[
        ArgSpec("part", "部分", "部分数值（如商品和服务支出）part"),
        ArgSpec("total", "总体", "总体数值（如支出合计）total"),
    ],
)
def share(part: MetricInput, total: MetricInput, places: int | None) -> MetricResult:
    return _part_of_whole(
        "share", part, total, places, words="占比等于部分除以总体再乘以100%", symbols="部分 ÷ 总体 × 100%"
    )


@metric(
    name="ratio",
    name_zh="比率",
    name_en="Ratio",
    description=(
        "比率＝分子÷分母×100%，可超过100%（按文档所列公式计算的控制率、完成率等）。"
        "Numerator / denominator x 100%, may exceed 100% (a rate by the formula a document states)."
    ),
    args=[
        ArgSpec("numerator", "分子", "公式的分子 numerator"),
        ArgSpec("denominator", "分母", "公式的分母 denominator"),
    ],
)
def ratio(numerator: MetricInput, denominator: MetricInput, places: int | None) -> MetricResult:
    return simple_rate(
        "ratio",
        numerator,
        denominator,
        places=places,
        words="比率等于分子除以分母再乘以100%",
        symbols="分子 ÷ 分母 × 100%",
    )


@metric(
    name="completion_rate",
    name_zh="办结率",
    name_en="Completion rate",
    description="办结率（完成率）＝已办结（完成）数÷应办结（受理）总数×100%。Completed / total x 100%.",
    args=[
        ArgSpec("completed", "办结数", "已办结（完成）数量 completed", unit_class="count"),
        ArgSpec("total", "总数", "应办结（受理）总数 total", unit_class="count"),
    ],
)
def completion_rate(completed: MetricInput, total: MetricInput, places: int | None) -> MetricResult:
    return _part_of_whole(
        "completion_rate",
        completed,
        total,
        places,
        words="办结率等于已办结数除以应办结总数再乘以100%",
        symbols="办结数 ÷ 总数 × 100%",
    )


@metric(
    name="satisfaction_rate",
    name_zh="满意率",
    name_en="Satisfaction rate",
    description="满意率＝满意（含基本满意）样本数÷有效样本数×100%。Satisfied / valid responses x 100%.",
    args=[
        ArgSpec("satisfied", "满意数", "满意（含基本满意）的样本数 satisfied responses", unit_class="count"),
        ArgSpec("total", "有效样本数", "有效样本总数 valid responses", unit_class="count"),
    ],
)
def satisfaction_rate(satisfied: MetricInput, total: MetricInput, places: int | None) -> MetricResult:
    return _part_of_whole(
        "satisfaction_rate",
        satisfied,
        total,
        places,
        words="满意率等于满意样本数除以有效样本数再乘以100%",
        symbols="满意数 ÷ 有效样本数 × 100%",
    )


@metric(
    name="pass_rate",
    name_zh="合格率",
    name_en="Pass rate",
    description="合格率（验收合格率、开通率等）＝合格数÷检验（验收）总数×100%。Passed / checked x 100%.",
    args=[
        ArgSpec("passed", "合格数", "合格（通过）数量 passed", unit_class="count"),
        ArgSpec("total", "检验总数", "检验（验收）总数 checked", unit_class="count"),
    ],
)
def pass_rate(passed: MetricInput, total: MetricInput, places: int | None) -> MetricResult:
    return _part_of_whole(
        "pass_rate",
        passed,
        total,
        places,
        words="合格率等于合格数除以检验总数再乘以100%",
        symbols="合格数 ÷ 检验总数 × 100%",
    )


@metric(
    name="target_completion_rate",
    name_zh="目标完成率",
    name_en="Target completion (actual vs target)",
    description="目标完成率＝实际值÷目标值×100%（可超过100%）。Actual / target x 100% (may exceed 100%).",
    args=[
        ArgSpec("actual", "实际值", "实际完成值 actual"),
        ArgSpec("target", "目标值", "绩效目标值（计划值）target"),
    ],
)
def target_completion_rate(actual: MetricInput, target: MetricInput, places: int | None) -> MetricResult:
    return simple_rate(
        "target_completion_rate",
        actual,
        target,
        places=places,
        words="目标完成率等于实际完成值除以目标值再乘以100%",
        symbols="实际值 ÷ 目标值 × 100%",
    )
