"""Budget metrics: adjusted budget, execution rate (by named denominator), arrival, over-budget."""

from __future__ import annotations

from decimal import Decimal

from service.metrics._build import align, align_all, build, places_of, simple_rate, txt
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult

POLICY = "《示例市项目支出绩效评价实施细则（测试用样本）》"

_SPENT = ArgSpec("spent", "实际支出", "实际支出金额 actual spending", unit_class="money", default_unit="万元")


@metric(
    name="adjusted_budget",
    name_zh="调整后预算",
    name_en="Adjusted budget",
    description="调整后预算＝年初预算＋追加预算－调减预算。Adjusted budget = initial + additions - reductions.",
    source=f"{POLICY}第三条",
    args=[
        ArgSpec(
            "initial_budget",
            "年初预算",
            "年初预算金额 initial budget",
            unit_class="money",
            default_unit="万元",
        ),
        ArgSpec(
            "additions",
            "追加预算",
            "追加预算金额 additions",
            unit_class="money",
            default_unit="万元",
            required=False,
            default="0",
        ),
        ArgSpec(
            "reductions",
            "调减预算",
            "调减预算金额 reductions",
            unit_class="money",
            default_unit="万元",
            required=False,
            default="0",
        ),
    ],
)
def adjusted_budget(
    initial_budget: MetricInput, additions: MetricInput, reductions: MetricInput, places: int | None
) -> MetricResult:
    (a, b, c), unit = align_all([initial_budget, additions, reductions], initial_budget.unit)
    value = a + b - c
    p = places_of(a, b, c) if places is None else places
    return build(
        "adjusted_budget",
        value=value,
        unit=unit,
        places=p,
        formula=f"{txt(a)} + {txt(b)} − {txt(c)} = {{display}}",
        symbols="年初预算 + 追加预算 − 调减预算",
        words="调整后预算等于年初预算加追加预算减调减预算",
        inputs=[initial_budget, additions, reductions],
    )


@metric(
    name="budget_execution_rate",
    name_zh="预算执行率",
    name_en="Budget execution rate (adjusted budget)",
    description=(
        "预算执行率＝实际支出÷调整后预算×100%（分母为调整后预算，不得以年初预算代替）。"
        "Budget execution rate = spending / adjusted budget x 100%."
    ),
    source=f"{POLICY}第三条",
    args=[
        _SPENT,
        ArgSpec(
            "adjusted_budget",
            "调整后预算",
            "调整后预算金额（年初＋追加－调减）adjusted budget",
            unit_class="money",
            default_unit="万元",
        ),
    ],
)
def budget_execution_rate(
    spent: MetricInput, adjusted_budget: MetricInput, places: int | None
) -> MetricResult:
    return simple_rate(
        "budget_execution_rate",
        spent,
        adjusted_budget,
        places=places,
        words="预算执行率等于实际支出金额除以调整后预算金额再乘以100%",
        symbols="实际支出 ÷ 调整后预算 × 100%",
    )


@metric(
    name="budget_execution_rate_initial_budget",
    name_zh="预算执行率（以年初预算为分母）",
    name_en="Budget execution rate against the initial budget",
    description=(
        "实际支出÷年初预算×100%。仅作对比口径：通行规则（如《细则》第三条）要求以调整后预算为分母。"
        "Spending / initial budget x 100%; a comparison variant, not the official rate."
    ),
    args=[
        _SPENT,
        ArgSpec(
            "initial_budget",
            "年初预算",
            "年初预算金额 initial budget",
            unit_class="money",
            default_unit="万元",
        ),
    ],
)
def budget_execution_rate_initial_budget(
    spent: MetricInput, initial_budget: MetricInput, places: int | None
) -> MetricResult:
    return simple_rate(
        "budget_execution_rate_initial_budget",
        spent,
        initial_budget,
        places=places,
        words="以年初预算为分母的执行率（对比口径，非正式预算执行率）",
        symbols="实际支出 ÷ 年初预算 × 100%",
    )


@metric(
    name="budget_execution_rate_arrived_funds",
    name_zh="资金使用率（以到位资金为分母）",
    name_en="Spending rate against funds received",
    description="实际支出÷实际到位资金×100%。Spending / funds received x 100%.",
    args=[
        _SPENT,
        ArgSpec(
            "arrived_funds",
            "实际到位资金",
            "实际到位资金 funds received",
            unit_class="money",
            default_unit="万元",
        ),
    ],
)
def budget_execution_rate_arrived_funds(
    spent: MetricInput, arrived_funds: MetricInput, places: int | None
) -> MetricResult:
    return simple_rate(
        "budget_execution_rate_arrived_funds",
        spent,
        arrived_funds,
        places=places,
        words="以实际到位资金为分母的资金使用率",
        symbols="实际支出 ÷ 实际到位资金 × 100%",
    )


@metric(
    name="funds_arrival_rate",
    name_zh="资金到位率",
    name_en="Funds arrival rate",
    description="资金到位率＝实际到位资金÷调整后预算×100%。Funds received / adjusted budget x 100%.",
    source=f"{POLICY}第四条",
    args=[
        ArgSpec(
            "arrived_funds",
            "实际到位资金",
            "实际到位资金 funds received",
            unit_class="money",
            default_unit="万元",
        ),
        ArgSpec(
            "budget", "调整后预算", "调整后预算金额 adjusted budget", unit_class="money", default_unit="万元"
        ),
    ],
)
def funds_arrival_rate(arrived_funds: MetricInput, budget: MetricInput, places: int | None) -> MetricResult:
    return simple_rate(
        "funds_arrival_rate",
        arrived_funds,
        budget,
        places=places,
        words="资金到位率等于实际到位资金除以调整后预算金额再乘以100%",
        symbols="实际到位资金 ÷ 调整后预算 × 100%",
    )


@metric(
    name="funds_timeliness_rate",
    name_zh="资金到位及时率",
    name_en="Funds timeliness rate",
    description="到位及时率＝按时到位资金÷应到位资金×100%。Funds received on time / funds due x 100%.",
    args=[
        ArgSpec(
            "on_time_funds",
            "按时到位资金",
            "按规定时间到位的资金 funds received on time",
            unit_class="money",
            default_unit="万元",
        ),
        ArgSpec("due_funds", "应到位资金", "应到位资金 funds due", unit_class="money", default_unit="万元"),
    ],
)
def funds_timeliness_rate(
    on_time_funds: MetricInput, due_funds: MetricInput, places: int | None
) -> MetricResult:
    return simple_rate(
        "funds_timeliness_rate",
        on_time_funds,
        due_funds,
        places=places,
        words="到位及时率等于按时到位资金除以应到位资金再乘以100%",
        symbols="按时到位资金 ÷ 应到位资金 × 100%",
    )


@metric(
    name="over_budget_amount",
    name_zh="超预算金额",
    name_en="Over-budget amount",
    description=(
        "超预算金额＝实际支出－预算金额；正数为超预算，负数为结余（未超）。"
        "Spending - budget; positive = over budget, negative = under budget."
    ),
    args=[
        _SPENT,
        ArgSpec("budget", "预算金额", "预算金额 budget", unit_class="money", default_unit="万元"),
    ],
)
def over_budget_amount(spent: MetricInput, budget: MetricInput, places: int | None) -> MetricResult:
    budget_value, unit = align(spent, budget)
    value = spent.value - budget_value
    status = "超预算" if value > 0 else ("结余" if value < 0 else "持平")
    p = places_of(spent.value, budget_value) if places is None else places
    return build(
        "over_budget_amount",
        value=value,
        unit=unit,
        places=p,
        formula=f"{spent.text} − {txt(budget_value)} = {{display}}（{status}）",
        symbols="实际支出 − 预算金额",
        words="超预算金额等于实际支出减预算金额，正数表示超预算，负数表示结余",
        inputs=[spent, budget],
        details={"status": status, "over_budget": value > 0, "under_budget": value < Decimal(0)},
    )
