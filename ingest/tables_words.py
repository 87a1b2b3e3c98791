"""Tables without rules, read from where the page's words stand.

pdfplumber's ruling strategy finds a table only where lines are drawn. A table printed without
rules (or with horizontal rules only, or a frame but no column lines) is, on the page, rows of words
that leave the same vertical gaps free on every row. This module finds such tables among the words
a ruled table does not already hold, learning everything from the page itself:

- a *segment* is a run of words on one line whose gaps are narrower than half a character of their
  own type size (the spaces of running text); wider gaps separate cells;
- *value rows* are lines of two or more segments with a number after the first; consecutive such
  lines (with up to two label-only, wrapped or merged-label lines between two of them) make a
  candidate block;
- the block's *columns* are the x-ranges its value rows' segments cover, merged where they
  overlap; a block whose rows put two segments in one column, or fewer than two columns, or whose
  value cells are mostly not numbers, is no table (ordinary paragraphs are one segment a line and
  never qualify);
- lines just above the first value row whose segments sit within the columns are the header: a
  segment over one column names it (a wrapped heading is joined), a segment above the headings of
  several columns (a spanning `预算数` over `年初预算 | 调整预算`) is their upper level;
- a line without numbers between value rows is a row of its own when it is as far from its
  neighbours as value rows are from each other; otherwise each of its segments is the wrapped rest
  of the nearer row's cell in that column, or, where the rows around it leave that column empty, a
  label merged over several rows (centred on them), given to each row it stands beside.

Cell text is the characters as printed (pdfplumber), so decimals stay exact.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from ingest._word_layout import (
    Box,
    Line,
    Segment,
    Spot,
    band_of,
    body_grid,
    gap,
    header_grid,
    is_value,
    is_value_row,
    merge_ranges,
    row_gap,
)
from ingest.numbers import is_empty_mark

_SPACE_EM = 0.5  # a gap narrower than this share of the type size is a space inside a cell
_LINE_EM = 0.5  # words whose tops differ by less than this share of their size are on one line
_MAX_HEADER_LINES = 4
_MAX_TRIES = 40  # shorter runs tried when a block is no table (bounds the work on a long page)
_MAX_BETWEEN = 2  # lines without figures between two value rows of one table (wrapped or merged labels)
_SIZE_SHARE = 0.15  # a heading's type size differs from the rows' by less than this share
_LEADERS = re.compile(r"^[.·…‥_\-—－]{3,}$")  # dot leaders of a table of contents


@dataclass
class WordTable:
    """One table read from word positions: the full grid (header rows first), its header row count,
    and its box on the page."""

    rows: list[list[Spot]]  # (text, box, origin)
    header_rows: int
    bbox: Box
    bands: list[tuple[float, float]] = field(default_factory=list)


def _words(page: Any, exclude: list[Box]) -> list[dict[str, Any]]:
    out = []
    for w in page.extract_words(extra_attrs=["size"]):
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        if any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in exclude):
            continue
        out.append(w)
    return out


def page_lines(words: list[dict[str, Any]]) -> list[Line]:
    """The words as lines (top to bottom), each cut into segments at gaps wider than a space."""
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        size = float(w.get("size") or (w["bottom"] - w["top"]))
        if lines and abs(w["top"] - lines[-1][0]["top"]) < _LINE_EM * size:
            lines[-1].append(w)
        else:
            lines.append([w])
    out: list[Line] = []
    for ws in lines:
        ws.sort(key=lambda w: w["x0"])
        segments: list[Segment] = []
        for w in ws:
            size = float(w.get("size") or (w["bottom"] - w["top"]))
            last = segments[-1] if segments else None
            if last is not None and w["x0"] - last.x1 < _SPACE_EM * min(size, last.size):
                joiner = " " if (last.text[-1].isascii() and w["text"][0].isascii()) else ""
                last.text += joiner + w["text"]
                last.x1 = max(last.x1, w["x1"])
                last.top, last.bottom = min(last.top, w["top"]), max(last.bottom, w["bottom"])
            else:
                segments.append(Segment(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], size))
        segments = [s for s in segments if not _LEADERS.match(s.text)]
        if segments:
            out.append(Line(segments, min(s.top for s in segments), max(s.bottom for s in segments)))
    return out


def _columns(value_rows: list[Line], body: list[Line]) -> list[tuple[float, float]]:
    """The x-ranges the value rows' segments cover, merged where they overlap. In a table of three
    or more rows, a range that only one line of the block has words in is no column (a label
    centred over several columns, e.g. 合计 over the three label columns of a score table); a
    column of merged labels (一级指标 centred over their rows, on lines of their own) is one."""
    bands = merge_ranges([(s.x0, s.x1) for ln in value_rows for s in ln.segments])
    if len(value_rows) < 3:
        return bands
    keep = []
    for lo, hi in bands:
        inside = [(k, s) for k, ln in enumerate(body) for s in ln.segments if s.x0 < hi and s.x1 > lo]
        if len({k for k, _ in inside}) >= 2 or any(is_value(s.text) for _, s in inside):
            keep.append((lo, hi))
    return keep


def word_tables(
    page: Any,
    *,
    exclude: list[Box] | None = None,
    stop: Any = None,
) -> list[WordTable]:
    """The unruled tables of a page (a `pdfplumber` page, already filtered to what a reader sees),
    top to bottom. `exclude`: boxes of tables already read (their words are left out); `stop(text)`:
    True for a line that cannot be part of a table (a caption or unit line)."""
    lines = page_lines(_words(page, exclude or []))
    out: list[WordTable] = []
    i = 0
    while i < len(lines):
        if not is_value_row(lines[i]) or (stop is not None and stop(lines[i].text)):
            i += 1
            continue
        j = i  # the block: value rows with at most two lines of other text between two of them
        k = i + 1
        while k < len(lines) and not (stop is not None and stop(lines[k].text)):
            ahead = next(
                (
                    q
                    for q in range(k, min(k + _MAX_BETWEEN + 1, len(lines)))
                    if is_value_row(lines[q]) or (stop is not None and stop(lines[q].text))
                ),
                None,
            )
            if ahead is None or (stop is not None and stop(lines[ahead].text)):
                break
            j = k = ahead
            k += 1
        # the longest run from here that is a table (a block may reach into text after the table:
        # a sentence whose figures happen to leave wide gaps)
        ends = [q for q in range(j, i - 1, -1) if is_value_row(lines[q])][:_MAX_TRIES]
        table = None
        for end in ends:
            table = _block_table(lines, i, end, stop)
            if table is not None:
                out.append(table)
                i = end + 1
                break
        if table is None:
            i += 1
    return out


def _block_table(lines: list[Line], first: int, last: int, stop: Any) -> WordTable | None:
    body = lines[first : last + 1]
    value_rows = [ln for ln in body if is_value_row(ln)]
    bands = _columns(value_rows, body)
    if len(bands) < 2:
        return None
    for ln in value_rows:
        seen = [band_of(s, bands, nearest=True) for s in ln.segments]
        if None in seen or len(set(seen)) != len(seen):
            return None  # two cells of a row in one column: the columns do not line up
    values = [s for ln in value_rows for s in ln.segments if band_of(s, bands, nearest=True) != 0]
    numeric = sum(is_value(s.text) or is_empty_mark(s.text) for s in values)
    if numeric * 2 < len(values):
        return None  # mostly words beside the first column: a layout of text, not a table of figures
    for ln in body:
        if ln not in value_rows and any(band_of(s, bands, nearest=True) is None for s in ln.segments):
            return None  # a line between the rows that crosses the columns: running text
    header = _header_lines(lines, first, bands, body, stop)
    head_grid = header_grid(header, bands) if header else []
    if head_grid is None:
        return None  # headings that do not line up with the columns: the columns are not known
    if not header and (len(value_rows) < 2 or len(bands) < 3):
        return None  # one row, or two columns, with no heading: a list (of pages, of items), not a table
    rows = head_grid + body_grid(body, bands)
    x0 = min(lo for lo, _ in bands)
    x1 = max(hi for _, hi in bands)
    top = (header[0] if header else body[0]).top
    return WordTable(rows, len(head_grid), (x0, top, x1, body[-1].bottom), bands)


def _header_lines(
    lines: list[Line], first: int, bands: list[tuple[float, float]], body: list[Line], stop: Any
) -> list[Line]:
    """The lines just above the first value row that head the columns (top first)."""
    size = statistics.median(s.size for ln in body for s in ln.segments)
    limit = max(row_gap(body), size) * 1.5
    lo, hi = bands[0][0], bands[-1][1]
    pitch = (hi - lo) / (len(bands) - 1)  # a column's width, on average
    out: list[Line] = []
    below = lines[first]
    for k in range(first - 1, max(-1, first - 1 - _MAX_HEADER_LINES), -1):
        line = lines[k]
        if (stop is not None and stop(line.text)) or gap(line, below) > limit:
            break
        if any(abs(s.size - size) > size * _SIZE_SHARE for s in line.segments):
            break  # another type size than the table's: the page's text
        if any(s.center < lo - pitch or s.center > hi + pitch for s in line.segments):
            break  # beside the table's columns
        if any(is_value(s.text) for s in line.segments):
            break
        if len(line.segments) == 1 and (
            band_of(line.segments[0], bands) == 0 or line.segments[0].x1 - line.segments[0].x0 > (hi - lo) / 2
        ):
            break  # one piece of text over the label column, or over half the table: a sentence
        out.insert(0, line)
        below = line
    return out
