"""Report check, text: figures stated in sentences, found by patterns over the page text (numbers near
keywords — never page numbers), paired with inputs from the same sentence, the rest of the text, or
the report's tables. Every percentage left unpaired is listed as cannot_verify, never dropped."""

from __future__ import annotations

import re
from typing import Any

from service.metrics._check_core import CheckItem, cannot_verify, internal_error
from service.metrics._check_tables import Grid
from service.metrics._text_base import Ctx, N, paragraphs
from service.metrics._text_changes import collect_facts, defined_rates, growth, table_concepts
from service.metrics._text_money import budget, execution, funds, over_budget
from service.metrics._text_scores import scores, text_sums
from service.metrics.errors import MetricError


def _sweep(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in re.finditer(rf"(?<![\d.]){N}\s*%", p.text):
            if (p.key, m.start(1)) in ctx.consumed or re.search(r"[×*]\s*$", p.text[: m.start()]):
                continue  # a stated figure already checked, or the "×100%" of a formula
            clause_start = max(p.text.rfind(ch, 0, m.start()) for ch in "，。；、：,") + 1
            context = p.text[clause_start : m.start()].strip()
            if re.search(r"计划|目标|预期|预计", context[-12:]):
                why = "计划（目标）值，不是由报告数据计算的结果"
            elif re.search(r"超过|达到?|高于|低于|不低于|不少于", context[-8:]):
                why = "阈值表述（超过／达到），不是精确的计算结果，报告也未给出计算依据"
            else:
                why = "报告未给出计算该比率所需的分子和分母，无法复算"
            items.append(
                cannot_verify(
                    claim=context[-24:] or "百分比", page=p.page, stated_raw=f"{m.group(1)}%", why=why
                )
            )


RECOGNIZERS = (
    budget,
    funds,
    execution,
    over_budget,
    scores,
    defined_rates,
    growth,
    table_concepts,
    text_sums,
)


def check_text(
    pages: list[Any], grids: list[Grid], doc_id: str, grade_bands: Any = None, book: Any = None
) -> list[CheckItem]:
    ctx = Ctx(doc_id=doc_id, paras=paragraphs(pages), grids=grids, grade_bands=grade_bands, book=book)
    collect_facts(ctx)
    items: list[CheckItem] = []
    for recognize in (*RECOGNIZERS, _sweep):
        try:
            recognize(ctx, items)
        except (MetricError, ArithmeticError, ValueError, KeyError, IndexError) as exc:  # loud, not fatal
            items.append(internal_error(recognize.__name__, exc))
    return items


__all__ = ["check_text"]
