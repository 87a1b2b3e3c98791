"""Answering a question as an operation over the fact index: find each operand by meaning, check
that it fits, compute through `compute_metric`, cite every operand — or refuse and say what was
searched. Returns None when the question is not one of these operations (the caller decides)."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from service.answer.base import current_events, emit
from service.answer.deterministic.render import CitationSet, Draft
from service.answer.models import Computation, ProgressEvent
from service.answer.operations.cells import (
    covered,
    followup_cell,
    free_chunks,
    line_before,
    names_a_parent,
)
from service.answer.operations.fit import same_number
from service.answer.operations.forms import form_answer, form_fields, form_header
from service.answer.operations.grades import grade_answer
from service.answer.operations.growth import GrowthOps, two_year_change
from service.answer.operations.operands import Match, distinct_values, find, unit_fits
from service.answer.operations.phrases import (
    COUNTED_SIDE,
    NUMERALS,
    PREVIOUS,
    SUM_WORDS,
    Binary,
    resolve,
    same_kind,
    sole_part,
    split,
)
from service.answer.operations.question import Ask, Operand, parse
from service.answer.operations.rules import _YEAR as _YEAR_IN_TEXT
from service.answer.operations.rules import computed_draft
from service.answer.operations.score_groups import ScoreGroupOps
from service.answer.operations.shares import LineShareOps
from service.answer.operations.sums import named_sum
from service.answer.operations.tables import NOT_FULL, SUPERLATIVE, TableOps, arg_names
from service.search.facts import ENTITY_LIKE, MEASURE_CATEGORIES, FactIndex, IndexedFact

# a change asked in the figure's own unit, not as a percentage ("增长了多少万件", "多了几个人")
_UNIT_ASKED = re.compile(r"多少(?:万|亿)?(?:元|件|次|人次|人|个|项|户|名)|几(?:个|人|项|名|次)")
_SINCE_LAST_YEAR = re.compile(r"同比|比上年|较上年|比去年|较去年|比上一年|较上一年")
_LONGER_NAME = re.compile(
    r"(?!增长|增幅|提高|下降|降低|减少|增加|上升|变化|较|比)的?[\u4e00-\u9fff]{0,3}(?:成本|费用|金额|人数|率|比例|占比|单价|均值)"
)


# "…是用哪两个数算出来的", "怎么算的": the figures a stated rate is computed from
def _norm_number(text: str) -> str:
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return text


_HOW_COMPUTED = re.compile(r"哪两个数|哪几个数|用哪些数|怎么算|如何算|怎样算|怎么得出|如何得出|由哪|根据哪")


def _against_year(text: str, year: int) -> bool:
    """Is the change stated against that one year ("比2019年度", "较2019年"), not a span or an
    average of years that ends with it ("较2018-2019年均值")?"""
    return bool(
        re.search(
            rf"(?:比|较|与|同|和)\s*{year}\s*年(?:度)?(?!\s*[-－—~至到\d])(?![^，,；;。]{{0,4}}均)", text
        )
    )


_TOTAL_ASKED = re.compile(r"一共|总共|共计|合计|总计|总数|总量|总额|累计")
_CLAUSE_END = re.compile(r"[，,；;。！？:：]")


def _clause_tail(fact: Any) -> str:
    """The words after a sentence figure up to the end of its clause ("业务培训" of "开展8000人次业务培训"),
    when no other number stands there."""
    quote = re.sub(r"\s+", "", fact.quote)
    own = re.sub(r"\s+", "", fact.context or "")
    # the context may carry a word from earlier in the sentence in front ("目标开展8000人次")
    found = next((own[k:] for k in range(max(0, len(own) - 3)) if own[k:] in quote), "")
    if not found:
        return ""
    rest = quote[quote.find(found) + len(found) :]
    end = _CLAUSE_END.search(rest)
    tail = rest[: end.start()] if end else rest
    return "" if re.search(r"\d", tail) else tail


# a measure's unit at the end of its name: 培训人次 is 培训 counted in 人次
_UNIT_TAIL = re.compile(r"(?:人次|人数|次数|个数|件数|户数|数量|金额|人|次|个|件|户)$")

# an indicator group a rate is asked of ("过程的得分率"): the rate is that group's line's
_LINE_CATEGORIES = frozenset({"indicator_level1", "indicator_level2"})
# a question asking what was spent ("花了多少钱", "实际支出了多少"), and the stages that answer it or not
_SPENT_ASKED = re.compile(r"花了?|花费|用了|用掉|支出了|执行了")
_SPENT = frozenset({"expenditure", "final_account_amount"})
_BUDGETS = frozenset({"budget_amount", "adjusted_budget", "initial_budget"})
# the lines of a budget a rate may be asked of (培训费, 财政拨款), beside the indicator groups
_ITEM_CATEGORIES = frozenset({"expenditure_class", "funding_source"})
# a question asking for one figure ("是多少", "几座", "多少人")
_ONE_FIGURE = re.compile(r"多少|几[个项人次座名家条户所元分年天]")


class FactAnswerer:
    def __init__(self, toolbox: Any, glossary: Any) -> None:
        self.toolbox, self.glossary = toolbox, glossary
        shared = getattr(toolbox, "fact_index", None)
        self.index = shared() if callable(shared) else FactIndex(toolbox.store, glossary)

    def answer(
        self,
        question: str,
        *,
        document_ids: list[str] | None = None,
        previous: dict[str, Any] | None = None,
    ) -> tuple[Ask, Draft | None]:
        """`previous`: the meta of the last answer in the conversation, for follow-ups."""
        ask = parse(question, self.glossary)
        fields = form_fields(ask.text, self.glossary)
        if fields:
            draft = form_header(self, fields, document_ids)
            if draft is not None:
                return ask, draft
        draft = form_answer(self, ask.text, document_ids)  # 自评表: 总分, 满分, 执行得分, 完成, 问题
        if draft is not None:
            return ask, draft
        from service.answer.operations.per_unit import counted_answer, per_unit_answer

        items = self.index.items(document_ids)
        # "平均每批次接待多少人次"; "实际改了多少户危房" (a count in its own measure word)
        per = per_unit_answer(self, ask.text, items) or counted_answer(self, ask.text, items)
        if per is not None:
            return ask, per
        if "share" in self.glossary.operations_in(ask.text):  # "决算里基本支出占多大比例"
            solver = _Solver(self, ask, self.index.items(document_ids))
            draft = solver.line_share()
            if draft is not None:
                draft.cites = solver.cites
                return ask, draft
        readings = split(ask.text)
        if readings:
            solver = _Solver(self, ask, self.index.items(document_ids))
            solver.previous = previous
            draft = solver.named_operation(readings)
            if draft is not None:
                draft.cites = solver.cites
                return ask, draft
        if NOT_FULL.search(ask.text) and not SUPERLATIVE.search(ask.text):
            facts = self.index.items(document_ids)
            solver = _Solver(self, ask, facts)
            draft = solver.not_full_marks()
            if draft is not None:
                draft.cites = solver.cites
            return ask, draft
        follow = followup_cell(ask.text, previous, self.glossary)
        if follow is not None:
            ask.op, ask.cell = "none", follow
        if (
            ask.op == "none"
            and ask.cell is None
            and not ((ask.single or _TOTAL_ASKED.search(ask.text)) and _ONE_FIGURE.search(ask.text))
            and "change" not in ask.qualifiers
            and not _HOW_COMPUTED.search(ask.text)
        ):
            return ask, None
        facts = self.index.items(document_ids)
        solver = _Solver(self, ask, facts)
        solver.previous = previous
        solver.followed = follow is not None
        draft = solver.solve()
        if draft is None and ask.worded and ask.rate_concept and solver.other_rate_of_line():
            # the rate is known only from how it was asked, and the line has another rate stated:
            # the search path, matching the words, would answer that one ("见习补贴执行率" for
            # 完成了年度目标的百分之几)
            label = self.glossary.concept(ask.rate_concept).label
            draft = solver.refuse_now(label, "文档中没有找齐计算它所需、能确定对应关系的数字", op="rate")
        if draft is not None:
            draft.cites = solver.cites
        return ask, draft


_SUB_FOLLOWUP = re.compile(r"^(?:其中|那么|那|还有)|^(?:这一项|这项|该项|此项|它|其)的?|呢$")
_SUB_NOISE = re.compile(
    r"^(?:其中|那么|那|还有)|^(?:这一项|这项|该项|此项|它|其)的?|(?:的)?(?:是多少|有多少|多少|是几|定的是|呢)|[？?。！!，,\s]"
)


_A_YEAR = re.compile(r"(?:19|20)\d{2}")
# a row's ordinal ("3、公务接待", "（二）项目支出"): not part of what the figure is, nor a figure
_ORDINAL = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d{1,2}[、.．](?!\d)|[（(][一二三四五六七八九十\d]{1,2}[)）])\s*"
)


def names_only_a_measure(text: str, g: Any) -> bool:
    """A question that names a measure and nothing it is of ("实际支出了多少？", "年度指标值定的是多少？"):
    no line, indicator or document word of its own, no year, no total, no operation. Asked right after
    one line's figure, it asks that line's (a subject left out is the one just spoken of)."""
    concepts = list(g.concepts_in(text))
    return (
        bool(concepts)
        and all(g.concept(c).category in MEASURE_CATEGORIES and c not in ENTITY_LIKE for c in concepts)
        and not free_chunks(text, g)
        and not _A_YEAR.search(text)
        and not set(g.qualifiers_in(text)) - {"actual", "plan"}
        and not list(g.operations_in(text))
    )


def previous_row(fig: dict[str, Any], facts: list[IndexedFact]) -> dict[str, Any] | None:
    """The table row of the last answer's one figure ({doc_id, table_id, row}), or None when it is
    in no table or in several rows. A search-path answer names no table: the one cell it quoted."""
    if fig.get("table_id") is not None:
        return fig
    cells = [
        i
        for i in facts
        if i.fact.source == "table"
        and i.fact.page == fig.get("page")
        and (not fig.get("doc_id") or i.fact.doc_id == fig.get("doc_id"))
        and same_number(i.fact.value, fig.get("value"))
    ]
    exact = [i for i in cells if i.fact.value == str(fig.get("value"))]  # "6.0", not the 6 beside it
    cells = exact if len({(i.fact.table_id, i.fact.row_index) for i in exact}) == 1 else cells
    quoted = re.sub(r"\s+", "", str(fig.get("quote") or ""))  # the row the answer quoted
    named = [i for i in cells if i.fact.row_path and re.sub(r"\s+", "", i.fact.row_path[-1]) in quoted]
    cells = named or cells
    if len({(i.fact.doc_id, i.fact.table_id, i.fact.row_index) for i in cells}) != 1:
        return None
    return {
        "doc_id": cells[0].fact.doc_id,
        "table_id": cells[0].fact.table_id,
        "row": cells[0].fact.row_index,
        "value": fig.get("value"),
    }


def same_row_followup(
    owner: FactAnswerer, text: str, previous: dict[str, Any] | None, document_ids: list[str] | None
) -> Draft | None:
    """After a table cell's answer (技术岗的工资福利支出总额): "其中公积金呢？" is that row's 公积金
    column — the one cell of the same table and row whose column the follow-up names; so is a
    question naming only a measure ("项目支出全年预算是多少？" then "实际支出了多少？")."""
    figs = (previous or {}).get("figures") or []
    if len(figs) != 1:
        return None
    if not _SUB_FOLLOWUP.search(text.strip()) and not names_only_a_measure(text, owner.glossary):
        return None
    bare = _SUB_NOISE.sub("", text)
    if not (2 <= len(bare) <= 12):
        return None
    facts = owner.index.items(document_ids)
    fig = previous_row(figs[0], facts)
    if fig is None:
        return None
    row = [
        i
        for i in facts
        if i.fact.source == "table"
        and i.fact.doc_id == fig.get("doc_id")
        and i.fact.table_id == fig["table_id"]
        and i.fact.row_index == fig.get("row")
    ]
    asked = {c for c in owner.glossary.concepts_in(bare) if c not in ENTITY_LIKE}
    named = [
        i
        for i in row
        if covered(bare, "".join(i.fact.col_path), share=1.0) or (asked and asked <= i.measures)
    ]
    if row and not named and names_only_a_measure(bare, owner.glossary):
        # the line just spoken of has no such column: another line's figure (the table's 总计, a
        # sentence's whole) is no answer to a question about this one
        solver = _Solver(owner, parse(text, owner.glossary), row)
        line = "·".join(p for p in row[0].fact.row_path if len(p) <= 20)
        measure = "、".join(owner.glossary.concept(c).label for c in sorted(asked))
        solver.searched.append(f"表格中“{line}”行的“{measure}”栏")
        draft = solver.refuse_now(f"“{line}”的{measure}", "上一问说的是这一行，表格中这一行没有这一栏")
        draft.cites = solver.cites
        return draft
    if not row or len({i.fact.col_index for i in named}) != 1:
        return None
    solver = _Solver(owner, parse(text, owner.glossary), row)
    m = Match(named[0], 1.0)
    draft = solver.lookup_draft(solver.label_of(m), [m])
    draft.cites = solver.cites
    return draft


def grade_of_document(
    owner: FactAnswerer,
    question: str,
    document_ids: list[str] | None,
    *,
    policies: frozenset[str] = frozenset(),
) -> Draft | None:
    """ "按得分这个项目评为什么等级": the grade of the document's own total score, or None. A policy
    document's figures ("总分100分") are no report's score."""
    facts = [i for i in owner.index.items(document_ids) if i.fact.doc_id not in policies]
    solver = _Solver(owner, parse(question, owner.glossary), facts)
    draft = grade_answer(solver, owner.toolbox.store)
    if draft is not None:
        draft.cites = solver.cites
    return draft


class _Solver(TableOps, ScoreGroupOps, LineShareOps, GrowthOps):
    def __init__(self, owner: FactAnswerer, ask: Ask, facts: list[IndexedFact]) -> None:
        self.g, self.toolbox, self.ask, self.facts = owner.glossary, owner.toolbox, ask, facts
        self.cites = CitationSet()
        self.searched: list[str] = []
        self.followed = False  # the question continues a cell answer of this path
        self.previous: dict[str, Any] | None = None  # the last answer's meta, for follow-ups
        self.unclear: list[tuple[Match, Match]] = []
        self.steps: list[dict[str, Any]] = []  # sums computed first, as operands of the asked operation
        self.line: tuple[
            str, ...
        ] = ()  # the line a rate is asked of, in the question's words  # operand pairs of several lines that all fit
        self._words: tuple[str, tuple[str, ...]] | None = None

    # ---- helpers ---------------------------------------------------------------------------
    def label(self, cid: str | None, words: str = "") -> str:
        return self.g.concept(cid).label if cid else words

    def best(self, operand: Operand, *, kind: str | None = None) -> list[Match]:
        self.searched.append(self.label(operand.concept, operand.words))
        found = find(operand, self.facts, self.g, years=self.ask.years, kind=kind, words=self.words)
        sole = sole_part(operand.concept, self.facts, self.g) if operand.concept and not found else None
        if sole:  # "编制数" where the documents state only 事业编制: that part is the whole
            part = Operand(sole, self.label(sole), operand.qualifiers)
            found = find(part, self.facts, self.g, years=self.ask.years, kind=kind, words=self.words)
        elif operand.concept and not found and not self.line:
            whole = self.whole_of_parts(operand.concept)  # 行政编制 + 事业编制 listed, 编制数 not stated
            found = [whole] if whole is not None else []
        if self.line:  # "项目管理费的执行率": figures of that line only
            found = [
                m
                for m in found
                if all(self._on_line(w, m) for w in self.line) and not names_a_parent(list(self.line), m.fact)
            ]
        return found

    def _on_line(self, w: str, m: Match) -> bool:
        """Is the figure on the line the word names: a glossary quantity's own line ("三公经费", not
        "办公经费" that shares two characters with it), else nearly the line's words."""
        term = [h.concept_id for h in self.g.find(w) if h.start == 0 and h.end == len(w)]
        if term:
            return term[0] in m.item.concepts or w in re.sub(r"\s+", "", self.line_text(m))
        return covered(w, self.line_text(m), share=0.6)

    @staticmethod
    def line_text(m: Match) -> str:
        f = m.fact
        return f.quote + f.unit if f.source == "text" else " ".join((*f.row_path, f.context))

    @property
    def words(self) -> tuple[str, ...]:
        """The question's own words (not in the glossary): each must be in what a fact says."""
        key = self.ask.residue
        if self._words is None or self._words[0] != key:
            self._words = (key, tuple(w for w in key.split() if len(w) >= 2 and not self._names_document(w)))
        return self._words[1]

    def _names_document(self, w: str) -> bool:
        """A question word that only says the kind of the document in scope ("整体" of a 部门整体支出
        form). (A word naming the document itself stays: it keeps the answer to that document.)"""
        titles = {i.title for i in self.facts if i.title}
        return w in set(self.g.portfolio.get("kind_words") or ()) and any(w in t for t in titles)

    def unknown_words(self) -> list[str]:
        """Question words no document in scope uses ("招标预算"): the fact path cannot tell whether
        they change the quantity asked, so it hands the question on rather than answer nearby."""
        pool = "".join({i.title for i in self.facts}) + "".join(
            i.fact.context + i.fact.quote for i in self.facts
        )
        # nearly verbatim in one figure's own words counts too ("耒水塘门口" for 耒水河…(塘门口))
        titles = {i.title for i in self.facts if i.title}
        return [
            w
            for w in self.words
            if w not in pool
            and not any(covered(w, t) for t in titles)  # "河道治理中心绩效": nearly a title's words
            and not any(covered(w, i.fact.description) for i in self.facts)
        ]

    def cite(self, m: Match) -> int:
        f = m.fact
        return self.cites.add(f.doc_id, m.item.title, f.page, f.quote or f.context)

    def display(self, m: Match) -> str:
        f = m.fact
        return f"{f.value}{f.unit}"

    def choose(self, pairs: list[tuple[Match, Match]]) -> tuple[Match, Match] | None:
        """One pair of operands: the only one, or the only one whose figures are named by the asked
        terms alone ("全年预算…实际支出…" rather than "培训费全年预算…") — the document's whole, not
        one of its lines. None when several lines fit and none is the plain one."""
        distinct: dict[tuple[str, str], tuple[Match, Match]] = {}
        for a, b in pairs:
            distinct.setdefault((a.fact.value, b.fact.value), (a, b))
        if len(distinct) <= 1:
            return next(iter(distinct.values()), None)
        plain = [p for p in distinct.values() if not any(self.own_words(m) for m in p)]
        if not plain:  # the total line of a form (年度资金总额, 合计) is the whole the question means
            plain = [p for p in distinct.values() if all(self.is_total(m) for m in p)]
        return plain[0] if len(plain) == 1 else None

    def _plain_pair(self, left: list[Match], right: list[Match]) -> tuple[Match, Match] | None:
        """The document's whole, stated in two sentences ("年中调整后全年预算为4,187.35万元。…实际支出
        3,875.64万元"), when its lines are stated in pairs ("项目管理费全年预算…，实际支出…"): each
        side's one figure named by the asked terms alone (one value), in one document, of one kind."""
        periods = sorted(self.g.periods, key=len, reverse=True)

        def plain_words(m: Match) -> str:
            words = self.own_words(m)
            for w in periods:
                words = words.replace(w, "")
            return words

        sides = []
        for ms in (left, right):
            # no line named, and no other year's figure when the question names none
            plain = [
                m
                for m in ms
                if not plain_words(m) and (self.ask.years or not _YEAR_IN_TEXT.search(m.fact.description))
            ]
            if len({m.fact.value for m in plain}) != 1:
                return None
            sides.append(plain[0])
        a, b = sides
        if a.fact.id == b.fact.id or a.fact.doc_id != b.fact.doc_id or not same_kind(a, b):
            return None
        return a, b

    def is_total(self, m: Match) -> bool:
        f = m.fact
        text = f.description if f.source == "text" else " ".join(f.row_path)
        return "total" in self.g.qualifiers_in(text) or bool(set(self.g.concepts_in(text)) & ENTITY_LIKE)

    def own_words(self, m: Match) -> str:
        """What names the line a figure is on, beyond the asked measure: the document's own words
        and any line-item concept (项目管理费, 工资福利支出) in its phrase or row."""
        f = m.fact
        text = f.description if f.source == "text" else " ".join(f.row_path)
        lines = [
            self.g.concept(c).label
            for c in self.g.concepts_in(text)
            if self.g.concept(c).category not in MEASURE_CATEGORIES
        ]
        return "".join((*lines, *free_chunks(text, self.g)))

    def ambiguous(self, pairs: list[tuple[Match, Match]]) -> Draft:
        """Several lines fit equally: name them and ask which, never pick one silently."""
        lines = []
        for a, b in pairs:
            name = self.own_words(a) or self.own_words(b) or self.label_of(a)
            if name not in lines:
                lines.append(name)
        return self.refuse_now(
            "唯一对应的数字",
            f"文档中有多组数字都符合（{'、'.join(lines[:6])}），请指明是哪一项",
        )

    def refuse_now(self, what: str, reason: str, *, op: str = "cell") -> Draft:
        titles = sorted({i.title for i in self.facts if i.title})[:5]
        return Draft(
            "refusal",
            {
                "subject": what,
                "reason": reason,
                "searched": list(dict.fromkeys(self.searched)),
                "titles": titles,
            },
            found=False,
            # what was looked for, so a follow-up ("那行政编制有多少人？") asks the same of another line
            meta={"path": "facts", "fact_op": op, "searched": list(dict.fromkeys(self.searched))},
        )

    def refuse(self, what: str, reason: str = "") -> Draft | None:
        """ "未找到" — but only when no figure in scope is about the asked quantity at all. When the
        documents do speak of it and nothing fits exactly, the question is handed on (None) to the
        search path, whose own fit check decides."""
        asked = {o.concept for o in self.ask.operands if o.concept} | set(self.g.concepts_in(self.ask.text))
        if self.ask.rate_concept:
            asked.add(self.ask.rate_concept)
            formula = self.g.concept(self.ask.rate_concept).formula
            if formula is not None:
                asked |= set(formula.numerator) | set(formula.denominator)
        if any(asked & i.concepts for i in self.facts) or self.words:
            return None
        return self.refuse_now(what, reason, op=self.ask.op)

    def lookup_draft(self, subject: str, matches: list[Match], note: str = "") -> Draft:
        if (
            len(matches) == 1 and matches[0].why == "derived"
        ):  # 编制数 = 行政编制 + 事业编制: shown as the sum
            step = next((s for s in self.steps if s["label"] == matches[0].fact.description), None)
            if step is not None:
                return computed_draft(subject or step["label"], step["comp"], step["inputs"], None, "lookup")
        figures = []
        for m in matches:
            doc = f"（{m.item.title}）" if len({x.fact.doc_id for x in matches}) > 1 else ""
            figures.append({"subject": f"{subject}{doc}", "display": self.display(m), "n": self.cite(m)})
        draft = Draft(
            "answer_lookup",
            {"figures": figures, "missing": [], "check": None},
            meta={
                "path": "facts",
                "fact_op": "lookup",
                "figures": [
                    {
                        "value": m.fact.value,
                        "unit": m.fact.unit,
                        "page": m.fact.page,
                        "doc_id": m.fact.doc_id,
                        **(
                            {"table_id": m.fact.table_id, "row": m.fact.row_index, "col": m.fact.col_index}
                            if m.fact.source == "table"
                            else {}
                        ),
                    }
                    for m in matches
                ],
            },
        )
        if note:
            draft.notes.append(note)
        return draft

    def compute(self, metric: str, args: list[tuple[str, Match]]) -> Computation | None:
        return self.run_metric(metric, {name: self.metric_input(m) for name, m in args})

    def metric_input(self, m: Match) -> dict[str, Any]:
        """A fact as an input of `compute_metric`: value, unit, what it is and where it is quoted."""
        return {
            "value": m.fact.value,
            "unit": m.fact.unit,
            "label": self.label_of(m),
            "source": {"doc_id": m.fact.doc_id, "page": m.fact.page, "quote": m.fact.quote[:120]},
        }

    def run_metric(self, metric: str, inputs: dict[str, Any]) -> Computation | None:
        """The metrics module's computation, or None when it refuses the inputs."""
        sink = current_events.get()
        call = {"name": metric, "inputs": inputs}
        emit(
            sink,
            ProgressEvent(
                stage="computing",
                detail=f"调用 compute_metric：{metric}",
                tool="compute_metric",
                tool_input=call,
            ),
        )
        result = self.toolbox.compute_metric(name=metric, inputs=inputs)
        emit(
            sink,
            ProgressEvent(
                stage="tool", detail="完成", tool="compute_metric", tool_input=call, tool_output=result
            ),
        )
        if not isinstance(result, dict) or "error" in result:
            return None
        body = result.get("computation", result)
        try:
            return Computation(**{k: v for k, v in body.items() if k in Computation.model_fields})
        except Exception:
            return None

    @staticmethod
    def label_of(m: Match) -> str:
        f = m.fact
        if f.source == "text" or not (f.row_path or f.col_path):
            return f.description
        labels = " ".join((*f.row_path, *f.col_path))
        if not f.description.startswith(labels):  # a 合计 row named by its table's caption
            return f.description.replace(" ", "·")
        parts = [_ORDINAL.sub("", p) or p for p in dict.fromkeys((*f.row_path, *f.col_path)) if len(p) <= 20]
        return "·".join(parts[-3:]) or f.description

    def computed_draft(
        self, subject: str, comp: Computation, args: list[tuple[str, Match]], stated: Match | None
    ) -> Draft:
        inputs = [
            {
                "label": self.label_of(m),
                "display": self.display(m),
                "n": None if m.why == "derived" else self.cite(m),
            }
            for _, m in args
        ]
        # "2020年…共计1036.39万件；2019年…共计751.92万件": two operands of one name are told apart by
        # their years (a growth's), not shown as "累计受理共计为1036.39，累计受理共计为751.92"
        labels = [i["label"] for i in inputs]
        for i, (_, m) in zip(inputs, args, strict=True):
            year = m.fact.period
            if labels.count(i["label"]) > 1 and year and str(year) not in i["label"]:
                i["label"] = f"{year}年{i['label']}"
        stated_var = None
        if stated is not None:
            agrees = _close(stated.fact.value, comp.value)
            stated_var = {"display": self.display(stated), "n": self.cite(stated), "agrees": agrees}
        draft = computed_draft(subject, comp, inputs, None, self.ask.op, stated_var)
        used = {m.fact.description for _, m in args if m.why == "derived"}
        steps = [x for x in self.steps if x["label"] in used]
        if steps:
            draft.variables["steps"] = [{k: v for k, v in x.items() if k != "comp"} for x in steps]
            draft.computations = [*(x["comp"] for x in steps), *draft.computations]
        return draft

    # ---- operations ------------------------------------------------------------------------
    def solve(self) -> Draft | None:
        op = self.ask.op
        if self.ask.cell is not None and self._whole_document_total():
            self.ask.cell = None  # "某某项目的绩效评价总分": the document's total, not a row named so
        if self.ask.cell is not None:
            draft = self.cell()
            if draft is not None:
                return draft
        summed = named_sum(self)  # "产出、效益、满意度三类指标的权重加起来"
        if summed is not None:
            return summed
        derived = self.derivation()
        if derived is not None:
            return derived
        if self.unknown_words():
            return None
        if op == "rate":
            return self.rate()
        if op == "lookup":
            return self.lookup()
        if op in ("share", "difference"):
            return self.binary(op)
        changed = "change" in self.ask.qualifiers | set(self.g.qualifiers_in(self.ask.text))
        if op in ("none", "lookup") and self._one_asked() and _ONE_FIGURE.search(self.ask.text):
            found = self.phrase_lookup()
            if found is not None or not changed:  # "三公经费合计同比变化幅度是多少": a change of a total
                return found
        if op == "none" and changed:
            return (
                self.stated_change()
                or two_year_change(self)
                or self.growth_of_previous()
                or self.growth_between_years()
            )
        if op == "growth":  # "三公经费合计同比变化幅度": two years' figures of one line, else the search path
            return self.growth_between_years()
        return None  # a growth the document does not state needs the period logic of the search path

    def _whole_document_total(self) -> bool:
        """Does the question ask the total score of the document itself — a row named only by words of
        the document's title (or by none)?"""
        cell = self.ask.cell
        if (
            cell is None
            or cell.measure != "indicator_score"
            or "total_score" not in self.g.concepts_in(self.ask.text)
        ):
            return False
        titles = {i.title for i in self.facts if i.title}
        return all(any(covered(c, t, share=0.6) for t in titles) for c in cell.chunks)

    def _one_asked(self) -> bool:
        """One figure asked: a single quantity, or a total named by one phrase ("一共受理了多少万件")."""
        return self.ask.single or (bool(_TOTAL_ASKED.search(self.ask.text)) and not split(self.ask.text))

    def derivation(self) -> Draft | None:
        """ "接听率96.12%是用哪两个数算出来的": the stated rate the question quotes (by its value, or the
        one % figure its words name), and the two figures beside it — in its sentence, or in its table
        column — whose quotient it is, to its own decimals. Exactly one such pair, or nothing."""
        if not _HOW_COMPUTED.search(self.ask.text):
            return None
        given = {m.group(1) for m in re.finditer(r"(\d+(?:\.\d+)?)\s*[%％]", self.ask.text)}
        words = [w for w in self.words if w]
        rates = [
            i
            for i in self.facts
            if i.fact.unit == "%"
            and "change" not in i.qualifiers
            and "plan" not in i.qualifiers
            and (
                _norm_number(i.fact.value) in {_norm_number(g) for g in given}
                if given
                else words and all(w in re.sub(r"\s+", "", i.fact.description) for w in words)
            )
        ]
        found: dict[tuple[str, str, str], tuple[Match, Match, Match]] = {}
        for r in rates:
            for a, b in self._quotient_pairs(r):
                found.setdefault(
                    (r.fact.value, a.fact.value, b.fact.value), (Match(r, 1.0), Match(a, 1.0), Match(b, 1.0))
                )
        if len(found) != 1:
            return None
        r, a, b = next(iter(found.values()))
        comp = self.compute("ratio", [("numerator", a), ("denominator", b)])
        if comp is None:
            return None
        return self.computed_draft(self.label_of(r), comp, [("numerator", a), ("denominator", b)], r)

    def _quotient_pairs(self, r: IndexedFact) -> list[tuple[IndexedFact, IndexedFact]]:
        """Pairs (a, b) of one unit beside the rate r with a ÷ b × 100 = r at r's decimals."""
        f = r.fact
        if f.source == "text":
            pool = [i for i in self.facts if i.fact.source == "text" and i.fact.quote == f.quote]
        else:
            pool = [
                i
                for i in self.facts
                if i.fact.source == "table"
                and i.fact.table_id == f.table_id
                and i.fact.col_path == f.col_path
            ]
        pool = [i for i in pool if i.fact.unit not in ("%", "‰", "") and i is not r]
        try:
            target = Decimal(f.value)
        except InvalidOperation:
            return []
        exp = target.as_tuple().exponent
        step = Decimal(1).scaleb(exp if isinstance(exp, int) else 0)
        out = []
        for a in pool:
            for b in pool:
                if a is b or a.fact.unit != b.fact.unit:
                    continue
                try:
                    q = Decimal(a.fact.value) / Decimal(b.fact.value) * 100
                except (InvalidOperation, ZeroDivisionError):
                    continue
                if abs(q - target) <= step / 2:
                    out.append((a, b))
        return out

    def growth_of_previous(self) -> Draft | None:
        """ "比上一年增长了多少？" after a figure was given: that figure over the previous year's figure
        its own sentence states in the same unit and role ("…共计1036.39万件；2019年…共计751.92万件"),
        the one such figure; else nothing."""
        if self.words or _UNIT_ASKED.search(self.ask.text):
            return None
        now = self._previous_figure()
        if not now:
            return None
        f, item = now[0].fact, now[0].item
        if item.year is None:
            return None
        before = {
            i.fact.value: i
            for i in self.facts
            if i.fact.source == f.source
            and i.fact.doc_id == f.doc_id
            and i.fact.page == f.page
            and (
                i.fact.quote == f.quote
                or covered(
                    re.sub(r"[\d.]+", "", f.description), re.sub(r"[\d.]+", "", i.fact.description), share=0.6
                )
                if f.source == "text"
                else i.fact.table_id == f.table_id
            )
            and i.fact.unit == f.unit
            and i.year == item.year - 1
            and i.qualifiers == item.qualifiers
            and not i.fact.comparator
        }
        if len(before) != 1:
            return None
        prev = Match(next(iter(before.values())), 1.0)
        args = [("current", now[0]), ("previous", prev)]
        comp = self.compute("growth_rate", args)
        if comp is None:
            return None
        return self.computed_draft(f"{item.year}年较{item.year - 1}年的增长率", comp, args, None)

    def stated_change(self) -> Draft | None:
        """A change the document states in a sentence ("2020年度比2019年度受理量增长37.83%") asked of
        the figure its words name: a percentage, of the year asked (and against the earlier year asked,
        when it names that year), one value. A change asked in the figure's own unit ("增长了多少万件")
        is not a percentage; it is handed on."""
        words = [w for w in self.words if w]
        if not words or (self.ask.asked not in (None, "rate")) or _UNIT_ASKED.search(self.ask.text):
            return None
        years = sorted(set(self.ask.years))
        found: list[Match] = []
        for i in self.facts:
            f = i.fact
            if f.source != "text" or f.unit != "%" or "change" not in i.qualifiers or f.comparator:
                continue
            said = re.sub(r"\s+", "", f.description + _clause_tail(f))
            # each word verbatim, and not the start of a longer name ("接听量" of 每万次接听量的人工成本)
            if not all(w in said and not _LONGER_NAME.match(said[said.find(w) + len(w) :]) for w in words):
                continue
            if len(years) == 1 and _against_year(self.ask.text, years[0]):
                if not _against_year(f.context, years[0]):  # "受理量比2019年涨了百分之几": against 2019
                    continue
            elif years and (
                i.year != years[-1] or (len(years) > 1 and not _against_year(f.context, years[0]))
            ):
                continue
            elif not years and not (
                _SINCE_LAST_YEAR.search(f.context)
                or (i.doc_year is not None and _against_year(f.context, i.doc_year - 1))
            ):
                continue  # no year asked: the change on the year before, never one on an average
            found.append(Match(i, 1.0))
        tied = distinct_values(found, 1.0) if found else []
        if len(tied) != 1:
            return None
        levels = self._levels_of_change(tied[0].item)
        if levels is not None:
            now, before = levels
            args = [("current", now), ("previous", before)]
            comp = self.compute("growth_rate", args)
            if comp is not None and _close(tied[0].fact.value.lstrip("-"), comp.value.lstrip("-")):
                return self.computed_draft(f"{'、'.join(words)}的增长率", comp, args, tied[0])
        return self.lookup_draft(f"{'、'.join(words)}的变化", tied)

    def _levels_of_change(self, change: IndexedFact) -> tuple[Match, Match] | None:
        """The two figures a stated change is the growth between: of its page and document, one of
        its year and one of the year it is against, in one unit, whose growth is the stated change to
        its decimals — one such pair only (the numbers prove which ones the report compared)."""
        f = change.fact
        against = re.search(r"(?:比|较|与|同|和)\s*((?:19|20)\d{2})\s*年", f.context)
        if change.year is None or against is None:
            return None
        base_year = int(against.group(1))
        # "较2022年增长25%" is read as of 2022 by its clause: the change is of the report's year
        year = change.year if change.year != base_year else getattr(change, "doc_year", None)
        if year is None or year == base_year:
            return None
        try:
            stated = abs(Decimal(f.value))
        except InvalidOperation:
            return None
        exp = stated.as_tuple().exponent
        step = Decimal(1).scaleb(exp if isinstance(exp, int) else 0)
        near = [
            i
            for i in self.facts
            if i.fact.doc_id == f.doc_id
            and i.fact.page == f.page
            and i.fact.unit not in ("%", "‰", "")
            and "change" not in i.qualifiers
        ]
        pairs = set()
        for a in near:
            for b in near:
                if a.year != year or b.year != base_year or a.fact.unit != b.fact.unit:
                    continue
                try:
                    growth = (Decimal(a.fact.value) - Decimal(b.fact.value)) / Decimal(b.fact.value) * 100
                except (InvalidOperation, ZeroDivisionError):
                    continue
                if abs(abs(growth) - stated) <= step / 2:
                    pairs.add((a.fact.value, b.fact.value, id(a), id(b)))
        values = {(p[0], p[1]) for p in pairs}
        if len(values) != 1:
            return None
        by_id = {id(i): i for i in near}
        a, b = (by_id[x] for x in next(iter(pairs))[2:])
        totals = {i.year for i in near if "total" in i.qualifiers and i.fact.unit == a.fact.unit}
        if {year, base_year} <= totals and not ("total" in a.qualifiers and "total" in b.qualifiers):
            return (
                None  # the years have totals: parts that happen to grow as stated are not what was compared
            )
        return Match(a, 1.0), Match(b, 1.0)

    def named_operation(self, readings: list[Binary]) -> Draft | None:
        """Two (or more) quantities named in the document's words and joined by an operation ("甲占乙
        的比例", "甲比乙多几个", "甲加乙一共多少"): each must be the one figure so named — or, where a
        name fits a line's several columns (预算数, 执行数), the one set of figures of a single column —
        all of one document and one kind; else the candidates are named and the question refused. A
        reading whose sides are not all figures of the documents is handed on (None)."""
        if _CHECKS.search(self.ask.text):
            return None  # "三项加起来等于总额吗": a check of the document, not a figure
        kind = {"people": "people", "count": "count", "amount": "amount"}.get(self.ask.asked or "")
        # scores and weights add up ("三项自评一共得了多少", "权重加起来"): a question about them
        scores = self.ask.asked == "score" or any(
            self.g.concept(c).kind in ("score", "weight") for c in self.g.concepts_in(self.ask.text)
        )
        unclear: list[tuple[str, list[Match]]] = []
        for reading in readings:
            if reading.op == "sum_each":  # scores of a group are summed by the table path
                return None if scores else self._sum_each(reading, kind)
            bare = [self._only_a_measure(x) for x in reading.sides]
            if any(bare) and (not all(bare) or reading.op == "share"):
                # "工资福利支出比预算少多少", "支出占预算多大比重": one line's two measures — an
                # over-budget amount or a rate, which the rate path answers from one row
                return None
            every = all(bare)  # "全年预算数和全年执行数相差多少": two columns of whichever lines have both
            sides: list[list[Match]] = []
            for side in reading.sides:
                if side == PREVIOUS:
                    matches, words = self._previous_figure(), PREVIOUS
                else:
                    matches, words = resolve(side, self.facts, self.g, years=self.ask.years, scores=scores)
                summed = side != PREVIOUS and bool(SUM_WORDS.search(side) or COUNTED_SIDE.match(side))
                if (not matches or summed) and side != PREVIOUS and reading.op in ("share", "difference"):
                    composed = self.summed_side(side, None if reading.op == "share" else kind)
                    if composed is None:
                        wholes = [
                            c
                            for c in self.g.concepts_in(side)
                            if self.g.concept(c).kind not in ("rate", "text")
                        ]
                        composed = self.whole_of_parts(wholes[0]) if len(wholes) == 1 else None
                    matches = [composed] if composed is not None else []
                if kind and reading.op != "share":
                    matches = [m for m in matches if unit_fits(kind, m.fact.unit)]
                self.searched.append(f"文中称为“{words or side}”的数字")
                if not matches:
                    break
                sides.append(matches if every else distinct_values(matches, matches[0].score))
            else:
                combos = _same_row(sides) if every else _aligned(sides)
                if every and len(combos) > 1:  # several lines have both columns: the total line
                    combos = [c for c in combos if all(self.is_total(m) for m in c)] or combos
                if len(combos) == 1:
                    return self._named_result(reading, combos[0])
                if not combos:
                    continue
                worst = max(range(len(sides)), key=lambda k: len(sides[k]))
                unclear.append((reading.sides[worst], sides[worst]))
        if unclear:
            side, candidates = unclear[0]
            names = list(dict.fromkeys(f"{self.label_of(m)} {self.display(m)}" for m in candidates))[:6]
            return self.refuse_now(
                f"“{side}”的唯一数字", f"文档中有多个数字都这样称呼（{'、'.join(names)}），请指明是哪一个"
            )
        return None

    def _sum_each(self, reading: Binary, kind: str | None) -> Draft | None:
        """ "监理费两个工程加一起多少": the figures the name calls (see `_named_group`), added."""
        name = reading.sides[0]
        picked = self._named_group(name, reading.count, kind)
        if not isinstance(picked, list):
            return picked
        comp = self.run_metric("sum_of_parts", {"parts": [self.metric_input(m) for m in picked]})
        if comp is None:
            return None
        self.ask.op = "sum"
        return self.computed_draft(f"{name}各项合计", comp, [("parts", m) for m in picked], None)

    def _named_group(
        self, name: str, count: int, kind: str | None, said: str = ""
    ) -> list[Match] | Draft | None:
        """The figures one name calls, one list of them (one table column; a page's sentences) holding
        exactly as many lines as the question counts (any number from two when it counts none), none a
        total. Several such lists that disagree: a refusal naming them; none: None."""
        matches, words = resolve(name, self.facts, self.g, years=self.ask.years)
        if kind:
            matches = [m for m in matches if unit_fits(kind, m.fact.unit)]
        # the measure asked after the count ("…两个工程的预算一共多少"): each figure must be of it
        asked = [c for c in self.g.concepts_in(said or self.ask.text) if c not in self.g.concepts_in(name)]
        matches = [m for m in matches if not self.is_total(m) and all(c in m.item.concepts for c in asked)]
        self.searched.append(f"文中称为“{words or name}”的各项数字")
        groups: dict[tuple[Any, ...], dict[str, Match]] = {}
        for m in matches:
            f = m.fact
            key = (f.doc_id, f.table_id, f.col_index) if f.source == "table" else (f.doc_id, f.page)
            groups.setdefault(key, {}).setdefault(f.id, m)
        lists = [list(g.values()) for g in groups.values() if len(g) == count or (not count and len(g) >= 2)]
        if not lists:
            return None
        values = {tuple(sorted(m.fact.value for m in g)) for g in lists}
        units = {m.fact.unit for m in lists[0]}
        if len(values) > 1 or len(units) > 1:
            names = list(dict.fromkeys(f"{self.label_of(m)} {self.display(m)}" for g in lists for m in g))[:6]
            return self.refuse_now(
                f"“{name}”的各项数字", f"文档中有多组数字都这样称呼（{'、'.join(names)}），请指明是哪一组"
            )
        return lists[0]

    def derived(self, label: str, parts: list[Match]) -> Match | None:
        """A sum no document states, computed from its cited parts (the two 工程' 青苗补偿费, 行政编制 +
        事业编制 for 编制数) to be the operand of the asked operation; the answer shows this step."""
        comp = self.run_metric("sum_of_parts", {"parts": [self.metric_input(m) for m in parts]})
        if comp is None:
            return None
        first = parts[0].item
        fact = replace(
            first.fact, id=f"{first.fact.id}:sum", value=comp.value, unit=comp.unit,
            description=label, context=label, quote="", source="computed", table_id="", row_index=-1,
            col_index=-1, row_path=(), col_path=(),
        )  # fmt: skip
        self.steps.append(
            {
                "label": label,
                "name_zh": comp.name_zh or comp.metric,
                "formula": comp.formula,
                "inputs": [
                    {"label": self.label_of(m), "display": self.display(m), "n": self.cite(m)} for m in parts
                ],
                "comp": comp,
            }
        )
        item = replace(first, fact=fact, concepts=frozenset(), qualifiers=frozenset({"total"}))
        return Match(item, 0.0, why="derived")

    def summed_side(self, side: str, kind: str | None) -> Match | None:
        """A side that is itself a sum ("两个工程的青苗补偿费合计", "建设用地测绘费总共", "甲和乙合计"):
        its parts found and added first."""
        side = SUM_WORDS.sub("", side).strip("的")
        counted = COUNTED_SIDE.match(side)
        count, name, parts = 0, side, []
        if counted:
            n = counted.group("n")
            count = int(n) if n.isdigit() else NUMERALS.get(n, 0)
            name = counted.group("name")
            items = [x for x in re.split(r"和|与|及|、|加上", counted.group("items")) if len(x) >= 2]
            if items:  # "甲和乙两个项目的债券": 甲的债券 + 乙的债券
                if len(items) != count:
                    return None
                parts = [f"{x}的{name}" for x in items]
                name = "、".join(items) + f"的{name}"
        else:  # "甲和乙合计"
            parts = [x for x in re.split(r"和|与|及|、|加上", name) if len(x) >= 2]
        if len(parts) >= 2:
            found = []
            for x in parts:
                ms, _w = resolve(x, self.facts, self.g, years=self.ask.years)
                vals = distinct_values(ms, ms[0].score) if ms else []
                if len(vals) != 1:
                    return None
                found.append(vals[0])
            group: list[Match] | Draft | None = found
        else:
            group = self._named_group(name, count, kind, said=side)
        if not isinstance(group, list) or len(group) < 2 or len({m.fact.unit for m in group}) != 1:
            return None
        return self.derived(f"{name}合计", group)

    def whole_of_parts(self, cid: str) -> Match | None:
        """A whole no document states whose parts one sentence lists, each once ("行政编制39名，事业编制
        5名" for 编制数): their sum. Never when the whole itself is stated somewhere."""
        if any(cid in i.concepts for i in self.facts):
            return None
        by_part: dict[str, list[IndexedFact]] = {}
        for p in self.g.parts_of(cid):
            hits = [
                i
                for i in self.facts
                if p in i.concepts and not (self.ask.years and i.year not in (None, *self.ask.years))
            ]
            if hits:
                by_part[p] = hits
        if len(by_part) < 2 or any(len({i.fact.value for i in h}) != 1 for h in by_part.values()):
            return None
        items = [h[0] for h in by_part.values()]
        if len({(i.fact.doc_id, i.fact.quote, i.fact.unit) for i in items}) != 1:
            return None  # parts of one listing only: a part stated elsewhere may belong to another whole
        return self.derived(self.g.concept(cid).label, [Match(i, 0.0) for i in items])

    def _previous_figure(self) -> list[Match]:
        """The one figure the last answer gave (a lookup of either path), as a fact of the index."""
        figures = (self.previous or {}).get("figures") or []
        if len(figures) != 1:
            return []
        fig = figures[0]
        found = [
            Match(i, 0.0)
            for i in self.facts
            if i.fact.page == fig.get("page")
            and _close(i.fact.value, str(fig.get("value")))
            and _close(str(fig.get("value")), i.fact.value)
            and (not fig.get("doc_id") or i.fact.doc_id == fig.get("doc_id"))
        ]
        return found if len({(m.fact.value, m.fact.unit) for m in found}) == 1 else []

    def _only_a_measure(self, side: str) -> bool:
        """Does the side name only what a column measures (预算, 执行数), no line of its own?"""
        ids = self.g.concepts_in(side)
        return (
            bool(ids)
            and all(self.g.concept(c).category in MEASURE_CATEGORIES for c in ids)
            and not free_chunks(side, self.g)
        )

    def _named_result(self, reading: Binary, picked: list[Match]) -> Draft | None:
        names = [self.label_of(m) if x == PREVIOUS else x for x, m in zip(reading.sides, picked, strict=True)]
        a, b = names[0], names[1]
        if reading.op == "sum":
            comp = self.run_metric("sum_of_parts", {"parts": [self.metric_input(m) for m in picked]})
            args = [("parts", m) for m in picked]
            subject = f"{'、'.join(names)}合计"
        else:
            metric = "share" if reading.op == "share" else "difference"
            arg = arg_names(metric)
            if arg is None:
                return None
            first, second = picked[0], picked[1]
            if (
                metric == "difference"
                and _undirected_gap(self.ask.text)
                and _at_least(first, second) is False
            ):
                first, second, a, b = second, first, b, a  # "差了多少": the gap, larger less smaller
            args = [(arg[0], first), (arg[1], second)]
            comp = self.compute(metric, args)
            subject = f"{a}占{b}的比例" if metric == "share" else f"{a}与{b}之差"
        if comp is None:
            return None
        self.ask.op = reading.op
        return self.computed_draft(subject, comp, args, None)

    def phrase_lookup(self) -> Draft | None:
        """A figure named in the document's own words ("九山河一期治理工程的监理费是多少"): the facts
        whose own label or phrase uses every such word and every glossary quantity the question
        names, in the asked kind, year and qualifiers. One value is the answer; several are named
        and the question refused; none hands the question on."""
        chunks = free_chunks(self.ask.text, self.g)
        named = [
            c
            for c in self.g.concepts_in(self.ask.text)
            if self.g.concept(c).kind not in ("rate", "text") and self.g.concept(c).category != "score"
        ]
        if not chunks and len(named) < 2:
            return None
        asked = self.ask.asked
        kind = {
            "people": "people",
            "count": "count",
            "amount": "amount",
            "score": "score",
            "rate": "rate",
        }.get(asked or "")
        ops = set(self.g.operations_in(self.ask.text))
        kinds = {self.g.concept(c).kind for c in named}
        if kind is None and len(kinds) == 1:
            kind = next(iter(kinds))  # "三公经费决算是多少": an amount, whatever the wording
        found: list[Match] = []
        for i in self.facts:
            f = i.fact
            said = (f.description if f.source == "text" else " ".join((*f.row_path, *f.col_path))) + f.unit
            if not all(covered(c, said) for c in chunks) or not all(c in i.concepts for c in named):
                continue
            if kind and not unit_fits(kind, f.unit):
                continue
            if kind is None and f.unit in ("", "分") and not chunks:
                continue
            if self.ask.years and i.year is not None and i.year not in self.ask.years:
                continue
            if "change" in i.qualifiers and "change" not in self.ask.qualifiers:
                continue  # "较上年降低3.09%" is a change, not the quantity
            if {"average", "growth", "share"} & set(self.g.operations_in(said)) - ops:
                continue  # "2018年-2019年均值" is an average of the quantity, not it
            if _exclusive_mismatch(self.ask.qualifiers, i.qualifiers) or (
                f.comparator and "plan" not in self.ask.qualifiers
            ):
                continue
            found.append(Match(i, -_extra(said, (*chunks, *(self.g.concept(c).label for c in named)))))
        if not found:
            return None
        top = max(m.score for m in found)  # the most specific labels: 接听量 before 每1万接听量人工成本
        values = distinct_values(sorted(found, key=lambda m: -m.score), top)
        if len(values) > 1 and _TOTAL_ASKED.search(self.ask.text):
            # "一共受理了多少万件": of "…691.51万件、…344.88万件，共计1036.39万件", the one said to be the total
            totals = [m for m in values if "total" in m.item.qualifiers]
            values = totals if len({m.fact.value for m in totals}) == 1 else values
        words = "、".join((*chunks, *(self.label(c) for c in named)))
        self.searched.append(f"文中称为“{words}”的数字")
        if len(values) > 1:
            names = list(dict.fromkeys(self.label_of(m) for m in values))[:6]
            return self.refuse_now(
                f"“{words}”的唯一数字", f"文档中有多个数字都这样称呼（{'、'.join(names)}），请指明是哪一个"
            )
        if (
            _SPENT_ASKED.search(self.ask.text)
            and not values[0].item.concepts & _SPENT
            and values[0].item.concepts & _BUDGETS
        ):
            # "项目全年一共花了多少钱": what was spent, never the budget the same words are said of
            return self.refuse_now(f"“{words}”的支出数", "找到的数字是预算数，不是实际支出")
        return self.lookup_draft(f"“{words}”", values)

    def lookup(self) -> Draft | None:
        if not self.ask.operands:
            return None
        operand = self.ask.operands[0]
        matches = self.best(operand)
        subject = self.label(operand.concept, operand.words)
        if not matches:
            return self.refuse(f"“{subject}”的数据", "文档中没有与所问数量相符的数字")
        tied = distinct_values(matches, matches[0].score)
        if len(tied) > 1:
            return None  # several figures fit equally: the search path weighs the rows' own words
        others = self.other_lines(tied[0], matches)
        if others:  # "年度指标值是多少" of a form: one indicator's target ranked first is no answer
            lines = list(dict.fromkeys(m.fact.row_path[-1] for m in [tied[0], *others] if m.fact.row_path))
            return self.refuse_now(
                f"“{subject}”的唯一数字",
                f"表格中各行都有这一栏（{'、'.join(lines[:6])}），问题没有指明是哪一行",
            )
        return self.lookup_draft(subject, tied)

    def other_lines(self, top: Match, matches: list[Match]) -> list[Match]:
        """The same column's figures on other lines when the best figure is on a line of its own
        that the question does not name (an indicator, an expenditure class — not the 合计): its
        rank over them came from how its label reads, not from the question, so none is the answer.
        Empty when the question names the line or the best figure is the table's whole."""
        f = top.fact
        if f.source != "table" or self.is_total(top):
            return []
        text = " ".join(f.row_path)
        asked = set(self.g.concepts_in(self.ask.text))
        own = [
            c
            for c in self.g.concepts_in(text)
            if self.g.concept(c).category not in MEASURE_CATEGORIES and c not in asked
        ] + [w for w in free_chunks(text, self.g) if not covered(w, self.ask.text)]
        if not own:
            return []
        return [
            m
            for m in matches
            if m.fact.source == "table"
            and m.fact.table_id == f.table_id
            and m.fact.col_index == f.col_index
            and m.fact.row_index != f.row_index
            and not same_number(m.fact.value, f.value)
        ]

    def rate(self) -> Draft | None:
        cid = self.ask.rate_concept
        assert cid is not None
        concept = self.g.concept(cid)
        operands = set(concept.formula.numerator + concept.formula.denominator) if concept.formula else set()
        text = self.ask.text
        # "培训费预算执行得怎么样，执行率多少": the rate's own verb (预算执行) names no line
        # (a term of the rate itself stays whole: "完成程度" is how 完成率 is asked)
        own = [(h.start, h.end) for h in self.g.find(text) if h.concept_id == cid]
        for stem in sorted(
            {t[:-1] for t in concept.terms if t.endswith("率") and len(t) >= 3}, key=len, reverse=True
        ):
            for m in reversed(list(re.finditer(re.escape(stem) + "(?!率)", text))):
                if not any(a <= m.start() < b for a, b in own):
                    text = text[: m.start()] + "，" * len(m.group(0)) + text[m.end() :]
        for h in sorted(self.g.find(text), key=lambda h: -h.start):  # "全年预算还有多少没有执行": no line
            if h.concept_id in operands and h.term != self.ask.operands[0].words:
                text = text[: h.start] + "，" + text[h.end :]
        named_line: tuple[str, ...] = line_before(text, self.ask.operands[0].words, self.g)
        if self.ask.operands[0].words not in text:
            # the rate read from its operands ("三公经费实际花的占预算的比例"): the line is the
            # quantity the question names besides them
            named_line = tuple(
                h.term
                for h in self.g.find(text)
                if h.concept_id not in operands
                and self.g.concept(h.concept_id).category not in MEASURE_CATEGORIES
                and self.g.concept(h.concept_id).kind not in ("rate", "text")
            )
        self.line = tuple(  # a word no figure's own label uses names the project, not a line
            w
            for w in named_line
            if any(
                covered(w, self.line_text(Match(i, 0)), share=0.6)
                for i in self.facts
                if i.fact.source == "table"
            )
            or any(covered(w, i.fact.description + i.fact.unit, share=0.6) for i in self.facts)
        )
        titles = {i.title for i in self.facts if i.title}
        relevant = operands | {cid}
        self.line = tuple(  # the unit or project the document is about ("塘湖镇…的执行率") is no line
            w
            for w in self.line
            if not any(covered(w, t) for t in titles)
            or any(
                covered(w, self.line_text(Match(i, 0)), share=0.6)
                for i in self.facts
                if i.concepts & relevant
            )
        )
        subject = concept.label
        stated = self.best(Operand(cid, concept.label, self.ask.qualifiers), kind="rate")
        # a line the question names by a glossary term (培训费): a rate stated of no line is not its
        named_lines = self._lines_named(cid, concept.formula, also=_ITEM_CATEGORIES)
        stated = [m for m in stated if all(c in m.item.concepts for c in named_lines)]
        formula = concept.formula
        if formula is not None and formula.metric == "score_rate":  # "项目过程19.0分（满分20分）"
            grouped = self.stated_group_rate(subject, self._lines_named(cid, formula), formula)
            if grouped is not None:
                return grouped
        computed: tuple[Computation, list[tuple[str, Match]]] | None = None
        if formula is not None and formula.metric and formula.numerator and formula.denominator:
            computed = self._compute_rate(formula)
        if computed is None and self.unclear and not stated:
            return self.ambiguous(self.unclear)
        if computed is not None:
            comp, args = computed
            lines = self._lines_named(cid, formula)
            missed = [c for c in lines if not all(c in m.item.concepts for _n, m in args)]
            if missed:  # "过程的得分率" computed from the 总计 row: another line's rate
                labels = "、".join(self.g.concept(c).label for c in missed)
                return self.refuse_now(f"“{labels}”的{subject}", "找到的数字不属于这一项")
            row = args[0][1].fact
            same_row = [
                m for m in stated if m.fact.table_id == row.table_id and m.fact.row_index == row.row_index
            ]
            if stated and not same_row and not _close(stated[0].fact.value, comp.value):
                return None  # the document states this rate for another line: which line is meant is unclear
            draft = self.computed_draft(subject, comp, args, (same_row or stated or [None])[0])
            den = args[-1][1]
            if (
                formula.denominator[0] not in den.item.concepts
                and formula.denominator[-1] in den.item.concepts
            ):
                stages = "、".join(self.label(c) for c in formula.denominator[:-1])
                draft.notes.append(f"文档没有给出{stages}，分母用的是文档所列的“{self.label_of(den)}”。")
            return draft
        if not stated and formula is not None and formula.by_qualifiers:
            by_line = self._rate_by_qualifiers(formula)
            if by_line is not None:
                comp, args = by_line
                line = "、".join(self.line or self.words or self._measure_words(formula))
                return self.computed_draft(f"“{line}”的{subject}", comp, args, None)
        if not stated:
            stated = self._by_rate_head(concept)
        if stated:
            tied = distinct_values(stated, stated[0].score)
            if len(tied) > 1:
                return None
            return self.lookup_draft(subject, tied)
        if self.line and formula is not None and formula.metric == "score_rate":
            grouped = self._group_score_rate(subject)
            if grouped is not None:
                return grouped
        if self.line and self._other_lines(cid, formula):
            # a line named, none of its figures found, other lines' found: no other line's rate will do
            return self.refuse_now(
                f"“{'、'.join(self.line)}”的{subject}", "文档中没有这一项的该比率或计算它所需的数字"
            )
        return self.refuse(f"{subject}", "文档中既没有直接给出该比率，也没有找齐计算它所需的数字")

    def _rate_by_qualifiers(self, formula: Any) -> tuple[Computation, list[tuple[str, Match]]] | None:
        """A line's rate from its own two figures told apart by their qualifier words: "提升改造农家
        书屋年度目标为85个，实际完成95个" -> 95 ÷ 85. Both figures must be named by every word the
        question names the line with, in one sentence or one table row, of one unit, neither a rate;
        last year's only as a growth's base ("上年同期为74个"); exactly one such pair (by value), or
        nothing is computed."""
        words = self.line or self.words or self._measure_words(formula)
        if not words:
            return None
        num_q, den_q = formula.by_qualifiers
        pairs: dict[tuple[str, str], tuple[Match, Match]] = {}
        years = {*self.ask.years, *(y - 1 for y in self.ask.years if den_q == "previous_year")}
        cands = []
        for i in self.facts:
            f = i.fact
            said = (f.description if f.source == "text" else " ".join(f.row_path)) + f.unit
            if f.unit in ("%", "‰", "分") or "change" in i.qualifiers:
                continue
            if "previous_year" in i.qualifiers and den_q != "previous_year":
                continue
            if years and i.year is not None and i.year not in years:
                continue
            if all(covered(w, said) for w in words) or (
                f.source == "text"
                and all(covered(w, f.description + _clause_tail(f) + f.unit) for w in words)
            ):  # "开展8000人次业务培训": a figure's clause may name it after the number
                cands.append(i)

        def numerator(i: IndexedFact) -> bool:  # this year's done figure: said so, or said nothing else
            bare = not i.qualifiers & {"plan", "previous_year"}
            return (num_q in i.qualifiers or (num_q == "actual" and bare)) and den_q not in i.qualifiers

        nums = [i for i in cands if numerator(i) and not i.fact.comparator]
        dens = [i for i in cands if den_q in i.qualifiers and num_q not in i.qualifiers]
        for n in nums:
            for d in dens:
                fn, fd = n.fact, d.fact
                together = (fn.source == fd.source == "text" and fn.quote == fd.quote) or (
                    fn.source == fd.source == "table"
                    and (fn.table_id, fn.row_index) == (fd.table_id, fd.row_index)
                )
                # a year's goal is met by that year's figure, not by another year's done
                other_year = None not in (fn.period, fd.period) and fn.period != fd.period
                if den_q != "previous_year" and other_year:
                    continue
                if together and fn.doc_id == fd.doc_id and fn.unit == fd.unit:
                    pairs.setdefault((fn.value, fd.value), (Match(n, 1.0), Match(d, 1.0)))
        if not pairs:
            # a goal stated in one place and what was done in another ("绩效目标…开展8000人次业务培训"
            # and "累计开展培训33478人次"): only when each side has one value in one unit
            # the whole, not its 其中 parts ("累计开展培训33478人次，其中线上培训30948人次")
            goal_units = {i.fact.unit for i in dens}  # done is counted in the goal's unit
            done = [i for i in nums if i.fact.unit in goal_units]
            wholes = [[i for i in side if "part" not in i.qualifiers] or side for side in (done, dens)]
            sides = [{m.fact.value: m for m in side} for side in wholes]
            units = {i.fact.unit for side in wholes for i in side}
            docs = {i.fact.doc_id for side in wholes for i in side}
            if all(len(side) == 1 for side in sides) and len(units) == 1 and len(docs) == 1:
                (n,), (d,) = (list(side.values()) for side in sides)
                pairs[(n.fact.value, d.fact.value)] = (Match(n, 1.0), Match(d, 1.0))
        if len(pairs) != 1:
            return None
        return self._rate_of(formula.metric, *next(iter(pairs.values())))

    def _measure_words(self, formula: Any) -> tuple[str, ...]:
        """The line a rate is asked of when the question names it by a glossary measure ("培训人次和
        目标相比完成程度如何"): the measure's label without its unit ("培训" of 培训人次), which the
        figure's own words say ("开展培训33478人次")."""
        own = {*formula.numerator, *formula.denominator}
        out: list[str] = []
        for cid in self.g.concepts_in(self.ask.text):
            c = self.g.concept(cid)
            if cid in own or c.kind not in ("amount", "count", "people") or c.formula is not None:
                continue
            core = _UNIT_TAIL.sub("", c.label)
            if len(core) >= 2:
                out.append(core)
        return tuple(dict.fromkeys(out))[:1] if len(out) == 1 else ()

    def _rate_of(
        self, metric: str, num: Match, den: Match
    ) -> tuple[Computation, list[tuple[str, Match]]] | None:
        names = arg_names(metric)
        if names is None:
            return None
        args = [(names[0], num), (names[1], den)]
        comp = self.compute(metric, args)
        return (comp, args) if comp is not None else None

    def _lines_named(self, cid: str, formula: Any, also: frozenset[str] = frozenset()) -> list[str]:
        """The indicator groups (决策, 过程, 产出 …) the question names beside the rate and its own
        operands: each operand must be of them."""
        own = {cid, *(formula.numerator if formula else ()), *(formula.denominator if formula else ())}
        rate_label = "".join(
            (self.g.concept(cid).label, *self.g.concept(cid).terms)
        )  # 预算执行 in 预算执行率
        return [
            c
            for c in dict.fromkeys(self.g.concepts_in(self.ask.text))
            if c not in own
            and self.g.concept(c).category in _LINE_CATEGORIES | also
            and not any(t in rate_label for t in (*self.g.concept(c).terms, self.g.concept(c).label))
        ]

    def _other_lines(self, cid: str, formula: Any) -> bool:
        line, self.line = self.line, ()
        try:
            ids = [
                cid,
                *(formula.numerator if formula else ()),
                *(formula.denominator[:1] if formula else ()),
            ]
            return any(self.best(Operand(i, self.label(i), self.ask.qualifiers)) for i in ids)
        finally:
            self.line = line

    def _by_rate_head(self, concept: Any) -> list[Match]:
        """A rate the document names by its head word alone ("控制率" under 财政供养人员情况 for
        在职人员控制率): the one % figure in scope whose own label ends with that head word."""
        heads = {t[-3:] for t in concept.terms if t.endswith("率") and len(t) >= 3}
        found = [
            i
            for i in self.facts
            if i.fact.unit == "%"
            and any((i.fact.col_path[-1:] or (i.fact.description,))[0].endswith(h) for h in heads)
            and (not self.ask.years or i.year in (None, *self.ask.years))
            and not (
                self.g.concepts_in(i.fact.description)
                and not (set(self.g.concepts_in(i.fact.description)) & {concept.id})
                and any(self.g.concept(c).kind == "rate" for c in self.g.concepts_in(i.fact.description))
            )
        ]
        if len({(i.fact.value, i.fact.doc_id) for i in found}) != 1:
            return []
        return [Match(found[0], 1.0)]

    def _compute_rate(self, formula: Any) -> tuple[Computation, list[tuple[str, Match]]] | None:
        quals = self.ask.qualifiers
        # the numerator the question names itself ("全年预算还剩多少": 全年预算数, not 年初预算)
        named = [c for c in formula.numerator if c in self.g.concepts_in(self.ask.text)]
        nums = [
            m for nid in named or formula.numerator for m in self.best(Operand(nid, self.label(nid), quals))
        ]
        if (
            not nums and named
        ):  # "实际花的" of a table that states it as 决算数: the formula's other numerator
            nums = [
                m
                for nid in formula.numerator
                if nid not in named
                for m in self.best(Operand(nid, self.label(nid), quals))
            ]
        # only the standard denominator: an alternative (年初预算 for 调整后预算) is never substituted
        did = formula.denominator[0]
        dens = self.best(Operand(did, self.label(did), quals))
        if not dens and len(formula.denominator) > 2:
            # a document that states one budget and no stage of it ("预算安排总额153.55万元": neither
            # 年初预算 nor 调整后预算) is divided by that budget; the answer says so. With an
            # alternative stated (年初预算 only), nothing is substituted.
            alternatives = formula.denominator[1:-1]
            if not any(self.best(Operand(c, self.label(c), quals)) for c in alternatives):
                general = formula.denominator[-1]
                dens = self.best(Operand(general, self.label(general), quals))
        pairs = [
            (n, d)
            for n in nums
            for d in dens
            if self._same_unit(n, d) and (same_entity(n, d, along="row") or _transposed(n, d))
        ]
        if not pairs:  # figures of two sentences: only when each is the one figure so named
            lone = [distinct_values(ms, ms[0].score) if ms else [] for ms in (nums, dens)]
            if all(len(x) == 1 and x[0].fact.source in ("text", "computed") for x in lone):
                n, d = lone[0][0], lone[1][0]
                if n.fact.doc_id == d.fact.doc_id and same_kind(n, d):
                    pairs = [(n, d)]
        if not pairs:  # the whole's two figures, its lines' in a table beside them
            plain = self._plain_pair(nums, dens)
            pairs = [plain] if plain is not None else []
        pair = self.choose(pairs)
        if pair is None:
            if pairs:
                self.unclear = pairs
            return None
        return self._rate_of(formula.metric, *pair)

    def other_rate_of_line(self) -> bool:
        """Does the document state a rate other than the one asked of a line the question's words
        name (a 预算执行率 column of the 见习补贴 row, asked 见习补贴's completion)?"""
        words = [w for w in self.words if w]
        asked = self.ask.rate_concept
        for i in self.facts:
            rates = {c for c in i.concepts if self.g.concept(c).kind == "rate"}
            if i.fact.unit != "%" or not rates or asked in rates:
                continue
            said = self.line_text(Match(i, 0)) if i.fact.source == "table" else i.fact.description
            name = i.fact.row_path[-1] if i.fact.source == "table" and i.fact.row_path else ""
            if words and any(covered(w, said, share=0.6) or (len(name) >= 2 and name in w) for w in words):
                return True
        return False

    def _same_unit(self, n: Match, d: Match) -> bool:
        """Two figures of one unit; a score column printed without 分 ("实际得分 35.3") is in the
        分 of its row's 分值 (both a score's measures, neither a rate)."""
        if n.fact.unit == d.fact.unit:
            return True
        scored = ("score", "weight")
        return {n.fact.unit, d.fact.unit} == {"", "分"} and all(
            m.fact.source == "table" and any(self.g.concept(c).kind in scored for c in m.item.measures)
            for m in (n, d)
        )

    def binary(self, op: str) -> Draft | None:
        operands = list(self.ask.operands)
        if op == "share" and len(operands) == 1:
            wholes = sorted(self.g.wholes_of(operands[0].concept)) if operands[0].concept else []
            if len(wholes) != 1:
                return None
            operands.append(Operand(wholes[0], self.label(wholes[0]), operands[0].qualifiers))
        if len(operands) < 2:
            return None
        found = [self.best(o) for o in operands[:2]]
        ids = [o.concept for o in operands[:2]]
        if any(ids[1] in m.item.concepts for m in found[0][:1]) or any(
            ids[0] in m.item.concepts for m in found[1][:1]
        ):
            return None  # one line's two measures ("工资福利支出比预算少多少"): not two separate quantities
        labels = [self.label(o.concept, o.words) for o in operands[:2]]
        if not found[0] or not found[1]:
            missing = [lab for lab, f in zip(labels, found, strict=True) if not f]
            return self.refuse(f"计算所需的{'、'.join(missing)}", "文档中没有与之相符的数字")
        pairs = [
            (a, b)
            for a in found[0]
            for b in found[1]
            if a.fact.id != b.fact.id and same_entity(a, b, along="column" if op == "share" else "any")
        ]
        if op == "share" and ids[0] and ids[1] in self.g.wholes_of(ids[0]):
            # a part over its whole: the whole is no figure stated as one of its parts ("其中…其他收入")
            # and never smaller than the part
            wholes = [(a, b) for a, b in pairs if "part" not in b.item.qualifiers and _at_least(b, a)]
            pairs = wholes or pairs
        pair = self.choose(pairs)
        if pair is None:
            pair = self._plain_pair(found[0], found[1])
        if pair is None:
            return self.ambiguous(pairs) if pairs else None
        a, b = pair
        if op != "share" and _undirected_gap(self.ask.text) and not _at_least(a, b):
            a, b, labels = b, a, [labels[1], labels[0], *labels[2:]]  # "相差多少": larger less smaller
        if op == "share":
            metric, subject = "share", f"{labels[0]}占{labels[1]}的比例"
        else:
            metric, subject = "difference", f"{labels[0]}与{labels[1]}之差"
        names = arg_names(metric)
        if names is None:
            return None
        args = [(names[0], a), (names[1], b)]
        comp = self.compute(metric, args)
        if comp is None:
            return None
        return self.computed_draft(subject, comp, args, None)


def _undirected_gap(text: str) -> bool:
    """Does the question ask the size of a gap ("差了多少", "相差多少") rather than which way it goes
    ("比预算多了多少", "少了多少")?"""
    bare = text.replace("多少", "")
    if re.search(r"[还尚仍]差|离.{0,12}差", text):
        return False  # "离年度目标还差多少": what is still missing, target less actual
    return bool(re.search(r"差了?多少|相差|差额|差距|差值", text)) and not re.search(
        r"多出|超出|高出|超过|多了|少了|超了|低了|增加|减少|比[^，,。？?]{0,16}(?:多|少|高|低|超)", bare
    )


def _at_least(b: Match, a: Match) -> bool:
    try:
        return Decimal(b.fact.value) >= Decimal(a.fact.value)
    except InvalidOperation:
        return False


_CHECKS = re.compile(r"吗[？?]?$|是否|对不对|对得上|对不上|一致|相等|等于")


def _aligned(sides: list[list[Match]]) -> list[list[Match]]:
    """The ways to take one figure per side that belong together: one document, one kind of unit,
    and — when a side's name fits several columns of a line — cells of one column (or of the same
    measure) throughout. Distinct by values."""
    import itertools

    out: dict[tuple[str, ...], list[Match]] = {}
    for combo in itertools.islice(itertools.product(*sides), 400):
        first = combo[0]
        if len({m.fact.doc_id for m in combo}) != 1 or not all(same_kind(first, m) for m in combo[1:]):
            continue
        if any(len(s) > 1 for s in sides) and not _one_column(list(combo)):
            continue
        out.setdefault(tuple(m.fact.value for m in combo), list(combo))
    return list(out.values())


def _same_row(sides: list[list[Match]]) -> list[list[Match]]:
    """One cell per side, all of one table row (two columns of one line), distinct by values."""
    import itertools

    out: dict[tuple[str, ...], list[Match]] = {}
    for combo in itertools.islice(itertools.product(*sides), 400):
        rows = {(m.fact.doc_id, m.fact.table_id, m.fact.row_index) for m in combo}
        one_row = len(rows) == 1 and all(m.fact.source == "table" for m in combo)
        if one_row and len({m.fact.col_index for m in combo}) == len(combo):
            out.setdefault(tuple(m.fact.value for m in combo), list(combo))
    return list(out.values())


def _one_column(combo: list[Match]) -> bool:
    cells = [m for m in combo if m.fact.source == "table"]
    if len(cells) < 2:
        return True
    measures = {m.item.measures for m in cells}
    if len(measures) == 1 and next(iter(measures)):
        return True  # the same measure (执行数) in different tables
    return len({(m.fact.table_id, m.fact.col_index) for m in cells}) == 1


def same_entity(a: Match, b: Match, *, along: str) -> bool:
    """Can two facts be operands of one computation? Cells of one table row (a rate: 执行数 and
    预算数 of the same line), of one column (a share: a part and its total), or two sentences' figures
    of one document. Never cells of two different rows of a table for a rate."""
    fa, fb = a.fact, b.fact
    if fa.doc_id != fb.doc_id:
        return False
    if fa.source == "text" and fb.source == "text":
        return fa.quote == fb.quote  # two figures of one sentence
    if fa.source != fb.source or fa.table_id != fb.table_id:
        return False
    if along == "row":
        return fa.row_index == fb.row_index
    if along == "column":
        return fa.col_index == fb.col_index
    return fa.row_index == fb.row_index or fa.col_index == fb.col_index


def _extra(label: str, words: tuple[str, ...]) -> int:
    """How much a label says beyond the asked words, its years, units and figures."""
    rest = re.sub(r"(?:19|20)\d{2}\s*年?|[\d.,%]+|[（(][^)）]{0,6}[)）]|[\s·/、，,：:（）()]", "", label)
    for w in sorted(words, key=len, reverse=True):
        rest = rest.replace(w, "")
    return len(rest)


def _exclusive_mismatch(asked: frozenset[str], have: frozenset[str]) -> bool:
    """A target asked and an actual found, or last year asked and this year found (or the reverse)."""
    return any((q in asked) != (q in have) for q in ("plan", "previous_year"))


def _transposed(a: Match, b: Match) -> bool:
    """Two cells of one column of a table whose rows are the measures (分值 / 得分 / 得分率 down the
    side, 项目决策 / 项目过程 across the top): the same line's two measures."""
    fa, fb = a.fact, b.fact
    return (
        fa.source == fb.source == "table"
        and fa.table_id == fb.table_id
        and fa.col_index == fb.col_index
        and fa.row_index != fb.row_index
        and not a.item.measures
        and not b.item.measures
    )


def _close(stated: str, value: str) -> bool:
    """Does the stated figure equal the computed one at the stated precision?"""
    try:
        s, v = Decimal(stated), Decimal(value)
    except (InvalidOperation, TypeError):
        return False
    digits = -s.as_tuple().exponent if isinstance(s.as_tuple().exponent, int) else 2
    return abs(s - v) <= Decimal(1).scaleb(-max(0, int(digits))) / 2 + Decimal("1e-9")
