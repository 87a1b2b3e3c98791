"""How many printed tables does ingest read? Judged without jixiao's own extractor.

Two judges, neither of them `ingest`:
- **the generator's own tables** (`--generated DIR`, a `python -m evals.generator` output): the HTML
  source of every document says which tables exist, which cells hold numbers, each number's row
  label and column header. A table counts as read when one table ingest produced holds at least
  half of its numbers as cells; a number counts as placed when ingest's cell has the same text, the
  HTML row's label in its row header and the HTML column header in its column header. Tables
  ingest produced that hold no table number are counted as false tables.
- **the text layer's row structure** (`--pdf FILE…`, any PDF): `pdftotext -layout` lines split at
  runs of 2+ spaces into 3 or more fields, at least one a number; 2 or more such lines in a row
  are one layout block. Pages with a layout block are compared with the pages ingest read a table
  on. It is a rough judge (a two-column paragraph layout can look like a table, a one-column list
  of amounts does not), so its figures are pages, not cells.

    python -m evals.table_reading --generated /tmp/gen
    python -m evals.table_reading --pdf evals/corpus/pdf/*.pdf
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# a number as the generator prints it: 1,234.56  -3.5  98.10%  12
_NUMBER = re.compile(r"^[-−]?\d{1,3}(?:,\d{3})*(?:\.\d+)?%?$|^[-−]?\d+(?:\.\d+)?%?$")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class SourceTable:
    """One HTML table: its grid (rowspan/colspan filled), header row count and whether it is ruled."""

    ruled: bool
    grid: list[list[str]] = field(default_factory=list)
    header_rows: int = 0

    def numbers(self) -> list[tuple[str, str, str]]:
        """(number, row label, column header) of every number cell in the body."""
        out = []
        for r in range(self.header_rows, len(self.grid)):
            row = self.grid[r]
            for c, text in enumerate(row):
                left = [t for t in reversed(row[:c]) if t and not _NUMBER.match(t)]
                label = next((t for t in left if not re.search(r"\d", t)), left[0] if left else "")
                if _NUMBER.match(text) and (c == 0 or row[c - 1] is not text):
                    above = (self.grid[k][c] for k in range(r - 1, -1, -1))
                    head = next((t for t in above if t and not _NUMBER.match(t)), "")
                    out.append((text, label, head))
        return out


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[SourceTable] = []
        self._rows: list[list[tuple[str, int, int]]] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._in_head = False
        self._head_rows = 0
        self._ruled = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._rows, self._head_rows = [], 0
            self._ruled = (a.get("border") or "0") != "0"
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._rows.append([])
            if self._in_head:
                self._head_rows += 1
        elif tag in ("td", "th"):
            self._cell = []
            self._span = (int(a.get("rowspan") or 1), int(a.get("colspan") or 1))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append((_squash("".join(self._cell)), *self._span))
            self._cell = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table":
            self.tables.append(_fill(self._rows, self._ruled, self._head_rows))

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _fill(rows: list[list[tuple[str, int, int]]], ruled: bool, head_rows: int) -> SourceTable:
    grid: dict[tuple[int, int], str] = {}
    for r, cells in enumerate(rows):
        c = 0
        for text, rs, cs in cells:
            while (r, c) in grid:
                c += 1
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text
            c += cs
    nrows = max((r for r, _ in grid), default=-1) + 1
    ncols = max((c for _, c in grid), default=-1) + 1
    table = SourceTable(ruled, [[grid.get((r, c), "") for c in range(ncols)] for r in range(nrows)])
    table.header_rows = head_rows or _leading_text_rows(table.grid)
    return table


def _leading_text_rows(grid: list[list[str]]) -> int:
    for i, row in enumerate(grid):
        if any(_NUMBER.match(t) for t in row[1:]):
            return i
    return 0


def source_tables(html: str) -> list[SourceTable]:
    parser = _Tables()
    parser.feed(html)
    return [t for t in parser.tables if len(t.grid) >= 2 and t.grid and len(t.grid[0]) >= 2]


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def layout_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")


# ---- the product's reading ---------------------------------------------------------------------


def ingest_tables(pdf: Path) -> list:
    from ingest.pdf import read_pdf
    from ingest.tables import extract_tables

    pages = read_pdf(pdf).pages
    return extract_tables(pdf, doc_id=pdf.stem, pages=pages)


# ---- judge 1: the generator's tables ------------------------------------------------------------


@dataclass
class Tally:
    tables: int = 0
    ruled: int = 0
    read: int = 0
    read_ruled: int = 0
    numbers: int = 0
    placed: int = 0
    found: int = 0
    false_tables: int = 0
    extracted: int = 0
    pages_with_table: int = 0
    pages_read: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def judge_generated(html: str, pdf: Path, verbose: bool = False) -> Tally:
    tally = Tally()
    tables = ingest_tables(pdf)
    texts = page_texts(pdf)
    extracted = [
        [
            (_squash(c.raw), _squash("".join(c.row_header)), _squash("".join(c.col_header)), c.page)
            for c in t.cells
        ]
        for t in tables
    ]
    all_numbers: set[str] = set()
    table_pages: set[int] = set()
    read_pages: set[int] = {c[3] for cells in extracted for c in cells}
    for source in source_tables(html):
        numbers = source.numbers()
        if not numbers:
            continue
        all_numbers |= {n for n, _, _ in numbers}
        tally.tables += 1
        tally.ruled += source.ruled
        tally.numbers += len(numbers)
        for i, text in enumerate(texts):  # the pages printing a good part of the table's numbers
            here = sum(n in _squash(text) for n, _, _ in numbers)
            if here >= max(2, len(numbers) // 5) or here == len(numbers):
                table_pages.add(i + 1)
        best = max(
            (sum(any(n == c[0] for c in cells) for n, _, _ in numbers) for cells in extracted), default=0
        )
        if best * 2 >= len(numbers):
            tally.read += 1
            tally.read_ruled += source.ruled
        for n, label, head in numbers:
            hits = [c for cells in extracted for c in cells if c[0] == n]
            tally.found += bool(hits)
            tally.placed += any(label in c[1] and _squash(head) in c[2] for c in hits)
        if verbose and best * 2 < len(numbers):
            print(f"    unread {'ruled' if source.ruled else 'unruled'} table: {source.grid[0][:4]} …")
    for cells in extracted:
        numeric = [c for c in cells if _NUMBER.match(c[0])]
        tally.extracted += 1
        if numeric and not any(c[0] in all_numbers for c in numeric):
            tally.false_tables += 1
            if verbose:
                print(f"    false table: {[c[0] for c in numeric][:6]}")
    tally.pages_with_table = len(table_pages)
    tally.pages_read = len(table_pages & read_pages)
    return tally


def report_generated(out_dir: Path, verbose: bool, totals: dict[str, Tally]) -> None:
    """Per document, and into `totals` by kind: `form` (自评表, a form layout: its cells are read by
    `ingest.forms`, so row and column placement is not judged here) or `table`."""
    for src in sorted((out_dir / "src").glob("*.html")):
        pdf = out_dir / "pdf" / f"{src.stem}.pdf"
        t = judge_generated(src.read_text(encoding="utf-8"), pdf, verbose)
        totals.setdefault("form" if src.stem.endswith("-form") else "table", Tally()).add(t)
        print(
            f"  {src.stem:28s} tables {t.read}/{t.tables} read (ruled {t.read_ruled}/{t.ruled}), "
            f"numbers placed {t.placed}/{t.numbers} (found {t.found}), false tables {t.false_tables}, "
            f"pages {t.pages_read}/{t.pages_with_table}"
        )


def print_total(kind: str, t: Tally) -> None:
    print(
        f"total ({kind}): tables read {t.read}/{t.tables} (ruled {t.read_ruled}/{t.ruled}, unruled "
        f"{t.read - t.read_ruled}/{t.tables - t.ruled}); numbers found {t.found}/{t.numbers}, placed "
        f"(row and column right) {t.placed}/{t.numbers}; pages with a table read {t.pages_read}/"
        f"{t.pages_with_table}; false tables {t.false_tables} of {t.extracted} extracted"
    )


# ---- judge 2: the text layer's rows ---------------------------------------------------------------


def layout_blocks(page: str) -> int:
    """Blocks of 2+ consecutive layout lines with 3+ fields, one of them a number."""
    blocks = run = 0
    for line in page.splitlines():
        fields = [f for f in re.split(r"\s{2,}", line.strip()) if f]
        if len(fields) >= 3 and any(_NUMBER.match(f.replace(" ", "")) for f in fields):
            run += 1
            if run == 2:
                blocks += 1
        elif line.strip():
            run = 0
    return blocks


def report_pdfs(paths: list[Path]) -> None:
    pages_layout = pages_read = pages_both = 0
    for pdf in paths:
        try:
            tables = ingest_tables(pdf)
        except Exception as exc:  # a scan or a damaged file: reported, not judged
            print(f"  {pdf.name}: not read ({type(exc).__name__})")
            continue
        read = {c.page for t in tables for c in t.cells}
        layout = {i + 1 for i, p in enumerate(layout_pages(pdf)) if layout_blocks(p)}
        pages_layout += len(layout)
        pages_read += len(read)
        pages_both += len(layout & read)
        missing = sorted(layout - read)
        print(
            f"  {pdf.name[:50]:50s} layout-table pages {len(layout):3d}, read {len(layout & read):3d}, "
            f"tables {len(tables):3d}, missed pages {missing[:12]}"
        )
    print(
        f"total: pages with a layout table {pages_layout}, of them read {pages_both}; pages read {pages_read}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generated", type=Path, action="append", default=[], help="a generator output dir")
    ap.add_argument("--pdf", type=Path, nargs="*", default=[], help="PDF files judged by their text layer")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    totals: dict[str, Tally] = {}
    for out_dir in args.generated:
        print(out_dir)
        report_generated(out_dir, args.verbose, totals)
    for kind, t in sorted(totals.items()):
        print_total(kind, t)
    if args.pdf:
        report_pdfs(args.pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
