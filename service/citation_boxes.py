"""Where on its page each citation and each computation input is printed: boxes for the page image.

Citations leave the answerers as (document, page, quote); computation inputs as a value with its
source (document, page, and for a table figure its caption, row and column). This module turns
them into boxes the front ends draw over the page image (`GET …/pages/{n}.png`), from the boxes
kept at ingest (`ingest.boxes`):

- a quote printed as running text: the lines it covers, each cut to the quoted characters. The
  match ignores whitespace, line breaks and full-width/half-width differences (`text_key`);
  a quote that is not found whole is located sentence by sentence;
- a table row quoted as "表… ：label v1 v2 …": the row's cells, the cell of the first figure the
  answer states with the citation marked `focus`;
- a computation input: the table cell with that value in the named row and column, or the
  figure's characters in the page's text.

Nothing is guessed: what cannot be located gets no box, and the front end shows the page text.
Boxes are in PDF points, origin top-left, with the page's size so any scale can be drawn.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from ingest.boxes import char_key, text_key
from ingest.models import Box, Cell, Table
from service.answer.models import Answer, CitedBox, CitedLocation

log = logging.getLogger(__name__)
T = TypeVar("T")

_NUMBER = re.compile(r"\d[\d,，]*(?:[.．]\d+)?")
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?\n])")
_MIN_PIECE = 6  # characters: a shorter sentence piece is too common to locate on its own
_CITE = re.compile(r"\[(\d+)\]")
_ELLIPSIS = re.compile(r"(?:…+|\.{3,})\s*$")  # a quote cut short


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("，", "").replace("．", "."))
    except (InvalidOperation, ValueError):
        return None


def numbers_in(text: str) -> list[Decimal]:
    return [d for d in (_decimal(m.group(0)) for m in _NUMBER.finditer(text)) if d is not None]


@dataclass
class PageLayout:
    """One page's boxes, with its lines joined into one searchable key string."""

    size: Box | None
    lines: list[Box]
    cells: list[Box]
    key: str = ""
    where: list[tuple[int, int]] = field(default_factory=list)  # key position -> (line, char)

    @classmethod
    def of(cls, boxes: list[Box]) -> PageLayout:
        size = next((b for b in boxes if b.kind == "page"), None)
        layout = cls(size, [b for b in boxes if b.kind == "line"], [b for b in boxes if b.kind == "cell"])
        parts: list[str] = []
        for li, line in enumerate(layout.lines):
            for ci, ch in enumerate(line.text):
                k = char_key(ch)
                parts.append(k)
                layout.where += [(li, ci)] * len(k)
        layout.key = "".join(parts)
        return layout

    def out(self, box: Box, x0: float, x1: float, **extra: Any) -> dict[str, Any]:
        width = self.size.x1 if self.size else 0.0
        height = self.size.bottom if self.size else 0.0
        return {
            "page": box.page, "kind": box.kind, "x0": x0, "top": box.top, "x1": x1, "bottom": box.bottom,
            "page_width": width, "page_height": height, **extra,
        }  # fmt: skip

    def spans(self, start: int, end: int) -> list[dict[str, Any]]:
        """Boxes of the key range [start, end): one per line, cut to the characters in range."""
        by_line: dict[int, list[int]] = {}
        for li, ci in self.where[start:end]:
            by_line.setdefault(li, []).append(ci)
        out = []
        for li, chars in by_line.items():
            line = self.lines[li]
            lo, hi = min(chars), max(chars)
            if len(line.spans) >= 2 * (hi + 1):
                x0, x1 = line.spans[2 * lo], line.spans[2 * hi + 1]
            else:
                x0, x1 = line.x0, line.x1
            out.append(self.out(line, x0, x1))
        return out

    def find_text(self, text: str) -> list[dict[str, Any]]:
        """The lines `text` covers (whole, else sentence by sentence); [] when not printed here."""
        key = text_key(_ELLIPSIS.sub("", text))
        if not key:
            return []
        at = self.key.find(key)
        if at >= 0:
            return self.spans(at, at + len(key))
        found: list[dict[str, Any]] = []
        for piece in _SENTENCE_END.split(text):
            pk = text_key(_ELLIPSIS.sub("", piece))
            at = self.key.find(pk) if len(pk) >= _MIN_PIECE else -1
            if at >= 0:
                found += self.spans(at, at + len(pk))
        return found

    def find_number(self, value: Decimal, near: str = "") -> list[dict[str, Any]]:
        """The printed figure equal to `value` (within the located `near` quote when given)."""
        region = range(len(self.key))
        if near:
            k = text_key(near)
            at = self.key.find(k) if k else -1
            if at >= 0:
                region = range(at, at + len(k))
        out = []
        for m in _NUMBER.finditer(self.key):
            if m.start() in region and _decimal(m.group(0)) == value:
                out += self.spans(m.start(), m.end())
        return out

    def cell(self, table_id: str, row: int, col: int) -> Box | None:
        return next(
            (c for c in self.cells if c.table_id == table_id and c.row_index == row and c.col_index == col),
            None,
        )


class BoxFinder:
    """Locates citations and inputs of one answer; each page's boxes are read once."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._pages: dict[tuple[str, int], PageLayout] = {}
        self._tables: dict[str, list[Table]] = {}
        self._types: dict[str, str | None] = {}

    def page(self, doc_id: str, page: int) -> PageLayout:
        key = (doc_id, page)
        if key not in self._pages:
            boxes = read_quietly(lambda: self.store.get_boxes(doc_id, page), f"boxes of {doc_id} p.{page}")
            self._pages[key] = PageLayout.of(boxes)
        return self._pages[key]

    def file_type(self, doc_id: str) -> str | None:
        """pdf, xlsx or docx (by the ingested file's name); None for an unknown document."""
        if doc_id not in self._types:
            try:
                suffix = str(self.store.get_document(doc_id).path).lower().rsplit(".", 1)[-1]
                self._types[doc_id] = suffix if suffix in ("xlsx", "docx") else "pdf"
            except Exception:
                self._types[doc_id] = None
        return self._types[doc_id]

    def tables(self, doc_id: str) -> list[Table]:
        if doc_id not in self._tables:
            self._tables[doc_id] = read_quietly(lambda: self.store.get_tables(doc_id), f"tables of {doc_id}")
        return self._tables[doc_id]

    # ---- citations ------------------------------------------------------------------------
    def citation(
        self, doc_id: str, page: int, quote: str, figures: Iterable[Decimal] = ()
    ) -> list[dict[str, Any]]:
        layout = self.page(doc_id, page)
        if not layout.lines and not layout.cells:
            return []
        return self.table_row(doc_id, layout, quote, list(figures)) or layout.find_text(quote)

    def table_row(
        self, doc_id: str, layout: PageLayout, quote: str, figures: list[Decimal]
    ) -> list[dict[str, Any]]:
        """A quote of a table row ("caption（unit）：label v1 v2 …" or "caption：a｜b｜…"): its cells,
        those holding the first of the answer's `figures` printed in the row marked `focus`."""
        quoted = quoted_row(self.tables(doc_id), {c.table_id for c in layout.cells}, quote)
        if quoted is None:
            return []
        table, r = quoted
        cells = sorted(
            (c for c in layout.cells if c.table_id == table.id and c.row_index == r),
            key=lambda c: c.col_index,
        )
        values = [_decimal_of_cell(c.text) for c in cells]
        first = next((f for f in figures if f in values), None)
        return [
            layout.out(c, c.x0, c.x1, focus=v is not None and v == first)
            for c, v in zip(cells, values, strict=True)
        ]

    # ---- computation inputs ---------------------------------------------------------------
    def input(self, value: Any, source: dict[str, Any]) -> list[dict[str, Any]]:
        doc_id, page = str(source.get("doc_id") or ""), source.get("page")
        number = _decimal(str(value)) if value is not None else None
        if not doc_id or not isinstance(page, int) or number is None:
            return []
        layout = self.page(doc_id, page)
        if source.get("table") and layout.cells:
            cell = self.input_cell(doc_id, layout, number, source)
            if cell is not None:
                return [layout.out(cell, cell.x0, cell.x1, focus=True)]
        return layout.find_number(number, str(source.get("quote") or ""))

    def input_cell(
        self, doc_id: str, layout: PageLayout, number: Decimal, source: dict[str, Any]
    ) -> Box | None:
        """The cell holding `number` in the table, row and column the input names."""
        return best_cell(
            self.tables(doc_id), number, source, lambda t, c: layout.cell(t.id, c.row_index, c.col_index)
        )


def read_quietly(read: Callable[[], Iterable[T]], what: str) -> list[T]:
    """What `read` gives, or nothing (a document removed meanwhile, a store from before the table)."""
    try:
        return list(read())
    except Exception as exc:
        log.info("no %s: %s", what, exc)
        return []


def quoted_row(tables: list[Table], on_page: set[str], quote: str) -> tuple[Table, int] | None:
    """The table (among those on the page) and body row a quote of a row gives ("caption（unit）：
    label v1 v2 …" or "caption：a｜b｜…"), None when the quote is not a row."""
    qk = text_key(quote)
    for table in tables:
        if table.id not in on_page:
            continue
        rest = _after_caption(qk, table)
        if rest is None:
            continue
        rest_key = rest.replace("|", "")
        for r, row in enumerate(table.rows):
            row_key = text_key("".join(x for x in row if x))
            if row_key and (rest_key == row_key or (len(rest_key) >= 20 and row_key.startswith(rest_key))):
                return table, r
    return None


def best_cell(
    tables: list[Table], number: Decimal, source: dict[str, Any], where: Callable[[Table, Cell], T | None]
) -> T | None:
    """Where (`where`) the table cell is that holds `number`, in the table the input's source names,
    its row and column headers best matching the source's `row` and `column`."""
    caption, row, column = (text_key(str(source.get(k) or "")) for k in ("table", "row", "column"))
    best: tuple[int, T] | None = None
    for table in tables:
        if caption and text_key(table.caption) != caption:
            continue
        for cell in table.cells:
            if cell.value is None or _decimal(cell.value) != number:
                continue
            found = where(table, cell)
            if found is None:
                continue
            score = int(bool(row) and row in text_key("".join(cell.row_header))) + int(
                bool(column) and column in text_key("".join(cell.col_header))
            )
            if best is None or score > best[0]:
                best = (score, found)
    return best[1] if best else None


def _after_caption(quote_key: str, table: Table) -> str | None:
    """What follows the table's caption (and unit) in a quote; None when it does not quote this table."""
    caption = text_key(table.caption)
    if caption and not quote_key.startswith(caption):
        return None
    rest = quote_key[len(caption) :]
    unit = text_key(table.unit_line)
    for prefix in (f"({unit})", unit):
        if unit and rest.startswith(prefix):
            rest = rest[len(prefix) :]
    return rest[1:] if rest.startswith(":") else (rest if not caption else None)


def _decimal_of_cell(text: str) -> Decimal | None:
    found = numbers_in(text)
    return found[0] if len(found) == 1 else None


def _figures_cited(answer_text: str, n: int) -> list[Decimal]:
    """The numbers of the sentences that cite [n]."""
    out: list[Decimal] = []
    for sentence in _SENTENCE_END.split(answer_text):
        if any(int(m.group(1)) == n for m in _CITE.finditer(sentence)):
            out += numbers_in(_CITE.sub("", sentence))
    return out


def attach_boxes(store: Any, answer: Answer) -> Answer:
    """Fill `boxes` (a PDF) or `locations` (an xlsx/docx: `service.citation_locations`) and
    `file_type` of every citation, and `source.boxes` and `source.locations` of every computation
    input, in place."""
    from service.citation_locations import LocationFinder, citing

    finder = BoxFinder(store)
    places = LocationFinder(store, finder.tables)
    office = ("xlsx", "docx")
    try:
        for c in answer.citations:
            figures = _figures_cited(answer.answer, c.n)
            c.file_type = finder.file_type(c.doc_id)  # type: ignore[assignment]
            if c.file_type in office:
                found = places.citation(c.doc_id, c.page, c.quote, figures, citing(answer.answer, c.n))
                c.locations = [CitedLocation(**x) for x in found]
            else:
                c.boxes = [CitedBox(**b) for b in finder.citation(c.doc_id, c.page, c.quote, figures)]
        cited_office = list(dict.fromkeys(c.doc_id for c in answer.citations if c.file_type in office))
        for comp in answer.computations:
            for item in comp.inputs:
                source = item.get("source") if isinstance(item, dict) else None
                if not isinstance(source, dict):
                    continue
                doc_id = str(source.get("doc_id") or "")
                in_office = finder.file_type(doc_id) in office if doc_id else bool(cited_office)
                source["boxes"] = [] if in_office else finder.input(item.get("value"), source)
                source["locations"] = (
                    places.input(item.get("value"), source, cited_office) if in_office else []
                )
    except Exception:  # boxes are a convenience: an answer is never lost to them
        log.exception("locating citation boxes failed")
    return answer
