"""Office documents (.xlsx, .docx) as grids (`ingest.grids.SheetGrid`) and as ordinary content.

- `.xlsx` (openpyxl): one grid per worksheet; a merged range gives its text to every cell it covers;
  a cell shown as a percentage ("0.00%") reads as "99.86%", as printed; a formula by its cached value
  (a workbook never saved by a spreadsheet program has none: the cell reads blank);
- `.docx` (python-docx): one grid per table; a merged cell (gridSpan / vMerge) is one cell element
  that python-docx returns at every position it covers.

`read_office` also gives the ordinary document content (page text and `Table`s) so an xlsx or docx
is ingested like a PDF: one "page" per worksheet, one page for a Word document; and where each cell
and paragraph is (`ingest.models.Location`: sheet, Word table or paragraph, row and column as the
file counts them), which a citation of an Office document gives instead of boxes on a page image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ingest.errors import BadDocument
from ingest.grids import SheetGrid
from ingest.models import Location, Page, Table
from ingest.tables import GridCell, RawTable, normalize_cell, to_table

OFFICE_SUFFIXES = (".xlsx", ".docx")
_ZIP_MAGIC = b"PK\x03\x04"


def check_office_bytes(path: Path) -> None:
    """An xlsx/docx is a zip file; anything else gets a clear error."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as err:
        raise BadDocument(f"无法读取文件：{path.name} / cannot read {path.name}: {err}") from err
    if head != _ZIP_MAGIC:
        raise BadDocument(
            f"文件 {path.name} 不是有效的 {path.suffix.lower()} 文件（不是 zip 格式）/ "
            f"{path.name} is not a valid {path.suffix.lower()} file (not a zip archive)",
            hint="旧版 .xls/.doc 请另存为 .xlsx/.docx / save old .xls/.doc files as .xlsx/.docx",
        )


# ---- xlsx ------------------------------------------------------------------------------------------


def _number_text(value: Any, number_format: str) -> str:
    """A numeric cell as printed: percentages scaled ("0.9986" + "0.00%" -> "99.86%"), decimals as
    the format shows them ("0.00" -> "64.80"), else the shortest exact text (no float noise)."""
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return str(value)
    fmt_ = number_format or ""
    m = re.search(r"0\.(0+)", fmt_)
    places = len(m.group(1)) if m else None
    if "%" in fmt_:
        d = d * 100
    if places is not None:
        text = format(d.quantize(Decimal(1).scaleb(-places)), "f")
    else:
        text = (
            format(d.normalize(), "f") if d != d.to_integral_value() else format(d.to_integral_value(), "f")
        )
    return text + ("%" if "%" in fmt_ else "")


def _xlsx_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return _number_text(value, cell.number_format or "")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def xlsx_grids(path: Path) -> list[SheetGrid]:
    """One grid per worksheet (blank rows and columns at the edges dropped)."""
    import openpyxl

    check_office_bytes(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise BadDocument(
            f"无法打开 Excel 文件，文件可能已损坏：{path.name} / cannot open the workbook, it may be damaged: "
            f"{path.name} ({type(exc).__name__}: {exc})"
        ) from exc
    out: list[SheetGrid] = []
    try:
        for number, ws in enumerate(wb.worksheets, start=1):
            if ws.max_row < 1 or ws.max_column < 1:
                continue
            nrows, ncols = ws.max_row, ws.max_column
            raw = [[_xlsx_text(ws.cell(r, c)) for c in range(1, ncols + 1)] for r in range(1, nrows + 1)]
            origin = [[True] * ncols for _ in range(nrows)]
            spans: dict[tuple[int, int], tuple[int, int]] = {}
            for rng in ws.merged_cells.ranges:
                if rng.min_row > nrows or rng.min_col > ncols:
                    continue
                spans[(rng.min_row, rng.min_col)] = (
                    min(rng.max_row, nrows) - rng.min_row + 1,
                    min(rng.max_col, ncols) - rng.min_col + 1,
                )
                top = raw[rng.min_row - 1][rng.min_col - 1]
                for r in range(rng.min_row, min(rng.max_row, nrows) + 1):
                    for c in range(rng.min_col, min(rng.max_col, ncols) + 1):
                        raw[r - 1][c - 1] = top
                        origin[r - 1][c - 1] = r == rng.min_row and c == rng.min_col
            grid = [
                [GridCell(normalize_cell(raw[r][c]), raw[r][c].strip(), origin[r][c]) for c in range(ncols)]
                for r in range(nrows)
            ]
            out.append(
                _trimmed(
                    SheetGrid(
                        ws.title, grid, list(range(1, nrows + 1)), list(range(1, ncols + 1)), "sheet",
                        number=number, spans=spans,
                    )
                )
            )  # fmt: skip
    finally:
        wb.close()
    kept = [g for g in out if g.nrows]
    for page, g in enumerate(kept, start=1):  # one page per sheet, as read_office numbers them
        g.row_pages = [page] * g.nrows
    return kept


def _trimmed(g: SheetGrid) -> SheetGrid:
    rows = [r for r in range(g.nrows) if any(c.text for c in g.grid[r])]
    cols = [c for c in range(g.ncols) if any(g.grid[r][c].text for r in range(g.nrows))]
    if not rows or not cols:
        return SheetGrid(g.name, [], [], [], g.kind, number=g.number)
    r0, r1, c0, c1 = rows[0], rows[-1], cols[0], cols[-1]
    return SheetGrid(
        g.name,
        [row[c0 : c1 + 1] for row in g.grid[r0 : r1 + 1]],
        g.row_refs[r0 : r1 + 1],
        g.col_refs[c0 : c1 + 1],
        g.kind,
        g.row_pages[r0 : r1 + 1] if g.row_pages else [],
        g.context,
        number=g.number,
        spans=g.spans,  # by row and column number, which trimming keeps
    )


# ---- docx ------------------------------------------------------------------------------------------


def _docx_blocks(document: Any) -> list[tuple[str, Any]]:
    """The body's paragraphs and tables in reading order."""
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    out: list[tuple[str, Any]] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(("p", Paragraph(child, document)))
        elif tag == "tbl":
            out.append(("t", DocxTable(child, document)))
    return out


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RUN_TEXT: dict[str, str | None] = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n"}


def _tc_text(tc: Any) -> str:
    """A table cell's text as python-docx's `paragraph.text` gives it (runs' text, tabs and breaks;
    paragraphs on their lines), read from the XML directly: the python-docx objects were most of the
    time of auditing a Word form."""
    lines = []
    for p in tc.iterchildren(f"{_W}p"):
        parts: list[str] = []
        for r in p.iterchildren(f"{_W}r", f"{_W}hyperlink"):  # a paragraph's runs, linked ones too
            for run in r.iterchildren(f"{_W}r") if r.tag == f"{_W}hyperlink" else (r,):
                for el in run.iterchildren(*_RUN_TEXT):  # not a text box's runs nested in a drawing
                    mark = _RUN_TEXT[el.tag]
                    parts.append((el.text or "") if mark is None else mark)
        lines.append("".join(parts))
    return "\n".join(lines)


def _row_tcs(tbl: Any) -> list[list[Any]] | None:
    """Each row's <w:tc> per layout-grid column, a merged cell's own element repeated over its span
    (w:gridSpan) and down its rows (w:vMerge) — what python-docx's `row.cells` resolves, read
    straight from the XML. None for a table whose rows start or end off the grid (w:gridBefore /
    w:gridAfter): python-docx reads those."""
    rows: list[list[Any]] = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        tr_pr = tr.find(f"{_W}trPr")
        if tr_pr is not None and (
            tr_pr.find(f"{_W}gridBefore") is not None or tr_pr.find(f"{_W}gridAfter") is not None
        ):
            return None
        above = rows[-1] if rows else []
        row: list[Any] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            span, merge = 1, None
            tc_pr = tc.find(f"{_W}tcPr")
            if tc_pr is not None:
                gs, vm = tc_pr.find(f"{_W}gridSpan"), tc_pr.find(f"{_W}vMerge")
                if gs is not None:
                    span = max(1, int(gs.get(f"{_W}val") or 1))
                if vm is not None:
                    merge = vm.get(f"{_W}val") or "continue"
            root = above[len(row)] if merge == "continue" and len(row) < len(above) else tc
            row.extend([root] * span)
        rows.append(row)
    return rows


def _docx_grid(table: Any) -> tuple[list[list[GridCell]], dict[tuple[int, int], tuple[int, int]]]:
    """The table's grid, and each merged cell's (rows, columns) by its 1-based top-left position."""
    try:
        rows = _row_tcs(table._tbl)
    except ValueError:  # a malformed span
        rows = None
    if rows is None:
        rows = [[c._tc for c in r.cells] for r in table.rows]
    grid: list[list[GridCell]] = []
    seen: dict[Any, list[int]] = {}  # each <w:tc> (held, so identity is stable) -> [r0, c0, r1, c1]
    width = max((len(r) for r in rows), default=0)
    for r, cells in enumerate(rows):
        out_row: list[GridCell] = []
        for c, tc in enumerate(cells):
            text = _tc_text(tc).strip()
            out_row.append(GridCell(normalize_cell(text), text, origin=tc not in seen))
            extent = seen.setdefault(tc, [r, c, r, c])
            extent[2], extent[3] = max(extent[2], r), max(extent[3], c)
        out_row += [GridCell("", "", True) for _ in range(width - len(out_row))]
        grid.append(out_row)
    spans = {
        (r0 + 1, c0 + 1): (r1 - r0 + 1, c1 - c0 + 1)
        for r0, c0, r1, c1 in seen.values()
        if (r1, c1) != (r0, c0)
    }
    return grid, spans


@dataclass(frozen=True)
class DocxParagraph:
    """A body paragraph with text: its 1-based number among the body's paragraphs (python-docx's
    `document.paragraphs`, empty ones counted) and how many body tables come before it."""

    number: int
    text: str
    tables_before: int


def docx_content(path: Path) -> tuple[list[str], list[SheetGrid], list[DocxParagraph]]:
    """The lines (in order: paragraphs, tables as their rows' text), one grid per table, and the
    body paragraphs with text."""
    import docx

    check_office_bytes(path)
    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise BadDocument(
            f"无法打开 Word 文件，文件可能已损坏：{path.name} / cannot open the document, it may be damaged: "
            f"{path.name} ({type(exc).__name__}: {exc})"
        ) from exc
    lines: list[str] = []
    grids: list[SheetGrid] = []
    paragraphs: list[DocxParagraph] = []
    recent: list[str] = []
    n_paragraphs = n_tables = 0
    for kind, block in _docx_blocks(document):
        if kind == "p":
            n_paragraphs += 1
            text = block.text.strip()
            if text:
                lines.append(text)
                paragraphs.append(DocxParagraph(n_paragraphs, text, n_tables))
                recent = [*recent[-2:], text]
            continue
        n_tables += 1
        grid, spans = _docx_grid(block)
        if not grid:
            continue
        n = len(grids) + 1
        grids.append(
            SheetGrid(
                f"表{n}", grid, list(range(1, len(grid) + 1)), list(range(1, len(grid[0]) + 1)), "table",
                [1] * len(grid), context="\n".join(recent), number=n_tables, spans=spans,
            )
        )  # fmt: skip
        recent = []
        for row in grid:
            texts = [c.text for c in row if c.origin and c.text]
            if texts:
                lines.append("\t".join(texts))
    return lines, grids, paragraphs


# ---- ordinary document content ----------------------------------------------------------------------


@dataclass
class OfficeContent:
    """What `read_office` returns: pages (one per worksheet; one for a Word document), tables, title,
    and where each cell and paragraph is (`Location`s in reading order, what a citation points at
    instead of a box on a page image)."""

    pages: list[Page]
    tables: list[Table]
    title: str
    year: int | None
    page_count: int
    grids: list[SheetGrid]
    locations: list[Location] = field(default_factory=list)


_YEAR_RE = re.compile(r"((?:19|20)[0-9]{2})\s*(?:年|年度)")


def read_office(path: Path, *, doc_id: str) -> OfficeContent:
    """An xlsx or docx as pages, tables and a title, for the ordinary ingest pipeline."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        grids = xlsx_grids(path)
        pages: list[Page] = []
        raws: list[RawTable] = []
        for i, g in enumerate(grids, start=1):
            rows = ["\t".join(c.text for c in row if c.origin and c.text) for row in g.grid]
            pages.append(Page(number=i, text="\n".join(r for r in rows if r)))
            raws.append(_raw(g, i))
        first_line = next((ln for p in pages for ln in p.text.splitlines() if ln.strip()), "")
    elif suffix == ".docx":
        lines, grids, paragraphs = docx_content(path)
        pages = [Page(number=1, text="\n".join(lines))]
        raws = [_raw(g, 1) for g in grids]
        first_line = lines[0] if lines else ""
    else:
        raise BadDocument(f"不支持的文件类型：{path.name} / unsupported file type: {path.name}")
    if not any(p.text.strip() for p in pages):
        raise BadDocument(f"文件中没有任何文字：{path.name} / the file contains no text: {path.name}")
    title = first_line.split("\t")[0].strip()[:80] or path.stem
    all_text = "\n".join(p.text for p in pages)
    m = _YEAR_RE.search(title) or _YEAR_RE.search(all_text[:400])
    # every sheet or Word table is its own table: never joined like a PDF table over a page break
    kept = [(g, r) for g, r in zip(grids, raws, strict=True) if r.grid and r.ncols >= 2 and len(r.grid) >= 2]
    tables = [to_table(r, doc_id=doc_id, index=i) for i, (_, r) in enumerate(kept)]
    links: dict[int, dict[tuple[int, int], tuple[str, int, int]]] = {}  # grid -> position -> table cell
    for (g, raw), table in zip(kept, tables, strict=True):
        first = len(g.grid) - len(raw.grid) + raw.header_rows  # the body's first row in the grid
        links[id(g)] = {
            (first + r, c): (table.id, r, c) for r in range(len(table.rows)) for c in range(raw.ncols)
        }
    if suffix == ".xlsx":
        locations = [
            loc for i, g in enumerate(grids, start=1) for loc in _grid_locations(g, i, links.get(id(g), {}))
        ]
    else:
        locations = _docx_locations(grids, paragraphs, links)
    year = int(m.group(1)) if m else None
    return OfficeContent(pages, tables, title, year, len(pages), grids, locations)


def _grid_locations(
    g: SheetGrid, page: int, links: dict[tuple[int, int], tuple[str, int, int]]
) -> list[Location]:
    """Each cell of a sheet or Word table with text, row by row; a merged cell once, at its top-left."""
    out: list[Location] = []
    for r, row in enumerate(g.grid):
        for c, cell in enumerate(row):
            if not cell.origin or not cell.text:
                continue
            ref = (g.row_refs[r], g.col_refs[c])
            rows, cols = g.spans.get(ref, (1, 1))
            table_id, row_index, col_index = links.get((r, c), ("", -1, -1))
            out.append(
                Location(
                    page, "cell", grid=g.name, sheet=g.name if g.kind == "sheet" else "",
                    table=g.number if g.kind == "table" else 0, row=ref[0], col=ref[1], row_span=rows,
                    col_span=cols, text=cell.text, table_id=table_id, row_index=row_index,
                    col_index=col_index,
                )
            )  # fmt: skip
    return out


def _docx_locations(
    grids: list[SheetGrid],
    paragraphs: list[DocxParagraph],
    links: dict[int, dict[tuple[int, int], tuple[str, int, int]]],
) -> list[Location]:
    """A Word document's paragraphs and table cells, in reading order."""
    blocks: list[tuple[tuple[int, int, int], list[Location]]] = [
        ((p.tables_before, 0, p.number), [Location(1, "paragraph", paragraph=p.number, text=p.text)])
        for p in paragraphs
    ]
    blocks += [((g.number - 1, 1, 0), _grid_locations(g, 1, links.get(id(g), {}))) for g in grids]
    return [loc for _, locs in sorted(blocks, key=lambda b: b[0]) for loc in locs]


def _raw(g: SheetGrid, page: int) -> RawTable:
    from ingest.tables import header_row_count

    # leading rows of one merged text (a sheet's title, its year or unit line) are the caption, not header
    grid, titles = g.grid, []
    while len(grid) > 2 and len({c.text for c in grid[0]}) == 1:
        titles.append(next((c.text for c in grid[0] if c.text), ""))
        grid = grid[1:]
    from ingest.tables import UNIT_LINE_RE

    unit = next((t for t in titles if UNIT_LINE_RE.match(t)), "")
    caption = " ".join(t for t in titles if t and t != unit)
    raw = RawTable(page=page, grid=grid, caption=caption, unit_line=unit, row_pages=[page] * len(grid))
    raw.header_rows = header_row_count(grid) if grid else 1
    return raw
