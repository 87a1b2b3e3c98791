"""Every table of a document as a *grid*: a sheet (xlsx), a Word table (docx) or a ruled PDF table,
merged cells filled into every position they cover, each position knowing where it is printed.
`ingest.forms` reads forms from grids, whatever the format; `ingest.office` builds the xlsx and docx
ones, this module the PDF ones (pdfplumber via `ingest.tables`, joined across page breaks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import BadDocument
from ingest.tables import GridCell, RawTable


@dataclass
class SheetGrid:
    """One sheet (xlsx), table (docx) or ruled table (PDF) as a grid.

    `name`: the sheet name, "表N" (docx) or "第N页表M" (PDF); `row_refs`/`col_refs`: the row and
    column numbers as the source counts them (xlsx row 7, column 3 = "C7"); `row_pages`: the page
    each row is printed on (PDF; an xlsx sheet's page is its position among the non-empty sheets, a
    Word document is page 1); `context`: text printed just above (title lines);
    `number`: the sheet's position in the workbook or the table's among the Word body's tables
    (1-based; 0 for PDF); `spans`: each merged cell's (rows, columns) by its top-left position as the
    source counts it (`row_refs`/`col_refs` values), for the Office files."""

    name: str
    grid: list[list[GridCell]]
    row_refs: list[int]
    col_refs: list[int]
    kind: str  # sheet | table | page
    row_pages: list[int | None] = field(default_factory=list)
    context: str = ""
    number: int = 0
    spans: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def nrows(self) -> int:
        return len(self.grid)

    @property
    def ncols(self) -> int:
        return len(self.grid[0]) if self.grid else 0

    def where(self, r: int, c: int) -> dict[str, Any]:
        """A cell's provenance: sheet/table name, page, row and column as the source counts them."""
        out: dict[str, Any] = {"sheet": self.name, "row": self.row_refs[r], "col": self.col_refs[c]}
        if self.kind == "sheet":
            out["cell"] = f"{col_letter(self.col_refs[c])}{self.row_refs[r]}"
        page = self.row_pages[r] if r < len(self.row_pages) else None
        if page is not None:
            out["page"] = page
        return out


def col_letter(n: int) -> str:
    s = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


# ---- PDF ---------------------------------------------------------------------------------------------


def pdf_grids(path: Path, *, password: str | None = None) -> list[SheetGrid]:
    """The ruled tables of a PDF as grids (joined across page breaks), with the page text above each
    table's first row as context."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    from ingest.tables import _open, join_continued

    raws: list[RawTable] = []
    texts: dict[int, str] = {}
    try:
        pdf = _open(pdfplumber, path, password, PDFPasswordIncorrect)
        with pdf:
            for number, page in enumerate(pdf.pages, start=1):
                found, texts[number] = _page_tables(page, number, raws)
                raws += found
                page.close()
    except BadDocument:
        raise
    except Exception as exc:
        raise BadDocument(
            f"表格提取失败，文件可能已损坏：{path.name} / table extraction failed, the file may be damaged: "
            f"{path.name} ({type(exc).__name__}: {exc})"
        ) from exc
    out: list[SheetGrid] = []
    counts: dict[int, int] = {}
    for raw in join_continued(raws):
        counts[raw.page] = counts.get(raw.page, 0) + 1
        first = next((c.text for c in raw.grid[0] if c.text), "")
        text = texts.get(raw.page, "")
        key = re.sub(r"\s+", "", first)[:4]
        flat = text.splitlines()
        above: list[str] = []
        for line in flat:
            if key and key in re.sub(r"\s+", "", line):
                break
            above.append(line.strip())
        out.append(
            SheetGrid(
                f"第{raw.page}页表{counts[raw.page]}",
                raw.grid,
                list(range(1, len(raw.grid) + 1)),
                list(range(1, raw.ncols + 1)),
                "page",
                row_pages=list(raw.row_pages),
                context="\n".join([*above[-3:], raw.caption, raw.unit_line]).strip(),
            )
        )
    return out


def _page_tables(page: Any, number: int, earlier: list[RawTable]) -> tuple[list[RawTable], str]:
    """`ingest.tables.page_tables` and the page's visible text, plus: a one-row table drawn right
    under a table, or first on a page after a page that ends with a table (a 总分 row the renderer
    closed off separately), is that table's last row, right-aligned to its columns."""
    from ingest.tables import _visible, page_tables, table_grid

    raws = page_tables(page, number)  # lays the page out without invisible characters
    box = tuple(page.bbox)
    page = page.filter(lambda obj: _visible(obj, box))  # the same view for what follows
    text = page.extract_text() or ""
    found = sorted(page.find_tables(), key=lambda t: (t.bbox[1], t.bbox[0]))
    bottoms = [(t.bbox[3], t) for t in found if len(t.rows) >= 2]
    for t in found:
        if len(t.rows) != 1:
            continue
        above = [b for b, _ in bottoms if abs(b - t.bbox[1]) < 3]
        grid = table_grid(t)
        first_on_page = t is found[0]
        if above and raws:
            target = next((r for r in reversed(raws) if len(r.grid) >= 2), None)
        elif first_on_page and earlier and earlier[-1].page == number - 1 and not earlier[-1].text_below:
            target = earlier[-1]
        else:
            continue
        if target is None or not grid:
            continue
        row = grid[0]
        extra = target.ncols - len(row)
        if extra < 0:
            continue
        lead = [GridCell(row[0].text, row[0].raw, False) for _ in range(extra)]
        widened = lead + row
        widened[0] = GridCell(row[0].text, row[0].raw, True)
        if extra:
            widened[extra] = GridCell(row[0].text, row[0].raw, False)
        target.grid.append(widened)
        target.row_pages.append(number)
        if target is not (raws[-1] if raws else None) and target.page != number:
            target.text_below = True  # joined here: not to be joined again
    return raws, text


def grids_of(path: Path, *, password: str | None = None) -> list[SheetGrid]:
    """Every grid of a PDF, xlsx or docx file. Raises BadDocument for other types or damaged files."""
    from ingest.office import docx_content, xlsx_grids

    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return xlsx_grids(path)
    if suffix == ".docx":
        return docx_content(path)[1]
    if suffix == ".pdf":
        from ingest.pdf import check_pdf_bytes

        check_pdf_bytes(path)
        return pdf_grids(path, password=password)
    raise BadDocument(
        f"不支持的文件类型：{path.name}（支持 PDF、XLSX、DOCX）/ unsupported file type: {path.name} "
        "(PDF, XLSX and DOCX are supported)"
    )
