"""The previous year's figure from this year's figure and its stated change.

Budget and final-account disclosures state a figure with its change, not last year's figure:
"项目支出469500元，占一般公共预算支出的19.62%，同比增加70100元". Asked "上年的项目支出是多少？", the
answer is 469500 − 70100 = 399400元, computed by the metrics module (`value_from_change`) and citing
the sentence. Only a change in the same unit, stated right after the figure (no other figure of that
unit between), with a word saying it is against the previous year (glossary.yaml `changes`) is used.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from service.answer.deterministic.render import CitationSet, Draft
from service.answer.operations.operands import unit_fits
from service.answer.operations.rules import computed_draft, run_metric
from service.search.facts import MEASURE_CATEGORIES

_ONE_FIGURE = re.compile(r"多少|几[个项人名]")
_NUM = r"(\d+(?:,\d{3})*(?:\.\d+)?)"


def _alt(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def _asks_previous(text: str, g: Any) -> bool:
    return "previous_year" in g.qualifiers_in(text, outside_terms=True)


def _change_after(quote: str, value: str, unit: str, g: Any) -> tuple[Decimal, str] | None:
    """The signed change stated right after `value` in `quote`, and its words, or None."""
    ch = g.changes
    if not ch or not unit:
        return None
    flat = re.sub(r"\s+", "", quote)
    pos = [m.end() for m in re.finditer(re.escape(value) + re.escape(unit), flat)]
    if len(pos) != 1:
        return None
    rest = re.split(r"[。；;]", flat[pos[0] :])[0]
    m = re.search(
        rf"({_alt(ch['since_previous'])})({_alt(ch['up'])}|{_alt(ch['down'])})了?{_NUM}{re.escape(unit)}",
        rest,
    )
    if m is None:
        return None
    between = rest[: m.start()]
    if re.search(rf"\d(?:\.\d+)?{re.escape(unit)}", between):
        return None  # another figure of the same unit comes first: the change may be its
    amount = Decimal(m.group(3).replace(",", ""))
    down = re.fullmatch(_alt(ch["down"]), m.group(2)) is not None
    return (-amount if down else amount), m.group(0)


def previous_answer(owner: Any, question: str, document_ids: list[str] | None) -> Draft | None:
    """The previous year's figure the question asks, from a stated change; None when the question is
    not that, or no figure with a stated change fits (the other paths answer or refuse)."""
    g = owner.glossary
    text = question.strip()
    if not _ONE_FIGURE.search(text) or not g.changes:
        return None
    items = owner.index.items(document_ids)
    if not _asks_previous(text, g):
        return None
    # asking the change itself ("比上年少了多少") is not asking last year's figure
    if re.search(rf"{_alt(g.changes['up'])}|{_alt(g.changes['down'])}|多了|少了", text):
        return None
    concepts = g.concepts_in(text)
    subjects = [c for c in concepts if g.concept(c).category not in MEASURE_CATEGORIES]
    measures = [c for c in concepts if g.concept(c).category in MEASURE_CATEGORIES]
    if len(subjects) != 1:
        return None
    subject = subjects[0]
    kind = g.concept(subject).kind
    found = []
    for i in items:
        f = i.fact
        if f.source != "text" or subject not in i.concepts or not unit_fits(kind, f.unit) or f.unit == "%":
            continue
        if "previous_year" in i.qualifiers and not re.search(_alt(g.changes["since_previous"]), f.quote):
            continue
        if measures and not all(any(t in (f.quote + i.title) for t in g.concept(m).terms) for m in measures):
            continue
        change = _change_after(f.quote, f.value, f.unit, g)
        if change is not None:
            found.append((i, change))
    if not found:
        return None
    if len({(i.fact.value, c[0]) for i, c in found}) > 1:
        return None  # several figures with stated changes: not this path's to pick
    item, (delta, words) = found[0]
    f = item.fact
    label = g.concept(subject).label
    inputs = {
        "current": {"value": f.value, "unit": f.unit, "label": f"本年{label}"},
        "change": {"value": str(delta), "unit": f.unit, "label": words},
    }
    comp, _why = run_metric(owner, "value_from_change", inputs)
    if comp is None:
        return None
    cites = CitationSet()
    n = cites.add(f.doc_id, item.title, f.page, f.quote)
    inputs = [
        {"label": f"本年{label}", "display": f"{f.value}{f.unit}", "n": n},
        {"label": "较上年的变化", "display": f"“{words}”", "n": n},
    ]
    return computed_draft(f"上年{label}", comp, inputs, cites, "previous_from_change")
