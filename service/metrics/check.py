"""`check_report`: re-verify a report's own figures from its tables and text.

Recomputes every derived figure the report states — each 合计 row and column, each 其中 breakdown,
each rate printed next to its inputs, multi-year baselines and changes against them, and the rates,
growths, sums, scores and grade stated in the text — and compares. Reports often compute from rounded
intermediates, so both conventions are tried (full precision, and from the figures as printed); the one
that matches is named and the figure is ok. A figure matching neither is a mismatch — reported, never
corrected. A percentage the checker cannot pair with inputs is listed as cannot_verify, with why.

Cross-checks (`_check_cross`): an absolute figure stated in two places — a detail table's 合计 and the
summary table's row, two tables giving the same year's figure, a table cell and a sentence — must be
the same; each pair is an item citing both pages. The grade is judged by `grade_bands`: the default
rule, or one read from a policy document by `grade_rule_from_policy` (`_check_policy`), cited by
clause and page.

Duck-typed over `ingest.models.Table` (caption, pages, cells: row_index, col_index, row_header,
col_header, raw, value, unit, page, is_percent) and `Page` (number, text); no import of ingest.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from service.metrics._check_core import CONVENTIONS, CheckItem, internal_error, norm
from service.metrics._check_cross import check_cross
from service.metrics._check_policy import PolicyGradeRule, grade_rule_from_policy
from service.metrics._check_tables import check_tables
from service.metrics._check_text import check_text
from service.metrics._definitions import RuleBook, parse_definitions
from service.metrics.errors import MetricError
from service.metrics.grades import GradeRule, grade_rule_from
from service.metrics.result import fmt
from service.metrics.vocabulary import EMPTY, CheckVocabulary

STATUS_ZH = {"ok": "一致", "mismatch": "不一致", "cannot_verify": "无法复核"}


def check_report(
    tables: list[Any],
    pages: list[Any],
    *,
    doc_id: str,
    grade_bands: GradeRule | list[Any] | None = None,
    vocabulary: CheckVocabulary | None = None,
) -> list[CheckItem]:
    """All checks of one report, ordered by page. `grade_bands`: the governing grade rule (a
    `GradeRule` or [{label, min, include_min}]); None = the default 优/良/中/差 bands. `vocabulary`:
    the field's rates (`CheckVocabulary.from_concepts(glossary concepts)`, as the service layer
    passes it); None = only the rates the document defines itself are recomputed."""
    book = document_rules(tables, pages, vocabulary)
    table_items, grids = check_tables(list(tables), doc_id, book)
    text_items = check_text(list(pages), grids, doc_id, grade_bands, book)
    try:
        cross_items = check_cross(grids, list(pages), doc_id)
    except (MetricError, ArithmeticError, ValueError, KeyError, IndexError) as exc:  # loud, not fatal
        cross_items = [internal_error("check_cross", exc)]
    items = table_items + text_items + cross_items
    order = {id(item): i for i, item in enumerate(items)}
    return sorted(items, key=lambda it: (it.page if it.page is not None else 10**6, order[id(it)]))


def document_rules(tables: list[Any], pages: list[Any], vocabulary: CheckVocabulary | None) -> RuleBook:
    """The rates of one document: those it defines in its text, notes and headers, then the field's."""
    texts = [(getattr(p, "number", None), getattr(p, "text", "") or "") for p in pages]
    for t in tables:
        page = (getattr(t, "pages", None) or [None])[0]
        labels = {"".join(c.row_header) for c in t.cells} | {"".join(c.col_header) for c in t.cells}
        texts += [(page, label) for label in sorted(labels)]
    return RuleBook(vocabulary if vocabulary is not None else EMPTY, tuple(parse_definitions(texts)))


def grade_rule_summary(grade_bands: GradeRule | list[Any] | None) -> dict[str, Any]:
    """The grade rule a check used, JSON-able: its bands, wording, source and (for a policy) citation."""
    rule = grade_rule_from(grade_bands)
    out: dict[str, Any] = {
        "bands": [{"label": b.label, "min": fmt(b.min), "include_min": b.include_min} for b in rule.bands],
        "describe": rule.describe(),
        "source": rule.source,
    }
    if isinstance(rule, PolicyGradeRule):
        out["citation"] = rule.citation()
    return out


def summarize(items: list[CheckItem]) -> dict[str, int]:
    counts = Counter(item.status for item in items)
    return {
        "total": len(items),
        "ok": counts["ok"],
        "mismatch": counts["mismatch"],
        "cannot_verify": counts["cannot_verify"],
    }


__all__ = [
    "CONVENTIONS",
    "STATUS_ZH",
    "CheckItem",
    "CheckVocabulary",
    "PolicyGradeRule",
    "check_report",
    "document_rules",
    "grade_rule_from_policy",
    "grade_rule_summary",
    "norm",
    "summarize",
]
