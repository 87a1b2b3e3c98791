"""Report check, tables: 合计 rows and columns, 其中 breakdowns, rates next to their inputs, multi-year
baselines and changes against them. Duck-typed over `ingest.models.Table` / `Cell` (no import)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from service.metrics._check_core import CheckItem, Thunk, cannot_verify, from_sum, internal_error, judge, norm
from service.metrics._definitions import RuleBook
from service.metrics.errors import MetricError
from service.metrics.registry import compute
from service.metrics.units import convert, ten_thousand_unit, unit_info
from service.metrics.vocabulary import EMPTY, Operand, RateDef, core

TOTAL_WORDS = ("合计", "总计")
CHANGE_WORDS = ("增长率", "降低程度", "下降率", "降低率", "变动率", "增幅", "降幅")


def named_variant(rule: RateDef, den: Operand) -> tuple[str, tuple[str, str]]:
    """An execution rate whose denominator is the initial budget (the glossary's `initial_budget`) is
    computed — and named — as that variant, never passed off as the official rate (which uses the
    adjusted budget)."""
    if rule.metric == "budget_execution_rate" and den.concept == "initial_budget":
        return "budget_execution_rate_initial_budget", ("spent", "initial_budget")
    return rule.metric, rule.args


def is_change_label(label: str) -> bool:
    return "较" in label and any(w in label for w in CHANGE_WORDS)


def _known_unit(unit: str) -> str:
    try:
        unit_info(unit)
    except MetricError:
        return ""
    return unit


class Grid:
    """A table's cells addressed by (row, column), with normalized labels."""

    def __init__(self, table: Any, doc_id: str, book: RuleBook | None = None) -> None:
        self.table = table
        self.doc_id = doc_id
        self.book = book if book is not None else RuleBook(EMPTY)
        number = getattr(table, "number", "") or ""
        self.name = (
            f"表{number}" if number else norm(table.caption)[:16] or f"表格{getattr(table, 'index', 0) + 1}"
        )
        self.cells = {(c.row_index, c.col_index): c for c in table.cells}
        self.row_labels: dict[int, str] = {}
        self.col_labels: dict[int, str] = {}
        self.col_paths: dict[int, tuple[str, ...]] = {}
        for c in table.cells:
            self.row_labels.setdefault(c.row_index, "".join(c.row_header))
            path = tuple(dict.fromkeys(h for h in c.col_header if h))
            self.col_paths.setdefault(c.col_index, path)
            self.col_labels.setdefault(c.col_index, "/".join(path))
        self.rows = sorted(self.row_labels)
        self.cols = sorted(self.col_labels)
        self.year_cols: dict[int, int] = {}
        self.baseline_cols: dict[int, list[int]] = {}
        for ci, label in self.col_labels.items():
            n = norm(label)
            years = [int(y) for y in re.findall(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)", n)]
            if re.fullmatch(r"(19|20)\d{2}年(度)?", n):
                self.year_cols[years[0]] = ci
            elif len(years) == 2 and any(w in n for w in ("均值", "平均")):
                self.baseline_cols[ci] = list(range(min(years), max(years) + 1))

    def rlabel(self, ri: int) -> str:
        return norm(self.row_labels.get(ri, ""))

    def clabel(self, ci: int) -> str:
        return norm(self.col_labels.get(ci, ""))

    def num(self, ri: int, ci: int) -> Decimal | None:
        c = self.cells.get((ri, ci))
        return Decimal(c.value) if c is not None and c.value is not None else None

    def page(self, ri: int, ci: int) -> int | None:
        c = self.cells.get((ri, ci))
        pages = getattr(self.table, "pages", None) or [None]
        return c.page if c is not None else pages[0]

    def source(self, ri: int, ci: int) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "page": self.page(ri, ci),
            "table": self.table.caption,
            "row": self.row_labels.get(ri, ""),
            "column": self.col_labels.get(ci, ""),
        }

    def arg(self, ri: int, ci: int, *, unit: str | None = None) -> dict[str, Any]:
        c = self.cells[(ri, ci)]
        if c.value is None:
            raise _MissingCell(self, ri, ci)
        return {
            "value": c.value,
            "unit": unit if unit is not None else ("%" if c.is_percent else _known_unit(c.unit)),
            "label": f"{self.name} {self.row_labels.get(ri, '')} {self.col_labels.get(ci, '')}".strip(),
            "source": self.source(ri, ci),
        }

    def claim(self, ri: int, ci: int, suffix: str = "") -> str:
        return f"{self.name} {norm(self.row_labels.get(ri, ''))} {norm(self.col_labels.get(ci, ''))}{suffix}".strip()

    def rule(self, label: str) -> RateDef | None:
        return self.book.rule(label)

    def derived(self, label: str) -> bool:
        return self.book.derived(label)

    def _kind(self, idx: int, axis: str) -> str:
        """The unit kind of a line's cells ("money", "person_time" …; "" when none is stated)."""
        for (r, c_), c in self.cells.items():
            if (r if axis == "row" else c_) == idx and c.value is not None and c.unit:
                try:
                    return unit_info(c.unit).kind
                except MetricError:
                    return ""
        return ""

    def find_operand(
        self, operands: tuple[Operand, ...], *, axis: str, exclude: int | None = None
    ) -> tuple[int, Operand] | None:
        """The first non-derived row (axis="row") or column naming one of `operands` (earlier operands,
        then longer terms, preferred). A `money_like` operand is the money line sharing the longest
        beginning with its term (none shared: the only money line, else none)."""
        labels = self.row_labels if axis == "row" else self.col_labels
        plain = [
            i
            for i in sorted(labels)
            if i != exclude and not self.derived(labels[i]) and not is_change_label(norm(labels[i]))
        ]
        for op in operands:
            if op.unit:
                counted = [i for i in plain if self._kind(i, axis) == unit_info(op.unit).kind]
                if len(counted) == 1:
                    return counted[0], op
                continue
            if op.money_like:
                money = [i for i in plain if self._kind(i, axis) == "money"]
                shared = {i: _shared_start(core(labels[i]), op.terms[0]) for i in money}
                best = max(shared.values(), default=0)
                picks = [i for i in money if shared[i] == best]
                if len(picks) == 1 and (best >= 2 or len(money) == 1):
                    return picks[0], op
                continue
            for term in op.terms:
                for idx in plain:
                    if term in core(labels[idx]) and _owner(core(labels[idx]), operands) is op:
                        return idx, op
        return None


def _owner(label: str, operands: tuple[Operand, ...]) -> Operand | None:
    """The operand whose longest term the label contains: "年初预算数" is the 年初预算 reading, never
    the general 预算 one, even when the general reading is listed first."""
    best: tuple[int, int, Operand] | None = None
    for n, op in enumerate(operands):
        for term in op.terms:
            if term in label and (best is None or (len(term), -n) > (best[0], best[1])):
                best = (len(term), -n, op)
    return best[2] if best else None


def _shared_start(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


class _MissingCell(MetricError):
    def __init__(self, grid: Grid, ri: int, ci: int) -> None:
        where = grid.claim(ri, ci)
        super().__init__(f"缺少输入单元格：{where}", f"input cell is empty: {where}")


def _lazy(metric: str, build: Any) -> Thunk:
    """Defer building the inputs too (a missing cell then becomes a MetricError inside judge)."""
    return lambda: compute(metric, build())


# ---- rates ---------------------------------------------------------------------------------------


def rate_alternatives(g: Grid, ri: int, ci: int) -> list[tuple[str, Thunk]] | None:
    """How to recompute the derived cell (ri, ci): row-oriented rule (rates per column, and for a
    multi-year baseline column both forms of the average). None if the row is no rate line."""
    rule = g.rule(g.rlabel(ri))
    if rule is None:
        return None
    num = g.find_operand(rule.numerator, axis="row", exclude=ri)
    den = g.find_operand(rule.denominator, axis="row", exclude=ri)
    if num is None or den is None:
        return []
    (num_r, _), (den_r, den_op) = num, den
    metric, (a, b) = named_variant(rule, den_op)
    alts: list[tuple[str, Thunk]] = []
    years = [g.year_cols[y] for y in g.baseline_cols.get(ci, []) if y in g.year_cols]

    def den_arg(col: int) -> dict[str, Any]:
        """A per-10k cost's quantity in 万 for the baselines (which divide plain sums)."""
        arg = g.arg(den_r, col)
        if metric == "cost_per_10k_units" and arg["unit"]:
            wan = ten_thousand_unit(arg["unit"])
            arg = {**arg, "value": convert(Decimal(arg["value"]), arg["unit"], wan), "unit": wan}
        return arg

    if years:

        def totals(name: str) -> Thunk:
            return _lazy(
                name,
                lambda: {
                    "numerators": [g.arg(num_r, y) for y in years],
                    "denominators": [den_arg(y) for y in years],
                },
            )

        alts.append(("ratio_of_totals", totals("baseline_ratio_of_totals")))
    alts.append(
        (
            "rounded_intermediates" if years else "full_precision",
            _lazy(metric, lambda: {a: g.arg(num_r, ci), b: g.arg(den_r, ci)}),
        )
    )
    if years:
        alts.append(
            (
                "mean_of_ratios",
                _lazy(
                    "baseline_mean_of_ratios",
                    lambda: {
                        "numerators": [g.arg(num_r, y) for y in years],
                        "denominators": [den_arg(y) for y in years],
                    },
                ),
            )
        )
    return alts


def _rate_items(g: Grid) -> list[CheckItem]:
    items: list[CheckItem] = []
    # row-oriented: a derived row (表2 得分率, 表3 流失率 …), one figure per column
    for ri in g.rows:
        if not g.derived(g.rlabel(ri)):
            continue
        for ci in g.cols:
            cell = g.cells.get((ri, ci))
            if cell is None or cell.value is None:
                continue
            items.append(
                _judged(
                    g,
                    ri,
                    ci,
                    rate_alternatives(g, ri, ci),
                    kind="table_baseline" if ci in g.baseline_cols else "table_rate",
                    why=why_unverifiable(g, g.row_labels.get(ri, "")),
                )
            )
    # column-oriented: a derived column (表1-1 预算执行率), one figure per row
    for ci in g.cols:
        if not g.derived(g.clabel(ci)):
            continue
        rule = g.rule(g.clabel(ci))
        num = g.find_operand(rule.numerator, axis="col", exclude=ci) if rule else None
        den = g.find_operand(rule.denominator, axis="col", exclude=ci) if rule else None
        num_c = num[0] if num else None
        den_c = den[0] if den else None
        metric, (a, b) = named_variant(rule, den[1]) if rule and den else ("", ("", ""))
        for ri in g.rows:
            if g.derived(g.rlabel(ri)):
                continue  # a derived row's cells are judged by the row
            cell = g.cells.get((ri, ci))
            if cell is None or cell.value is None:
                continue
            col_alts: list[tuple[str, Thunk]] = []
            if num_c is not None and den_c is not None:
                col_alts = [
                    (
                        "full_precision",
                        _lazy(
                            metric,
                            lambda ri=ri, a=a, b=b, n=num_c, d=den_c: {a: g.arg(ri, n), b: g.arg(ri, d)},
                        ),
                    )
                ]
            items.append(
                _judged(
                    g, ri, ci, col_alts, kind="table_rate", why=why_unverifiable(g, g.col_labels.get(ci, ""))
                )
            )
    return items


def why_unverifiable(g: Grid, label: str) -> str:
    """Why a derived line cannot be recomputed, in Chinese."""
    rule = g.rule(label)
    if rule is None:
        return g.book.why_not(label)
    where = "术语表" if rule.source == "glossary" else rule.source
    return f"按{where}的公式，表中找不到计算该比率所需的分子或分母行（列）"


def _judged(
    g: Grid, ri: int, ci: int, alts: list[tuple[str, Thunk]] | None, *, kind: str, why: str = ""
) -> CheckItem:
    cell = g.cells[(ri, ci)]
    if not alts:
        item = cannot_verify(
            claim=g.claim(ri, ci),
            page=cell.page,
            stated_raw=cell.raw,
            why=why or "表中找不到计算该比率所需的分子或分母行（列）",
            kind=kind,
        )
        item.table = g.table.caption
        item.source = g.source(ri, ci)
        return item
    return judge(
        claim=g.claim(ri, ci),
        page=cell.page,
        stated_raw=cell.raw,
        alternatives=alts,
        kind=kind,
        table=g.table.caption,
        source=g.source(ri, ci),
    )


# ---- baselines of amounts and changes against them ------------------------------------------------


def _full_value(g: Grid, ri: int, ci: int) -> Decimal:
    """The derived line's value at full precision (from the raw inputs), or the cell itself."""
    alts = rate_alternatives(g, ri, ci)
    if alts:
        return _value(alts[0][1]())
    if g.derived(g.rlabel(ri)):  # a rate that cannot be recomputed: the figure as stated
        return Decimal(g.arg(ri, ci)["value"])
    years = [g.year_cols[y] for y in g.baseline_cols.get(ci, []) if y in g.year_cols]
    if years:
        return _value(compute("multi_year_average", {"values": [g.arg(ri, y) for y in years]}))
    return Decimal(g.arg(ri, ci)["value"])


def _value(result: Any) -> Decimal:
    assert not isinstance(result.value, str)
    return result.value


def change_alternatives(g: Grid, base_ri: int, ycol: int, bcol: int, metric: str) -> list[tuple[str, Thunk]]:
    """A change of line `base_ri` from the baseline column to a year column, both conventions."""
    a, b = "current", "baseline"
    unit = "%" if any(c.is_percent for (r, _), c in g.cells.items() if r == base_ri) else None

    def rounded() -> dict[str, Any]:
        return {a: g.arg(base_ri, ycol, unit=unit), b: g.arg(base_ri, bcol, unit=unit)}

    def full() -> dict[str, Any]:
        cur, base = g.arg(base_ri, ycol, unit=unit), g.arg(base_ri, bcol, unit=unit)
        cur["value"], base["value"] = _full_value(g, base_ri, ycol), _full_value(g, base_ri, bcol)
        cur["label"] += "（全精度）"
        base["label"] += "（全精度）"
        return {a: cur, b: base}

    label = g.rlabel(base_ri)
    if g.derived(label) and g.rule(label) is None:  # the line's own values cannot be recomputed
        return [("rounded_intermediates", _lazy(metric, rounded))]
    return [("full_precision", _lazy(metric, full)), ("rounded_intermediates", _lazy(metric, rounded))]


def change_metric(label: str) -> str:
    """A change line named a reduction (降低程度, 下降率, 降幅) states (baseline − current) ÷ baseline."""
    return (
        "reduction_vs_baseline" if any(w in label for w in ("降低", "下降", "降幅")) else "change_vs_baseline"
    )


def base_row_of(g: Grid, ri: int) -> int | None:
    prefix = g.rlabel(ri).split("较")[0]
    if not prefix:
        return None
    for r in g.rows:
        lab = g.rlabel(r)
        if r != ri and "较" not in lab and lab.startswith(prefix):
            return r
    return None


def _baseline_and_change_items(g: Grid) -> list[CheckItem]:
    items: list[CheckItem] = []
    for ri in g.rows:
        label = g.rlabel(ri)
        if is_change_label(label):
            base_ri = base_row_of(g, ri)
            for ci in g.cols:
                cell = g.cells.get((ri, ci))
                if cell is None or cell.value is None:
                    continue
                if base_ri is None or ci not in g.year_cols.values() or not g.baseline_cols:
                    items.append(_judged(g, ri, ci, [], kind="table_change"))
                    continue
                bcol = next(iter(g.baseline_cols))
                alts = change_alternatives(g, base_ri, ci, bcol, change_metric(label))
                items.append(_judged(g, ri, ci, alts, kind="table_change"))
        elif not g.derived(label):
            for bcol, years in g.baseline_cols.items():
                cell = g.cells.get((ri, bcol))
                ycols = [g.year_cols[y] for y in years if y in g.year_cols]
                if cell is None or cell.value is None or not ycols:
                    continue
                alts = [
                    (
                        "exact",
                        _lazy(
                            "multi_year_average",
                            lambda ri=ri, ycols=ycols: {"values": [g.arg(ri, y) for y in ycols]},
                        ),
                    )
                ]
                items.append(_judged(g, ri, bcol, alts, kind="table_baseline"))
    return items


# ---- sums ----------------------------------------------------------------------------------------


def _sum_item(
    g: Grid, ri: int, ci: int, parts: list[tuple[int, int]], *, kind: str, what: str
) -> CheckItem | None:
    cell = g.cells[(ri, ci)]
    numeric = [(r, c) for r, c in parts if g.num(r, c) is not None]
    if len(numeric) < 2:
        return None
    empty = len(parts) - len(numeric)
    try:
        stated = g.arg(ri, ci)
        result = compute("sum_check", {"parts": [g.arg(r, c) for r, c in numeric], "stated_total": stated})
    except MetricError as exc:  # e.g. parts in different units: listed, not dropped
        item = cannot_verify(
            claim=g.claim(ri, ci, f"（{what}）"),
            page=cell.page,
            stated_raw=cell.raw,
            why=exc.message_zh,
            kind=kind,
        )
        item.table, item.source = g.table.caption, g.source(ri, ci)
        return item
    return from_sum(
        claim=g.claim(ri, ci, f"（{what}）"),
        page=cell.page,
        stated_raw=cell.raw,
        result=result,
        kind=kind,
        table=g.table.caption,
        source=g.source(ri, ci),
        note=f"{empty} 个“-”单元格按 0 计" if empty else "",
    )


def _sum_items(g: Grid) -> list[CheckItem]:
    items: list[CheckItem] = []
    derived_cols = {ci for ci in g.cols if g.derived(g.clabel(ci)) or is_change_label(g.clabel(ci))}
    total_cols = [ci for ci in g.cols if any(w in g.clabel(ci) for w in TOTAL_WORDS)]
    previous_total = -1
    for ri in g.rows:
        if not any(w in g.rlabel(ri) for w in TOTAL_WORDS):
            continue
        body = [r for r in g.rows if previous_total < r < ri]
        previous_total = ri
        for ci in g.cols:
            cell = g.cells.get((ri, ci))
            if (
                cell is None
                or cell.value is None
                or cell.is_percent
                or ci in derived_cols
                or ci in total_cols
            ):
                continue
            item = _sum_item(g, ri, ci, [(r, ci) for r in body], kind="table_sum", what="各行之和")
            if item:
                items.append(item)
    for ci in total_cols:
        for ri in g.rows:
            cell = g.cells.get((ri, ci))
            if cell is None or cell.value is None or cell.is_percent or g.derived(g.rlabel(ri)):
                continue
            parts = [(ri, c) for c in g.cols if c < ci and c not in derived_cols and c not in total_cols]
            item = _sum_item(g, ri, ci, parts, kind="table_sum", what="各列之和")
            if item:
                items.append(item)
    # 其中 breakdowns: columns under a "其中" header add up to the column before the group
    groups: dict[int, list[int]] = {}
    for ci in g.cols:
        path = g.col_paths.get(ci, ())
        if path and norm(path[0]).startswith("其中"):
            parent = max(
                (c for c in g.cols if c < ci and not norm(g.col_paths.get(c, ("",))[0]).startswith("其中")),
                default=None,
            )
            if parent is not None:
                groups.setdefault(parent, []).append(ci)
    for parent, children in groups.items():
        for ri in g.rows:
            cell = g.cells.get((ri, parent))
            if cell is None or cell.value is None:
                continue
            item = _sum_item(
                g, ri, parent, [(ri, c) for c in children], kind="table_breakdown", what="其中各项之和"
            )
            if item:
                items.append(item)
    return items


def check_tables(
    tables: list[Any], doc_id: str, book: RuleBook | None = None
) -> tuple[list[CheckItem], list[Grid]]:
    items: list[CheckItem] = []
    grids = [Grid(t, doc_id, book) for t in tables]
    for g in grids:
        for part in (_sum_items, _rate_items, _baseline_and_change_items):
            try:
                items += part(g)
            except (MetricError, ArithmeticError, ValueError, KeyError, IndexError) as exc:  # loud, not fatal
                items.append(internal_error(f"{g.name} {part.__name__}", exc))
    return items, grids
