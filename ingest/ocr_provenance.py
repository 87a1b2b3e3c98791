"""What OCR read, as rows for the store (`ocr_regions`): one per scanned page, text line and table
cell, with confidence and box. A built table's cell is matched to the OCR cell it came from by page,
column and text, so `(table_id, row_index, col_index)` of a cell or fact finds its confidence. Pure.
"""

from __future__ import annotations

from typing import Any

from ingest.models import Box, Table
from ingest.ocr import OcrPage
from ingest.ocr_tables import clean_cell
from ingest.tables import normalize_cell


def rows(scans: dict[int, OcrPage], tables: list[Table]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for number in sorted(scans):
        scan = scans[number]
        out.append(_row(number, "page", 0, "", scan.confidence, (0.0, 0.0, scan.width, scan.height)))
        for seq, line in enumerate(scan.lines, start=1):
            out.append(_row(number, "line", seq, line.text, line.confidence, line.page_box))
    placed = _place_cells(scans, tables)
    seq = 0
    for number in sorted(scans):
        for k, table in enumerate(scans[number].tables):
            for cell in table.cells:
                seq += 1
                table_id, r, c = placed.get((number, k, cell.row, cell.col), ("", cell.row, cell.col))
                row = _row(number, "cell", seq, cell.text, cell.confidence, cell.page_box)
                out.append({**row, "table_id": table_id, "row_index": r, "col_index": c})
    return out


def _row(
    page: int, kind: str, seq: int, text: str, confidence: float, box: tuple[float, ...]
) -> dict[str, Any]:
    x0, top, x1, bottom = box
    return {
        "page": page, "kind": kind, "seq": seq, "text": text, "confidence": round(float(confidence), 4),
        "x0": x0, "top": top, "x1": x1, "bottom": bottom,
    }  # fmt: skip


def _place_cells(
    scans: dict[int, OcrPage], tables: list[Table]
) -> dict[tuple[int, int, int, int], tuple[str, int, int]]:
    """(page, table on page, OCR row, OCR col) -> (table id, body row, column) for the built cells."""
    wanted: dict[tuple[int, int, str], list[tuple[str, int, int]]] = {}
    for table in tables:
        for cell in table.cells:
            if cell.page in scans:
                wanted.setdefault((cell.page, cell.col_index, cell.raw), []).append(
                    (table.id, cell.row_index, cell.col_index)
                )
    out: dict[tuple[int, int, int, int], tuple[str, int, int]] = {}
    for number, scan in scans.items():
        for k, table in enumerate(scan.tables):
            for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
                raw = clean_cell(cell.text, numeric_column=False)
                for key in ((number, cell.col, raw), (number, cell.col, normalize_cell(raw))):
                    if wanted.get(key):
                        out[(number, k, cell.row, cell.col)] = wanted[key].pop(0)
                        break
    return out


def as_boxes(rows: list[dict[str, Any]], have: list[Box], scans: dict[int, OcrPage]) -> list[Box]:
    """OCR's lines and cells as citable boxes (ingest/boxes.py's form, `source` ocr), so a citation
    of a scanned page frames what was read. A line's characters are taken as evenly spaced (OCR boxes
    whole lines); a page whose size the text layer's pass already recorded is not recorded twice. A
    page OCR had to turn a quarter or half turn keeps no boxes (they are in the turned frame, the
    page image is not), as the text layer's rotated pages keep none."""
    sized = {b.page for b in have if b.kind == "page"}
    out: list[Box] = []
    for r in rows:
        scan = scans.get(r["page"])
        if (r["kind"] == "page" and r["page"] in sized) or scan is None or scan.rotation:
            continue
        text = str(r.get("text") or "")
        step = (r["x1"] - r["x0"]) / max(len(text), 1)
        spans = tuple(v for i in range(len(text)) for v in (r["x0"] + i * step, r["x0"] + (i + 1) * step))
        out.append(
            Box(
                page=r["page"], x0=r["x0"], top=r["top"], x1=r["x1"], bottom=r["bottom"], kind=r["kind"],
                text=text, spans=spans if r["kind"] == "line" else (),
                table_id=str(r.get("table_id") or ""), row_index=int(r.get("row_index", -1)),
                col_index=int(r.get("col_index", -1)), source="ocr",
            )
        )  # fmt: skip
    return out
