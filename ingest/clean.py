"""Page text cleaning: from positioned text runs to clean page text. Pure (no I/O).

`ingest.pdf` turns each PDF page into `Line`s (text runs with position, font size and font name);
this module
- strips running footers/headers (`— 2 —`, `第 2 页`, `2/8`, lines repeated at the top or bottom of
  most pages),
- joins the visual lines of a paragraph into one line: a line continues the paragraph above when it
  is in the same font and size, starts at the left margin and is not a heading, caption, note or
  unit line; in documents that indent first lines that is enough, otherwise the line above must also
  stop mid-sentence,
- writes tabular lines (runs separated by wide gaps) with TABs between the cells,
- keeps every character as printed: full-width punctuation, superscripts (¹²³⁴), `％`.

The page text keeps one paragraph / table row / heading per line, like `tests/fixtures/reference.txt`.
Paragraphs broken by a page break stay on their own pages (citations need the page); the chunker
joins them (`ingest.structure.parse_blocks`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

# Footers/headers that are only a page number: "— 2 —", "- 2 -", "第 2 页", "第2页 共8页", "2 / 8", "2".
_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[—–\-－~～·•]+\s*[0-9０-９]{1,4}\s*[—–\-－~～·•]+"
    r"|第\s*[0-9０-９]{1,4}\s*页(?:\s*[，,/]?\s*共\s*[0-9０-９]{1,4}\s*页)?"
    r"|[0-9０-９]{1,4}\s*[/／]\s*[0-9０-９]{1,4}"
    r"|[0-9０-９]{1,4}"
    r"|[Pp]age\s*[0-9]{1,4}(?:\s*of\s*[0-9]{1,4})?)\s*$"
)

# Lines that always begin a new block, whatever the layout says.
BLOCK_START_RE = re.compile(
    r"^\s*(?:"
    r"(?:续)?表\s*[0-9０-９]+(?:\s*[-－—]\s*[0-9０-９]+)?(?:\s|[：:]|(?!所示|中|的|为|可见|显示|列示|反映)[\u4e00-\u9fff])"
    r"|注\s*[0-9０-９¹²³⁴⁵⁶⁷⁸⁹⁰]*\s*[：:]"  # 注¹：
    r"|单位\s*[：:]"  # 单位：万元
    r")"
)
# Heading numbers: they begin a new block unless the text before stops mid-sentence (an inline
# enumeration "…包括：（1）…，（2）…" can put "（2）" at the start of a printed line).
NUMBERED_RE = re.compile(
    r"^\s*(?:"
    r"[一二三四五六七八九十百]+、"  # 一、
    r"|[（(][一二三四五六七八九十]+[）)]"  # （一）
    r"|[0-9０-９]{1,2}\s*[.．、](?![0-9０-９])"  # 1.  1．  1、
    r"|[（(][0-9０-９]{1,2}[）)]"  # （1） (1)
    r"|第[一二三四五六七八九十百零〇0-9]+[章节条]"  # 第一章 第一条
    r")"
)
_HEADING_MAX = 40

_HEADING_SIZE_FACTOR = 1.15  # a line this much larger than body text is a title/heading line


@dataclass(frozen=True)
class Run:
    """A piece of text drawn at one position. `x`, `y` in PDF points (y grows upwards)."""

    text: str
    x: float
    y: float
    size: float
    font: str = ""


@dataclass
class Line:
    """One visual line of a page, as the PDF's text extraction emits it."""

    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def _ink(self) -> list[Run]:
        return [r for r in self.runs if r.text.strip()]

    @property
    def x0(self) -> float:
        ink = self._ink
        return ink[0].x if ink else 0.0

    @property
    def y(self) -> float:
        ink = self._ink
        return ink[0].y if ink else 0.0

    @property
    def size(self) -> float:
        return _dominant([(round(r.size, 1), len(r.text.strip())) for r in self._ink], 0.0)

    @property
    def font(self) -> str:
        return _dominant([(r.font, len(r.text.strip())) for r in self._ink], "")

    def cells(self) -> list[str]:
        """The line's text split at wide horizontal gaps (table cells); one item for prose."""
        out: list[str] = []
        prev: Run | None = None
        for run in self._ink:
            if prev is not None and not _gap_between(prev, run):
                out[-1] += run.text  # word spaces come as their own whitespace runs
            else:
                out.append(run.text)
            prev = run
        return [c.strip() for c in out]

    @property
    def is_tabular(self) -> bool:
        return len(self.cells()) > 1


def _dominant(weighted: list[tuple[T, int]], default: T) -> T:
    counts: Counter[T] = Counter()
    for value, weight in weighted:
        counts[value] += max(weight, 1)
    return counts.most_common(1)[0][0] if counts else default


def text_width(text: str, size: float) -> float:
    """Approximate advance width: full-width (CJK) characters 1 em, the rest half an em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.5 for ch in text)


def _gap_between(a: Run, b: Run) -> bool:
    """True when run b starts far right of where run a ends (a table cell boundary), or on another
    baseline (a wrapped cell's next text in content order)."""
    if abs(a.y - b.y) > 0.5 * max(a.size, b.size):
        return True
    return b.x - (a.x + text_width(a.text.rstrip(), a.size)) > 1.6 * max(a.size, b.size)


@dataclass(frozen=True)
class Layout:
    """Document-wide typography: body font size, left text edge, first-line indentation in use."""

    body_size: float
    left: float
    indented_paragraphs: bool = False
    line_ems: float = 0.0  # width of a full body line, in ems (characters of body text)

    @classmethod
    def of(cls, pages: list[list[Line]]) -> Layout:
        lines = [ln for page in pages for ln in page if ln.text.strip()]
        if not lines:
            return cls(body_size=12.0, left=0.0)
        body_size = _dominant([(ln.size, len(ln.text)) for ln in lines], 12.0)
        body = [ln for ln in lines if abs(ln.size - body_size) < 0.3 and not ln.is_tabular]
        left = _dominant([(float(round(ln.x0)), 1) for ln in body], 0.0)
        # First-line indentation (2 em in Chinese documents) marks paragraph starts, when used.
        indented = [ln for ln in body if abs(ln.x0 - left - 2 * body_size) < 0.5 * body_size]
        widths = sorted(text_width(ln.text.strip(), 1.0) for ln in body)
        return cls(
            body_size=body_size,
            left=float(left),
            line_ems=widths[int(len(widths) * 0.9)] if widths else 0.0,
            indented_paragraphs=len(indented) >= max(3, len(body) // 20),
        )


def is_page_number_line(text: str) -> bool:
    return bool(_PAGE_NUMBER_RE.match(text)) and bool(text.strip())


def strip_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop footers/headers: page-number lines among the top or bottom two lines of a page, and a
    short line repeated (its one number ignored) as the very first, or the very last, line of at
    least half the pages (and at least 3)."""

    def key(line: Line) -> str:
        text = re.sub(r"\s+", "", line.text)
        # A page number inside a running line ("某某报告 第3页") differs per page: mask one number.
        return re.sub(r"[0-9０-９]+", "#", text) if len(re.findall(r"[0-9０-９]+", text)) == 1 else text

    def by_y(page: list[Line]) -> list[Line]:
        return sorted((ln for ln in page if ln.text.strip()), key=lambda ln: -ln.y)  # top first

    repeated: dict[str, set[str]] = {"top": set(), "bottom": set()}
    if len(pages) >= 3:
        need = max(3, (len(pages) + 1) // 2)
        for edge, pick in (("top", 0), ("bottom", -1)):
            counts = Counter(
                key(lines[pick])
                for lines in map(by_y, pages)
                if lines and len(lines[pick].text.strip()) <= 40
            )
            repeated[edge] = {k for k, n in counts.items() if n >= need and k}
    out = []
    for page in pages:
        ordered = by_y(page)
        drop = {id(ln) for ln in ordered[:2] + ordered[-2:] if is_page_number_line(ln.text)}
        if ordered and key(ordered[0]) in repeated["top"]:
            drop.add(id(ordered[0]))
        if ordered and key(ordered[-1]) in repeated["bottom"]:
            drop.add(id(ordered[-1]))
        out.append([ln for ln in page if ln.text.strip() and id(ln) not in drop])
    return out


def strip_repeated_table_headers(pages: list[list[Line]], layout: Layout) -> list[list[Line]]:
    """Drop a table's header lines repeated at the top of the next page (a table continued over a
    page break): the first lines of a page that repeat, in order, lines of the previous page and are
    table-like (tabular, or smaller than body text)."""

    def key(line: Line) -> str:
        return re.sub(r"\s+", "", line.text)

    def table_like(line: Line) -> bool:
        return line.is_tabular or line.size < layout.body_size - 0.3

    out = [list(pages[0])] if pages else []
    for prev, page in itertools.pairwise(pages):
        prev_keys = [key(ln) for ln in prev]
        drop = 0
        for start in range(len(prev_keys)):
            n = 0
            while (
                n < len(page)
                and start + n < len(prev_keys)
                and key(page[n]) == prev_keys[start + n]
                and table_like(page[n])
            ):
                n += 1
            drop = max(drop, n)
        out.append(page[drop:])
    return out


def _join(a: str, b: str) -> str:
    """Join two pieces of one paragraph: no space between CJK text, keep a space the PDF had."""
    had_space = a[-1:].isspace() or b[:1].isspace()
    a, b = a.rstrip(), b.lstrip()
    if not a or not b:
        return a + b
    ascii_pair = a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum()
    return a + (" " if had_space or ascii_pair else "") + b


def _line_text(line: Line) -> str:
    cells = line.cells()
    return "\t".join(cells) if len(cells) > 1 else line.text.lstrip()


def page_blocks(lines: list[Line], layout: Layout) -> list[str]:
    """One string per paragraph, heading, note, caption or table row, in reading order."""
    blocks: list[str] = []
    prev: Line | None = None
    for line in lines:
        if not line.text.strip():
            continue
        if prev is not None and _continues(prev, line, layout, blocks[-1]):
            blocks[-1] = _join(blocks[-1], line.text)
        else:
            blocks.append(_line_text(line))
        prev = line
    return [b.strip() for b in blocks if b.strip()]


def _is_heading(block: str, layout: Layout) -> bool:
    """A numbered line with no sentence end that stops well short of a full line: a heading."""
    text = block.strip()
    short = not layout.line_ems or text_width(text, 1.0) < 0.8 * layout.line_ems
    return (
        bool(NUMBERED_RE.match(text))
        and short
        and len(text) <= _HEADING_MAX
        and not re.search(r"[。；;！？!?]", text)
    )


def _continues(prev: Line, line: Line, layout: Layout, block: str) -> bool:
    """Does `line` continue `block`, whose last line is `prev`?"""
    tol = 0.5 * layout.body_size
    if prev.is_tabular or line.is_tabular:
        return False
    if abs(prev.size - line.size) > 0.3 or prev.font != line.font:
        return False
    if prev.size > layout.body_size * _HEADING_SIZE_FACTOR:
        return True  # a title wrapped over several lines (often centred)
    if BLOCK_START_RE.match(line.text):
        return False
    if _is_heading(block, layout):
        return False  # a heading is one line; what follows is its body
    if NUMBERED_RE.match(line.text) and _ends_sentence(block):
        return False
    if abs(line.x0 - layout.left) > tol:
        return False  # indented (a paragraph's first line) or centred (caption, unit line)
    if layout.indented_paragraphs:
        return True  # paragraphs start indented: a line at the margin continues the one before
    # Without indentation, a paragraph goes on while its line stops mid-sentence. (Where the right
    # edge is is no help: justified lines run wider than any width estimate without glyph metrics.)
    return not _ends_sentence(prev.text)


def _ends_sentence(text: str) -> bool:
    t = text.rstrip().rstrip("”’」』）)》")
    return not t or t[-1] in "。！？!?；;：:…"


def page_text(lines: list[Line], layout: Layout) -> str:
    return "\n".join(page_blocks(lines, layout))


def title_lines(lines: list[Line], layout: Layout) -> list[Line]:
    """The lines at the top of a page set larger than body text (a document title), possibly none."""
    out: list[Line] = []
    for line in lines:
        if not line.text.strip():
            continue
        if line.size > layout.body_size * _HEADING_SIZE_FACTOR:
            if out and abs(out[-1].size - line.size) > 0.3:
                break
            out.append(line)
        elif out or len(line.text.strip()) > 2:
            break
    return out


def normalize_title(text: str) -> str:
    """Collapse whitespace, and drop spaces between CJK and digits ("2020 年" -> "2020年")."""
    text = re.sub(r"\s+", " ", text).strip()
    cjk = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
    text = re.sub(rf"(?<=[0-9A-Za-z]) (?={cjk})", "", text)
    text = re.sub(rf"(?<={cjk}) (?=[0-9A-Za-z])", "", text)
    return re.sub(rf"(?<={cjk}) (?={cjk})", "", text)
