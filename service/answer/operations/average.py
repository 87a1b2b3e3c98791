"""The mean of one column of a table: "三个专项债项目自评分的平均分是多少？".

The column is the one whose header the question names (a glossary concept both share, or the
header's own words); its figures are the table's body rows, total rows (合计 / 小计 …) left out.
When the question counts the items ("三个项目"), the column must have exactly that many figures,
else it is refused: a mean over the wrong rows is a wrong figure. The metrics module computes the
mean and every figure is cited.
"""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import CitationSet, Draft, zh_count
from service.answer.operations.rules import computed_draft, lcs, run_metric
from service.metrics.scoring_rules import normalize

_ZH = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_COUNT = re.compile(r"([两二三四五六七八九十]|\d{1,2})(?:个|项|家|所|名|类|条)")
_WEIGHTED = re.compile(r"加权|权重")


def _count(text: str) -> int | None:
    m = _COUNT.search(text)
    if m is None:
        return None
    raw = m.group(1)
    return _ZH[raw] if raw in _ZH else int(raw)


def _column_words(header: str, question: str, g: Any) -> int:
    """How well a column header is named by the question: shared concepts count most, else the
    longest run of the header's own words found in the question (two characters at least)."""
    shared = set(g.concepts_in(header)) & set(g.concepts_in(question))
    if shared:
        return 10 + len(shared)
    k = lcs(normalize(question), normalize(header))
    return k if k >= 2 else 0


def average_answer(owner: Any, question: str, document_ids: list[str] | None) -> Draft | None:
    g = owner.glossary
    text = normalize(question)
    if not any(w in text for w in g.operations.get("average", ())) or _WEIGHTED.search(text):
        return None
    if not re.search(r"多少|几", text):
        return None
    totals = tuple(g.qualifiers.get("total", ()))
    asked = re.sub("|".join(map(re.escape, g.operations.get("average", ()))), "", text)
    store = owner.toolbox.store
    tables = [t for d in document_ids for t in store.get_tables(d)] if document_ids else store.get_tables()
    best: list[tuple[int, Any, int, list[Any]]] = []
    for t in tables:
        columns: dict[int, list[Any]] = {}
        heads: dict[int, str] = {}
        for c in t.cells:
            heads.setdefault(c.col_index, "".join(c.col_header))
            if c.value is None or any(w in "".join(c.row_header) for w in totals):
                continue
            columns.setdefault(c.col_index, []).append(c)
        for col, cells in columns.items():
            score = _column_words(heads[col], asked, g)
            if score and len(cells) >= 2:
                best.append((score, t, col, cells))
    if not best:
        return None
    best.sort(key=lambda b: b[0], reverse=True)
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None  # two columns fit the question as well: not this path's to pick
    _score, table, col, cells = best[0]
    header = "".join(cells[0].col_header)
    said = _count(text)
    titles = {i.fact.doc_id: i.title for i in owner.index.items(document_ids)}
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
    unit = cells[0].unit if all(c.unit == cells[0].unit for c in cells) else ""
    kinds = {g.concept(c).kind for c in g.concepts_in(header)}
    if kinds & {"score", "weight"}:
        unit = "分"  # a score column under a table-wide money unit line ("单位：亿元") is in 分
    elif kinds & {"rate"} or all(c.is_percent for c in cells):
        unit = "%"
    values = [
        {"value": c.value, "unit": unit, "label": "·".join(dict.fromkeys(c.row_header)) or header}
        for c in cells
    ]
    comp, _why = run_metric(owner, "mean", {"values": values})
    if comp is None:
        return None
    cites = CitationSet()
    title = titles.get(table.doc_id, "")
    inputs = []
    for c in cells:
        row = table.rows[c.row_index] if 0 <= c.row_index < len(table.rows) else [c.raw]
        quote = " ".join(x for x in row if x)
        label = "·".join(dict.fromkeys(c.row_header)) or header
        inputs.append(
            {
                "label": label,
                "display": f"{c.value}{unit}",
                "n": cites.add(table.doc_id, title, c.page, quote),
            }
        )
    return computed_draft(f"表中各行“{header}”的平均值", comp, inputs, cites, "average")
