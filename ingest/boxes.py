"""Where citable things are printed: page sizes, text lines and table cells as `Box`es.

Taken at ingest from pdfplumber's layout of each page (the same layout `ingest.tables` searches for
tables, so it costs a few milliseconds a page), in PDF points with the origin at the top-left of
the page as rendered (its crop box). The form is source-agnostic: OCR'd lines and cells fit the same
`Box` with `source="ocr"`.

`text_key` is the one normalisation a quote and a printed line are compared under: full-width and
half-width forms folded (NFKC), whitespace and line breaks dropped, Latin case folded.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ingest.models import Box, Table

BOXES_VERSION = "2"  # part of the chunker version: a change re-ingests (2: xlsx/docx locations)
_ROUND = 2  # points: a hundredth of a point is far below a pixel at any rendering scale


# CJK punctuation NFKC leaves alone, folded to the ASCII a quote may use instead
_PUNCT = str.maketrans("。、“”‘’【】《》〈〉—–", ".,\"\"''[]<><>--")


def char_key(char: str) -> str:
    """One printed character as compared with a quote ("" for whitespace)."""
    folded = unicodedata.normalize("NFKC", char).casefold().translate(_PUNCT)
    return "".join(c for c in folded if not c.isspace())


def text_key(text: str) -> str:
    return "".join(char_key(c) for c in text)


class LayoutBoxes:
    """Collects the boxes of each page `ingest.tables.extract_tables` lays out (its `on_layout`)."""

    def __init__(self) -> None:
        self.boxes: list[Box] = []
        self.offsets: dict[int, tuple[float, float]] = {}

    def __call__(self, page: Any, number: int) -> None:
        from ingest.tables import visible_view

        if int(getattr(page, "rotation", 0) or 0) % 360:
            # pdfplumber's coordinates are the unrotated page's, the rendered image is turned:
            # no boxes (the page text still shows) rather than boxes in the wrong place
            return
        x_off, y_off, x_end, y_end = (float(v) for v in page.bbox)
        self.offsets[number] = (x_off, y_off)
        self.boxes.append(Box(number, 0.0, 0.0, _r(x_end - x_off), _r(y_end - y_off), "page"))
        view = visible_view(page, laid_out=True)  # extract_tables laid it out
        for line in view.extract_text_lines(return_chars=True, strip=True):
            chars = [c for c in line["chars"] if c.get("text") and not str(c["text"]).isspace()]
            if not chars:
                continue
            spans: list[float] = []
            for c in chars:  # one span per character of `text` (a ligature's characters share one)
                spans += [_r(c["x0"] - x_off), _r(c["x1"] - x_off)] * len(str(c["text"]))
            self.boxes.append(
                Box(
                    number,
                    _r(line["x0"] - x_off),
                    _r(line["top"] - y_off),
                    _r(line["x1"] - x_off),
                    _r(line["bottom"] - y_off),
                    "line",
                    text="".join(str(c["text"]) for c in chars),
                    spans=tuple(spans),
                )
            )

    def with_cells(self, tables: list[Table]) -> list[Box]:
        """The collected boxes plus every table body cell whose position is known."""
        out = list(self.boxes)
        for table in tables:
            for cell in table.cells:
                if cell.box is None:
                    continue
                x_off, y_off = self.offsets.get(cell.page, (0.0, 0.0))
                x0, top, x1, bottom = cell.box
                out.append(
                    Box(
                        cell.page,
                        _r(x0 - x_off),
                        _r(top - y_off),
                        _r(x1 - x_off),
                        _r(bottom - y_off),
                        "cell",
                        text=cell.raw,
                        table_id=table.id,
                        row_index=cell.row_index,
                        col_index=cell.col_index,
                    )
                )
        return out


def _r(value: float) -> float:
    return round(float(value), _ROUND)
