"""Tables as data: pdfplumber `extract_tables` geometry -> `ingest.models.Table` with exact cells.

What this module does on top of pdfplumber:
- fills merged cells from the ruling geometry (a cell spanning rows or columns gives its text to every
  grid position it covers), so 表1-2's `其中：` sits over 基本工资等 | 保险 | 公积金 and `职务` over
  both header rows;
- builds multi-level column header paths (top level first) and row header paths (the label columns);
- joins a table continued on the next page (same columns, no caption of its own), dropping the
  repeated header rows; each cell keeps the page it is printed on;
- attaches the caption (`表 1-1 …`) and unit line (`单位：万元`) printed just above the table;
- parses every value cell exactly (`ingest.numbers`), with its unit from the cell itself, the row
  label ("接听量（万次）"), the column header, or the unit line (per column when it lists several).

PyMuPDF is deliberately not used: its 2.x table extraction corrupts decimals.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import BadDocument, PasswordRequired, damage_reason
from ingest.models import Cell, Page, Table
from ingest.numbers import is_empty_mark, parse_number, unit_for_header, unit_in_label, units_of_unit_line

# "表 1-1 预算执行情况明细表", "表2：…", "续表3", "表1预算…" — but not prose like "表1所示…".
log = logging.getLogger(__name__)

CAPTION_RE = re.compile(
    r"^\s*(?:续)?表\s*[0-9０-９]+(?:\s*[-－—.．]\s*[0-9０-９]+)?"
    r"(?:\s*[：:]\s*|\s*)(?!所示|中|的|为|可见|显示|列示|反映)(?:(?:(?:19|20)\d{2}\s*年|[^\d\s]).*)?$"
)
UNIT_LINE_RE = re.compile(
    r"^\s*[（(]?\s*(?:计量|金额)?单位\s*[：:]|\s(?:金额)?单位\s*[：:]\s*(?:万元|元|亿元|千元)\s*[）)]?\s*$"
)
_CAPTION_LOOKBACK = 3  # lines above a table searched for its caption and unit line
TABLES_VERSION = "3"  # part of the chunker version: a change re-ingests (2: tables without rules are read; 3: captions that start with a year, and the sentence introducing a table)
MAX_TABLE_PAGE_BYTES = 4_000_000  # decoded content of one page searched for tables
_EDGE_TOL = 1.5  # points: grid edges closer than this are the same edge
_SCORE_LABELS = ("分值", "得分", "分数", "满分")
_MONEY_UNITS = ("元", "万元", "亿元", "千元", "百万元")
_SERIAL_HEADERS = ("序号", "编号", "序")


@dataclass
class GridCell:
    text: str  # normalised (one line)
    raw: str  # as extracted
    origin: bool  # the top-left position of a (possibly merged) cell
    bbox: tuple[float, float, float, float] | None = None  # the (merged) cell's box in points, when known


@dataclass
class RawTable:
    """One table as found on one page, before cross-page joining."""

    page: int
    grid: list[list[GridCell]]
    caption: str = ""
    unit_line: str = ""
    text_above: bool = False  # any non-caption text between the page top (or table above) and this table
    text_below: bool = False
    header_rows: int = 1
    row_pages: list[int] = field(default_factory=list)
    from_words: bool = False  # read from the words' positions (no rules), not from drawn lines

    @property
    def ncols(self) -> int:
        return len(self.grid[0]) if self.grid else 0


def extract_tables(
    path: Path,
    *,
    doc_id: str,
    pages: list[Page],
    password: str | None = None,
    on_page: Callable[[int, int], None] | None = None,
    on_layout: Callable[[Any, int], None] | None = None,
    scanned: list[RawTable] | None = None,
) -> list[Table]:
    """All ruled tables of a PDF, in reading order, joined across page breaks, with exact cells;
    `on_page(done, total)` is called after each page (progress); `on_layout(page, number)` with each
    page searched, already laid out (`ingest.boxes` takes the text lines' positions from it).
    `scanned` are the tables OCR found on page images (`ingest.ocr_tables.raw_tables`), joined and
    parsed with the others.

    `pages` are `read_pdf`'s pages: pages without a text layer are skipped, and captions are taken
    in the same spelling as the page text.
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    path = Path(path)
    texts = {p.number: p.text for p in pages}
    raws: list[RawTable] = []
    try:
        pdf = _open(pdfplumber, path, password, PDFPasswordIncorrect)
        with pdf:
            total = len(pdf.pages)
            for number, page in enumerate(pdf.pages, start=1):
                has_text = number in texts and any(p.number == number and p.has_text_layer for p in pages)
                if (number not in texts or has_text) and not _too_complex(page):
                    raws += page_tables(page, number, texts.get(number, ""))
                    if on_layout is not None:
                        on_layout(page, number)
                page.close()  # release pdfplumber's per-page object cache (long documents)
                if on_page is not None:
                    on_page(number, total)
    except BadDocument:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise BadDocument(
            f"表格提取失败，文件可能已损坏（{damage_reason(exc)}）：{path.name} / "
            f"table extraction failed, the file may be damaged: {path.name}"
        ) from exc
    if scanned:  # stable: tables of one page keep their order
        raws = sorted(raws + scanned, key=lambda raw: raw.page)
    return build_tables(raws, doc_id=doc_id)


def _too_complex(page: Any) -> bool:
    """A page whose drawing instructions run to megabytes (millions of operators: a hostile file,
    or a huge vector drawing) is not searched for tables: pdfminer would take minutes on it. Its
    text still comes from `ingest.pdf`."""
    from pdfminer.pdftypes import resolve1

    size = 0
    try:
        for stream in page.page_obj.contents:
            size += len(resolve1(stream).get_data() or b"")
    except Exception:  # an unreadable stream: pdfplumber reports it, or finds nothing
        return False
    if size > MAX_TABLE_PAGE_BYTES:
        log.info("page %s: %d bytes of drawing instructions, not searched for tables", page.page_number, size)
        return True
    return False


def _open(pdfplumber: Any, path: Path, password: str | None, wrong_password: type[Exception]) -> Any:
    """pdfplumber's PDF, with the given password or else the empty user password."""
    last: Exception | None = None
    for candidate in dict.fromkeys([p for p in (password, "") if p is not None]):
        try:
            pdf = pdfplumber.open(path, password=candidate)
        except Exception as exc:  # pdfplumber wraps pdfminer's errors in PdfminerException
            if isinstance(exc, wrong_password) or any(isinstance(a, wrong_password) for a in exc.args):
                last = exc
                continue
            raise
        return pdf
    raise PasswordRequired(
        f"需要密码，或密码不正确：{path.name} / password required, or the password is wrong: {path.name}"
    ) from last


def _visible(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    """False for a character a reader cannot see (`ingest.visibility`'s rules as pdfplumber sees
    them: white or near-white fill, under 2 pt, outside the page)."""
    if obj.get("object_type") != "char":
        return True
    from ingest.visibility import MIN_FONT_PT, NEAR_WHITE

    if float(obj.get("size") or 0) < MIN_FONT_PT:
        return False
    colour = obj.get("non_stroking_color")
    values = colour if isinstance(colour, (list, tuple)) else (colour,)
    if values and all(isinstance(v, (int, float)) for v in values):
        rgb = values
        if len(values) == 4:  # CMYK
            c, m, y, k = values
            rgb = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
        if all(v >= 1 - NEAR_WHITE for v in rgb):
            return False
    x0, top, x1, bottom = box
    return (
        obj.get("x1", 0) > x0
        and obj.get("x0", 0) < x1
        and obj.get("bottom", 0) > top
        and obj.get("top", 0) < bottom
    )


def _lay_out_visible(page: Any) -> None:
    """Lay the page out as pdfplumber does, minus the characters drawn in render mode 3 (invisible)
    or 7 (clip only), which pdfminer reports like any other. pdfplumber reuses a `_layout` it finds."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class VisibleAggregator(PDFPageAggregatorWithMarkedContent):
        invisible = False

        def render_string(self, textstate: Any, seq: Any, ncs: Any, graphicstate: Any) -> None:
            self.invisible = getattr(textstate, "render", 0) in (3, 7)
            try:  # still rendered, so that the text position advances as it should
                super().render_string(textstate, seq, ncs, graphicstate)
            finally:
                self.invisible = False

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            advance = super().render_char(*args, **kwargs)
            if self.invisible and self.cur_item._objs:
                self.cur_item._objs.pop()
            return advance

    device = VisibleAggregator(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()


def visible_view(page: Any, *, laid_out: bool = False) -> Any:
    """The page (a `pdfplumber.page.Page`) laid out (unless `laid_out` says it already is) and
    filtered to what a reader can see."""
    if not laid_out:
        _lay_out_visible(page)
    box = tuple(page.bbox)
    return page.filter(lambda obj: _visible(obj, box))


def page_tables(page: Any, number: int, page_text: str = "") -> list[RawTable]:
    """The tables of one page (a `pdfplumber.page.Page`) as `RawTable`s: the ruled ones pdfplumber
    finds, and the unruled ones read from the words' positions (`ingest.tables_words`); characters
    a reader cannot see are left out."""
    from ingest.tables_words import word_tables

    page = visible_view(page)
    found: list[
        tuple[tuple[float, float, float, float], list[list[GridCell]], int | None]
    ] = []  # ruled: None
    for table in page.find_tables():
        grid = table_grid(table)
        if grid and len(grid[0]) >= 2 and len(grid) >= 2:
            found.append((tuple(table.bbox), grid, None))
    for words in word_tables(page, exclude=[box for box, _, _ in found], stop=_not_a_row):
        grid = [
            [GridCell(normalize_cell(text), text, origin, box) for text, box, origin in row]
            for row in words.rows
        ]
        found.append((words.bbox, grid, words.header_rows))
    found.sort(key=lambda f: (f[0][1], f[0][0]))
    out: list[RawTable] = []
    top = 0.0
    for i, (bbox, grid, header_rows) in enumerate(found):
        _, t_top, _, t_bottom = bbox
        above = _lines(page, top, t_top)
        below_limit = found[i + 1][0][1] if i + 1 < len(found) else page.height
        below = _lines(page, t_bottom, below_limit)
        caption, unit_line, other_above = caption_and_unit(above)
        raw = RawTable(
            page=number,
            grid=grid,
            caption=_as_in_page_text(caption, page_text),
            unit_line=_as_in_page_text(unit_line, page_text),
            text_above=other_above,
            text_below=any(not _is_page_furniture(ln) for ln in below),
        )
        raw.header_rows = header_row_count(grid) if header_rows is None else header_rows
        raw.from_words = header_rows is not None
        raw.row_pages = [number] * len(grid)
        out.append(raw)
        top = t_bottom
    return out


def _not_a_row(line: str) -> bool:
    """A caption or unit line, never a table's row or heading."""
    return bool(CAPTION_RE.match(line) or UNIT_LINE_RE.search(line))


def _lines(page: Any, top: float, bottom: float) -> list[str]:
    if bottom - top < 1:
        return []
    text = page.crop((0, max(0.0, top), page.width, min(page.height, bottom))).extract_text() or ""
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def _is_page_furniture(line: str) -> bool:
    from ingest.clean import is_page_number_line

    return is_page_number_line(line)


def caption_and_unit(lines_above: list[str]) -> tuple[str, str, bool]:
    """From the text lines above a table (top first): its caption, its unit line, and whether other
    text (not a caption, unit line or page number) is there at all."""
    caption = unit = ""
    for line in reversed(lines_above[-_CAPTION_LOOKBACK:]):
        if not unit and UNIT_LINE_RE.search(line):
            unit = line
        elif not caption and CAPTION_RE.match(line):
            caption = line
            inline_unit = re.search(r"[（(]?\s*单位\s*[：:][^）)]*[）)]?\s*$", caption)
            if inline_unit and not unit:
                unit = inline_unit.group(0).strip()
        if caption:
            break
    if not caption:  # "2019年“三公”经费支出与上年对比如下（单位：元）：": the sentence that introduces it
        intro = next((ln for ln in reversed(lines_above[-_CAPTION_LOOKBACK:]) if ln != unit), "")
        if re.search(r"(?:如下|见下表|下表|详见表)[^。；]{0,20}[：:]\s*$", intro):
            caption = re.split(r"[。；;]", intro.rstrip("：: "))[-1].strip()
            inline_unit = re.search(r"[（(]\s*单位\s*[：:][^）)]*[）)]\s*$", caption)
            if inline_unit:
                unit = unit or inline_unit.group(0).strip()
                caption = caption[: inline_unit.start()].strip()
            caption = re.sub(r"(?:如下表?|见下表|详见下表)$", "", caption).strip()
            caption = caption if len(caption) >= 4 else ""
            intro = intro if caption else ""
    other = any(
        ln not in (caption, unit) and not _is_page_furniture(ln) for ln in lines_above
    )  # text of the page above
    return caption, unit, other


def _as_in_page_text(line: str, page_text: str) -> str:
    """The same line as spelled in the cleaned page text (spacing may differ between extractors)."""
    if not line:
        return ""
    key = re.sub(r"\s+", "", line)
    for candidate in page_text.splitlines():
        if re.sub(r"\s+", "", candidate) == key:
            return candidate.strip()
    return re.sub(r"\s+", " ", line).strip()


def normalize_cell(raw: str | None) -> str:
    """One line per cell: a wrapped cell's lines joined without a space between CJK text,
    with one where a Latin letter or digit meets the break ("2018 年-2019\\n年均值")."""
    if not raw:
        return ""
    parts = [p.strip() for p in raw.splitlines() if p.strip()]
    out = ""
    for part in parts:
        if out and ((out[-1].isascii() and out[-1].isalnum()) or (part[0].isascii() and part[0].isalnum())):
            out += " "
        out += part
    return re.sub(r"[ \t\u3000]+", " ", out).strip()


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _EDGE_TOL:
            out.append(v)
    return out


def _span(edges: list[float], lo: float, hi: float) -> range:
    start = min(range(len(edges)), key=lambda i: abs(edges[i] - lo))
    end = min(range(len(edges)), key=lambda i: abs(edges[i] - hi))
    return range(start, max(end, start + 1))


def table_grid(table: Any) -> list[list[GridCell]]:
    """A pdfplumber table as a full grid, merged cells filled into every position they cover."""
    texts = table.extract()
    boxes: list[tuple[tuple[float, float, float, float], str]] = []
    for row, row_texts in zip(table.rows, texts, strict=False):
        for bbox, text in zip(row.cells, row_texts, strict=False):
            if bbox is not None:
                boxes.append((bbox, text or ""))
    if not boxes:
        return []
    xs = _edges([b[0] for b, _ in boxes] + [b[2] for b, _ in boxes])
    ys = _edges([b[1] for b, _ in boxes] + [b[3] for b, _ in boxes])
    nrows, ncols = len(ys) - 1, len(xs) - 1
    if nrows < 1 or ncols < 1:
        return []
    grid: list[list[GridCell | None]] = [[None] * ncols for _ in range(nrows)]
    for (x0, top, x1, bottom), raw in boxes:
        rows, cols = _span(ys, top, bottom), _span(xs, x0, x1)
        text = normalize_cell(raw)
        for r in rows:
            for c in cols:
                if grid[r][c] is None:
                    grid[r][c] = GridCell(
                        text, raw.strip(), origin=(r == rows[0] and c == cols[0]), bbox=(x0, top, x1, bottom)
                    )
    return [[cell or GridCell("", "", True) for cell in row] for row in grid]


def _numeric(cell: GridCell) -> bool:
    return parse_number(cell.raw) is not None


def header_row_count(grid: list[list[GridCell]]) -> int:
    """Leading rows with no number outside the first column are header rows (at least 1, at most 4)."""
    for i, row in enumerate(grid):
        if any(_numeric(c) for c in row[1:]):
            return max(1, min(i, 4))
    return 1


def _label_columns(body: list[list[GridCell]], header: list[list[GridCell]], ncols: int) -> int:
    """How many leading columns hold row labels: those with no number in any body row (a leading
    serial-number column, 序号, counts as a label column too)."""
    n = 0
    for c in range(ncols - 1):
        serial = c == 0 and bool(header) and re.sub(r"\s+", "", header[0][0].text) in _SERIAL_HEADERS
        if not serial and any(_numeric(row[c]) for row in body):
            break
        n += 1
    return max(n, 1)


def _same_header(a: list[list[GridCell]], b: list[list[GridCell]]) -> bool:
    def key(rows: list[list[GridCell]]) -> list[list[str]]:
        return [[re.sub(r"\s+", "", c.text) for c in row] for row in rows]

    return len(a) == len(b) and key(a) == key(b)


def _continues(prev: RawTable, last_piece: RawTable, nxt: RawTable) -> bool:
    """Is `nxt` (the first table on its page) the continuation of `prev`, whose last piece
    `last_piece` is the last table on the page before?"""
    if nxt.page != last_piece.page + 1 or nxt.ncols != prev.ncols or nxt.caption:
        return False
    return _repeats_header(prev, nxt) or (not nxt.text_above and not last_piece.text_below)


def _repeats_header(prev: RawTable, nxt: RawTable) -> bool:
    return _same_header(prev.grid[: prev.header_rows], nxt.grid[: prev.header_rows])


def join_continued(raws: list[RawTable]) -> list[RawTable]:
    """Merge tables continued over page breaks; repeated header rows are dropped; every row keeps
    the page it is printed on (`row_pages`)."""
    out: list[RawTable] = []
    for k, raw in enumerate(raws):
        before = raws[k - 1] if k else None
        if out and before is not None and before.page < raw.page and _continues(out[-1], before, raw):
            prev = out[-1]
            skip = prev.header_rows if _repeats_header(prev, raw) else 0
            prev.grid = prev.grid + raw.grid[skip:]
            prev.row_pages = prev.row_pages + raw.row_pages[skip:]
            continue
        out.append(RawTable(**{**raw.__dict__, "grid": list(raw.grid), "row_pages": list(raw.row_pages)}))
    return out


def build_tables(raws: list[RawTable], *, doc_id: str) -> list[Table]:
    """Join continued tables and turn each into a `Table` with header paths and parsed cells. An
    unruled table with no heading of its own is kept only as the continuation of a table above it:
    alone, nothing says what its columns measure."""
    joined = [r for r in join_continued(raws) if not (r.from_words and r.header_rows == 0)]
    return [to_table(raw, doc_id=doc_id, index=i) for i, raw in enumerate(joined)]


def _column_path(header: list[list[GridCell]], col: int) -> tuple[str, ...]:
    path: list[str] = []
    for row in header:
        text = row[col].text
        if text and (not path or path[-1] != text):
            path.append(text)
    return tuple(path)


def to_table(raw: RawTable, *, doc_id: str, index: int) -> Table:
    header = raw.grid[: raw.header_rows]
    body = raw.grid[raw.header_rows :]
    body_pages = raw.row_pages[raw.header_rows :]
    ncols = raw.ncols
    labels = _label_columns(body, header, ncols)
    units = units_of_unit_line(raw.unit_line)
    col_paths = [_column_path(header, c) for c in range(ncols)]
    rows: list[list[str]] = []
    cells: list[Cell] = []
    for r, (row, page) in enumerate(zip(body, body_pages, strict=True)):
        texts = [cell.text if (c < labels or cell.origin) else "" for c, cell in enumerate(row)]
        rows.append(texts)
        row_header = tuple(t for t in texts[:labels] if t)
        for c in range(labels, ncols):
            cell = row[c]
            if not cell.origin:
                continue
            parsed = parse_number(cell.raw)
            value = parsed.value if parsed else None
            is_percent = bool(parsed and parsed.is_percent)
            unit = ""
            if parsed is not None or is_empty_mark(cell.raw):
                unit = cell_unit(parsed, row_header, col_paths[c], units)
            cells.append(
                Cell(
                    row_index=r,
                    col_index=c,
                    row_header=row_header,
                    col_header=col_paths[c],
                    raw=cell.raw,
                    value=value,
                    unit=unit,
                    page=page,
                    is_percent=is_percent,
                    box=cell.bbox,
                )
            )
    pages = sorted(set(raw.row_pages))
    return Table(
        id=f"{doc_id}:t{index:02d}",
        doc_id=doc_id,
        index=index,
        caption=raw.caption,
        unit_line=raw.unit_line,
        pages=pages,
        header=[[cell.text for cell in row] for row in header],
        rows=rows,
        cells=cells,
    )


def cell_unit(parsed: Any, row_header: tuple[str, ...], col_path: tuple[str, ...], units: list[str]) -> str:
    """A value cell's unit, most specific source first: percent sign, the cell's own suffix, the row
    label ("接听量（万次）"), the column header ("金额（万元）"), the unit line (per column)."""
    if parsed is not None and parsed.is_percent:
        return "%"
    if parsed is not None and parsed.unit:
        return str(parsed.unit)
    for label in reversed(row_header):
        if unit := unit_in_label(label):
            return unit
    for label in reversed(col_path):
        if unit := unit_in_label(label):
            return unit
    unit = unit_for_header(" ".join(col_path), units)
    if not unit and any(re.sub(r"\s+", "", label) in _SCORE_LABELS for label in (*row_header, *col_path)):
        unit = "分"  # a score row or column ("分值", "得分") with no unit line
    column = re.sub(r"\s+", "", col_path[-1]) if col_path else ""
    if unit in _MONEY_UNITS and column.endswith(_SCORE_LABELS):
        unit = "分"  # "自评分数" under "单位：亿元": the money unit is the table's amounts', not its scores'
    return unit
