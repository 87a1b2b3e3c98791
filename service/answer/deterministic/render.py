"""From what the handlers found to the answer: numbered citations and Chinese text from `prompts/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prompts import render as render_template
from service.answer.deterministic.evidence import Figure
from service.answer.models import Citation, Computation

_ZH_DIGITS = "零一二三四五六七八九"


def zh_count(n: int) -> str:
    """3 -> "三", 12 -> "十二", 112 -> "一百一十二": counts in answer text are words, so they are never
    taken for figures by the grounding check."""
    if n < 0 or n >= 10000:
        return str(n)
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 20:
        return "十" + (_ZH_DIGITS[n - 10] if n > 10 else "")
    out = ""
    zero = False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero and out:
                out += "零"
            out += _ZH_DIGITS[d] + name
            zero = False
        elif out:
            zero = True
    return out


class CitationSet:
    """Citations numbered in order of first use; the same (doc, page, quote) is cited once."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def add(self, doc_id: str, title: str, page: int, quote: str) -> int:
        quote = " ".join(quote.split())
        for c in self.items:
            if c.doc_id == doc_id and c.page == page and c.quote == quote:
                return c.n
        n = len(self.items) + 1
        self.items.append(Citation(n=n, doc_id=doc_id, title=title, page=page, quote=quote))
        return n

    def figure(self, f: Figure) -> int:
        return self.add(f.doc_id, f.title, f.page, f.quote)

    def quotes(self) -> list[str]:
        return [c.quote for c in self.items]


@dataclass
class Draft:
    """What a handler produced: a template and its variables, the citations and computations."""

    template: str
    variables: dict[str, Any]
    found: bool = True
    computations: list[Computation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    cites: CitationSet | None = None  # its own citations, when it was not drafted over a Context

    def text(self) -> str:
        return render_template(self.template, **self.variables)


def cite_list(ns: list[int]) -> str:
    return "".join(f"[{n}]" for n in sorted(set(ns)))
