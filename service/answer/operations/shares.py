"""A line's share of its table's total in one measure: "决算里基本支出占多大比例" is the 基本支出 row's
决算数 over the 合计 row's, "实际支出里设施建设费占了多少比例" the 设施建设费 row's 执行数 over the
总计 row's. Both cells of one column of one table; the question names the measure once, for both."""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import Draft
from service.answer.operations.cells import covered, free_chunks
from service.answer.operations.operands import Match
from service.answer.operations.tables import arg_names
from service.search.facts import ENTITY_LIKE, MEASURE_CATEGORIES, IndexedFact

# the question's words for the whole, beside its measure ("全部支出决算", "项目全部实际支出")
_WHOLE_WORDS = re.compile(r"全部|全年|总额|总数|合计|总计|总|项目|部门|单位|整体|多大|多少|百分之|几成|了")

# "实际支出里设施建设费": the word joining the whole to its part is no part of the line's name
_JOIN_EDGE = re.compile(r"^(?:当中|之中|里|中)|(?:所占|占)$")


def _line_words(text: str, glossary: Any) -> tuple[list[str], list[str]]:
    """The line concepts and the document's own words a share question names besides its measure."""
    concepts = [
        c
        for c in dict.fromkeys(glossary.concepts_in(text))
        if glossary.concept(c).category not in MEASURE_CATEGORIES
        and glossary.concept(c).kind not in ("rate", "text")
        and c not in ENTITY_LIKE
    ]
    chunks = (_JOIN_EDGE.sub("", w) for w in free_chunks(_WHOLE_WORDS.sub(" ", text), glossary))
    return concepts, [w for w in chunks if len(w) >= 2]


class LineShareOps:
    """The attributes and helpers are the solver's."""

    g: Any
    ask: Any
    facts: list[Any]
    searched: list[str]
    run_metric: Any
    metric_input: Any
    computed_draft: Any
    is_total: Any

    def line_share(self) -> Draft | None:
        """The one line the question names (a glossary line or its own words) over its table's
        total, both in the one measure it names; None unless exactly one cell and one total fit."""
        text = self.ask.text
        measures = [
            c
            for c in dict.fromkeys(self.g.concepts_in(text))
            if self.g.concept(c).category in MEASURE_CATEGORIES
            and self.g.concept(c).kind == "amount"
            and c not in ENTITY_LIKE
        ]
        concepts, own = _line_words(text, self.g)
        # "基本支出占全部支出决算": 支出 is the line's whole (the total row), not a second measure
        wholes = {w for c in concepts for w in self.g.wholes_of(c)}
        measures = [c for c in measures if c not in wholes] if len(measures) > 1 else measures
        if len(measures) != 1:
            return None
        measure = measures[0]
        if len(concepts) + len(own) != 1:
            return None
        cells = [
            i
            for i in self.facts
            if i.fact.source == "table"
            and measure in i.measures
            and (not self.ask.years or i.year in self.ask.years)
        ]

        def names_line(i: IndexedFact) -> bool:
            row = " ".join(i.fact.row_path)
            if concepts:
                return concepts[0] in self.g.concepts_in(row)
            return covered(own[0], row, share=1.0)

        parts = [i for i in cells if names_line(i) and not self.is_total(Match(i, 1.0))]
        if len({(i.fact.doc_id, i.fact.table_id, i.fact.col_index) for i in parts}) != 1:
            return None
        if len({i.fact.value for i in parts}) != 1:
            return None
        part = parts[0]
        totals = [
            i
            for i in cells
            if (i.fact.doc_id, i.fact.table_id, i.fact.col_index)
            == (part.fact.doc_id, part.fact.table_id, part.fact.col_index)
            and i.fact.row_index != part.fact.row_index
            and self.is_total(Match(i, 1.0))
            and not names_line(i)
        ]
        if len({i.fact.value for i in totals}) != 1 or part.fact.unit != totals[0].fact.unit:
            return None
        names = arg_names("share")
        if names is None:
            return None
        args = [(names[0], Match(part, 1.0)), (names[1], Match(totals[0], 1.0))]
        self.searched.append(
            f"表格中“{' '.join(part.fact.row_path)}”行与合计行的“{self.g.concept(measure).label}”栏"
        )
        comp = self.run_metric("share", {n: self.metric_input(m) for n, m in args})
        if comp is None:
            return None
        line = self.g.concept(concepts[0]).label if concepts else own[0]
        return self.computed_draft(f"{line}占{self.g.concept(measure).label}合计的比例", comp, args, None)
