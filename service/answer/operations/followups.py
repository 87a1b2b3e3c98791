"""Follow-ups that name another line of a table: "实有人数合计是多少？" then "那行政编制有多少人？".

The follow-up keeps the quantity the last question asked and changes only the line it is of. After
a cell's answer that is the same column's cell in the named row; after a refusal of the fact path
(the quantity was not found) the same quantity is asked of the named line — found or refused on its
own merits, never the named row's first figure, which may be another column (编制人数 for 实有人数).
"""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import Draft
from service.answer.operations.answer import (
    _A_YEAR,
    FactAnswerer,
    IndexedFact,
    Match,
    _Solver,
    parse,
    previous_row,
)
from service.answer.operations.cells import free_chunks

# "那X有多少人？", "还有X呢？", "其中X是多少？": a follow-up by its head or its 呢
_HEAD = re.compile(r"^(?:那么?|还有|其中)|呢[？?。！!]?$")
_NOISE = re.compile(
    r"^(?:那么?|还有|其中)|(?:的)?(?:又?是多少|有多少|多少|是几|几|呢)[个位名人户次项元万亿分]*|[？?。！!，,\s]"
)


def _clean(text: str) -> str:
    """A row's name as a question says it: no numbering (一、), 其中, brackets or spaces."""
    text = re.sub(
        r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）])",
        "",
        text or "",
    )
    return re.sub(r"[\s\"“”‘’'()（）:：、·]|^其中", "", text)


def _named_line(bare: str, rows: dict[Any, str], g: Any) -> Any | None:
    """The one row whose name is the whole of what the follow-up names (a counter word aside), or
    None: a follow-up that also names a column, a year or a word of its own is not this kind."""
    hits = [k for k, name in rows.items() if len(name) >= 2 and name in bare]
    if not hits:
        return None
    best = max(len(rows[k]) for k in hits)
    top = [k for k in hits if len(rows[k]) == best]
    if len({rows[k] for k in top}) != 1:
        return None
    rest = bare.replace(rows[top[0]], "", 1)
    if rest and (len(rest) > 1 or free_chunks(rest, g) or list(g.concepts_in(rest))):
        return None
    return top[0] if len(top) == 1 else None


def other_row_followup(
    owner: FactAnswerer, text: str, previous: dict[str, Any] | None, document_ids: list[str] | None
) -> Draft | None:
    """The last question's quantity of the table row a follow-up names instead; None when the
    follow-up is not one that names only another row."""
    if not previous or not _HEAD.search(text.strip()) or _A_YEAR.search(text):
        return None
    bare = _NOISE.sub("", text)
    if not (2 <= len(bare) <= 16):
        return None
    facts = [i for i in owner.index.items(document_ids) if i.fact.source == "table" and i.fact.row_path]
    figs = previous.get("figures") or []
    if len(figs) == 1:
        return _same_column(owner, text, bare, figs[0], facts)
    searched = [str(w) for w in previous.get("searched") or []]
    if (
        previous.get("path") == "facts"
        and previous.get("fact_op") == "lookup"  # a quantity looked up by its name, not found
        and previous.get("found") is False
        and searched
        and all(2 <= len(w) <= 12 and not re.search(r"[“”\s]", w) for w in searched)
    ):
        return _asked_of_line(owner, text, bare, searched, facts, document_ids)
    return None


def _same_column(
    owner: FactAnswerer, text: str, bare: str, fig: dict[str, Any], facts: list[IndexedFact]
) -> Draft | None:
    """After one cell's answer: the cell of the named row in the same table and column."""
    at = previous_row(fig, facts)
    if at is None:
        return None
    table = [i for i in facts if i.fact.doc_id == at.get("doc_id") and i.fact.table_id == at["table_id"]]
    was = [
        i
        for i in table
        if i.fact.row_index == at.get("row")
        and (
            i.fact.col_index == at["col"]
            if at.get("col") is not None
            else i.fact.value == str(at.get("value"))
        )
    ]
    if len({i.fact.col_index for i in was}) != 1:
        return None
    rows = {i.fact.row_index: _clean(i.fact.row_path[-1]) for i in table}
    row = _named_line(_clean(bare), rows, owner.glossary)
    if row is None or row == at.get("row"):
        return None
    col = was[0].fact.col_index
    cell = [i for i in table if i.fact.row_index == row and i.fact.col_index == col]
    solver = _Solver(owner, parse(text, owner.glossary), table)
    column = "".join(was[0].fact.col_path) or "这一栏"
    if len(cell) != 1:
        solver.searched.append(f"表格中“{rows[row]}”行的“{column}”栏")
        draft = solver.refuse_now(
            f"“{rows[row]}”的{column}", "上一问问的是这一栏，表格中这一行的这一栏没有数字"
        )
    else:
        m = Match(cell[0], 1.0)
        draft = solver.lookup_draft(solver.label_of(m), [m])
    draft.cites = solver.cites
    return draft


def _asked_of_line(
    owner: FactAnswerer,
    text: str,
    bare: str,
    searched: list[str],
    facts: list[IndexedFact],
    document_ids: list[str] | None,
) -> Draft | None:
    """After the fact path found nothing for a quantity: that quantity of the named line (a row of
    some table in scope), asked again — answered if it is there, refused if not."""
    g = owner.glossary
    rows = {(i.fact.doc_id, i.fact.table_id, i.fact.row_index): _clean(i.fact.row_path[-1]) for i in facts}
    if _named_line(_clean(bare), rows, g) is None:
        return None
    line = _clean(bare)
    line = max((n for n in rows.values() if len(n) >= 2 and n in line), key=len)
    quantity = "、".join(searched)
    _ask, draft = owner.answer(f"{line}的{quantity}是多少？", document_ids=document_ids)
    if draft is not None:
        draft.notes.append(f"按上一问理解为：{line}的{quantity}")
        return draft
    solver = _Solver(owner, parse(text, g), facts)
    solver.searched.append(f"“{line}”的{quantity}")
    draft = solver.refuse_now(
        f"“{line}”的{quantity}", f"上一问的“{quantity}”在文档中没有找到；这一问问的是“{line}”的{quantity}"
    )
    draft.cites = solver.cites
    return draft
