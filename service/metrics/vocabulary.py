"""The report check's vocabulary of rates: which line or sentence states a rate, and which lines are
its operands. It is data, never code: the field's rates come from the glossary (`ingest/glossary.yaml`,
passed in by the service layer as its concepts, since this package imports only the stdlib), and a
document adds the rates it defines itself — a formula in its text or notes ("培训合格率＝合格人数÷参训
人数×100%", "X率（A÷B）"), a header naming its operands, a cost per 10 000 of a quantity the header
names ("每万…量…成本"). A rate neither the glossary nor the document defines is never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_DROP = re.compile(r"[\s\"'“”‘’「」『』¹²³⁴⁵⁶⁷⁸⁹⁰]")
_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")


def fold(text: str) -> str:
    """Text for matching terms: NFKC, lower case, no whitespace, quotes or footnote marks."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def core(label: str) -> str:
    """A line's name without its bracketed unit or note: "支出数（万元）" -> "支出数", "执行率%" -> "执行率"."""
    return _BRACKETS.sub("", fold(label)).rstrip("%")


@dataclass(frozen=True)
class Operand:
    """One reading of an operand: a glossary concept's terms, or a document's own phrase.
    `money_like`: any line stated in money whose name shares the most with `terms[0]` (the cost of a
    "每万…量…成本" header, whose cost line the table names in its own words). `unit`: the one line
    counted in that unit ("每万人次…成本" names its quantity by its unit only)."""

    terms: tuple[str, ...]
    concept: str = ""  # glossary concept id; "" for a phrase of the document
    money_like: bool = False
    unit: str = ""  # the line counted in this unit ("每万人次…": the only line in 人次), when no name

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "terms", tuple(sorted({fold(t) for t in self.terms if t}, key=len, reverse=True))
        )


@dataclass(frozen=True)
class RateDef:
    """A rate, how it is named, and its operands (alternatives in order: the standard one first)."""

    name: str  # shown in claims: 预算执行率, 培训合格率
    terms: tuple[str, ...]  # folded names that identify it in a line label or a sentence
    numerator: tuple[Operand, ...]
    denominator: tuple[Operand, ...]
    metric: str  # a registry metric with (numerator, denominator) arguments
    args: tuple[str, str]
    source: str = "glossary"  # "glossary", or where the document defines it ("第3页注：…")
    page: int | None = None


@dataclass(frozen=True)
class CheckVocabulary:
    """The rates the field defines (from the glossary). Empty: only the document's own definitions."""

    rates: tuple[RateDef, ...] = ()
    # (folded term, label) of the glossary's rates without a formula of two lines: named, not computable
    unruled: tuple[tuple[str, str], ...] = ()
    note: str = field(default="", compare=False)

    @classmethod
    def from_concepts(cls, concepts: Iterable[Any]) -> CheckVocabulary:
        """From the glossary's concepts (objects with id, label, kind, terms and a formula with
        numerator / denominator concept ids and an optional metric): each rate with a formula whose
        operands are two different concepts. Its metric when the registry has it with two arguments,
        else the general `ratio`."""
        from service.metrics.registry import REGISTRY

        by_id = {c.id: c for c in concepts}
        rates: list[RateDef] = []
        unruled: list[tuple[str, str]] = []
        for c in by_id.values():
            f = getattr(c, "formula", None)
            if c.kind != "rate":
                continue
            # no formula, or a change of one quantity (not a ratio of two lines)
            if f is None or not f.numerator or not f.denominator or set(f.numerator) & set(f.denominator):
                unruled += [(fold(t), c.label) for t in c.terms]
                continue
            spec = REGISTRY.get(f.metric or "")
            required = [a.name for a in spec.args if a.required] if spec else []
            metric, args = (
                (f.metric, (required[0], required[1]))
                if len(required) == 2
                else ("ratio", ("numerator", "denominator"))
            )

            def operands(ids: Iterable[str]) -> tuple[Operand, ...]:
                return tuple(Operand(tuple(by_id[i].terms), concept=i) for i in ids if i in by_id)

            rates.append(
                RateDef(
                    name=c.label,
                    terms=tuple(sorted({fold(t) for t in c.terms}, key=len, reverse=True)),
                    numerator=operands(f.numerator),
                    denominator=operands(f.denominator),
                    metric=metric,
                    args=args,
                )
            )
        return cls(tuple(rates), tuple(unruled))


EMPTY = CheckVocabulary(note="未提供术语表：只核对文档自己给出公式的比率")

__all__ = ["EMPTY", "CheckVocabulary", "Operand", "RateDef", "core", "fold"]
