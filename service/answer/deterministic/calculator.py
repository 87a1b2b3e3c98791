"""Computing through the `compute_metric` tool: which catalogue metric an operation uses, which of its
arguments each found figure fills, and the result as a `Computation` (with the figures' pages as
sources). The catalogue is read for its metadata only (names, argument labels); values always go
through the tool, like the LLM agent's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.answer.deterministic.evidence import Figure
from service.answer.deterministic.finders import Finder
from service.answer.models import Computation

# operation -> (candidate metric names, {role: (candidate argument names, label words)})
OPERATIONS: dict[str, tuple[tuple[str, ...], dict[str, tuple[tuple[str, ...], tuple[str, ...]]]]] = {
    "execution_rate": (
        ("budget_execution_rate", "execution_rate"),
        {
            "spent": (("spent", "actual", "expenditure"), ("支出",)),
            "budget": (("adjusted_budget", "budget"), ("预算",)),
        },
    ),
    "over_budget": (
        ("over_budget_amount", "over_budget"),
        {"spent": (("spent", "actual"), ("支出",)), "budget": (("budget", "adjusted_budget"), ("预算",))},
    ),
    "growth": (
        ("growth_rate", "growth"),
        {
            "current": (("current", "value", "new"), ("本期",)),
            "previous": (("previous", "base", "baseline"), ("上期", "基期")),
        },
    ),
    "score_rate": (
        ("score_rate",),
        {
            "score": (("score", "obtained", "earned"), ("得分",)),
            "full": (("full_score", "max_score", "weight", "full", "points"), ("分值", "满分")),
        },
    ),
    "yoy_change": (
        ("year_on_year_change",),
        {"current": (("current",), ("本期",)), "previous": (("previous",), ("上期",))},
    ),
    "change_vs_baseline": (
        ("change_vs_baseline",),
        {"current": (("current",), ("本期",)), "baseline": (("baseline",), ("均值", "基期"))},
    ),
    "ratio": (
        ("ratio",),
        {"numerator": (("numerator",), ("分子",)), "denominator": (("denominator",), ("分母",))},
    ),
    "unit_cost": (
        ("unit_cost",),
        {"part": (("cost",), ("成本", "费用")), "whole": (("quantity",), ("数量",))},
    ),
    "cost_per_10k": (
        ("cost_per_10k_units",),
        {"part": (("cost",), ("成本", "费用")), "whole": (("quantity",), ("数量", "量"))},
    ),
    "funds_arrival_rate": (
        ("funds_arrival_rate",),
        {"part": (("arrived_funds",), ("到位",)), "whole": (("budget",), ("预算",))},
    ),
    "share": (("share",), {"part": (("part",), ("部分",)), "whole": (("total",), ("合计", "总"))}),
    "baseline": (
        ("baseline_ratio_of_totals",),
        {"numerators": (("numerators",), ("分子",)), "denominators": (("denominators",), ("分母",))},
    ),
    "baseline_mean": (
        ("baseline_mean_of_ratios",),
        {"numerators": (("numerators",), ("分子",)), "denominators": (("denominators",), ("分母",))},
    ),
    "difference": (
        ("difference",),
        {"first": (("minuend",), ("甲",)), "second": (("subtrahend",), ("乙",))},
    ),
    "value_from_change": (
        ("value_from_change",),
        {"current": (("current",), ("本期",)), "change": (("change",), ("增减",))},
    ),
    "target_completion": (
        ("target_completion_rate",),
        {"actual": (("actual",), ("实际",)), "target": (("target",), ("目标",))},
    ),
    "grade": (
        ("grade_from_score", "grade", "grade_for_score", "evaluation_grade"),
        {"score": (("score", "total_score"), ("得分", "分"))},
    ),
}


@dataclass
class Computed:
    computation: Computation
    figures: dict[str, Figure]
    details: dict[str, Any]


class ComputeFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _registry() -> dict[str, Any]:
    try:
        from service.metrics import REGISTRY
    except ImportError:  # pragma: no cover - the metrics module is part of the project
        return {}
    return dict(REGISTRY)


def roles(op: str) -> list[str]:
    """The operation's input roles, numerator first for ratios."""
    return list(OPERATIONS[op][1])


def metric_name(op: str) -> str | None:
    names, _ = OPERATIONS[op]
    reg = _registry()
    return next((n for n in names if n in reg), None) or (names[0] if not reg else None)


def argument_names(op: str) -> dict[str, str]:
    """role -> argument name of the chosen metric (by name, else by its Chinese label)."""
    _, roles = OPERATIONS[op]
    name = metric_name(op)
    spec = _registry().get(name or "")
    if spec is None:
        return {role: cands[0] for role, (cands, _) in roles.items()}
    args = [a for a in getattr(spec, "args", ())]
    out: dict[str, str] = {}
    for role, (cands, labels) in roles.items():
        hit = next((a.name for c in cands for a in args if a.name == c), None)
        if hit is None:
            hit = next(
                (
                    a.name
                    for a in args
                    if any(w in str(a.label) for w in labels) and a.name not in out.values()
                ),
                None,
            )
        if hit is None:
            raise ComputeFailed(f"指标“{name}”缺少与“{role}”对应的参数")
        out[role] = hit
    return out


def _input(fig: Figure) -> dict[str, Any]:
    item: dict[str, Any] = {"value": fig.value, "source": fig.source_dict()}
    if fig.unit:
        item["unit"] = fig.unit
    if fig.label:
        item["label"] = fig.label
    return item


def compute_lists(finder: Finder, op: str, lists: dict[str, list[Figure]]) -> Computed:
    """compute_metric for metrics over yearly lists (multi-year baselines)."""
    name = metric_name(op)
    if name is None:
        raise ComputeFailed(f"指标库中没有可用于“{op}”的指标")
    argmap = argument_names(op)
    inputs = {argmap[role]: [_input(f) for f in figs] for role, figs in lists.items()}
    result = finder.call("compute_metric", name=name, inputs=inputs)
    comp = _computation(result)
    if comp is None:
        err = result.get("error", {}) if isinstance(result, dict) else {}
        raise ComputeFailed(str(err.get("message") or "计算失败"))
    flat = {f"{role}{i}": f for role, figs in lists.items() for i, f in enumerate(figs)}
    return Computed(comp, flat, {})


def compute(
    finder: Finder, op: str, figures: dict[str, Figure], *, extra: dict[str, Any] | None = None
) -> Computed:
    """Call compute_metric for `op` with the found figures as inputs (value, unit, label, source)."""
    name = metric_name(op)
    if name is None:
        raise ComputeFailed(f"指标库中没有可用于“{op}”的指标")
    argmap = argument_names(op)
    inputs: dict[str, Any] = {}
    for role, fig in figures.items():
        inputs[argmap[role]] = _input(fig)
    inputs.update(extra or {})
    result = finder.call("compute_metric", name=name, inputs=inputs)
    comp = _computation(result)
    if comp is None:
        err = result.get("error", {}) if isinstance(result, dict) else {}
        msg = err.get("message_zh") or err.get("message") or str(err) or "计算失败"
        raise ComputeFailed(str(msg))
    details = result.get("details", {}) if isinstance(result, dict) else {}
    return Computed(comp, figures, details if isinstance(details, dict) else {})


def _computation(result: Any) -> Computation | None:
    if not isinstance(result, dict) or "error" in result:
        return None
    body: dict[str, Any] = result["computation"] if isinstance(result.get("computation"), dict) else result
    if "display" not in body and isinstance(result.get("result"), dict):
        body = result["result"]
    fields = set(Computation.model_fields)
    try:
        return Computation(**{k: v for k, v in body.items() if k in fields})
    except Exception:
        return None
