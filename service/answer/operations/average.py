"""One column of a table: its mean ("三个专项债项目自评分的平均分是多少？") and its highest or lowest
row ("哪个项目自评分最高？").

The column is the one whose header the question names (a glossary concept both share, or the
header's own words); its figures are the table's body rows, total rows (合计 / 小计 …) left out.
When the question counts the items ("三个项目"), the column must have exactly that many figures,
else it is refused: a mean over the wrong rows is a wrong figure. The metrics module computes the
mean and every figure is cited.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from service.answer.deterministic.render import CitationSet, Draft, zh_count
from service.answer.operations.phrases import NUMERALS
from service.answer.operations.rule_text import normalize
from service.answer.operations.rules import computed_draft, lcs, run_metric

_COUNT = re.compile(r"([两二三四五六七八九十]|\d{1,2})(?:个|项|家|所|名|类|条)")
_WEIGHTED = re.compile(r"加权|权重")
_PER_HEAD = re.compile(r"平均(?:到)?每(?:个|名|位|一个|一名)?(?P<who>[^的，,？?]{1,10})的")
# a rate per head or per month, a multi-year mean: other operations, not a column's mean
_NOT_A_COLUMN_MEAN = re.compile(r"[人户月年日]均|均值|(?:19|20)\d{2}\s*年?\s*[-—–~至到]\s*(?:19|20)?\d{2}")


def _count(text: str) -> int | None:
    m = _COUNT.search(text)
    if m is None:
        return None
    raw = m.group(1)
    return NUMERALS[raw] if raw in NUMERALS else int(raw)


def _column_words(header: str, question: str, g: Any) -> int:
    """How well a column header is named by the question: shared concepts count most, else the
    longest run of the header's own words found in the question (two characters at least)."""
    shared = set(g.concepts_in(header)) & set(g.concepts_in(question))
    if shared:
        return 10 + len(shared)
    k = lcs(normalize(question), normalize(header))
    return k if k >= 2 else 0


def _column(owner: Any, question: str, document_ids: list[str] | None, drop: tuple[str, ...]) -> Any:
    """(table, header, cells) of the one table column the question names (its words `drop` left
    out), body rows only; None when no column, or two columns, fit as well."""
    g = owner.glossary
    totals = tuple(g.qualifiers.get("total", ()))
    asked = normalize(question)
    for w in sorted(drop, key=len, reverse=True):
        asked = asked.replace(w, "")
    tables = owner.toolbox.tables_in(document_ids)
    best: list[tuple[int, Any, list[Any]]] = []
    for t in tables:
        columns: dict[int, list[Any]] = {}
        heads: dict[int, str] = {}
        summed = _sum_rows(t.cells)
        for c in t.cells:
            heads.setdefault(c.col_index, "".join(c.col_header))
            if c.value is None or c.row_index in summed or any(w in "".join(c.row_header) for w in totals):
                continue
            columns.setdefault(c.col_index, []).append(c)
        for col, cells in columns.items():
            score = _column_words(heads[col], asked, g)
            # rows of one kind only: a column whose rows carry different units ("接听量（万次）",
            # "人工费用（万元）") lists different measures, which are never averaged or ranked
            if (
                score
                and len(cells) >= 2
                and len({c.unit for c in cells}) == 1
                and len(set(_kinds(cells))) <= 1
            ):
                best.append((score, t, cells))
    if not best:
        return None
    best.sort(key=lambda b: b[0], reverse=True)
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None  # two columns fit the question as well: not this path's to pick
    _score, table, cells = best[0]
    return table, "".join(cells[0].col_header), cells


def _sum_rows(cells: list[Any]) -> set[int]:
    """Rows that total the others without saying so ("项目绩效 100% … 82.68" under four rows whose
    权重 add up to 100%): the first or last figure row of a column equal to the sum of at least three
    other rows' figures in it. Such a row is a total, never one of the items averaged or ranked."""
    by_col: dict[int, dict[int, Decimal]] = {}
    for c in cells:
        try:
            by_col.setdefault(c.col_index, {})[c.row_index] = Decimal(str(c.value))
        except (ArithmeticError, ValueError, TypeError):
            continue
    out: set[int] = set()
    for values in by_col.values():
        rows = sorted(values)
        if len(rows) < 4:
            continue
        for r in (rows[0], rows[-1]):
            others = [v for k, v in values.items() if k != r]
            if values[r] > 0 and abs(values[r] - sum(others)) <= Decimal("0.01") * len(others):
                out.add(r)
    return out


def _kinds(cells: list[Any]) -> list[str]:
    """The unit each row's own label states ("人工费用（万元）" -> 万元), for rows that state one."""
    out = []
    for c in cells:
        m = re.search(r"[（(]([^()（）]{1,6})[)）]\s*$", "".join(c.row_header))
        if m:
            out.append(m.group(1))
    return out


def _unit(cells: list[Any], header: str, g: Any) -> str:
    kinds = {g.concept(c).kind for c in g.concepts_in(header)}
    if kinds & {"score", "weight"}:
        return "分"  # a score column under a table-wide money unit line ("单位：亿元") is in 分
    if kinds & {"rate"} or all(c.is_percent for c in cells):
        return "%"
    return cells[0].unit if all(c.unit == cells[0].unit for c in cells) else ""


def _label(c: Any, header: str) -> str:
    return "·".join(dict.fromkeys(c.row_header)) or header


def _cite_row(cites: CitationSet, table: Any, c: Any, title: str) -> int:
    row = table.rows[c.row_index] if 0 <= c.row_index < len(table.rows) else [c.raw]
    return cites.add(table.doc_id, title, c.page, " ".join(x for x in row if x))


def _titles(owner: Any, document_ids: list[str] | None) -> dict[str, str]:
    return {i.fact.doc_id: i.title for i in owner.index.items(document_ids)}


def average_answer(owner: Any, question: str, document_ids: list[str] | None) -> Draft | None:
    g = owner.glossary
    text = normalize(question)
    words = tuple(g.operations.get("average", ()))
    if "平均" not in text or _WEIGHTED.search(text) or _NOT_A_COLUMN_MEAN.search(text):
        return None
    per = _PER_HEAD.search(text)
    if per and any(g.concept(c).kind == "people" for c in g.concepts_in(per.group("who"))):
        return None  # "平均每个在编人员的人员经费": an amount per head (经费 ÷ 人数), not a column's mean
    if not re.search(r"多少|几", text):
        return None
    found = _column(owner, text, document_ids, words)
    if found is None:
        return None
    table, header, cells = found
    said = _count(text)
    titles = _titles(owner, document_ids)
    if said is not None and said != len(cells):
        return Draft(
            "refusal",
            {
                "subject": f"{zh_count(said)}项的平均值",
                "reason": f"表中“{header}”一栏有{zh_count(len(cells))}个数，与问题所说的{zh_count(said)}项对不上，不作平均",
                "searched": [f"表格“{table.caption or header}”的“{header}”栏"],
                "titles": [titles.get(table.doc_id, "")],
            },
            found=False,
            meta={"path": "facts", "fact_op": "average"},
        )
    unit = _unit(cells, header, g)
    values = [{"value": c.value, "unit": unit, "label": _label(c, header)} for c in cells]
    comp, _why = run_metric(owner, "mean", {"values": values})
    if comp is None:
        return None
    cites = CitationSet()
    title = titles.get(table.doc_id, "")
    inputs = [
        {"label": _label(c, header), "display": f"{c.value}{unit}", "n": _cite_row(cites, table, c, title)}
        for c in cells
    ]
    return computed_draft(f"表中各行“{header}”的平均值", comp, inputs, cites, "average")


_MOST = re.compile(r"(最高|最多|最大)|(最低|最少|最小)")
_GAP = re.compile(r"高出|高了|多出|多了|低了|少了|相差|差距|差多少|差几|差了")
_WHICH = (
    "哪个",
    "哪一个",
    "哪项",
    "哪一项",
    "哪家",
    "哪些",
    "是哪",
    "最高",
    "最低",
    "最多",
    "最少",
    "最大",
    "最小",
)


def superlative_answer(owner: Any, question: str, document_ids: list[str] | None) -> Draft | None:
    """ "哪个项目自评分最高？": the row of the named column with the highest (lowest) figure, with
    every row's figure listed and cited; ties all named."""
    text = normalize(question)
    m = _MOST.search(text)
    if m is None or not re.search(r"哪|谁", text):
        return None
    found = _column(owner, text, document_ids, _WHICH)
    if found is None:
        return None
    table, header, cells = found
    unit = _unit(cells, header, owner.glossary)
    highest = m.group(1) is not None
    ordered = sorted(cells, key=lambda c: Decimal(c.value), reverse=highest)
    top = Decimal(ordered[0].value)
    winners = [c for c in ordered if Decimal(c.value) == top]
    title = _titles(owner, document_ids).get(table.doc_id, "")
    cites = CitationSet()
    items = [
        {"text": f"“{_label(c, header)}”：{c.value}{unit}", "ns": [_cite_row(cites, table, c, title)]}
        for c in ordered
    ]
    names = "、".join(f"“{_label(c, header)}”" for c in winners)
    lows = [w for w in _MOST.finditer(text) if (w.group(1) is None) == highest]
    if lows and _GAP.search(text):  # "哪个最高？高出最低的那个几分？": the two ends and their gap
        return _gap(owner, table, header, ordered, unit, title, highest)
    draft = Draft(
        "answer_forms",
        {
            "intro": f"表中“{header}”{m.group(0)}的是{names}，为{ordered[0].value}{unit}；各项如下：",
            "items": items,
            "more": "",
            "rule": "",
        },
        meta={"path": "facts", "fact_op": "superlative"},
    )
    draft.cites = cites
    return draft


def _gap(
    owner: Any, table: Any, header: str, ordered: list[Any], unit: str, title: str, highest: bool
) -> Draft | None:
    """The highest and the lowest row and the gap between them, by the metrics module; ties at
    either end are not one row, so they are left to the listing above."""
    hi, lo = (ordered[0], ordered[-1]) if highest else (ordered[-1], ordered[0])
    if (
        sum(Decimal(c.value) == Decimal(hi.value) for c in ordered) > 1
        or sum(Decimal(c.value) == Decimal(lo.value) for c in ordered) > 1
    ):
        return None
    inputs = {
        "minuend": {"value": hi.value, "unit": unit, "label": _label(hi, header)},
        "subtrahend": {"value": lo.value, "unit": unit, "label": _label(lo, header)},
    }
    comp, _why = run_metric(owner, "difference", inputs)
    if comp is None:
        return None
    cites = CitationSet()
    shown = [
        {
            "label": f"最高的“{_label(hi, header)}”",
            "display": f"{hi.value}{unit}",
            "n": _cite_row(cites, table, hi, title),
        },
        {
            "label": f"最低的“{_label(lo, header)}”",
            "display": f"{lo.value}{unit}",
            "n": _cite_row(cites, table, lo, title),
        },
    ]
    return computed_draft(f"表中“{header}”最高与最低的差", comp, shown, cites, "superlative_gap")
