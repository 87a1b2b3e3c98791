"""Where in an Office document each citation and computation input is: sheet, row and column.

An xlsx or docx has no page image to box a figure on; ingest keeps instead where each cell and
paragraph is (`ingest.models.Location`: worksheet, Word table or paragraph, 1-based row and column
as the file counts them). This module is `service.citation_boxes`' counterpart for those documents:

- a table row quoted as "表…：label｜v1｜v2 …": the row's cells, the cell of the first figure the
  answer states with the citation marked `focus`;
- any other quote (a cell's text, a paragraph, a run of cells): the cells or paragraphs it covers,
  compared under `text_key` (whitespace, line breaks and character width ignored). A short quote
  ("10") must be whole cells; when it is in several places, the place whose row and column hold
  the words of the sentences citing it (the indicator's name, the column's "分值") is the one
  cited — several when the answer cites the quote for several rows;
- a computation input: the table cell with that value in the named row and column, or the cell a
  form record names (`where`: sheet, row, column), or the figure within its quote.

Nothing is guessed: a quote that is in several places the answer does not tell apart, or nowhere,
gets no location, and the front end shows the page text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ingest.boxes import text_key
from ingest.grids import col_letter
from ingest.models import Location, Table
from service.citation_boxes import best_cell, numbers_in, quoted_row, read_quietly

_MIN_PIECE = 6  # characters: a shorter quote must be whole cells; a shorter sentence piece is not located
_MAX_PLACES = 500  # a quote printed in more places than this is not told apart
_SENTENCE = re.compile(r"(?<=[。！？!?\n])")
_CLAUSE = re.compile(r"(?<=[；;])")
_PIECE_END = re.compile(r"(?<=[。；;！？!?\n])")
_ELLIPSIS = re.compile(r"(?:…+|\.{3,})\s*$")  # a quote cut short
_SHEET_NEEDS_QUOTES = re.compile(r"[^\w.]|^\d")


def cell_ref(row: int, col: int) -> str:
    """Row 7, column 3 -> "C7"."""
    return f"{col_letter(col)}{row}"


def sheet_address(sheet: str, ref: str) -> str:
    """As a spreadsheet writes a reference to another sheet: Sheet1!C7, '预算 执行'!C7."""
    if _SHEET_NEEDS_QUOTES.search(sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{ref}"


def location_json(loc: Location, *, focus: bool = False) -> dict[str, Any]:
    """The public shape of a location (docs/citations.md): the same keys for every kind, null where
    they do not apply."""
    out: dict[str, Any] = {
        "kind": loc.kind, "page": loc.page, "sheet": loc.sheet or None, "table": loc.table or None,
        "paragraph": loc.paragraph or None, "row": loc.row or None, "col": loc.col or None,
        "row_span": loc.row_span, "col_span": loc.col_span, "ref": None, "address": None,
        "label": "", "text": loc.text, "focus": focus,
    }  # fmt: skip
    if loc.kind == "paragraph":
        out["label"] = f"第{loc.paragraph}段"
    elif loc.sheet:
        ref = cell_ref(loc.row, loc.col)
        last = cell_ref(loc.row + loc.row_span - 1, loc.col + loc.col_span - 1)
        shown = ref if last == ref else f"{ref}:{last}"
        out.update(ref=ref, address=sheet_address(loc.sheet, shown), label=f"工作表 {loc.sheet}，{shown}")
    else:
        out["label"] = f"第{loc.table}个表格，第{loc.row}行第{loc.col}列"
    return out


@dataclass
class OfficePage:
    """The locations of one page (a worksheet; a Word document's one page) or of a whole document,
    their texts joined into one searchable key string, indexed by row and column."""

    locations: list[Location]
    key: str = ""
    owner: list[int] = field(default_factory=list)  # key position -> location index
    starts: set[int] = field(default_factory=set)  # key positions where a location's text starts
    ends: set[int] = field(default_factory=set)  # key positions where one ends (exclusive)
    rows: dict[tuple[int, str, int, int], list[int]] = field(default_factory=dict)  # cells by row
    cols: dict[tuple[int, str, int, int], list[int]] = field(default_factory=dict)  # … by column

    @classmethod
    def of(cls, locations: list[Location]) -> OfficePage:
        page = cls(locations)
        parts: list[str] = []
        at = 0
        for i, loc in enumerate(locations):
            if loc.kind == "cell":
                for r in range(loc.row, loc.row + loc.row_span):
                    page.rows.setdefault((loc.page, loc.grid, loc.table, r), []).append(i)
                for c in range(loc.col, loc.col + loc.col_span):
                    page.cols.setdefault((loc.page, loc.grid, loc.table, c), []).append(i)
            k = text_key(loc.text)
            if not k:
                continue
            page.starts.add(at)
            parts.append(k)
            page.owner += [i] * len(k)
            at += len(k)
            page.ends.add(at)
        page.key = "".join(parts)
        return page

    def occurrences(self, key: str) -> list[list[int]]:
        """Each place `key` is printed, as the locations it covers; a short key only as whole cells
        or paragraphs (never "10" inside "2010")."""
        out: list[list[int]] = []
        at = self.key.find(key) if key else -1
        while at >= 0 and len(out) <= _MAX_PLACES:
            end = at + len(key)
            if len(key) >= _MIN_PIECE or (at in self.starts and end in self.ends):
                out.append(list(dict.fromkeys(self.owner[at:end])))
            at = self.key.find(key, at + 1)
        return out

    def neighbours(self, i: int) -> tuple[set[str], set[str]]:
        """The keys of the other cells in location `i`'s rows, and of the cells above it in its columns."""
        loc = self.locations[i]
        if loc.kind != "cell":
            return set(), set()
        where = (loc.page, loc.grid, loc.table)
        same_row = {
            j
            for r in range(loc.row, loc.row + loc.row_span)
            for j in self.rows.get((*where, r), ())
            if j != i
        }
        above = {
            j
            for c in range(loc.col, loc.col + loc.col_span)
            for j in self.cols.get((*where, c), ())
            if self.locations[j].row < loc.row and j not in same_row
        }
        keys = [{text_key(self.locations[j].text) for j in group} for group in (same_row, above)]
        return keys[0], keys[1]


def _decimal(text: str) -> Decimal | None:
    found = numbers_in(text)
    return found[0] if len(found) == 1 else None


def _score(page: OfficePage, place: list[int], context: str) -> tuple[int, int]:
    """How many words of the citing `context` the place's rows and the columns above it hold."""
    ctx = text_key(context)
    in_row = in_column = 0
    for i in place:
        same_row, above = page.neighbours(i)
        in_row += sum(1 for k in same_row if len(k) >= 2 and k in ctx)
        in_column += sum(1 for k in above if len(k) >= 2 and k in ctx)
    return in_row, in_column


class LocationFinder:
    """Locates the citations and inputs of one answer in Office documents; each page read once."""

    def __init__(self, store: Any, tables: Any) -> None:
        self.store = store
        self.tables = tables  # doc_id -> its tables (shared with the box finder)
        self._pages: dict[tuple[str, int | None], OfficePage] = {}

    def page(self, doc_id: str, page: int | None) -> OfficePage:
        """One page's locations; `page` None: the whole document's."""
        key = (doc_id, page)
        if key not in self._pages:
            found = read_quietly(
                lambda: self.store.get_locations(doc_id, page), f"locations of {doc_id} p.{page}"
            )
            self._pages[key] = OfficePage.of(found)
        return self._pages[key]

    # ---- citations ------------------------------------------------------------------------
    def citation(
        self,
        doc_id: str,
        page: int,
        quote: str,
        figures: Iterable[Decimal] = (),
        contexts: Iterable[tuple[str, str]] = (),
    ) -> list[dict[str, Any]]:
        """The cells or paragraphs a citation of page `page` quotes, as JSON. A short quote is
        looked for in the whole document: a form's cell is cited at page 1 whichever sheet the form
        is on, and one citation of "10" may stand for the 分值 of rows on two sheets."""
        row = self.table_row(self.page(doc_id, page), doc_id, quote)
        if row:
            return _with_focus([row], list(figures))
        whole = self.page(doc_id, None)
        places = self.find_text(whole, quote)
        if len(places) > 1:
            chosen = _told_apart(whole, places, list(contexts), page)
            if not chosen:  # the citing sentences do not tell them apart: the one on the cited page
                here = [p for p in places if {whole.locations[i].page for i in p} == {page}]
                chosen = here if len(here) == 1 else []
            places = chosen
        return _with_focus([[whole.locations[i] for i in p] for p in places], list(figures))

    def table_row(self, page: OfficePage, doc_id: str, quote: str) -> list[Location]:
        """A quote of a stored table's row ("caption（unit）：label｜v1｜…"): the row's cells, a
        merged row label included."""
        quoted = quoted_row(
            self.tables(doc_id), {loc.table_id for loc in page.locations if loc.table_id}, quote
        )
        return _row_cells(page, *quoted) if quoted else []

    def find_text(self, page: OfficePage, quote: str) -> list[list[int]]:
        """Each place a quote is printed (the locations it covers); a long quote not found whole,
        sentence by sentence (the pieces printed once)."""
        key = text_key(_ELLIPSIS.sub("", quote))
        places = page.occurrences(key)
        if places or len(key) < _MIN_PIECE:
            return places if len(places) <= _MAX_PLACES else []
        found: list[int] = []
        for piece in _PIECE_END.split(quote):
            pk = text_key(_ELLIPSIS.sub("", piece))
            hits = page.occurrences(pk) if len(pk) >= _MIN_PIECE else []
            if len(hits) == 1:
                found += [i for i in hits[0] if i not in found]
        return [found] if found else []

    # ---- computation inputs ---------------------------------------------------------------
    def input(self, value: Any, source: dict[str, Any], cited: list[str]) -> list[dict[str, Any]]:
        """The cell of a computation input: in its document (`doc_id`), or, for a form record's
        cell (`sheet`, `row`, `col` without a document), in the one cited document that has it."""
        number = _decimal(str(value)) if value is not None else None
        if number is None:
            return []
        doc_id, page = str(source.get("doc_id") or ""), source.get("page")
        if not doc_id:
            return self.form_cell(number, source, cited)
        if not isinstance(page, int):
            return []
        office = self.page(doc_id, page)
        if not office.locations:
            return []
        if source.get("table"):
            cell = self.table_cell(office, doc_id, number, source)
            if cell is not None:
                return [location_json(cell, focus=True)]
        quote = str(source.get("quote") or "")
        quoted = self.table_row(office, doc_id, quote) or [
            office.locations[i] for place in self.find_text(office, quote)[:1] for i in place
        ]
        hits = [loc for loc in quoted if _decimal(loc.text) == number]
        if not hits:
            hits = [loc for loc in office.locations if loc.kind == "cell" and _decimal(loc.text) == number]
        return [location_json(hits[0], focus=True)] if len(hits) == 1 else []

    def table_cell(
        self, page: OfficePage, doc_id: str, number: Decimal, source: dict[str, Any]
    ) -> Location | None:
        """The cell holding `number` in the table, row and column the input names."""
        by_cell = {
            (loc.table_id, loc.row_index, loc.col_index): loc for loc in page.locations if loc.table_id
        }
        return best_cell(
            self.tables(doc_id), number, source, lambda t, c: by_cell.get((t.id, c.row_index, c.col_index))
        )

    def form_cell(self, number: Decimal, source: dict[str, Any], cited: list[str]) -> list[dict[str, Any]]:
        """A form record's cell (`where`: sheet or "表N", row, col) in the cited Office documents;
        `doc_id` and `page` are added to `source` when exactly one document has it with that value."""
        grid, row, col = source.get("sheet"), source.get("row"), source.get("col")
        if not grid or not isinstance(row, int) or not isinstance(col, int):
            return []
        hits: list[tuple[str, Location]] = []
        for doc_id in cited:
            for loc in self.page(doc_id, None).locations:
                if (
                    loc.kind == "cell" and loc.grid == grid
                    and loc.row <= row < loc.row + loc.row_span and loc.col <= col < loc.col + loc.col_span
                    and _decimal(loc.text) == number
                ):  # fmt: skip
                    hits.append((doc_id, loc))
        if len(hits) != 1:
            return []
        doc_id, loc = hits[0]
        source.setdefault("doc_id", doc_id)
        source.setdefault("page", loc.page)
        return [location_json(loc, focus=True)]


def _row_cells(page: OfficePage, table: Table, r: int) -> list[Location]:
    """The cells of the table's body row `r`, with a label merged down from a row above."""
    linked = [loc for loc in page.locations if loc.table_id == table.id and loc.row_index == r]
    if not linked:
        return []
    row = linked[0].row
    covering = (
        loc for loc in page.locations if loc.table_id == table.id and loc.row <= row < loc.row + loc.row_span
    )
    return sorted(covering, key=lambda loc: loc.col)


def _told_apart(
    page: OfficePage, places: list[list[int]], contexts: list[tuple[str, str]], cited_page: int
) -> list[list[int]]:
    """Of several places a quote is printed, those the citing sentences point at: per sentence, the
    places whose rows hold the most of its words (the clause with the mark first, then the whole
    sentence; the columns' words break ties), those on the cited page first. None when no
    sentence names anything in their rows."""
    chosen: list[list[int]] = []
    for sentence, clause in contexts:
        scored = []
        for p in places:
            (row_c, col_c), (row_s, col_s) = _score(page, p, clause), _score(page, p, sentence)
            scored.append(((row_c, row_s, col_c, col_s), p))
        best = max(k for k, _ in scored)
        if best[0] == best[1] == 0:
            continue
        top = [p for k, p in scored if k == best]
        here = [p for p in top if all(page.locations[i].page == cited_page for i in p)]
        chosen += [p for p in (here or top) if p not in chosen]
    return chosen


def citing(answer_text: str, n: int) -> list[tuple[str, str]]:
    """Each sentence of the answer that cites [n], with the clause (between ；) holding the mark."""
    mark = f"[{n}]"
    out = []
    for sentence in _SENTENCE.split(answer_text):
        if mark in sentence:
            out.append((sentence, next((c for c in _CLAUSE.split(sentence) if mark in c), sentence)))
    return out


def _with_focus(places: list[list[Location]], figures: list[Decimal]) -> list[dict[str, Any]]:
    """As JSON: the cells of places that are one cell each are all `focus`; in a run of cells (a
    quoted row), those holding the first of the answer's figures printed among them."""
    if all(len(p) == 1 for p in places):
        return [location_json(p[0], focus=p[0].kind == "cell") for p in places]
    cells = list(dict.fromkeys(loc for p in places for loc in p))
    values = [_decimal(loc.text) if loc.kind == "cell" else None for loc in cells]
    first = next((f for f in figures if f in values), None)
    return [
        location_json(loc, focus=first is not None and v == first)
        for loc, v in zip(cells, values, strict=True)
    ]


# ---- the region a source viewer shows ----------------------------------------------------------

MAX_REGION_ROWS = 200
MAX_REGION_COLS = 60


def region(
    locations: list[Location], *, table: int | None = None, row: int | None = None, rows: int = 40
) -> dict[str, Any] | None:
    """The cells of one worksheet (or Word table `table`) around `row`, for drawing it as an HTML
    table: at most `rows` rows centred on `row` and `MAX_REGION_COLS` columns; None when the page
    has no such grid. Each cell keeps its own top-left and spans (a merged cell crossing the
    window's edge is cut there by the viewer)."""
    cells = [loc for loc in locations if loc.kind == "cell"]
    if table is not None:
        cells = [loc for loc in cells if loc.table == table]
    if not cells:
        return None
    first = cells[0]
    cells = [loc for loc in cells if loc.grid == first.grid and loc.table == first.table]
    rows = max(1, min(rows, MAX_REGION_ROWS))
    top = min(loc.row for loc in cells)
    bottom = max(loc.row + loc.row_span - 1 for loc in cells)
    left = min(loc.col for loc in cells)
    right = max(loc.col + loc.col_span - 1 for loc in cells)
    centre = row if row is not None else top
    start = max(top, min(centre - rows // 2, bottom - rows + 1))
    end = min(bottom, start + rows - 1)
    right = min(right, left + MAX_REGION_COLS - 1)
    shown = [
        loc for loc in cells if loc.row <= end and loc.row + loc.row_span - 1 >= start and loc.col <= right
    ]
    return {
        "kind": "sheet" if first.sheet else "table",
        "sheet": first.sheet or None,
        "table": first.table or None,
        "label": f"工作表 {first.sheet}" if first.sheet else f"第{first.table}个表格",
        "first_row": start,
        "last_row": end,
        "first_col": left,
        "last_col": right,
        "rows": [top, bottom],
        "cells": [_region_cell(loc) for loc in shown],
    }


def _region_cell(loc: Location) -> dict[str, Any]:
    return {
        "row": loc.row, "col": loc.col, "row_span": loc.row_span, "col_span": loc.col_span,
        "ref": cell_ref(loc.row, loc.col) if loc.sheet else None, "text": loc.text,
    }  # fmt: skip
