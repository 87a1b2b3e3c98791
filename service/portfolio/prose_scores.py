"""A report's per-part scores and indicator targets stated in sentences rather than in a table.

Many evaluation reports give their scores in prose — “决策指标得分18分（满分20分），过程指标得分16.5分
（满分20分）…” — and their targets the same way — “服务对象满意度目标为不低于90%，实际满意度为95.2%”.
They are read from the fact index (every number of a sentence with the phrase before it,
`ingest/facts.py`) and the glossary, never from one report's words, and only when one reading fits:

- a part score: a sentence's figure in 分 whose phrase is a level-1 indicator (the glossary's
  `indicator_level1` concepts: 决策, 过程, 产出, 效益 …) followed by a score word (得分, 实际得分 — not
  a deduction, not a phrase that only mentions the indicator, as a scoring rule's "在评价过程中…得15分"
  does); its 分值 is the figure of the same sentence whose phrase is the same indicator and a weight
  word (满分, 分值). A part stated with two different scores is not read at all.
- the total from its parts, only for a report that states no total: the parts' scores summed by the
  metrics module (`total_score`, every part cited) when there are at least two, every part states
  its 分值, and those add up to the field's full score (`portfolio.full_score` in the glossary) —
  parts that do not make up the whole are never summed, and a part above its 分值 stops the sum.
- a target and its actual: one sentence with exactly two figures of this year in the same unit (a
  上年 figure left out), one whose phrase
  names a plan (the glossary's `plan` qualifier words: 目标, 计划 …) and one that does not, one of
  them naming an indicator (a glossary concept of an `indicator_*` category, or a rate measured by
  the same metric as one); the comparator is the one the target's phrase ends with (不低于 → ≥).
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from ingest.form_model import COMPARATORS
from ingest.glossary import load_glossary
from service.portfolio.rows import IndicatorRow, Value, concepts_of, indicator_row


def _dec(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, TypeError):
        return None


def _plain(v: Decimal) -> str:
    return format(v, "f")


def _this_year(fact: Any, year: int | None) -> bool:
    return year is None or fact.period in (None, year)


_GLUE = 2  # characters allowed between the indicator and the score word (部分, 的)


def _part_phrase(description: str) -> tuple[str, str, str] | None:
    """(level-1 concept, the document's words for it, "score" | "weight") when the phrase is just an
    indicator and a score or weight word: 决策指标得分, 项目过程实际得分, 效益部分满分. A phrase that
    only mentions a level-1 word (在评价过程中保持工作组成员稳定，得15分 — a scoring rule) is none."""
    glossary = load_glossary()
    hits = glossary.find(description)
    if len(hits) != 2:
        return None
    head, tail = hits
    if glossary.concept(head.concept_id).category != "indicator_level1" or tail.end != len(description):
        return None
    lead = description[: head.start]
    if lead and lead not in glossary.qualifiers.get("part", ()):
        return None
    if tail.start - head.end > _GLUE:
        return None
    kind = {"indicator_score": "score", "weight": "weight"}.get(tail.concept_id)
    return (head.concept_id, head.term, kind) if kind else None


def part_scores(items: list[Any], year: int | None) -> list[IndicatorRow]:
    """The level-1 indicators' scores (and 分值) a report states in sentences (see the module doc)."""
    scores: dict[str, list[tuple[Any, str]]] = {}
    weights: dict[tuple[str, int, str], list[Any]] = {}  # (concept, page, sentence) -> weight facts
    for it in items:
        f = it.fact
        if f.source != "text" or f.unit != "分" or _dec(f.value) is None or not _this_year(f, year):
            continue
        named = _part_phrase(f.description)
        if named is None:
            continue
        concept, words, kind = named
        if kind == "weight":
            weights.setdefault((concept, f.page, f.quote), []).append(it)
        else:
            scores.setdefault(concept, []).append((it, words))
    out = []
    for concept, found in scores.items():
        if len({Decimal(it.fact.value) for it, _w in found}) != 1:
            continue  # a part stated with two different scores: which one is unknown
        it, words = found[0]
        f = it.fact
        weight_facts = weights.get((concept, f.page, f.quote), [])
        weight = None
        if len({Decimal(w.fact.value) for w in weight_facts}) == 1:
            w = weight_facts[0].fact
            weight = Value(
                Decimal(w.value),
                "分",
                f"{_plain(Decimal(w.value))}分",
                w.page,
                f"第{w.page}页",
                f"{words}·分值",
            )
        score = Value(
            Decimal(f.value), "分", f"{_plain(Decimal(f.value))}分", f.page, f"第{f.page}页", f"{words}·得分"
        )
        out.append(
            indicator_row(
                name=words,
                path=words,
                concepts=set(concepts_of(words)) | {concept},
                target="",
                actual="",
                score=score,
                weight=weight,
                page=f.page,
                where=f"第{f.page}页",
            )
        )
    return out


def parts_total_inputs(parts: list[IndicatorRow]) -> tuple[list[Value], list[Value]] | None:
    """(scores, 分值) of the level-1 parts when they make up the whole report (see the module doc)."""
    full = _dec(load_glossary().portfolio.get("full_score"))
    if full is None or len(parts) < 2 or any(p.score is None or p.max is None for p in parts):
        return None
    scores = [p.score for p in parts if p.score is not None]
    maxes = [p.max for p in parts if p.max is not None]
    if sum((m.value for m in maxes), Decimal(0)) != full:
        return None
    return scores, maxes


@functools.lru_cache(maxsize=1024)
def indicator_concepts(name: str) -> frozenset[str]:
    """The glossary concepts an indicator named `name` counts as: its own, the indicators measured by
    the same metric (满意度 is measured like 服务对象满意度), and what they are part of (满意度指标),
    the whole score left out. Empty when `name` names no indicator."""
    glossary = load_glossary()
    own = set(concepts_of(name))
    metrics = {
        c.formula.metric for i in own if (c := glossary.concept(i)).formula is not None and c.formula.metric
    }
    found = {i for i in own if glossary.concept(i).category.startswith("indicator")}
    found |= {
        c.id
        for c in glossary.concepts.values()
        if c.category.startswith("indicator") and c.formula is not None and c.formula.metric in metrics
    }
    if not found:
        return frozenset()
    out, todo = set(own) | found, list(found)
    while todo:
        for parent in glossary.concept(todo.pop()).part_of:
            if parent != "total_score" and parent not in out:
                out.add(parent)
                todo.append(parent)
    return frozenset(out)


def _subject(description: str) -> str:
    """The phrase without its plan, actual and comparator words: what the figure is of."""
    glossary = load_glossary()
    words = [w for k in ("plan", "actual") for w in glossary.qualifiers.get(k, ())]
    words += [w for _sym, ws in COMPARATORS for w in ws]
    rest = description
    for w in sorted(words, key=len, reverse=True):
        rest = rest.replace(w, "")
    return rest.strip("为是：:，, ")


def _comparator_word(description: str) -> str:
    for _sym, words in COMPARATORS:
        for w in sorted(words, key=len, reverse=True):
            if description.endswith(w):
                return w
    return ""


def targets(items: list[Any], year: int | None) -> list[IndicatorRow]:
    """Indicators whose target and actual a report states in one sentence (see the module doc)."""
    glossary = load_glossary()
    plan_words = glossary.qualifiers.get("plan", ())
    earlier_words = glossary.qualifiers.get("previous_year", ())
    sentences: dict[tuple[int, str], list[Any]] = {}
    for it in items:
        f = it.fact
        if any(w in f.description for w in earlier_words):
            continue  # 上年同期为…: last year's figure, neither this year's target nor its actual
        if f.source == "text" and f.unit and _dec(f.value) is not None and _this_year(f, year):
            sentences.setdefault((f.page, f.quote), []).append(it)
    out = []
    for found in sentences.values():
        if len(found) != 2 or found[0].fact.unit != found[1].fact.unit:
            continue
        planned = [it for it in found if any(w in it.fact.description for w in plan_words)]
        if len(planned) != 1:
            continue
        target = planned[0]
        actual = found[1] if found[0] is target else found[0]
        names = [_subject(it.fact.description) for it in (target, actual)]
        named = [(n, indicator_concepts(n)) for n in names if n and indicator_concepts(n)]
        if not named:
            continue
        name, concepts = max(named, key=lambda nc: len(nc[0]))
        t, a = target.fact, actual.fact
        target_text = f"{t.comparator or _comparator_word(t.description)}{t.value}{t.unit}"
        out.append(
            indicator_row(
                name=name,
                path=name,
                concepts=set(concepts),
                target=target_text,
                actual=f"{a.value}{a.unit}",
                score=None,
                weight=None,
                page=a.page,
                where=f"第{a.page}页",
            )
        )
    return out
