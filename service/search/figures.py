"""Finding table cells by their row/column headers ("话务岗 工资福利支出总额", "2019 接听量").

Pure: cells in, ranked matches out. A header label matches the query fully when the whole label
(whitespace, parenthesised units and "其中：" removed) occurs in the query (longer labels score a
little higher), partly by the share of
its characters covered by query tokens ("2019" covers 4 of the 5 characters of "2019年", 4 of 13
of "2018年-2019年均值"). A cell's score is its best row-label match plus its best column-label
match plus a little for query tokens found only in the table's caption.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ingest.models import Cell, Table
from service.search.tokenizer import SearchTokenizer, normalize_width

FULL_MATCH = 1.0  # a whole header label found in the query, plus up to FULL_BONUS for its length
FULL_BONUS = 0.4
MIN_SCORE = 0.9  # below: not a match worth showing
_PAREN = re.compile(r"[（(][^（）()]*[)）]")
_YEAR_SUFFIX = re.compile(r"((?:19|20)\d{2})年")  # "2019 年" and "2019" name the same column
_DROP = re.compile(r"\s+|其中[:：]?|[¹²³⁴⁵⁶⁷⁸⁹⁰]|[\\/]")


@dataclass(frozen=True)
class FigureMatch:
    table: Table
    cell: Cell
    score: float
    row_score: float
    col_score: float


@lru_cache(maxsize=8192)
def normalize_label(label: str) -> str:
    """Normalise a header label: "接听量（万次）" -> "接听量"; "工资福利 支出总额" -> "工资福利支出总额";
    "2019 年" -> "2019"; "2018 年-2019 年均值" -> "2018-2019均值"."""
    return _YEAR_SUFFIX.sub(r"\1", _DROP.sub("", _PAREN.sub("", normalize_width(label)))).lower()


def _coverage(label: str, query_norm: str, tokens: frozenset[str]) -> float:
    if not label:
        return 0.0
    if label in query_norm:  # the longer of two fully matched labels wins: 得分率 over 得分
        return FULL_MATCH + FULL_BONUS * len(label) / max(len(query_norm), 1)
    covered = [False] * len(label)
    for t in tokens:
        if len(t) < 2 and not t.isdigit():
            continue
        start = label.find(t)
        while start >= 0:
            for i in range(start, start + len(t)):
                covered[i] = True
            start = label.find(t, start + 1)
    return sum(covered) / len(label)


def _axis(labels: Iterable[str], query_norm: str, tokens: frozenset[str]) -> float:
    return max((_coverage(normalize_label(x), query_norm, tokens) for x in labels), default=0.0)


def find_cells(
    query: str,
    cells: Iterable[tuple[Table, Cell]],
    tokenizer: SearchTokenizer,
    *,
    limit: int = 5,
    min_score: float = MIN_SCORE,
) -> list[FigureMatch]:
    """The cells whose headers best match `query`, best first. A cell without a number ("-") is
    returned too (value None), so a caller can say the table has no figure there."""
    query_norm = normalize_label(query)
    tokens = frozenset(tokenizer.tokens(query))
    if not tokens and not query_norm:
        return []
    caption_cache: dict[str, float] = {}
    out: list[FigureMatch] = []
    for table, cell in cells:
        if not cell.raw.strip():
            continue
        row = _axis(cell.row_header, query_norm, tokens)
        col = _axis(cell.col_header, query_norm, tokens)
        if row == 0 and col == 0:
            continue
        if table.id not in caption_cache:
            caption = normalize_label(table.caption)
            caption_cache[table.id] = (
                0.2 * sum(1 for t in tokens if len(t) >= 2 and t in caption) / max(len(tokens), 1)
            )
        score = row + col + caption_cache[table.id]
        if score >= min_score:
            out.append(
                FigureMatch(table=table, cell=cell, score=round(score, 4), row_score=row, col_score=col)
            )
    out.sort(key=lambda m: (-m.score, m.table.doc_id, m.table.index, m.cell.row_index, m.cell.col_index))
    return out[:limit]
