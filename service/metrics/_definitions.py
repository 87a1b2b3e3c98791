"""Report check: which rate a line states, and how to recompute it — the glossary's rates and the rates
a document defines itself. Private to `service.metrics.check`.

A document defines a rate by writing its formula: "X率＝A÷B×100%", "X率为A除以B", "X率（A÷B）" in a
sentence, a note (注²…) or a header; or by a header that names the quantity of a cost per 10 000
("每1万…量…成本"). Those definitions win over the glossary's for that document. A line whose name says
it is derived (…率, 每…, 人均…) but that neither defines is listed as cannot_verify, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from service.metrics.errors import MetricError
from service.metrics.units import unit_info
from service.metrics.vocabulary import CheckVocabulary, Operand, RateDef, core, fold

_PHRASE = r"[^÷/＝=，。；;,：:×*+＋\-－−\d%％]{2,30}?"
_OPEN, _CLOSE = r"[（(]", r"[）)]"
_DIVIDE = r"\s*(?:÷|/|／|除以)\s*"
_TIMES_100 = r"(?:\s*[×*]\s*100\s*[%％])?"
# "X率＝A÷B×100%", "X率为A÷B", "X率等于A除以B"
_STATED = re.compile(
    rf"(?P<name>[\u4e00-\u9fff]{{1,24}}率)\s*(?:[＝=]|为|是指|是|指|等于)\s*{_OPEN}?\s*"
    rf"(?P<num>{_PHRASE}){_DIVIDE}(?P<den>{_PHRASE})\s*{_CLOSE}?{_TIMES_100}"
    rf"(?=\s*(?:[，。；;,）)]|$|再|乘))"
)
# "X率（A÷B）", "X率（A/B×100%）"
_BRACKETED = re.compile(
    rf"(?P<name>[\u4e00-\u9fff]{{1,24}}率)\s*{_OPEN}\s*(?P<num>{_PHRASE}){_DIVIDE}(?P<den>{_PHRASE})"
    rf"{_TIMES_100}\s*{_CLOSE}"
)
# "每1万接听量人工成本": a cost per 10 000 of the quantity the header names
_PER_10K = re.compile(r"^每[1１一]?万(?P<rest>[\u4e00-\u9fff]{3,24})$")
_NAMED_QUANTITY = re.compile(r"^次?(?P<q>[\u4e00-\u9fff]{1,12}?[量数])的?(?P<c>[\u4e00-\u9fff]{2,12})$")
_DERIVED = re.compile(r"率$|^(?:每|人均|户均)|^单位\S*成本")
_LEAD = re.compile(r"^(?:其中|注|即|而|故|则|由于|因此)")


def _operand(phrase: str) -> str:
    return _BRACKETS_OR_SPACE.sub("", fold(phrase)).removeprefix("的")


_BRACKETS_OR_SPACE = re.compile(r"[（(][^（）()]*[）)]|[（）()]")


def parse_definitions(texts: Iterable[tuple[int | None, str]]) -> list[RateDef]:
    """The rates a document defines in its text, notes and headers: (page, text) pairs in."""
    out: dict[str, RateDef] = {}
    for page, text in texts:
        for line in (text or "").split("\n"):
            for pattern in (_STATED, _BRACKETED):
                for m in pattern.finditer(line):
                    name = _LEAD.sub("", fold(m.group("name")))
                    num, den = _operand(m.group("num")), _operand(m.group("den"))
                    if len(name) < 2 or len(num) < 2 or len(den) < 2 or num == den or name in out:
                        continue
                    out[name] = RateDef(
                        name=name,
                        terms=(name,),
                        numerator=(Operand((num,)),),
                        denominator=(Operand((den,)),),
                        metric="ratio",
                        args=("numerator", "denominator"),
                        source=f"第{page}页“{m.group(0).strip()}”"
                        if page is not None
                        else f"“{m.group(0).strip()}”",
                        page=page,
                    )
    return list(out.values())


def _per_10k(lab: str) -> RateDef | None:
    """ "每1万接听量人工成本": cost ÷ (the named quantity ÷ 10 000); "每万人次培训成本": the quantity is
    the line counted in 人次. The cost line is the money line named most like the cost."""
    m = _PER_10K.match(lab)
    if m is None:
        return None
    rest = m.group("rest")
    named = _NAMED_QUANTITY.match(rest)
    if named:
        quantity, cost = Operand((named.group("q"),)), named.group("c")
    else:
        unit = next((rest[:k] for k in (3, 2, 1) if _count_unit(rest[:k])), "")
        cost = rest[len(unit) :].removeprefix("的")
        if not unit or len(cost) < 2:
            return None
        quantity = Operand((unit,), unit=unit)
    return RateDef(
        name=lab,
        terms=(lab,),
        numerator=(Operand((cost,), money_like=True),),
        denominator=(quantity,),
        metric="cost_per_10k_units",
        args=("cost", "quantity"),
        source=f"表头“{lab}”",
    )


def _count_unit(text: str) -> bool:
    try:
        kind = unit_info(text).kind
    except MetricError:
        return False
    return bool(kind) and kind not in ("money", "percent", "score") and "/" not in kind


@dataclass
class RuleBook:
    """The rates of one document: its own definitions first, then the glossary's."""

    vocabulary: CheckVocabulary
    definitions: tuple[RateDef, ...] = ()

    def rule(self, label: str) -> RateDef | None:
        lab = core(label)
        if not lab or "较" in lab:
            return None
        for d in self.definitions:  # the line is the rate, not a figure about it (…率得分)
            if lab.endswith(d.name) or (len(lab) >= 3 and lab.endswith("率") and d.name.endswith(lab)):
                return d
        per = _per_10k(lab)
        if per is not None:
            return per
        hit = self._glossary_hit(lab)
        return hit if isinstance(hit, RateDef) else None

    def _glossary_hit(self, lab: str) -> RateDef | str | None:
        """The glossary's rate named by the longest term in `lab` (a label, if that rate has no formula)."""
        best: tuple[int, RateDef | str] | None = None
        named: list[tuple[str, RateDef | str]] = [(t, r) for r in self.vocabulary.rates for t in r.terms]
        for t, found in [*named, *self.vocabulary.unruled]:
            # the line is the rate itself: its name ends with the term ("预算执行率得分" is a score)
            if lab.endswith(t) and (best is None or len(t) > best[0]):
                best = (len(t), found)
        return best[1] if best else None

    def derived(self, label: str) -> bool:
        """A line computed from others (a rate, a cost per unit): never an input, a sum's part or a
        plain figure, whether or not it can be recomputed."""
        lab = core(label)
        return "较" not in lab and (self.rule(label) is not None or bool(_DERIVED.search(lab)))

    def why_not(self, label: str) -> str:
        """Why a derived line has no rule, in Chinese."""
        lab = core(label)
        hit = self._glossary_hit(lab)
        if isinstance(hit, str):
            return f"术语表收录了“{hit}”，但未给出其计算公式（分子、分母），报告也未给出，无法复算"
        return "报告未给出该指标的计算公式（分子、分母），术语表也未收录，无法复算（不猜测口径）"


__all__ = ["RuleBook", "parse_definitions"]
