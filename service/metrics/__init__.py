"""Deterministic metrics: every figure jixiao states comes from here, with formula and inputs.

Pure Python over `decimal.Decimal`, stdlib only. Public API:
- `compute(name, inputs, *, places=None) -> MetricResult`; `REGISTRY` (name -> MetricSpec);
  `registry_schema() -> list[dict]` (JSON schema per metric, for tools / HTTP / MCP);
- the catalogue functions themselves (keyword arguments, see `REGISTRY[name].args`);
- `grade_for(score, bands=None)`; `MetricError` and its subclasses;
- `service.metrics.check.check_report(tables, pages, *, doc_id)` re-verifies a report.
Conventions (rates in percent points, ROUND_HALF_UP display, units): see `result.py`, `units.py`.
"""

from __future__ import annotations

from service.metrics.across import mean_of_ratios
from service.metrics.budget import (
    adjusted_budget,
    budget_execution_rate,
    budget_execution_rate_arrived_funds,
    budget_execution_rate_initial_budget,
    funds_arrival_rate,
    funds_timeliness_rate,
    over_budget_amount,
)
from service.metrics.change import (
    baseline_mean_of_ratios,
    baseline_ratio_of_totals,
    change_vs_baseline,
    growth_rate,
    mean,
    multi_year_average,
    reduction_vs_baseline,
    year_on_year_change,
)
from service.metrics.costs import cost_per_10k_units, per_unit, unit_cost
from service.metrics.differences import difference, value_from_change
from service.metrics.errors import (
    BadGradeRule,
    BadNumber,
    MetricError,
    MissingInput,
    NegativeValue,
    OutOfRange,
    UnexpectedInput,
    UnitMismatch,
    UnknownMetric,
    ZeroDenominator,
)
from service.metrics.form_scores import execution_score
from service.metrics.grades import DEFAULT_GRADE_RULE, GradeBand, GradeRule
from service.metrics.rates import (
    completion_rate,
    pass_rate,
    ratio,
    satisfaction_rate,
    share,
    target_completion_rate,
)
from service.metrics.registry import REGISTRY, ArgSpec, MetricSpec, compute, registry_schema
from service.metrics.result import MetricInput, MetricResult
from service.metrics.scores import grade_for, grade_from_score, score_rate, total_score
from service.metrics.scoring_rules import rule_score
from service.metrics.sums import sum_check, sum_of_parts

__all__ = [
    "DEFAULT_GRADE_RULE",
    "REGISTRY",
    "ArgSpec",
    "BadGradeRule",
    "BadNumber",
    "GradeBand",
    "GradeRule",
    "MetricError",
    "MetricInput",
    "MetricResult",
    "MetricSpec",
    "MissingInput",
    "NegativeValue",
    "OutOfRange",
    "UnexpectedInput",
    "UnitMismatch",
    "UnknownMetric",
    "ZeroDenominator",
    "adjusted_budget",
    "baseline_mean_of_ratios",
    "baseline_ratio_of_totals",
    "budget_execution_rate",
    "budget_execution_rate_arrived_funds",
    "budget_execution_rate_initial_budget",
    "change_vs_baseline",
    "completion_rate",
    "compute",
    "cost_per_10k_units",
    "difference",
    "execution_score",
    "funds_arrival_rate",
    "funds_timeliness_rate",
    "grade_for",
    "grade_from_score",
    "growth_rate",
    "mean",
    "mean_of_ratios",
    "multi_year_average",
    "over_budget_amount",
    "pass_rate",
    "per_unit",
    "ratio",
    "reduction_vs_baseline",
    "registry_schema",
    "rule_score",
    "satisfaction_rate",
    "score_rate",
    "share",
    "sum_check",
    "sum_of_parts",
    "target_completion_rate",
    "total_score",
    "unit_cost",
    "value_from_change",
    "year_on_year_change",
]
