"""Self-evaluation form rules (财预〔2020〕10号 自评表): the budget-execution score."""

from __future__ import annotations

from decimal import Decimal

from service.metrics._build import HUNDRED, build, places_of, txt
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult

SOURCE = "财政部《项目支出绩效评价管理办法》（财预〔2020〕10号）附件 项目支出绩效自评表（预算执行率得分）"


@metric(
    name="execution_score",
    name_zh="预算执行得分",
    name_en="Budget-execution score",
    description=(
        "预算执行得分＝分值×min(执行率, 100%)（执行率超过100%的按100%计）。"
        "Execution score = weight x min(execution rate, 100%)."
    ),
    source=SOURCE,
    args=[
        ArgSpec("max_score", "分值", "预算执行率的分值（权重）weight", unit_class="score", default_unit="分"),
        ArgSpec("rate", "执行率", "预算执行率 execution rate", unit_class="percent", default_unit="%"),
    ],
)
def execution_score(max_score: MetricInput, rate: MetricInput, places: int | None) -> MetricResult:
    capped = min(rate.value, HUNDRED)
    value = max_score.value * capped / HUNDRED
    cap_note = "（超过100%按100%计）" if rate.value > HUNDRED else ""
    return build(
        "execution_score",
        value=value,
        unit=max_score.unit or "分",
        places=places_of(max_score.value, Decimal("0.01")) if places is None else places,
        formula=f"{max_score.text} × min({txt(rate.value)}%, 100%){cap_note} = {{display}}",
        symbols="分值 × min(执行率, 100%)",
        words="预算执行得分等于分值乘以执行率，执行率超过100%的按100%计",
        inputs=[max_score, rate],
    )
