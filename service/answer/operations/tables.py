"""Score-table operations of the fact path: a cell named by its row and column, 扣分 of a row, a
group's sum (投入 = Σ its items), named rows summed, a group's 得分率, the items below full marks.
A mixin of the solver in answer.py: it uses the solver's glossary, facts, citations and drafts."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from service.answer.deterministic.render import Draft, zh_count
from service.answer.operations.cells import (
    CellAsk,
    best_rows,
    group_cells,
    row_cells,
    same_row,
    stated_points,
)
from service.answer.operations.operands import Match, distinct_values, unit_fits

SUPERLATIVE = re.compile(r"最多|最少|最高|最低|最大|最小")
NOT_FULL = re.compile(
    r"(?:哪|哪些|哪几).{0,10}(?:没|未|不是)(?:有)?(?:拿|得|获得|拿到)?满分|(?:哪|哪些|哪几).{0,10}(?:扣了?分|被扣|失分|丢分)"
)
# the columns a cell question may be answered from, by what it asks
_COLUMNS = {
    "weight": frozenset({"weight", "total_weight"}),
    "indicator_score": frozenset({"indicator_score", "total_score"}),
}


_ARG_ORDER_FALLBACK = {"share": ("part", "total"), "difference": ("minuend", "subtrahend")}


class TableOps:
    """Table operations; the attributes and helpers they use are the solver's."""

    # provided by the solver
    g: Any
    ask: Any
    facts: list[Any]
    toolbox: Any
    searched: list[str]
    followed: bool
    line: tuple[str, ...]
    label: Any
    label_of: Any
    lookup_draft: Any
    computed_draft: Any
    refuse_now: Any
    metric_input: Any
    run_metric: Any

    def _cells(self, measure: str, *, per_row: bool = False) -> list[tuple[Match, tuple[str, ...]]]:
        """The cells of the asked column in the row the question names, one per distinct value of
        the best-fitting rows (`per_row`: one per row, equal values kept); empty when none fits."""
        cell = self.ask.cell
        assert cell is not None
        column = _COLUMNS.get(measure, frozenset({measure}))
        kind = self.g.concept(measure).kind
        self.searched.append(f"表格中“{'、'.join(cell.chunks)}”行的“{self.label(measure)}”栏")
        found = [
            m
            for m in row_cells(cell, self.facts, column, years=self.ask.years)
            if unit_fits(kind, m.item.fact.unit) and not m.item.fact.comparator
        ]
        rows = best_rows(found)
        named = {m.item.fact.id: m.named for m in rows}
        if per_row:
            return [(Match(m.item, 1.0), m.named) for m in rows]
        return [(m, named[m.fact.id]) for m in distinct_values([Match(m.item, 1.0) for m in rows], 1.0)]

    def cell(self) -> Draft | None:
        """A cell named by its row and column; 扣分 as 分值 − 得分 of that row when no column states it."""
        cell = self.ask.cell
        assert cell is not None

        def subject(named: tuple[str, ...]) -> str:
            return "、".join(f"“{w}”" for w in named)

        if cell.measure == "deduction":
            stated = self._cells("deduction")
            if len(stated) == 1:
                draft = self.lookup_draft(f"{subject(stated[0][1])}的扣分", [stated[0][0]])
                draft.meta["cell_measure"] = "deduction"
                return draft
            weights, scores = self._cells("weight"), self._cells("indicator_score")
            pairs = [(w, s) for w, _ in weights for s, _ in scores if same_row(w.item, s.item)]
            if len(pairs) != 1:
                return self.group_deduction(cell)
            return self.deduction_draft(subject(weights[0][1]), *pairs[0])
        summing = "sum" in self.g.operations_in(self.ask.text)
        if summing and len(cell.chunks) >= 2:
            listed = self.rows_sum(cell.measure)
            if listed is not None:
                return listed
        if summing and len(cell.chunks) == 1 and cell.measure in _COLUMNS:
            summed = self.group_sum(cell.measure)  # "过程部分各项加起来一共得了多少分": the group's items
            if summed is not None:
                return summed
        matches = self._cells(cell.measure)
        if not matches and cell.measure in _COLUMNS:
            summed = self.group_sum(cell.measure)
            if summed is not None:
                return summed
        if not matches and self.followed:
            # a follow-up of a cell answer: no other path knows which table and column are meant
            return self.refuse_now(f"{subject(cell.chunks)}的{self.label(cell.measure)}", "表格中没有这一行")
        if len(matches) != 1:
            return None  # nothing, or several rows' figures fit equally: not this path's to pick
        m, named = matches[0]
        draft = self.lookup_draft(f"{subject(named)}的{self.label(cell.measure)}", [m])
        draft.meta["cell_measure"], draft.meta["cell_chunks"] = cell.measure, list(named)
        return draft

    def rows_sum(self, measure: str) -> Draft | None:
        """ "监理费、测绘费和青苗补偿费加起来": the asked column of each named row, summed — only when
        every named row is found, once."""
        cell = self.ask.cell
        assert cell is not None
        items: list[Match] = []
        for chunk in cell.chunks:
            self.ask.cell = CellAsk(measure, (chunk,))
            try:
                found = self._cells(measure, per_row=True)
            finally:
                self.ask.cell = cell
            if len(found) != 1:
                return None  # a name of several rows (质量指标 over two indicators) is no one row
            items.append(found[0][0])
        if len({m.fact.id for m in items}) != len(items):
            return None
        return self.sum_draft("、".join(f"“{c}”" for c in cell.chunks), measure, items)

    def sum_draft(self, whose: str, measure: str, items: list[Match]) -> Draft | None:
        label = self.label(measure)
        comp = self.run_metric("sum_of_parts", {"parts": [self.metric_input(m) for m in items]})
        if comp is None:
            return None
        args = [(f"part{n}", m) for n, m in enumerate(items)]
        draft = self.computed_draft(f"{whose}的{label}合计", comp, args, None)
        cell = self.ask.cell
        if cell is not None:
            draft.meta["cell_measure"], draft.meta["cell_chunks"] = measure, list(cell.chunks)
        return draft

    def group_sum(self, measure: str) -> Draft | None:
        """A group's figure as the sum of its items' cells ("投入部分满分多少" = Σ its indicators' 分值)."""
        cell = self.ask.cell
        assert cell is not None
        group = group_cells(cell, self.facts, _COLUMNS[measure], years=self.ask.years)
        if group is None or not group.cells:
            return None
        label = self.label(measure)
        name = re.sub(r"[（(][^)）]{0,8}分[)）]", "", group.parent) or group.parent  # "产出指标(70分)"
        self.searched.append(f"表格中“{name}”下各项的{label}")
        if group.missing:
            return self.refuse_now(
                f"“{name}”的{label}合计", f"其下“{'、'.join(group.missing[:5])}”的{label}为空白，不能相加"
            )
        if not self.group_complete(cell, group):
            return self.refuse_now(
                f"“{name}”的{label}合计", "表格中读到的分项之和与其标注的分值不符，可能有分项未读出"
            )
        items = [Match(i, 1.0) for i in group.cells]
        if len(items) == 1:
            return self.lookup_draft(f"“{group.parent}”的{label}", items)
        return self.sum_draft(f"“{group.parent}”下各项", measure, items)

    def group_deduction(self, cell: CellAsk) -> Draft | None:
        """ "决策维度失分多少": a group's 分值 less its 得分, each the sum of its items (every item has
        both; the 分值 add up to the points the group's label states), the two sums shown as steps."""
        groups = {}
        for measure in ("weight", "indicator_score"):
            group = group_cells(cell, self.facts, _COLUMNS[measure], years=self.ask.years)
            if group is None or not group.cells or group.missing:
                return None
            groups[measure] = group
        weights, scores = groups["weight"], groups["indicator_score"]
        if len(weights.cells) != len(scores.cells) or len(weights.cells) < 2:
            return None
        if not self.group_complete(cell, weights):
            return None
        name = re.sub(r"[（(][^)）]{0,8}分[)）]", "", weights.parent) or weights.parent
        total_w = self.derived(f"“{name}”各项分值合计", [Match(i, 1.0) for i in weights.cells])  # type: ignore[attr-defined]
        total_s = self.derived(f"“{name}”各项得分合计", [Match(i, 1.0) for i in scores.cells])  # type: ignore[attr-defined]
        if total_w is None or total_s is None:
            return None
        return self.deduction_draft(f"“{name}”", total_w, total_s)

    def deduction_draft(self, whose: str, weight: Match, score: Match) -> Draft | None:
        """扣分 as 分值 − 得分, computed by the metrics module (a row's two cells, or a group's sums)."""
        args = [("minuend", weight), ("subtrahend", score)]
        comp = self.compute("difference", args)
        if comp is None:
            return None
        draft = self.computed_draft(f"{whose}的扣分（分值 − 得分）", comp, args, None)
        draft.meta["cell_measure"] = "deduction"
        return draft

    def group_complete(self, cell: CellAsk, group: Any) -> bool:
        """When the group's label states its points ("效益指标(20分)"), the 分值 of the very items read
        under it must add up to them: a shorter sum means an item was not read (a merged cell, a page
        break) — checked on the rows summed, never on a second reading of the group."""
        points = stated_points(group.parent)
        if points is None:
            return not self._orphan_items(group)
        rows = {(i.fact.table_id, i.fact.row_index) for i in group.cells}
        weights: dict[tuple[str, int], Any] = {}
        for i in self.facts:
            key = (i.fact.table_id, i.fact.row_index)
            if i.fact.source == "table" and key in rows and i.measures & _COLUMNS["weight"]:
                weights.setdefault(key, i)
        if not rows or len(weights) != len(rows):
            return False
        try:
            total = sum(Decimal(i.fact.value) for i in weights.values())
        except InvalidOperation:
            return False
        return total == Decimal(points)

    def _orphan_items(self, group: Any) -> bool:
        """Items read without any group right after the group's last item ("可持续影响" after a page
        break that dropped its 效益 label) while the group's own items carry one: they may be the
        group's, so its items are not known to be all there."""
        docs = {i.fact.doc_id for i in group.cells}
        depth = min((len(i.fact.row_path) for i in group.cells), default=0)
        if depth < 2 or len(docs) != 1:
            return False

        def at(f: Any) -> tuple[int, str, int]:
            return (f.page, f.table_id, f.row_index)

        last = max(at(i.fact) for i in group.cells)
        rows = sorted(
            {
                at(i.fact): i.fact
                for i in self.facts
                if i.fact.source == "table" and i.fact.doc_id in docs and i.measures & _COLUMNS["weight"]
            }.items()
        )
        for key, f in rows:
            if key <= last or "total" in self.g.qualifiers_in(" ".join(f.row_path)):
                continue
            return len(f.row_path) < depth  # the next item: grouped (another group's) or not
        return False

    def not_full_marks(self) -> Draft | None:
        """The items of one score table scored below their 分值, each cited (blank scores named)."""
        weights = [i for i in self.facts if i.fact.source == "table" and i.measures & _COLUMNS["weight"]]
        scores = {
            (i.fact.table_id, i.fact.row_index): i
            for i in self.facts
            if i.fact.source == "table" and i.measures & _COLUMNS["indicator_score"]
        }
        tables = {w.fact.table_id for w in weights if (w.fact.table_id, w.fact.row_index) in scores}
        if len(tables) != 1:
            return None  # no score table, or several (which one is meant is unclear)
        table = tables.pop()
        rows = [w for w in weights if w.fact.table_id == table and w.fact.row_path]
        paths = [tuple(w.fact.row_path) for w in rows]
        leaves = [
            w
            for w in rows
            if not any(
                p != tuple(w.fact.row_path) and p[: len(w.fact.row_path)] == tuple(w.fact.row_path)
                for p in paths
            )
        ]
        figures, blank = [], []
        for w in leaves:
            s = scores.get((table, w.fact.row_index))
            name = w.fact.row_path[-1]
            if s is None:
                blank.append(name)
                continue
            try:
                below = Decimal(s.fact.value) < Decimal(w.fact.value)
            except InvalidOperation:
                continue
            if below:
                m = Match(s, 1.0)
                figures.append(
                    {
                        "subject": f"“{name}”得分（分值{w.fact.value}）",
                        "display": self.display(m),
                        "n": self.cite(m),
                    }
                )
        title = next((i.title for i in rows if i.title), "")
        intro = (
            f"《{title}》中得分低于分值的指标共{zh_count(len(figures))}项："
            if figures
            else f"《{title}》中各指标均得满分。"
        )
        if blank:
            intro += f"（另有“{'、'.join(blank[:6])}”的得分为空白，未计入）"
        return Draft(
            "answer_lookup",
            {"figures": figures, "missing": [], "check": None, "intro": intro},
            meta={"path": "facts", "fact_op": "list"},
        )

    def _group_score_rate(self, subject: str) -> Draft | None:
        """ "预算编制部分的得分率": Σ 得分 ÷ Σ 分值 over the items of the named group, each sum computed."""
        ask = CellAsk("indicator_score", self.line)
        scores = group_cells(ask, self.facts, _COLUMNS["indicator_score"], years=self.ask.years)
        weights = group_cells(ask, self.facts, _COLUMNS["weight"], years=self.ask.years)
        if not scores or not weights or scores.missing or weights.missing or not scores.cells:
            return None
        if scores.parent != weights.parent or len(scores.cells) != len(weights.cells):
            return None
        if not self.group_complete(ask, weights):
            return None
        sums = []
        for group in (scores, weights):
            total = self.run_metric(
                "sum_of_parts", {"parts": [self.metric_input(Match(i, 1.0)) for i in group.cells]}
            )
            if total is None:
                return None
            sums.append(total)
        names = arg_names("score_rate")
        if names is None:
            return None
        inputs = {
            names[0]: {
                "value": sums[0].value,
                "unit": sums[0].unit,
                "label": f"“{scores.parent}”各项得分合计",
            },
            names[1]: {
                "value": sums[1].value,
                "unit": sums[1].unit,
                "label": f"“{weights.parent}”各项分值合计",
            },
        }
        rate = self.run_metric("score_rate", inputs)
        if rate is None:
            return None
        args = [(f"s{n}", Match(i, 1.0)) for n, i in enumerate((*scores.cells, *weights.cells))]
        draft = self.computed_draft(f"“{scores.parent}”的{subject}", rate, args, None)
        draft.computations = [*sums, rate]
        return draft


def arg_names(metric: str) -> tuple[str, str] | None:
    try:
        from service.metrics import REGISTRY

        spec = REGISTRY.get(metric)
    except ImportError:  # pragma: no cover
        spec = None
    if spec is None:
        return _ARG_ORDER_FALLBACK.get(metric)
    required = [a.name for a in spec.args if a.required]
    return (required[0], required[1]) if len(required) >= 2 else None
