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
from itertools import pairwise
from typing import Any

from ingest.numbers import is_empty_mark, parse_number

_SPACE_EM = 0.5  # a gap narrower than this share of the type size is a space inside a cell
_LINE_EM = 0.5  # words whose tops differ by less than this share of their size are on one line
_WRAP_SHARE = 0.6  # a line closer to a row than this share of the gap between rows wraps into it
_MAX_HEADER_LINES = 4
_MAX_TRIES = 40  # shorter runs tried when a block is no table (bounds the work on a long page)
_MAX_BETWEEN = 2  # lines without figures between two value rows of one table (wrapped or merged labels)
_SIZE_SHARE = 0.15  # a heading's type size differs from the rows' by less than this share
_LEADERS = re.compile(r"^[.·…‥_\-—－]{3,}$")  # dot leaders of a table of contents


@dataclass
class Segment:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Line:
    segments: list[Segment]
    top: float
    bottom: float

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


Box = tuple[float, float, float, float]
Spot = tuple[str, Box | None, bool]  # a grid position: text, box, whether the cell starts here


@dataclass
class WordTable:
    """One table read from word positions: the full grid (header rows first), its header row count,
    and its box on the page."""

    rows: list[list[Spot]]  # (text, box, origin)
    header_rows: int
    bbox: Box
    bands: list[tuple[float, float]] = field(default_factory=list)


def is_value(text: str) -> bool:
    return parse_number(text) is not None


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


def _is_value_row(line: Line) -> bool:
    return len(line.segments) >= 2 and any(is_value(s.text) for s in line.segments[1:])


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _band_of(seg: Segment, bands: list[tuple[float, float]], *, nearest: bool = False) -> int | None:
    """The band a segment overlaps; None when it crosses the gap between two. With `nearest`, a
    label in no band (a word centred over several columns, like a 合计 over three) goes to the
    nearest band; a number never does."""
    hits = [i for i, (lo, hi) in enumerate(bands) if seg.x0 < hi and seg.x1 > lo]
    if len(hits) == 1:
        return hits[0]
    if hits or not nearest or is_value(seg.text):
        return None
    return min(range(len(bands)), key=lambda i: max(bands[i][0] - seg.x1, seg.x0 - bands[i][1]))


def _columns(value_rows: list[Line]) -> list[tuple[float, float]]:
    """The x-ranges the value rows' segments cover, merged where they overlap. In a table of three
    or more rows, a range only one row's label covers is no column (a label centred over several
    columns, e.g. 合计 over the three label columns of a score table)."""
    bands = _merge([(s.x0, s.x1) for ln in value_rows for s in ln.segments])
    if len(value_rows) < 3:
        return bands
    keep = []
    for lo, hi in bands:
        inside = [(k, s) for k, ln in enumerate(value_rows) for s in ln.segments if s.x0 < hi and s.x1 > lo]
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
        if not _is_value_row(lines[i]) or (stop is not None and stop(lines[i].text)):
            i += 1
            continue
        j = i  # the block: value rows with at most two lines of other text between two of them
        k = i + 1
        while k < len(lines) and not (stop is not None and stop(lines[k].text)):
            ahead = next(
                (
                    q
                    for q in range(k, min(k + _MAX_BETWEEN + 1, len(lines)))
                    if _is_value_row(lines[q]) or (stop is not None and stop(lines[q].text))
                ),
                None,
            )
            if ahead is None or (stop is not None and stop(lines[ahead].text)):
                break
            j = k = ahead
            k += 1
        # the longest run from here that is a table (a block may reach into text after the table:
        # a sentence whose figures happen to leave wide gaps)
        ends = [q for q in range(j, i - 1, -1) if _is_value_row(lines[q])][:_MAX_TRIES]
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
    value_rows = [ln for ln in body if _is_value_row(ln)]
    bands = _columns(value_rows)
    if len(bands) < 2:
        return None
    for ln in value_rows:
        seen = [_band_of(s, bands, nearest=True) for s in ln.segments]
        if None in seen or len(set(seen)) != len(seen):
            return None  # two cells of a row in one column: the columns do not line up
    values = [s for ln in value_rows for s in ln.segments if _band_of(s, bands, nearest=True) != 0]
    numeric = sum(is_value(s.text) or is_empty_mark(s.text) for s in values)
    if numeric * 2 < len(values):
        return None  # mostly words beside the first column: a layout of text, not a table of figures
    for ln in body:
        if ln not in value_rows and any(_band_of(s, bands, nearest=True) is None for s in ln.segments):
            return None  # a line between the rows that crosses the columns: running text
    header = _header_lines(lines, first, bands, body, stop)
    head_grid = _header_grid(header, bands) if header else []
    if head_grid is None:  # headings that do not line up with the columns
        head_grid, header = [], []
    if not header and (len(value_rows) < 2 or len(bands) < 3):
        return None  # one row, or two columns, with no heading: a list (of pages, of items), not a table
    body_grid = _body_grid(body, bands)
    rows = head_grid + body_grid
    x0 = min(lo for lo, _ in bands)
    x1 = max(hi for _, hi in bands)
    top = (header[0] if header else body[0]).top
    return WordTable(rows, len(head_grid), (x0, top, x1, body[-1].bottom), bands)


def _gap(upper: Line, lower: Line) -> float:
    return lower.top - upper.bottom


def _row_gap(body: list[Line]) -> float:
    """The usual whitespace between two rows: between consecutive value rows."""
    gaps = [_gap(a, b) for a, b in pairwise(body) if _is_value_row(a) and _is_value_row(b)]
    return statistics.median(gaps) if gaps else 0.0


def _header_lines(
    lines: list[Line], first: int, bands: list[tuple[float, float]], body: list[Line], stop: Any
) -> list[Line]:
    """The lines just above the first value row that head the columns (top first)."""
    row_gap = _row_gap(body)
    size = statistics.median(s.size for ln in body for s in ln.segments)
    limit = max(row_gap, size) * 1.5
    lo, hi = bands[0][0], bands[-1][1]
    pitch = (hi - lo) / (len(bands) - 1)  # a column's width, on average
    out: list[Line] = []
    below = lines[first]
    for k in range(first - 1, max(-1, first - 1 - _MAX_HEADER_LINES), -1):
        line = lines[k]
        if (stop is not None and stop(line.text)) or _gap(line, below) > limit:
            break
        if any(abs(s.size - size) > size * _SIZE_SHARE for s in line.segments):
            break  # another type size than the table's: the page's text
        if any(s.center < lo - pitch or s.center > hi + pitch for s in line.segments):
            break  # beside the table's columns
        if any(is_value(s.text) for s in line.segments):
            break
        if len(line.segments) == 1 and (
            _band_of(line.segments[0], bands) == 0
            or line.segments[0].x1 - line.segments[0].x0 > (hi - lo) / 2
        ):
            break  # one piece of text over the label column, or over half the table: a sentence
        out.insert(0, line)
        below = line
    return out


def _header_grid(header: list[Line], bands: list[tuple[float, float]]) -> list[list[Spot]] | None:
    """Header rows as grid rows, or None when the headings do not line up with the columns.

    A heading printed above two headings that flank it (`预算数` over `年初预算 | 调整预算`) is an
    upper level spanning their columns; the other headings name one column each (lines of one
    heading that overlap are one wrapped heading), left to right. When there are as many of them as
    columns they are the columns' names in order; fewer are placed on the column they overlap."""
    n = len(bands)
    segments = [s for ln in header for s in ln.segments]
    spanning = [s for s in segments if _straddles(s, segments)]
    leaves = [s for s in segments if not any(s is t for t in spanning)]
    groups: list[list[Segment]] = []
    for s in sorted(leaves, key=lambda s: s.x0):
        if groups and s.x0 < max(t.x1 for t in groups[-1]):
            groups[-1].append(s)
        else:
            groups.append([s])
    if len(groups) > n:
        return None
    names: dict[int, list[Segment]] = {}
    if len(groups) == n:
        names = dict(enumerate(groups))
    else:
        for group in groups:
            box = _box(group)
            assert box is not None
            b = _band_of(Segment("", box[0], box[2], box[1], box[3], 0), bands)
            if b is None or b in names:
                return None
            names[b] = group
    anchors = [_center(names[b]) if b in names else (bands[b][0] + bands[b][1]) / 2 for b in range(n)]
    spans = [(s, *_nearest_run(s.center, anchors)) for s in spanning]
    levels = sorted({round(s.top) for s, _, _ in spans})
    grid: list[list[tuple[Spot, bool]]] = []  # (cell, is a spanning heading)
    for level in [*levels, None]:
        row: list[tuple[Spot, bool]] = []
        for b in range(n):
            span = next(((s, st) for s, st, en in spans if round(s.top) == level and st <= b <= en), None)
            if span is not None:
                row.append(((span[0].text, _box([span[0]]), b == span[1]), True))
            else:  # the column's own heading, merged down from the first row it is in
                origin = not grid or grid[-1][b][1]
                row.append(((_joined(names.get(b, [])), _box(names.get(b, [])), origin), False))
        grid.append(row)
    return [[cell for cell, _ in row] for row in grid]


def _straddles(s: Segment, segments: list[Segment]) -> bool:
    """Is `s` printed above two headings on either side of its middle, reaching into the gap
    between them (an upper-level heading over several columns)?"""
    below = [t for t in segments if t.top >= s.bottom - 0.5]
    left = [t for t in below if t.center < s.center and t.x1 < s.x1]
    right = [t for t in below if t.center > s.center and t.x0 > s.x0]
    return (
        bool(left)
        and bool(right)
        and any(a.x1 <= s.x1 and b.x0 >= s.x0 and a.x1 < b.x0 for a in left for b in right)
    )


def _center(segments: list[Segment]) -> float:
    box = _box(segments)
    return (box[0] + box[2]) / 2 if box else 0.0


def _nearest_run(center: float, anchors: list[float]) -> tuple[int, int]:
    """The run of two or more consecutive columns whose middle (between its outer headings) is nearest."""
    best = (0, min(1, len(anchors) - 1))
    best_d = float("inf")
    for start in range(len(anchors)):
        for end in range(start + 1, len(anchors)):
            d = abs((anchors[start] + anchors[end]) / 2 - center)
            if d < best_d - 1e-6:
                best, best_d = (start, end), d
    return best


def _joined(segments: list[Segment]) -> str:
    ordered = sorted(segments, key=lambda s: (s.top, s.x0))
    out = ""
    for s in ordered:
        if out and out[-1].isascii() and out[-1].isalnum() and s.text[0].isascii() and s.text[0].isalnum():
            out += " "
        out += s.text
    return out


def _box(segments: list[Segment]) -> Box | None:
    if not segments:
        return None
    return (
        min(s.x0 for s in segments),
        min(s.top for s in segments),
        max(s.x1 for s in segments),
        max(s.bottom for s in segments),
    )


def _body_grid(body: list[Line], bands: list[tuple[float, float]]) -> list[list[Spot]]:
    """Body rows. Every value row is a row, and so is a line without figures that stands as far
    from its neighbours as rows do (a label-only row). A line close to a row is either the wrapped
    rest of a cell of that row (the row has text in that column) or a label centred over several
    rows (a merged cell: the rows around it have that column empty), which is given to each of them."""
    tight = _row_gap(body) * _WRAP_SHARE
    rows: list[dict[int, list[Segment]]] = []
    extent: list[tuple[float, float]] = []
    near: list[Line] = []
    for k, line in enumerate(body):
        above = _gap(body[k - 1], line) if k else float("inf")
        below = _gap(line, body[k + 1]) if k + 1 < len(body) else float("inf")
        if _is_value_row(line) or min(above, below) >= tight:
            cells: dict[int, list[Segment]] = {}
            for s in line.segments:
                b = _band_of(s, bands, nearest=True)
                if b is not None:
                    cells.setdefault(b, []).append(s)
            rows.append(cells)
            extent.append((line.top, line.bottom))
        else:
            near.append(line)
    spanning: list[tuple[int, Segment]] = []
    for line in near:
        before = [r for r in range(len(rows)) if extent[r][1] <= line.top + 0.5]
        after = [r for r in range(len(rows)) if extent[r][0] >= line.bottom - 0.5]
        neighbours = sorted(
            ([before[-1]] if before else []) + ([after[0]] if after else []),
            key=lambda r: min(abs(line.top - extent[r][1]), abs(extent[r][0] - line.bottom)),
        )
        for s in line.segments:
            b = _band_of(s, bands, nearest=True)
            if b is None:
                continue
            home = next((r for r in neighbours if b in rows[r]), None)
            if home is not None:
                rows[home][b].append(s)  # the wrapped rest of that row's cell
            else:
                spanning.append((b, s))
    merged = _spread(spanning, rows, extent, bands, tight)
    return [
        [
            merged.get((r, b)) or (_joined(cells.get(b, [])), _box(cells.get(b, [])), True)
            for b in range(len(bands))
        ]
        for r, cells in enumerate(rows)
    ]


def _spread(
    spanning: list[tuple[int, Segment]],
    rows: list[dict[int, list[Segment]]],
    extent: list[tuple[float, float]],
    bands: list[tuple[float, float]],
    tight: float,
) -> dict[tuple[int, int], Spot]:
    """Labels centred over several rows, given to the rows they stand beside: within a run of rows
    whose column is empty, each label takes the rows nearer to it than to the run's other labels.
    A run ends at a row labelled only further left (a 小计 row across the label columns). A label
    with no such run goes to the nearest row."""
    label_bands = {
        b for b in range(len(bands)) if not any(is_value(s.text) for row in rows for s in row.get(b, []))
    }
    out: dict[tuple[int, int], Spot] = {}

    def closed(r: int, b: int) -> bool:
        left = any(c < b and rows[r].get(c) for c in label_bands)
        here = any(c >= b and rows[r].get(c) for c in label_bands)
        return left and not here

    for r in range(1, len(rows) - 1):  # a label on the middle row of the rows it spans (three, five …)
        for b in sorted(label_bands):
            right = any(c > b and rows[r].get(c) for c in label_bands)
            if (
                rows[r].get(b)
                and right
                and all(not rows[q].get(b) and not closed(q, b) for q in (r - 1, r + 1))
            ):
                spanning += [(b, s) for s in rows[r].pop(b)]
    for b in sorted({b for b, _ in spanning}):
        labels = sorted((s for bb, s in spanning if bb == b), key=lambda s: s.top)
        runs: list[list[int]] = []
        for r in range(len(rows)):
            if rows[r].get(b) or closed(r, b):
                runs.append([])
            elif runs and runs[-1]:
                runs[-1].append(r)
            else:
                runs.append([r])
        runs = [run for run in runs if run]
        for run in runs:
            lo, hi = extent[run[0]][0] - tight, extent[run[-1]][1] + tight
            mine = [s for s in labels if lo <= (s.top + s.bottom) / 2 <= hi]
            if not mine:
                continue
            centres = [(s.top + s.bottom) / 2 for s in mine]
            cuts = [(a + c) / 2 for a, c in pairwise(centres)]
            for r in run:
                middle = (extent[r][0] + extent[r][1]) / 2
                s = mine[sum(middle > cut for cut in cuts)]
                first = not any(out.get((q, b), ("",))[0] == s.text for q in run if q < r)
                out[(r, b)] = (s.text, _box([s]), first)
            labels = [s for s in labels if not any(s is m for m in mine)]
        for s in labels:  # beside no empty run: the nearest row
            middle = (s.top + s.bottom) / 2
            r = min(range(len(rows)), key=lambda q: abs((extent[q][0] + extent[q][1]) / 2 - middle))
            rows[r].setdefault(b, []).append(s)
    return out
