"""A quantity per unit ("平均每批次接待多少人次", "平均每户拿到多少补助"), and a count asked in its
own measure word ("实际改了多少户危房").

The unit is the measure word after 每 (批次, 户, 人次 — the glossary's units); the quantity is the one
asked (its unit after 多少, or an amount when the question asks for money without naming a unit).
Both figures come from the fact index and must be said together — in one sentence, or in one table
— of the same thing the question names; a figure's unit is its own, or for a table cell without
one, the measure word its row label ends with ("国内公务接待批次"). A target (计划, 目标) is not used
unless the question asks for one. Exactly one such pair, or nothing is computed; the metrics module
divides (`unit_cost` for money, `per_unit` for counts) and both figures are cited.
"""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import CitationSet, Draft
from service.answer.operations.cells import covered, free_chunks
from service.answer.operations.indicators import _pairs
from service.answer.operations.question import asked_unit, counted_noun, same_kind_of_unit
from service.search.facts import IndexedFact

_PER = re.compile(r"每一?(?P<rest>[\u4e00-\u9fff]{1,6})")
_ASKS = re.compile(r"多少|几")


def _per_unit_word(text: str) -> str:
    """The measure word after 每 ("平均每批次" -> 批次, "每一户" -> 户), or ""."""
    from ingest.numbers import UNITS

    for m in _PER.finditer(text):
        rest = m.group("rest")
        unit = next((u for u in UNITS if rest.startswith(u)), "")
        if unit and unit not in ("年", "月", "天", "分", "%", "‰", "元", "万元", "亿元", "千元"):
            return unit
    return ""


def _unit_of(item: IndexedFact) -> str:
    """The figure's unit, or for a table cell with none, the measure word its row label ends with."""
    from ingest.numbers import UNITS

    f = item.fact
    if f.unit:
        return f.unit
    if f.source == "table" and f.row_path:
        label = re.sub(r"[（(][^）)]*[）)]\s*$", "", f.row_path[-1]).strip()
        return next((u for u in UNITS if label.endswith(u)), "")
    return ""


def _together(a: IndexedFact, b: IndexedFact) -> bool:
    fa, fb = a.fact, b.fact
    if fa.doc_id != fb.doc_id or fa.id == fb.id:
        return False
    if fa.source == "table" and fb.source == "table":
        return fa.table_id == fb.table_id
    if fa.source != "text" or fb.source != "text" or fa.page != fb.page:
        return False
    # one sentence: each figure is in the other's quote (quotes are cut around their own figure)
    return _in_quote(fb, fa.quote) and _in_quote(fa, fb.quote)


def _apart(a: IndexedFact, b: IndexedFact) -> int:
    """How far apart two figures of one sentence are (characters); same row of a table: 0."""
    fa, fb = a.fact, b.fact
    if fa.source == "table":
        return 0 if fa.row_index == fb.row_index else 1000 + abs(fa.row_index - fb.row_index)
    at = [re.search(rf"(?<![\d.]){re.escape(f.value)}\s*{re.escape(f.unit)}", fa.quote) for f in (fa, fb)]
    return abs(at[0].start() - at[1].start()) if at[0] and at[1] else 10_000


def _in_quote(f: Any, quote: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(f.value)}\s*{re.escape(f.unit)}", quote) is not None


def _said(item: IndexedFact) -> str:
    f = item.fact
    return re.sub(r"\s+", "", f.description + f.context + "".join(f.row_path))


def per_unit_answer(owner: Any, question: str, facts: list[IndexedFact]) -> Draft | None:
    """The quantity per unit the question asks, computed from two cited figures; None when the
    question asks no such thing or no single pair of figures fits (the other paths answer or refuse)."""
    g = owner.glossary
    text = re.sub(r"\s+", "", question)
    if "每" not in text or not _ASKS.search(text) or ("平均" not in text and "均" not in text):
        return None
    per = _per_unit_word(text)
    if not per:
        return None
    asked = asked_unit(text.split("每", 1)[1])
    # "多少元", or 多少 of a thing that is no unit ("拿到多少补助"): an amount, when a money figure says it
    money = not asked or asked in ("元", "万元", "亿元", "千元")
    noun = re.split(r"[？?。，,]", text.split("多少", 1)[-1])[0] if not asked else ""
    if not asked and len(noun) < 2:
        return None  # "平均每批次接待多少": neither a unit nor a thing is named
    wants_plan = "plan" in g.qualifiers_in(text, outside_terms=True)
    # "平均每个家庭": the thing each unit is (家庭) must be what the count figure counts
    after = re.search(rf"每一?{re.escape(per)}(?P<noun>[\u4e00-\u9fff]{{2,6}})", text)
    per_noun = re.split(r"[是为有的在拿得花用接发分平]", after.group("noun"))[0] if after else ""
    words = [w.replace(per + per_noun, " ").replace(per, " ") for w in free_chunks(text, g)]
    words = [x for w in words for x in w.split() if len(x) >= 2 and (not asked or asked not in x)]

    def fits(item: IndexedFact) -> bool:
        return wants_plan or "plan" not in item.qualifiers

    def named(item: IndexedFact) -> int:  # how many of the question's own words the figure's words use
        said = _said(item)
        return sum(1 for w in words if covered(w, said, share=0.6))

    units = [
        i
        for i in facts
        if _unit_of(i) == per and fits(i) and (len(per_noun) < 2 or covered(per_noun, _said(i), share=0.6))
    ]
    if money:  # "拿到多少补助": an amount said of that (补助资金), when the question names it
        totals = [
            i
            for i in facts
            if i.fact.unit in ("元", "万元", "亿元", "千元")
            and fits(i)
            and (len(noun) < 2 or noun in _said(i))
        ]
    else:
        totals = [
            i for i in facts if same_kind_of_unit(asked, _unit_of(i)) and _unit_of(i) != per and fits(i)
        ]
    pairs = [(t, u) for t in totals for u in units if _together(t, u)]
    if not pairs:
        return None
    best = max(named(t) + named(u) for t, u in pairs)
    if words and best == 0:
        return None  # none of the pairs is about what the question names
    top = {(t.fact.value, u.fact.value): (t, u) for t, u in pairs if named(t) + named(u) == best}
    if len(top) > 1:  # in one sentence, the count said right before or after the amount is its own
        near = sorted((_apart(t, u), k) for k, (t, u) in top.items())
        if near[0][0] < near[1][0]:
            top = {near[0][1]: top[near[0][1]]}
    if len(top) != 1:
        return None  # several pairs fit as well: which is meant is not clear
    total, unit = next(iter(top.values()))
    from service.answer.operations.rules import computed_draft, run_metric

    def given(item: IndexedFact) -> dict[str, Any]:
        f = item.fact
        label = f.description if f.source == "text" else "·".join((*f.row_path, *f.col_path))
        return {
            "value": f.value,
            "unit": _unit_of(item),
            "label": label,
            "source": {"doc_id": f.doc_id, "page": f.page, "quote": f.quote[:120]},
        }

    if money:
        comp, _why = run_metric(owner, "unit_cost", {"cost": given(total), "quantity": given(unit)})
    else:
        comp, _why = run_metric(owner, "per_unit", {"total": given(total), "units": given(unit)})
    if comp is None:
        return None
    cites = CitationSet()
    shown = []
    for item in (total, unit):
        f = item.fact
        n = cites.add(f.doc_id, item.title, f.page, f.quote or f.context)
        shown.append({"label": given(item)["label"], "display": f"{f.value}{_unit_of(item)}", "n": n})
    subject = f"平均每{per}的{'金额' if money else asked}"
    return computed_draft(subject, comp, shown, cites, "per_unit")


# money, rates and marks have readers of their own (and many figures each); a count asked in its
# measure word is what this reader looks up
_NOT_COUNTS = frozenset({"元", "万元", "亿元", "千元", "%", "‰", "分", "年", "月"})


def counted_answer(owner: Any, question: str, facts: list[IndexedFact]) -> Draft | None:
    """A count the question asks in its measure word ("2022年实际改了多少户危房" -> 264户), looked up
    among the figures in that unit whose own words use every word the question names; None unless
    exactly one value fits (the other paths answer or refuse)."""
    from service.answer.operations.answer import _exclusive_mismatch
    from service.answer.operations.operands import Match

    g = owner.glossary
    text = re.sub(r"\s+", "", question)
    asked = asked_unit(text)
    if not asked or asked in _NOT_COUNTS or "每" in text or set(g.operations_in(text)) - {"compare"}:
        return None  # no count asked, or a computation (per unit, a sum, a difference, a share)
    words = [w[len(asked) :] if w.startswith(asked) else w for w in free_chunks(text, g)]  # "户危房"
    words = [w for w in words if len(w) >= 2]
    if not words:
        return None
    quals = frozenset(g.qualifiers_in(text, outside_terms=True))
    years = {int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text)}

    def own(i: IndexedFact) -> str:  # what the figure itself is said to be (not its whole sentence)
        return re.sub(r"\s+", "", i.fact.description + "".join(i.fact.row_path))

    counted = counted_noun(text)  # "多少个预算单位": the thing counted must be the figure's own

    found = [
        i
        for i in facts
        if _unit_of(i) == asked
        # every word the question names is the figure's, or its document's ("无为市" of its title)
        and all(covered(w, _said(i), share=0.6) or covered(w, i.title) for w in words)
        and any(covered(w, own(i), share=0.6) for w in words)
        and (len(counted) < 2 or covered(counted, own(i), share=0.6))
        and ("change" not in i.qualifiers or "change" in quals)  # "较2019年增加24445人次" is a change
        and not _exclusive_mismatch(quals, i.qualifiers)
        and (not years or i.year is None or i.year in years)
    ]

    def fit(i: IndexedFact) -> float:  # how much of the question's words the figure's own words use
        said = _pairs(own(i))
        return sum(len(_pairs(w) & said) / len(_pairs(w)) for w in words if _pairs(w))

    if found:  # the figures the question's words describe best, by their own words
        best = max(fit(i) for i in found)
        found = [i for i in found if fit(i) == best]
    if "actual" in quals and any("actual" in i.qualifiers for i in found):
        found = [i for i in found if "actual" in i.qualifiers]  # "实际改了多少户": what was done
    if len({i.fact.value for i in found}) != 1:
        return None
    from service.answer.operations.answer import _Solver
    from service.answer.operations.question import parse

    solver = _Solver(owner, parse(question, g), facts)
    item = found[0]
    subject = item.fact.description if item.fact.source == "text" else "·".join(item.fact.row_path)
    draft = solver.lookup_draft(f"“{subject}”", [Match(item, 0.0)])
    draft.cites = solver.cites
    return draft
