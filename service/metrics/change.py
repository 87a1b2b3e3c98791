"""Change over time: growth rate, year-on-year change, multi-year baselines (both forms, named)."""

from __future__ import annotations

from decimal import Decimal

from service.metrics._build import HUNDRED, align, align_all, build, divide, places_of, ratio_unit, txt
from service.metrics.errors import MissingInput
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult

POLICY = "《示例市项目支出绩效评价实施细则（测试用样本）》"


def _relative_change(
    name: str, current: MetricInput, base: MetricInput, places: int | None, *, words: str, symbols: str
) -> MetricResult:
    base_value, _ = align(current, base)
    value = divide(current.value - base_value, base_value, what_zh=base.label, what_en=base.name) * HUNDRED
    return build(
        name,
        value=value,
        unit="%",
        places=2 if places is None else places,
        formula=f"({current.text} − {txt(base_value)}) ÷ {txt(base_value)} × 100% = {{display}}",
        symbols=symbols,
        words=words,
        inputs=[current, base],
    )


@metric(
    name="growth_rate",
    name_zh="增长率",
    name_en="Growth rate",
    description="增长率＝（本期值－上期值）÷上期值×100%；负数为下降。Growth = (current - previous) / previous x 100%.",
    args=[
        ArgSpec("current", "本期值", "本期（如2020年）数值 current value"),
        ArgSpec("previous", "上期值", "上期（如2019年）数值 previous value"),
    ],
)
def growth_rate(current: MetricInput, previous: MetricInput, places: int | None) -> MetricResult:
    return _relative_change(
        "growth_rate",
        current,
        previous,
        places,
        words="增长率等于本期值减上期值，除以上期值，再乘以100%",
        symbols="(本期值 − 上期值) ÷ 上期值 × 100%",
    )


@metric(
    name="year_on_year_change",
    name_zh="同比增减量",
    name_en="Year-on-year change (absolute)",
    description="同比增减量＝本期值－上年同期值（单位同输入）。Current - previous, in the inputs' unit.",
    args=[
        ArgSpec("current", "本期值", "本期数值 current value"),
        ArgSpec("previous", "上期值", "上年同期数值 previous value"),
    ],
)
def year_on_year_change(current: MetricInput, previous: MetricInput, places: int | None) -> MetricResult:
    prev, unit = align(current, previous)
    value = current.value - prev
    return build(
        "year_on_year_change",
        value=value,
        unit=unit,
        places=places_of(current.value, prev) if places is None else places,
        formula=f"{current.text} − {txt(prev)} = {{display}}",
        symbols="本期值 − 上期值",
        words="同比增减量等于本期值减上年同期值",
        inputs=[current, previous],
    )


@metric(
    name="change_vs_baseline",
    name_zh="较历史均值增长率",
    name_en="Change against a multi-year baseline",
    description=(
        "较历史均值增长率＝（本期值－基期均值）÷基期均值×100%；基期均值应注明口径"
        "（baseline_ratio_of_totals 或 baseline_mean_of_ratios）。"
        "(current - baseline) / baseline x 100%."
    ),
    args=[
        ArgSpec("current", "本期值", "本期数值（如本年人均人员经费）current value"),
        ArgSpec("baseline", "基期均值", "多年基期值（如2018–2019年均值）baseline value"),
    ],
)
def change_vs_baseline(current: MetricInput, baseline: MetricInput, places: int | None) -> MetricResult:
    return _relative_change(
        "change_vs_baseline",
        current,
        baseline,
        places,
        words="较历史均值增长率等于本期值减基期均值，除以基期均值，再乘以100%",
        symbols="(本期值 − 基期均值) ÷ 基期均值 × 100%",
    )


@metric(
    name="reduction_vs_baseline",
    name_zh="较基期降低程度",
    name_en="Reduction against a baseline",
    description=(
        "较基期降低程度＝（基期值－本期值）÷基期值×100%；正数为降低，负数为上升（报告把降低写成正数时用）。"
        "(baseline - current) / baseline x 100%."
    ),
    args=[
        ArgSpec("current", "本期值", "本期数值（如本年度的比率）current value"),
        ArgSpec("baseline", "基期值", "基期数值（如多年均值）baseline value"),
    ],
)
def reduction_vs_baseline(current: MetricInput, baseline: MetricInput, places: int | None) -> MetricResult:
    base_value, _ = align(current, baseline)
    pct = "%" if current.unit == "%" else ""
    value = (
        divide(base_value - current.value, base_value, what_zh=baseline.label, what_en=baseline.name)
        * HUNDRED
    )
    return build(
        "reduction_vs_baseline",
        value=value,
        unit="%",
        places=2 if places is None else places,
        # rates keep their % in the formula, as the report prints them ("(2.72% − 1.10%) ÷ 2.72%")
        formula=f"({txt(base_value)}{pct} − {current.text}{pct}) ÷ {txt(base_value)}{pct} × 100% = {{display}}",
        symbols="(基期值 − 本期值) ÷ 基期值 × 100%",
        words="较基期降低程度等于基期值减本期值，除以基期值，再乘以100%",
        inputs=[current, baseline],
    )


@metric(
    name="multi_year_average",
    name_zh="多年平均值",
    name_en="Multi-year average",
    description="多年平均值＝各年数值之和÷年数（用于金额、人数等绝对量）。Mean of the yearly values.",
    args=[ArgSpec("values", "各年数值", "各年数值 yearly values", kind="quantity_list")],
)
def multi_year_average(values: list[MetricInput], places: int | None) -> MetricResult:
    nums, unit = align_all(values)
    total = sum(nums, Decimal(0))
    value = total / Decimal(len(nums))
    return build(
        "multi_year_average",
        value=value,
        unit=unit,
        places=places_of(*nums) if places is None else places,
        formula=f"({' + '.join(txt(n) for n in nums)}) ÷ {len(nums)} = {{display}}",
        symbols="(第1年 + … + 第n年) ÷ n",
        words="多年平均值等于各年数值之和除以年数",
        inputs=list(values),
    )


@metric(
    name="mean",
    name_zh="平均值",
    name_en="Mean",
    description=(
        "平均值＝各项数值之和÷项数（简单算术平均，如表中各项目得分的平均分）。Arithmetic mean of the values."
    ),
    args=[ArgSpec("values", "各项数值", "各项数值 the values", kind="quantity_list", min_items=2)],
)
def mean(values: list[MetricInput], places: int | None) -> MetricResult:
    nums, unit = align_all(values)
    value = sum(nums, Decimal(0)) / Decimal(len(nums))
    return build(
        "mean",
        value=value,
        unit=unit,
        places=max(places_of(*nums), 2) if places is None else places,
        formula=f"({' + '.join(txt(n) for n in nums)}) ÷ {len(nums)} = {{display}}",
        symbols="(第1项 + … + 第n项) ÷ n",
        words="平均值等于各项数值之和除以项数",
        inputs=list(values),
    )


def _paired(numerators: list[MetricInput], denominators: list[MetricInput]) -> None:
    if len(numerators) != len(denominators):
        raise MissingInput(
            f"分子与分母的年数不一致：{len(numerators)} 与 {len(denominators)}",
            f"numerators and denominators differ in length: {len(numerators)} vs {len(denominators)}",
        )


_BASE_ARGS = [
    ArgSpec("numerators", "各年分子", "各年分子（如各年人工费用）yearly numerators", kind="quantity_list"),
    ArgSpec(
        "denominators", "各年分母", "各年分母（如各年月均人数）yearly denominators", kind="quantity_list"
    ),
]


@metric(
    name="baseline_ratio_of_totals",
    name_zh="多年均值（合计数之比）",
    name_en="Multi-year baseline as ratio of totals",
    description=(
        "多年均值按合计数之比：Σ分子÷Σ分母（同类单位时×100%为比率）。如两年人均人员经费的均值为两年人员经费之和÷两年人数之和，"
        "不是两个人均值的平均。Sum of numerators / sum of denominators."
    ),
    source=f"{POLICY}第六条",
    args=_BASE_ARGS,
)
def baseline_ratio_of_totals(
    numerators: list[MetricInput], denominators: list[MetricInput], places: int | None
) -> MetricResult:
    _paired(numerators, denominators)
    nums, num_unit = align_all(numerators)
    dens, den_unit = align_all(denominators)
    unit, is_percent = ratio_unit(num_unit, den_unit)
    n_total, d_total = sum(nums, Decimal(0)), sum(dens, Decimal(0))
    value = divide(n_total, d_total, what_zh="分母合计", what_en="sum of denominators")
    if is_percent:
        value *= HUNDRED
    pct = " × 100%" if is_percent else ""
    return build(
        "baseline_ratio_of_totals",
        value=value,
        unit=unit,
        places=2 if places is None else places,
        formula=(
            f"({' + '.join(txt(n) for n in nums)}) ÷ ({' + '.join(txt(d) for d in dens)}){pct}"
            f" = {txt(n_total)} ÷ {txt(d_total)}{pct} = {{display}}"
        ),
        symbols=f"Σ分子 ÷ Σ分母{pct}",
        words="多年均值按各年合计数之比计算（多年合计分子除以多年合计分母），不是各年比率的简单平均",
        inputs=[*numerators, *denominators],
        details={"numerator_total": n_total, "denominator_total": d_total},
    )


@metric(
    name="baseline_mean_of_ratios",
    name_zh="多年均值（各年比率的简单平均）",
    name_en="Multi-year baseline as mean of yearly ratios",
    description=(
        "各年比率的简单平均：(Σ(分子_i÷分母_i))÷年数。与合计数之比不同，须注明口径；"
        "样本报告未用此口径（(6826.25÷777+4884.18÷621)÷2=8.33）。Mean of yearly ratios."
    ),
    args=_BASE_ARGS,
)
def baseline_mean_of_ratios(
    numerators: list[MetricInput], denominators: list[MetricInput], places: int | None
) -> MetricResult:
    _paired(numerators, denominators)
    nums, num_unit = align_all(numerators)
    dens, den_unit = align_all(denominators)
    unit, is_percent = ratio_unit(num_unit, den_unit)
    ratios = [
        divide(n, d, what_zh=f"第{i + 1}年分母", what_en=f"denominator {i + 1}")
        for i, (n, d) in enumerate(zip(nums, dens, strict=True))
    ]
    value = sum(ratios, Decimal(0)) / Decimal(len(ratios))
    if is_percent:
        value *= HUNDRED
    pct = " × 100%" if is_percent else ""
    terms = " + ".join(f"{txt(n)} ÷ {txt(d)}" for n, d in zip(nums, dens, strict=True))
    return build(
        "baseline_mean_of_ratios",
        value=value,
        unit=unit,
        places=2 if places is None else places,
        formula=f"({terms}) ÷ {len(ratios)}{pct} = {{display}}",
        symbols=f"(分子₁÷分母₁ + … + 分子ₙ÷分母ₙ) ÷ n{pct}",
        words="多年均值按各年比率的简单平均计算（先算各年比率，再取算术平均）",
        inputs=[*numerators, *denominators],
        details={"yearly_ratios": [r * HUNDRED if is_percent else r for r in ratios]},
    )
