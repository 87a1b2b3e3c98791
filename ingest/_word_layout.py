"""The geometry under `ingest.tables_words`: a page's words as lines of segments, the columns they
line up in, and a found block turned into grid rows (headings, wrapped and merged labels). Pure:
positions in, texts and boxes out."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from itertools import pairwise

from ingest.numbers import parse_number

_WRAP_SHARE = 0.6  # a line closer to a row than this share of the gap between rows wraps into it


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


def is_value(text: str) -> bool:
    return parse_number(text) is not None


def is_value_row(line: Line) -> bool:
    return len(line.segments) >= 2 and any(is_value(s.text) for s in line.segments[1:])


def merge_ranges(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def band_of(seg: Segment, bands: list[tuple[float, float]], *, nearest: bool = False) -> int | None:
    """The band a segment overlaps; None when it crosses the gap between two. With `nearest`, a
    label in no band (a word centred over several columns, like a 合计 over three) goes to the
    nearest band; a number never does."""
    hits = [i for i, (lo, hi) in enumerate(bands) if seg.x0 < hi and seg.x1 > lo]
    if len(hits) == 1:
        return hits[0]
    if hits or not nearest or is_value(seg.text):
        return None
    return min(range(len(bands)), key=lambda i: max(bands[i][0] - seg.x1, seg.x0 - bands[i][1]))


def gap(upper: Line, lower: Line) -> float:
    return lower.top - upper.bottom


def row_gap(body: list[Line]) -> float:
    """The usual whitespace between two rows: between consecutive value rows."""
    gaps = [gap(a, b) for a, b in pairwise(body) if is_value_row(a) and is_value_row(b)]
    return statistics.median(gaps) if gaps else 0.0


def header_grid(header: list[Line], bands: list[tuple[float, float]]) -> list[list[Spot]] | None:
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
            b = band_of(Segment("", box[0], box[2], box[1], box[3], 0), bands)
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


def body_grid(body: list[Line], bands: list[tuple[float, float]]) -> list[list[Spot]]:
    """Body rows. Every value row is a row, and so is a line without figures that stands as far
    from its neighbours as rows do (a label-only row). A line close to a row is either the wrapped
    rest of a cell of that row (the row has text in that column) or a label centred over several
    rows (a merged cell: the rows around it have that column empty), which is given to each of them."""
    tight = row_gap(body) * _WRAP_SHARE
    rows: list[dict[int, list[Segment]]] = []
    extent: list[tuple[float, float]] = []
    near: list[Line] = []
    wide: set[int] = set()
    for k, line in enumerate(body):
        above = gap(body[k - 1], line) if k else float("inf")
        below = gap(line, body[k + 1]) if k + 1 < len(body) else float("inf")
        if is_value_row(line) or min(above, below) >= tight:
            cells: dict[int, list[Segment]] = {}
            for s in line.segments:
                b = band_of(s, bands, nearest=True)
                if b is not None:
                    cells.setdefault(b, []).append(s)
                if b is not None and band_of(s, bands) is None:
                    wide.add(
                        len(rows)
                    )  # a label centred over several columns (总计 across the label columns)
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
            b = band_of(s, bands, nearest=True)
            if b is None:
                continue
            home = next((r for r in neighbours if b in rows[r]), None)
            if home is not None:
                rows[home][b].append(s)  # the wrapped rest of that row's cell
            else:
                spanning.append((b, s))
    merged = _spread(spanning, rows, extent, bands, tight, wide)
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
    wide: set[int],
) -> dict[tuple[int, int], Spot]:
    """Labels centred over several rows, given to the rows they stand beside: within a run of rows
    whose column is empty, each label takes the rows nearer to it than to the run's other labels.
    A run ends at a row labelled only further left (a 小计 row across the label columns) or by a
    label centred across the label columns (`wide`: a 总计 row). A label with no such run goes to
    the nearest row."""
    label_bands = {
        b for b in range(len(bands)) if not any(is_value(s.text) for row in rows for s in row.get(b, []))
    }
    out: dict[tuple[int, int], Spot] = {}

    def closed(r: int, b: int) -> bool:
        if r in wide:
            return True
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
