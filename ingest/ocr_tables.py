"""Ruled tables of a scanned page: the grid from the ruling lines of the page image, OCR lines
placed in its cells, then the same `RawTable`s as a digital page gives (`ingest.tables`), so cells,
header paths, units and exact numbers come out the same way.

The grid: long horizontal and vertical strokes (morphological opening of the ink) are the rules;
a vertical stroke counts only when it runs from one horizontal rule to another (a tall character
stroke does not). Grid lines are the rules' positions; two neighbouring grid cells are one merged
cell when no rule separates them, as pdfplumber reads a digital table's ruling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.ocr import Box, OcrCell, OcrLine, OcrPage, OcrTable
from ingest.tables import GridCell, RawTable, caption_and_unit, header_row_count, normalize_cell

_MIN_RULE_PT = 20.0  # a horizontal rule at least this long (points)
_MIN_TABLE_PT = 30.0  # a table at least this wide and high
_TOL_PT = 3.0  # rules closer than this are one grid line


@dataclass(frozen=True)
class _Rule:
    pos: float  # y of a horizontal rule, x of a vertical one (pixels)
    lo: float  # its extent along the other axis
    hi: float


def find_tables(
    image: object, lines: list[OcrLine], *, scale: float, to_page: Callable[[Box], Box]
) -> list[OcrTable]:
    """The ruled tables of an upright grey page image (`lines` boxes in points), top to bottom."""
    import cv2
    import numpy as np

    img = np.asarray(image)
    ink = cv2.adaptiveThreshold(img, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    min_rule = max(10, int(_MIN_RULE_PT * scale))
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_rule, 1))
    )
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3)))
    h_rules = _segments(horizontal, horizontal=True)
    # a vertical rule is at least as tall as the lowest row; a character stroke is shorter
    v_len = max(int(6 * scale), int(0.8 * _lowest_row(h_rules, scale)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 5)))
    v_rules = [r for r in _segments(vertical, horizontal=False) if _spans_rules(r, h_rules, scale)]
    regions = _regions(h_rules, v_rules, scale)
    tables = []
    for x0, y0, x1, y1 in regions:
        hs = [r for r in h_rules if y0 - 2 <= r.pos <= y1 + 2 and r.hi > x0 and r.lo < x1]
        vs = [r for r in v_rules if x0 - 2 <= r.pos <= x1 + 2 and r.hi > y0 and r.lo < y1]
        table = _grid(hs, vs, lines, scale=scale, to_page=to_page)
        if table is not None:
            tables.append(table)
    return tables


def _lowest_row(h_rules: list[_Rule], scale: float) -> float:
    """The smallest distance (pixels) between two horizontal rules that overlap, ignoring double
    rules closer than 8 points; 12 points when there is none."""
    gaps = [
        abs(a.pos - b.pos)
        for i, a in enumerate(h_rules)
        for b in h_rules[i + 1 :]
        if abs(a.pos - b.pos) >= 8 * scale and a.lo < b.hi and b.lo < a.hi
    ]
    return min(gaps, default=12 * scale)


def _segments(mask: object, *, horizontal: bool) -> list[_Rule]:
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)  # type: ignore[call-overload]
    out = []
    for i in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[i])
        if horizontal and w > 3 * h:
            out.append(_Rule(y + h / 2, x, x + w))
        elif not horizontal and h > 3 * w:
            out.append(_Rule(x + w / 2, y, y + h))
    return out


def _spans_rules(rule: _Rule, h_rules: list[_Rule], scale: float) -> bool:
    """A vertical stroke is a rule when both its ends meet a horizontal rule."""
    tol = _TOL_PT * scale * 1.5

    def meets(y: float) -> bool:
        return any(abs(h.pos - y) <= tol and h.lo - tol <= rule.pos <= h.hi + tol for h in h_rules)

    return meets(rule.lo) and meets(rule.hi)


def _regions(
    h_rules: list[_Rule], v_rules: list[_Rule], scale: float
) -> list[tuple[float, float, float, float]]:
    """Bounding boxes of groups of rules that touch one another (one table each), top first."""
    rules = [("h", r) for r in h_rules] + [("v", r) for r in v_rules]
    boxes = [(r.lo, r.pos, r.hi, r.pos) if kind == "h" else (r.pos, r.lo, r.pos, r.hi) for kind, r in rules]
    parent = list(range(len(boxes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pad = _TOL_PT * scale
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if a[0] - pad <= b[2] and b[0] - pad <= a[2] and a[1] - pad <= b[3] and b[1] - pad <= a[3]:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(boxes)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        kinds = {rules[i][0] for i in members}
        if kinds != {"h", "v"} or sum(1 for i in members if rules[i][0] == "h") < 2:
            continue
        x0 = min(boxes[i][0] for i in members)
        y0 = min(boxes[i][1] for i in members)
        x1 = max(boxes[i][2] for i in members)
        y1 = max(boxes[i][3] for i in members)
        if x1 - x0 >= _MIN_TABLE_PT * scale and y1 - y0 >= _MIN_TABLE_PT * scale / 2:
            out.append((x0, y0, x1, y1))
    return sorted(out, key=lambda b: (b[1], b[0]))


def _positions(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _grid(
    hs: list[_Rule], vs: list[_Rule], lines: list[OcrLine], *, scale: float, to_page: Callable[[Box], Box]
) -> OcrTable | None:
    tol = _TOL_PT * scale
    ys = _positions([r.pos for r in hs], tol)
    xs = _positions([r.pos for r in vs], tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    nrows, ncols = len(ys) - 1, len(xs) - 1

    def ruled_h(k: int, a: float, b: float) -> bool:  # a rule at ys[k] across the middle of a..b
        mid = (a + b) / 2
        return any(abs(r.pos - ys[k]) <= tol and r.lo - tol <= mid <= r.hi + tol for r in hs)

    def ruled_v(k: int, a: float, b: float) -> bool:
        mid = (a + b) / 2
        return any(abs(r.pos - xs[k]) <= tol and r.lo - tol <= mid <= r.hi + tol for r in vs)

    parent = {(r, c): (r, c) for r in range(nrows) for c in range(ncols)}

    def find(k: tuple[int, int]) -> tuple[int, int]:
        while parent[k] != k:
            k = parent[k]
        return k

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(nrows):
        for c in range(ncols):
            if c + 1 < ncols and not ruled_v(c + 1, ys[r], ys[r + 1]):
                union((r, c), (r, c + 1))
            if r + 1 < nrows and not ruled_h(r + 1, xs[c], xs[c + 1]):
                union((r, c), (r + 1, c))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for key in parent:
        groups.setdefault(find(key), []).append(key)
    px = [(ln, tuple(v * scale for v in ln.box)) for ln in lines]
    cells = []
    for members in groups.values():
        r0, r1 = min(m[0] for m in members), max(m[0] for m in members)
        c0, c1 = min(m[1] for m in members), max(m[1] for m in members)
        box = (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
        inside = [ln for ln, b in px if _centre_in(b, box)]  # type: ignore[arg-type]
        inside.sort(key=lambda ln: (round(ln.box[1] / 4), ln.box[0]))
        text = "\n".join(ln.text for ln in inside)
        confidence = min((ln.confidence for ln in inside), default=1.0)
        points = tuple(round(v / scale, 2) for v in box)
        cells.append(
            OcrCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, text, confidence, points, to_page(box))  # type: ignore[arg-type]
        )
    cells.sort(key=lambda c: (c.row, c.col))
    table_box = tuple(round(v / scale, 2) for v in (xs[0], ys[0], xs[-1], ys[-1]))
    if nrows < 2 or ncols < 2:
        return None
    return OcrTable(nrows, ncols, table_box, cells)  # type: ignore[arg-type]


def _centre_in(box: Box, cell: Box) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]


# --- OCR cells as the table module's raw tables ----------------------------------------------------

_DASHES = {"一", "二", "—", "－", "_", "–", "~", "～", "-", "--"}
_NUMBERISH = re.compile(r"^[-+]?[0-9][0-9,，.．:：]*%?[.．,，]?$|^[-+]?[.．][0-9]+%?$")


def _numeric_text(text: str) -> bool:
    return bool(_NUMBERISH.match(text.replace(" ", "")))


def clean_cell(text: str, numeric_column: bool) -> str:
    """A cell as printed, undoing the recogniser's usual slips. In a number: a speck read as a
    point before or after it (".909", "476.53." -> "909", "476.53"; tables print "0.9", never ".9"),
    a colon or a comma for the decimal point ("10:82", "3,99" -> "10.82", "3.99"; a thousands
    comma has three digits after it), a trailing comma; in a column of numbers, a lone dash read as
    一 or 二 ("-"); after a label, a stray 、 or comma. Anything else is kept as read."""
    t = text.strip()
    if numeric_column and t in _DASHES:
        return "-"
    if _numeric_text(t):
        t = re.sub(r"(?<=[0-9])[:：](?=[0-9])", ".", t)
        t = re.sub(r"(?<=[0-9])[,，](?=[0-9]{1,2}%?$)", ".", t)
        t = re.sub(r"^([-+]?)[.．](?=[0-9])", r"\1", t)
        t = t.rstrip(".．,，")
    elif t and not numeric_column:
        t = t.rstrip("、，,")
    return t


def raw_tables(page: OcrPage) -> list[RawTable]:
    """The page's OCR tables as `RawTable`s with caption, unit line and merged cells filled in."""
    out: list[RawTable] = []
    top = 0.0
    for k, table in enumerate(page.tables):
        grid: list[list[GridCell | None]] = [[None] * table.ncols for _ in range(table.nrows)]
        numeric_cols = _numeric_columns(table)
        for cell in table.cells:
            raw = clean_cell(cell.text, cell.col in numeric_cols)
            text = normalize_cell(raw)
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    grid[r][c] = GridCell(text, raw, origin=(r == cell.row and c == cell.col))
        full = [[g or GridCell("", "", True) for g in row] for row in grid]
        t_top, t_bottom = table.box[1], table.box[3]
        below_limit = page.tables[k + 1].box[1] if k + 1 < len(page.tables) else page.height
        above = _text_between(page, top, t_top)
        below = _text_between(page, t_bottom, below_limit)
        caption, unit_line, other_above = caption_and_unit(above)
        unit_line = separate_units(unit_line)
        from ingest.clean import is_page_number_line

        raw_table = RawTable(
            page=page.number,
            grid=full,
            caption=caption,
            unit_line=unit_line,
            text_above=other_above,
            text_below=any(not is_page_number_line(ln) for ln in below),
        )
        raw_table.header_rows = header_row_count(full)
        raw_table.row_pages = [page.number] * len(full)
        out.append(raw_table)
        top = t_bottom
    return out


def separate_units(unit_line: str) -> str:
    """A unit line some of whose separators OCR dropped ("单位：人万元年", "单位：人万元、年") with
    them put back ("单位：人、万元、年"), when every part is a run of known units; otherwise as read."""
    from ingest.numbers import UNITS, units_of_unit_line

    parts = units_of_unit_line(unit_line)
    if not parts or all(p in UNITS for p in parts):
        return unit_line
    found: list[str] = []
    for part in parts:
        rest = part
        while rest:
            unit = max((u for u in UNITS if u and rest.startswith(u)), key=len, default="")
            if not unit:
                return unit_line
            found.append(unit)
            rest = rest[len(unit) :]
    head = re.match(r"^\s*[（(]?\s*(?:计量)?单位\s*[：:]\s*", unit_line)
    closing = "）" if unit_line.rstrip().endswith(("）", ")")) else ""
    return (head.group(0) if head else "单位：") + "、".join(found) + closing


def _numeric_columns(table: OcrTable) -> set[int]:
    by_col: dict[int, list[str]] = {}
    for cell in table.cells:
        if cell.row > 0 and cell.text.strip():
            by_col.setdefault(cell.col, []).append(cell.text.strip())
    return {
        c for c, texts in by_col.items() if sum(_numeric_text(t) for t in texts) >= max(2, len(texts) // 2)
    }


def _text_between(page: OcrPage, top: float, bottom: float) -> list[str]:
    """Visual lines of OCR text between two heights (points), outside tables, top first."""
    from ingest.ocr_text import visual_rows

    rows = visual_rows([ln for ln in page.lines if top <= (ln.box[1] + ln.box[3]) / 2 <= bottom])
    return ["".join(ln.text for ln in row) for row in rows]


def in_table(page: OcrPage, line: OcrLine) -> bool:
    cx, cy = (line.box[0] + line.box[2]) / 2, (line.box[1] + line.box[3]) / 2
    return any(t.box[0] <= cx <= t.box[2] and t.box[1] <= cy <= t.box[3] for t in page.tables)
