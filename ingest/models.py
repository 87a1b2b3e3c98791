"""Plain data types shared by the ingest pipeline, the stores and their readers.

Pure: no I/O, no third-party imports. Numbers from tables are kept as Decimal *text* so no
float ever touches a reported figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ChunkKind = Literal["text", "table", "note"]
DocStatus = Literal["pending", "ingesting", "ok", "unchanged", "needs_ocr", "failed", "removed"]


@dataclass(frozen=True)
class Page:
    """One PDF page after cleaning. `number` is 1-based, as printed in citations."""

    number: int
    text: str
    has_text_layer: bool = True
    source: Literal["text", "ocr"] = "text"  # "ocr": the text was read from the page image
    confidence: float | None = None  # OCR's mean confidence on the page (0–1)


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage. `id` is deterministic: f"{doc_id}:{chunk_index:04d}"."""

    id: str
    doc_id: str
    text: str
    page: int
    section: str  # section path, e.g. "三、项目产出及绩效 > （一）项目产出情况 > 2.产出质量"
    kind: ChunkKind
    chunk_index: int
    title: str = ""
    year: int | None = None
    end_page: int | None = None  # when a passage crosses a page break
    source: Literal["text", "ocr"] = "text"  # "ocr": read from a scanned page

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata as stored in Chroma (no None values allowed there): only what a query
        filters on (`doc_id`, `year`). Readers take everything else from SQL (`visible_chunks`), and
        every key is a row in the Chroma server's metadata index: title, page, section, kind and
        chunk_index as well cost a `chroma run` server 5–15% more CPU per chunk written (to 100k)."""
        md: dict[str, str | int] = {"doc_id": self.doc_id}
        if self.year is not None:
            md["year"] = self.year
        return md


@dataclass(frozen=True)
class Cell:
    """One body cell of a table, addressed by its header paths.

    row_header: the row's label cells, e.g. ["话务岗"] or ["每 1 万接听量人工成本（万元）"].
    col_header: the column header path, top level first, e.g. ["其中：", "保险"].
    value: exact Decimal text ("7937.43", "99.86" for 99.86%), None for "-" or text cells.
    unit: from the unit line or the header ("万元", "人", "%"), "" when unknown.
    """

    row_index: int
    col_index: int
    row_header: tuple[str, ...]
    col_header: tuple[str, ...]
    raw: str
    value: str | None
    unit: str
    page: int
    is_percent: bool = False
    # (x0, top, x1, bottom) in points as extracted; kept in the store as a `Box`, not with the cell,
    # so it is not part of the cell's equality
    box: tuple[float, float, float, float] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Box:
    """Where something citable is printed, whatever read it (the text layer now, OCR later).

    `page` is 1-based; coordinates are PDF points with the origin at the page's top-left corner.
    kind `page`: the page's own size; `line`: one visual line of text, `spans` holding each of its
    characters' (x0, x1) flattened so a quote can be boxed to the character; `cell`: a table body
    cell, addressed like `Cell` (`table_id`, `row_index`, `col_index`).
    """

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    kind: Literal["page", "line", "cell"]
    text: str = ""
    spans: tuple[float, ...] = ()
    table_id: str = ""
    row_index: int = -1
    col_index: int = -1
    source: str = "text"  # text | ocr


@dataclass(frozen=True)
class Location:
    """Where something citable is in an Office file, which has no page image: a cell of a worksheet
    (xlsx) or of a Word table, or a paragraph of a Word document (docx).

    `page` is the document page it is on (the sheet's for an xlsx, 1 for a docx); `grid` the name
    form records use in `where.sheet` (the sheet name, "表N" for a Word table); `sheet` the worksheet
    name (xlsx); `table` / `paragraph` the 1-based number of the Word table / body paragraph (as
    python-docx's `document.tables` / `document.paragraphs` count them); `row`, `col` 1-based, as a
    spreadsheet user names them (row 7, column 3 = "C7"), a merged cell at its top-left with its
    `row_span` / `col_span`. A cell of a stored table's body names it like `Box` (`table_id`,
    `row_index`, `col_index`).
    """

    page: int
    kind: Literal["cell", "paragraph"]
    grid: str = ""
    sheet: str = ""
    table: int = 0
    paragraph: int = 0
    row: int = 0
    col: int = 0
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    table_id: str = ""
    row_index: int = -1
    col_index: int = -1


@dataclass
class Table:
    """A table as data. `id` is deterministic: f"{doc_id}:t{index:02d}"."""

    id: str
    doc_id: str
    index: int
    caption: str  # e.g. "表 1-1 预算执行情况明细表"
    unit_line: str  # e.g. "单位：万元" ("" when absent)
    pages: list[int]
    header: list[list[str]]  # header rows after merged-cell filling, top first
    rows: list[list[str]]  # body rows as raw text, the row label(s) first
    cells: list[Cell] = field(default_factory=list)

    @property
    def number(self) -> str:
        """The caption's number, "1-1" for "表 1-1 …", "" when there is none."""
        import re

        m = re.match(r"表\s*([0-9０-９]+(?:\s*[-－—]\s*[0-9０-９]+)?)", self.caption)
        return re.sub(r"\s+", "", m.group(1)) if m else ""

    @property
    def page(self) -> int:
        return self.pages[0]

    def as_text(self) -> str:
        """Caption + unit + header + rows, TAB-separated: the table's searchable text."""
        lines = [self.caption]
        if self.unit_line:
            lines.append(self.unit_line)
        lines += ["\t".join(r) for r in self.header]
        lines += ["\t".join(r) for r in self.rows]
        return "\n".join(lines)


@dataclass
class DocumentRecord:
    """A manifest row: one ingested (or refused) file."""

    doc_id: str  # sha256 of the file's bytes, first 16 hex digits
    sha256: str
    path: str
    title: str
    status: DocStatus
    pages: int = 0
    chunks: int = 0
    tables: int = 0
    year: int | None = None
    message: str = ""
    kind: str = "report"  # report | policy
    chunker_version: str = ""
    embedding_version: str = ""
    ingested_at: str = ""
    seconds: float = 0.0
    # unit, project, year, period, kind, evaluator, agency (ingest/identity.py); {} before ingest
    identity: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "path": self.path,
            "title": self.title,
            "year": self.year,
            "pages": self.pages,
            "chunks": self.chunks,
            "tables": self.tables,
            "status": self.status,
            "message": self.message,
            "identity": dict(self.identity),
        }


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    score: float
