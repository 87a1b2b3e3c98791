"""One handler per intent. Each finds its evidence through the Finder (Toolbox tools), computes through
`compute_metric`, cites what it uses, and returns a Draft (template + variables). When the evidence is
missing it returns a refusal draft that says what was searched — it never makes a number up.
"""

from __future__ import annotations

from service.answer.deterministic.handlers._context import Context, refusal
from service.answer.deterministic.handlers.arithmetic import handle_difference, handle_target_completion
from service.answer.deterministic.handlers.changes import handle_baseline, handle_growth
from service.answer.deterministic.handlers.checks import handle_check
from service.answer.deterministic.handlers.computations import (
    handle_derive,
    handle_over_budget,
    handle_per_capita,
    handle_score_rate,
    handle_share,
)
from service.answer.deterministic.handlers.grades import handle_grade
from service.answer.deterministic.handlers.lookup import handle_lookup
from service.answer.deterministic.handlers.quotes import handle_documents, handle_open, handle_policy
from service.answer.deterministic.handlers.sections import handle_section
from service.answer.deterministic.render import Draft

HANDLERS = {
    "lookup": handle_lookup,
    "section": handle_section,
    "check": handle_check,
    "policy": handle_policy,
    "documents": handle_documents,
    "unknown": handle_open,
}


OPERATIONS = {
    "growth": handle_growth,
    "over_budget": handle_over_budget,
    "score_rate": handle_score_rate,
    "grade": handle_grade,
    "baseline": handle_baseline,
    "derive": handle_derive,
    "share": handle_share,
    "per_capita": handle_per_capita,
    "difference": handle_difference,
    "target_completion": handle_target_completion,
}


def dispatch(ctx: Context) -> Draft:
    a = ctx.analysis
    if a.op in OPERATIONS:
        return OPERATIONS[a.op](ctx)
    return HANDLERS.get(a.intent, handle_open)(ctx)


__all__ = ["HANDLERS", "OPERATIONS", "Context", "dispatch", "refusal"]
