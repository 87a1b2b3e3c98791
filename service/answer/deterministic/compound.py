"""A question that asks for two figures at once ("三公经费预算多少，实际花了多少？", "公车编制几辆？实际有几辆？")
is answered part by part — the later parts as follow-ups of the earlier ones, so "实际花了多少" keeps
the subject of "三公经费预算多少" — and the answers joined, their citations renumbered as one list."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from service.answer._evidence import CITATION_MARK
from service.answer.models import Answer, Citation

# a clause that asks for a figure (not a check, a reason or a yes/no)
_ASKS_FIGURE = re.compile(
    r"(?:是|为|有|得了|花了|用了|执行了|安排了|完成了|占)?多少[^，,？?]{0,4}$|几[个项人次座名家条户所分年天辆位成]?$|百分之几$"
)
_CHECK = re.compile(r"吗$|是否|对不对|对得上|一致|怎么来|为什么|原因|怎么算|如何")
_TWO_ASKS = re.compile(
    r"(?P<head>[^，,；;？?、]*?)(?P<a>(?:多少|几)[^、，,；;？?\d]{1,4})[、和及](?P<b>(?:多少|几)[^、，,；;？?\d]{1,4})[？?。]?"
)


def split_compound(question: str) -> list[str]:
    """The figure-asking parts of a question, each with the clauses before it that are not asks of
    their own ("收入这块，…占比是多少"); [question] when it asks for one figure (or checks one)."""
    both = _TWO_ASKS.fullmatch(question.strip())
    if both:  # "公务接待了多少批次、多少人次": one subject, two figures asked
        return [f"{both['head']}{both['a']}？", f"{both['head']}{both['b']}？"]
    clauses = [c.strip() for c in re.split(r"[？?]|[，,；;](?=[^，,；;？?]{2,})", question) if c.strip()]
    parts: list[str] = []
    pending = ""
    for clause in clauses:
        core = clause.rstrip("。！!")
        if _ASKS_FIGURE.search(core) and not _CHECK.search(core):
            parts.append(f"{pending}，{core}" if pending else core)
            pending = ""
        elif parts and not pending and _CHECK.search(core):
            return [question]  # "…是多少？跟一级指标的分值一致吗": a check of the figure
        else:
            pending = f"{pending}，{core}" if pending else core
    if pending or len(parts) < 2 or any(len(p) < 3 for p in parts):
        return [question]
    return [p + "？" for p in parts]


_MEASURES = ("budget_stage", "form_column", "score")
_ASK_TAIL = re.compile(
    r"(?:是|为|有|得了|花了|用了|执行了|安排了|完成了)?(?:多少[^，,？?]{0,4}|几\S?|百分之几)[？?]?$"
)


def with_subjects(parts: list[str], glossary: Any) -> list[str]:
    """A later part that names only a measure ("实际花了多少") is about the first part's subject
    ("嘉定区司法局2017年三公经费预算多少" -> 嘉定区司法局2017年三公经费): the subject is written in."""
    from service.answer.operations.cells import free_chunks

    first = re.sub(r"了$", "", _ASK_TAIL.sub("", parts[0].rstrip("？?")))  # "资金支出了多少": 资金支出
    spans = [
        (h.start, h.end) for h in glossary.find(first) if glossary.concept(h.concept_id).category in _MEASURES
    ]
    end = len(first)
    for start, stop in sorted(spans, reverse=True):
        if stop != end:
            break
        end = start
    subject = first[:end].strip("，,的")
    out = [parts[0]]
    for part in parts[1:]:
        named = [  # a rate (得分率, 执行率) is a measure of whatever line it is asked of
            c
            for c in glossary.concepts_in(part)
            if glossary.concept(c).category not in _MEASURES and glossary.concept(c).kind != "rate"
        ]
        out.append(part if (named or free_chunks(part, glossary) or not subject) else subject + part)
    return out


def answer_compound(parts: list[str], ask: Callable[[str], Answer]) -> Answer:
    """Each part answered on its own, the answers joined."""
    return merge([ask(part) for part in parts])


def merge(answers: list[Answer]) -> Answer:
    citations: list[Citation] = []
    number: dict[tuple[str, int, str], int] = {}
    texts: list[str] = []
    for a in answers:
        remap: dict[int, int] = {}
        for c in a.citations:
            key = (c.doc_id, c.page, c.quote)
            if key not in number:
                number[key] = len(citations) + 1
                citations.append(c.model_copy(update={"n": number[key]}))
            remap[c.n] = number[key]

        def renumber(m: re.Match[str], remap: dict[int, int] = remap) -> str:
            refs = [int(x) for x in re.split(r"\D+", m.group(1)) if x]
            return "[" + ",".join(str(remap.get(r, r)) for r in refs) + "]"

        texts.append(CITATION_MARK.sub(renumber, a.answer))
    last = answers[-1]
    return last.model_copy(
        update={
            "answer": "\n\n".join(texts),
            "citations": citations,
            "computations": [c for a in answers for c in a.computations],
            "grounded": all(a.grounded for a in answers),
            "ungrounded": [u for a in answers for u in a.ungrounded],
            "notes": [n for a in answers for n in a.notes],
            "meta": {**last.meta, "compound": len(answers)},
        }
    )
