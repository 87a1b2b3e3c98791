"""OCR lines as the positioned text runs `ingest.clean` works on, so a scanned page's text is
cleaned (running footers, paragraphs, headings, table rows) exactly like a digital page's.

A visual row is the OCR lines whose vertical centres fall within half a line height of each other;
each line becomes a `Run` at its box's left edge and baseline (PDF y grows upwards). A table's row
becomes one line with a run per cell, so `clean.page_text` writes it TAB-separated like a digital
table row. Font sizes are the boxes' heights, snapped to the page's body size when within 15 %
(box heights jitter by a point or two; headings and titles stay larger: `_size_classes`).
"""

from __future__ import annotations

from statistics import median

from ingest.clean import Line, Run
from ingest.ocr import OcrLine, OcrPage

_BOX_TO_FONT = 0.75  # a detector box is taller than the glyphs it holds
_SNAP = 0.15


def visual_rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """OCR lines grouped into visual rows, top to bottom, each row left to right."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2):
        centre = (line.box[1] + line.box[3]) / 2
        height = line.box[3] - line.box[1]
        if rows:
            last = rows[-1]
            last_centre = sum((ln.box[1] + ln.box[3]) / 2 for ln in last) / len(last)
            if abs(centre - last_centre) <= 0.5 * height:
                last.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda ln: ln.box[0]) for row in rows]


def page_lines(page: OcrPage) -> list[Line]:
    """The page's text as `clean.Line`s, top to bottom; tables as one line per grid row."""
    from ingest.ocr_tables import _centre_in, clean_cell, in_table

    items: list[tuple[float, list[tuple[str, float, float, float]]]] = []  # (top, [(text, x, bottom, h)])
    prose = [ln for ln in page.lines if not in_table(page, ln)]
    for row in visual_rows(prose):
        items.append((min(ln.box[1] for ln in row), [_run_of(ln.text, ln.box) for ln in row]))
    prose_heights = [run[3] for _, runs in items for run in runs]
    body = median(prose_heights) if prose_heights else 12.0 / _BOX_TO_FONT
    for table in page.tables:
        by_row: dict[int, list[tuple[str, float, float, float]]] = {}
        for cell in table.cells:
            text = clean_cell(cell.text.replace("\n", ""), numeric_column=False)
            if text:  # at its text's left edge: the gap to the next cell is the real one
                inside = [ln.box[0] for ln in page.lines if _centre_in(ln.box, cell.box)]
                x0 = min(inside, default=cell.box[0])
                by_row.setdefault(cell.row, []).append((text, x0, cell.box[3], body))
        for r in sorted(by_row):
            cells = sorted(by_row[r], key=lambda run: run[1])
            items.append((min(run[2] - run[3] for run in cells), cells))
    items.sort(key=lambda item: item[0])
    sizes = _size_classes([run[3] for _, runs in items for run in runs])
    return [
        Line(
            [
                Run(text, x, page.height - bottom, sizes[round(h, 1)] * _BOX_TO_FONT)
                for text, x, bottom, h in runs
            ]
        )
        for _, runs in items
    ]


def _run_of(text: str, box: tuple[float, float, float, float]) -> tuple[str, float, float, float]:
    x0, top, _x1, bottom = box
    return (text, x0, bottom, bottom - top)


def _size_classes(heights: list[float]) -> dict[float, float]:
    """Each box height -> the size it stands for: the body size (the median height) for heights
    within 15 % of it; other heights in classes 30 % wide, each at its median (box heights
    jitter by a point or two; a title and body text stay apart)."""
    rounded = [round(h, 1) for h in heights]
    if not rounded:
        return {}
    body = round(median(rounded), 1)
    out = {h: body for h in rounded if abs(h - body) <= _SNAP * body}
    group: list[float] = []
    for h in [*sorted(set(rounded) - set(out)), float("inf")]:
        if group and h > group[0] * (1 + 2 * _SNAP):  # a short title line's box is relatively taller
            out.update(dict.fromkeys(group, round(median(group), 1)))
            group = []
        group.append(h)
    return out
