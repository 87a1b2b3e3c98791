"""A score group's rate from a sentence: "项目过程19.0分（满分20分）" states a group's score and, in
the brackets right after it, the group's own full marks; "过程部分的得分率" is their quotient."""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import Draft
from service.answer.operations.operands import Match
from service.answer.operations.tables import arg_names

_NUMBER = r"\d+(?:\.\d+)?"


def bracketed_weight(score: Any, weights: list[Any], terms: tuple[str, ...]) -> Any | None:
    """The weight fact stated in brackets right after the score fact, in the same sentence
    ("项目过程19.0分(满分20分)"): its clause is the score's clause followed by nothing but an opening
    bracket, one of the weight's terms and the figure. None when no such fact or more than one."""
    names = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    tail = re.compile(rf"[(（]\s*(?:{names})\s*[:：为是]?\s*{_NUMBER}\s*分?")
    own = re.sub(r"\s+", "", score.context)
    found = [
        w
        for w in weights
        if w.quote == score.quote
        and w.page == score.page
        and re.sub(r"\s+", "", w.context).startswith(own)
        and tail.fullmatch(re.sub(r"\s+", "", w.context)[len(own) :])
    ]
    return found[0] if len(found) == 1 else None


class ScoreGroupOps:
    """The sentence path of a group's 得分率; the attributes and helpers are the solver's."""

    g: Any
    ask: Any
    facts: list[Any]
    run_metric: Any
    metric_input: Any
    computed_draft: Any

    def stated_group_rate(self, subject: str, groups: list[str], formula: Any) -> Draft | None:
        """ "项目过程部分的得分率": the one group the question names, its score stated in a sentence
        with its full marks in brackets right after; score ÷ full marks. Every sentence stating
        that group's score must give the same pair, else nothing is computed."""
        if len(groups) != 1 or formula is None or not formula.denominator:
            return None
        weight = formula.denominator[0]
        terms = (self.g.concept(weight).label, *self.g.concept(weight).terms)
        years = set(self.ask.years)
        text = [i for i in self.facts if i.fact.source == "text" and i.fact.unit == "分"]
        if years:
            text = [i for i in text if i.year in years]
        scores = [i for i in text if groups[0] in i.concepts and weight not in i.concepts]
        weights = [i.fact for i in text if weight in i.concepts]
        pairs = {}
        for i in scores:
            w = bracketed_weight(i.fact, weights, terms)
            if w is None:
                return None  # a score of the group stated without its own full marks
            pairs[(i.fact.value, w.value)] = (i, next(x for x in text if x.fact is w))
        names = arg_names(formula.metric)
        if len(pairs) != 1 or names is None:
            return None
        ((score, full),) = pairs.values()
        args = [("score", Match(score, 1.0)), ("weight", Match(full, 1.0))]
        comp = self.run_metric(
            formula.metric, {names[0]: self.metric_input(args[0][1]), names[1]: self.metric_input(args[1][1])}
        )
        if comp is None:
            return None
        label = self.g.concept(groups[0]).label
        return self.computed_draft(f"“{label}”的{subject}", comp, args, None)
