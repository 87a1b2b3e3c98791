"""Whether a figure found answers what the question asks — the safety net before a figure is stated.

A question asking for a percentage ("用掉了几成", "比例是多少") is never answered with an amount or a
count, and a question naming a per-unit figure ("每万次接听…的人工成本", "人均人工成本") never with a
figure whose header says nothing per unit (the 接听量 itself). A figure that does not fit is passed
over for the next candidate; when none fits the answer is 未找到, saying which figure was found and why
it is not the answer (without stating it).
"""

from __future__ import annotations

import re

from service.answer.deterministic.analysis import PERCENT_ASKED
from service.answer.deterministic.evidence import Figure, to_halfwidth
from service.answer.deterministic.finders import FigureSpec
from service.answer.deterministic.handlers._context import Context

# a per-unit figure named in the question, and the words a header uses for one
_PER_UNIT_ASKED = re.compile(
    r"每[\u4e00-\u9fff]{0,2}?[一1]?\s*万(?!元)|人均|每人|每名|每位|单位(?=[\u4e00-\u9fff]{0,4}(成本|费用|人工))"
)
_PER_UNIT_HEADER = re.compile(r"每|单位|人均")


def asks_percent(ctx: Context) -> bool:
    """The question asks for a rate or share, not an amount."""
    q = to_halfwidth(ctx.analysis.question)
    q = re.sub(r"\d+(?:\.\d+)?\s*%", " ", q)  # a percentage given in the question is not asked for
    return bool(PERCENT_ASKED.search(q))


def misfit(ctx: Context, f: Figure) -> str | None:
    """Why `f` does not answer the question (a short Chinese reason without figures), or None."""
    if asks_percent(ctx) and f.unit != "%":
        kind = f"{f.unit}数值" if f.unit else "非百分比数值"
        return f"找到的“{_header(f)}”是{kind}，不是所问的百分比，未作为答案"
    q = to_halfwidth(ctx.analysis.question)
    if _PER_UNIT_ASKED.search(q) and not _PER_UNIT_HEADER.search(_header(f) + " " + f.label):
        return f"找到的“{_header(f)}”不是所问的单位（人均、每万次）指标，未作为答案"
    return None


def fitting_figure(ctx: Context, spec: FigureSpec) -> tuple[Figure | None, str | None]:
    """The best candidate that answers the question, else (None, why the best one found does not)."""
    why: str | None = None
    for f in ctx.finder.figures(spec):
        reason = misfit(ctx, f)
        if reason is None:
            return f, None
        why = why or reason
    return None, why


def _header(f: Figure) -> str:
    if f.source == "cell":
        return " ".join(x for x in (f.row, f.column) if x).strip() or f.label
    return f.label
