"""OCR of scanned pages, offline: pypdfium2 renders a page, RapidOCR (PP-OCRv4, its ONNX models
shipped inside the `rapidocr_onnxruntime` wheel; nothing is ever downloaded) reads its text lines.

Per page:
1. render at `SCALE` (the long side capped at `MAX_SIDE_PX`), grey;
2. orientation: the page is turned a quarter when its ink runs in columns rather than rows, and
   straightened by the small angle (up to ±`MAX_SKEW`°) that makes its rows of ink sharpest;
3. text lines are detected once; the direction classifier votes on them, and a page whose lines
   are mostly upside down is turned half round;
4. each line is recognised (text + confidence) and the ruled tables are found in the same upright
   image (`ingest.ocr_tables`).

Every line and table cell keeps its box in page coordinates: PDF points, origin top-left, as
pdfplumber gives them, on the page as stored in the PDF (the inverse of the turn and straightening).

Results are cached under `<data_dir>/ocr/` by the hash of the rendered page (plus `OCR_VERSION`):
a re-ingest, or an ingest resumed after an interruption, reads the pages already done instead of
OCR-ing them again. Pure functions below the engine; the engine is built once per process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

OCR_VERSION = "1"
OcrMode = Literal["auto", "force", "never"]
OCR_MODES: tuple[str, ...] = ("auto", "force", "never")
SCALE = 2.0  # 144 dpi: the recogniser's sweet spot for body text on A4
MAX_SIDE_PX = 2000  # the detector's own limit; larger pages render smaller
MAX_SKEW = 6.0  # degrees searched for straightening
LOW_CONFIDENCE = 0.9  # a line or cell read with less is flagged for a human to look at
MIN_TEXT_SCORE = 0.4  # below this the recogniser's output is noise, dropped

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, origin top-left


@dataclass(frozen=True)
class OcrLine:
    """One recognised text line: its text, the recogniser's confidence (0–1) and its box."""

    text: str
    confidence: float
    box: Box  # in the upright page (the reading frame): what text and tables are built from
    page_box: Box  # on the page as stored in the PDF: what a citation highlights


@dataclass
class OcrCell:
    """A cell of a table found on the page image; `row`/`col` its top-left grid position."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    confidence: float  # the lowest of its lines' confidences (1.0 for an empty cell)
    box: Box
    page_box: Box


@dataclass
class OcrTable:
    nrows: int
    ncols: int
    box: Box
    cells: list[OcrCell] = field(default_factory=list)


@dataclass
class OcrPage:
    """What OCR found on one page. `rotation` (0/90/180/270, clockwise) and `skew` (degrees) say
    how the image was turned upright; `seconds` is the OCR time (0 when read from the cache)."""

    number: int
    width: float  # points, of the upright page
    height: float
    lines: list[OcrLine]
    tables: list[OcrTable]
    rotation: int = 0
    skew: float = 0.0
    seconds: float = 0.0
    cached: bool = False

    @property
    def confidence(self) -> float:
        """The page's mean line confidence (weighted by characters); 0 for a blank page."""
        chars = sum(len(ln.text) for ln in self.lines)
        if not chars:
            return 0.0
        return sum(ln.confidence * len(ln.text) for ln in self.lines) / chars

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OcrPage:
        lines = [
            OcrLine(ln["text"], ln["confidence"], tuple(ln["box"]), tuple(ln["page_box"]))  # type: ignore[arg-type]
            for ln in data["lines"]
        ]
        tables = [
            OcrTable(
                t["nrows"],
                t["ncols"],
                tuple(t["box"]),  # type: ignore[arg-type]
                [
                    OcrCell(**{**c, "box": tuple(c["box"]), "page_box": tuple(c["page_box"])})
                    for c in t["cells"]
                ],
            )
            for t in data["tables"]
        ]
        fields = {k: data[k] for k in ("number", "width", "height", "rotation", "skew")}
        return cls(lines=lines, tables=tables, **fields)


# --- the engine: built once per process, used by one thread at a time ---------------------------

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()


def engine() -> Any:
    """The RapidOCR engine (models from the installed wheel). Raises `ConfigError` when the
    package is missing."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:  # an install without the OCR extra
                from ingest.errors import ConfigError

                raise ConfigError(
                    "未安装 OCR 组件 rapidocr_onnxruntime，无法识别扫描件 / "
                    "the OCR package rapidocr_onnxruntime is not installed",
                    hint="pip install 'rapidocr_onnxruntime>=1.4.4,<1.5'",
                ) from exc
            threads = int(os.environ.get("JIXIAO_OCR_THREADS", "0") or 0)
            kwargs: dict[str, Any] = {"print_verbose": False}
            if threads > 0:
                kwargs.update(intra_op_num_threads=threads, inter_op_num_threads=1)
            _ENGINE = RapidOCR(**kwargs)
        return _ENGINE


# --- rendering and orientation (pure numpy/OpenCV) ----------------------------------------------


def render_page(pdf: Any, index: int) -> tuple[Any, float]:
    """Page `index` (0-based) of a pypdfium2 document as a grey uint8 image, and its scale (pixels
    per point)."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = min(SCALE, MAX_SIDE_PX / max(width, height, 1.0))
        bitmap = page.render(scale=scale, grayscale=True)
        image = bitmap.to_numpy().copy()
    finally:
        page.close()
    if image.ndim == 3:
        image = image[:, :, 0]
    return image, scale


def page_hash(image: Any) -> str:
    digest = hashlib.sha256(f"{OCR_VERSION}:{image.shape}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def _ink(image: Any) -> Any:
    """A small binary map of the ink (text and rules) of a grey page image."""
    import cv2

    h, w = image.shape[:2]
    factor = 800 / max(h, w)
    small = cv2.resize(
        image, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA
    )
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def _row_sharpness(ink: Any, angle: float) -> float:
    import cv2

    h, w = ink.shape[:2]
    if angle:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        ink = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST)
    rows = ink.sum(axis=1, dtype="float64")
    return float(((rows[1:] - rows[:-1]) ** 2).sum())


def orientation(image: Any) -> tuple[int, float]:
    """(quarter turns clockwise needed, 0 or 90; skew in degrees) for a grey page image: the turn
    and angle whose rows of ink are sharpest. Upside down is told apart later (by the lines)."""
    import numpy as np

    ink = _ink(image)
    if not ink.any() or ink.mean() > 250:  # blank (or all black)
        return 0, 0.0

    def best(im: Any) -> tuple[float, float]:
        coarse = max((_row_sharpness(im, a), a) for a in np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5))
        fine = max((_row_sharpness(im, a), a) for a in np.arange(coarse[1] - 0.5, coarse[1] + 0.51, 0.1))
        return fine

    upright = best(ink)
    sideways = best(np.ascontiguousarray(np.rot90(ink, -1)))
    if sideways[0] > 1.3 * upright[0]:
        return 90, round(float(sideways[1]), 2)
    return 0, round(float(upright[1]), 2)


@dataclass(frozen=True)
class _Frame:
    """The upright image's relation to the stored page: quarter turns, then a small rotation."""

    rotation: int  # degrees clockwise applied to the rendered page
    skew: float  # degrees (OpenCV's sign) applied after the turn
    scale: float  # pixels per point
    matrix: Any  # 2x3 affine: turned-image pixels -> upright pixels
    turned_shape: tuple[int, int]  # h, w of the turned image (before straightening)
    page_shape: tuple[int, int]  # h, w of the rendered page

    def to_page(self, box: Box) -> Box:
        """A box in upright-image pixels -> the stored page, in points (top-left origin)."""
        import cv2
        import numpy as np

        x0, y0, x1, y1 = box
        pts = np.array([[[x0, y0]], [[x1, y0]], [[x1, y1]], [[x0, y1]]], dtype="float64")
        inverse = cv2.invertAffineTransform(self.matrix)
        pts = cv2.transform(pts, inverse)[:, 0, :]
        out = [self._unturn(float(x), float(y)) for x, y in pts]
        xs = [p[0] for p in out]
        ys = [p[1] for p in out]
        return _points((min(xs), min(ys), max(xs), max(ys)), self.scale)

    def _unturn(self, x: float, y: float) -> tuple[float, float]:
        """Undo the clockwise quarter turns: a clockwise turn sends (x, y) of an image w wide and
        h high to (h - 1 - y, x)."""
        h, w = self.turned_shape
        for _ in range((self.rotation // 90) % 4):
            x, y = y, w - 1 - x
            h, w = w, h
        return x, y


def _points(box: Box, scale: float) -> Box:
    return tuple(round(v / scale, 2) for v in box)  # type: ignore[return-value]


def upright(image: Any, rotation: int, skew: float, scale: float) -> tuple[Any, _Frame]:
    """The page image turned `rotation` degrees clockwise and straightened by `skew`."""
    import cv2
    import numpy as np

    turned = np.ascontiguousarray(np.rot90(image, -(rotation // 90))) if rotation else image
    h, w = turned.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
    straight = (
        cv2.warpAffine(turned, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255) if skew else turned
    )
    frame = _Frame(rotation, skew, scale, matrix, (h, w), image.shape[:2])
    return straight, frame


# --- reading a page ------------------------------------------------------------------------------


def _quad_box(quad: Any) -> Box:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))


_FLIP_SHARE = 0.6  # share of lines the classifier must call upside down to turn the page


def read_image(image: Any) -> tuple[list[tuple[str, float, Box]], bool]:
    """Text lines (text, confidence, box in pixels) of a grey image, and whether the image was
    upside down (its lines then are of the half-turned image)."""
    import cv2
    import numpy as np

    eng = engine()
    rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    boxes, _ = eng.auto_text_det(rgb)
    if boxes is None or len(boxes) == 0:
        return [], False
    crops = eng.get_crop_img_list(rgb, boxes)
    flipped = False
    _, votes, _ = eng.text_cls([c.copy() for c in crops])
    upside = sum(1 for label, score in votes if label == "180" and score > 0.8)
    if len(votes) >= 3 and upside >= _FLIP_SHARE * len(votes):
        flipped = True
        rgb = np.ascontiguousarray(rgb[::-1, ::-1])
        boxes, _ = eng.auto_text_det(rgb)
        if boxes is None or len(boxes) == 0:
            return [], True
        crops = eng.get_crop_img_list(rgb, boxes)
    results, _ = eng.text_rec(crops)
    lines: list[tuple[str, float, Box]] = []
    for quad, (text, score, *_rest) in zip(boxes, results, strict=False):
        text = text.strip()
        if text and float(score) >= MIN_TEXT_SCORE:
            lines.append((text, round(float(score), 4), _quad_box(quad)))
    return lines, flipped


def ocr_page(pdf: Any, index: int, *, cache_dir: Path | None = None) -> OcrPage:
    """OCR page `index` (0-based) of a pypdfium2 document, from the cache when it is there."""
    image, scale = render_page(pdf, index)
    key = page_hash(image)
    cached = _cache_read(cache_dir, key)
    if cached is not None:
        cached.number = index + 1
        cached.cached = True
        return cached
    started = time.perf_counter()
    page = _ocr_image(image, scale, index + 1)
    page.seconds = round(time.perf_counter() - started, 3)
    _cache_write(cache_dir, key, page)
    return page


def _ocr_image(image: Any, scale: float, number: int) -> OcrPage:

    from ingest.ocr_tables import find_tables

    rotation, skew = orientation(image)
    straight, frame = upright(image, rotation, skew, scale)
    found, flipped = read_image(straight)
    if flipped:  # half a turn more; the same straightening (both turn about the centre)
        rotation = (rotation + 180) % 360
        straight, frame = upright(image, rotation, skew, scale)
    h, w = straight.shape[:2]
    lines = [
        OcrLine(_fix_digits(text), score, _points(box, scale), frame.to_page(box))
        for text, score, box in found
    ]
    tables = find_tables(straight, lines, scale=scale, to_page=frame.to_page)
    return OcrPage(
        number=number,
        width=round(w / scale, 2),
        height=round(h / scale, 2),
        lines=lines,
        tables=tables,
        rotation=rotation,
        skew=skew,
    )


# A recogniser's typical digit misreads next to a unit: "11092：4万元" (a colon for the decimal
# point), "11076.79.万元" (a speck read as a second point). Only next to a unit or percent sign,
# where neither can be meant.
_UNIT_AHEAD = r"(?=\s*(?:万元|亿元|元|万|%|％))"
_COLON_POINT = re.compile(r"(?<=[0-9])[:：](?=[0-9]{1,2}" + _UNIT_AHEAD + ")")
_DOUBLE_POINT = re.compile(r"(?<=[0-9]\.[0-9])([0-9]*)\." + _UNIT_AHEAD)


def _fix_digits(text: str) -> str:
    text = _COLON_POINT.sub(".", text)
    return _DOUBLE_POINT.sub(r"\1", text)


# --- the page cache ------------------------------------------------------------------------------


def _cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / f"{key}.json"


def _cache_read(cache_dir: Path | None, key: str) -> OcrPage | None:
    if cache_dir is None:
        return None
    path = _cache_path(cache_dir, key)
    try:
        return OcrPage.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:  # a torn or foreign file: OCR again
        log.info("OCR cache entry %s unreadable (%r), page read again", path.name, exc)
        return None


def _cache_write(cache_dir: Path | None, key: str, page: OcrPage) -> None:
    if cache_dir is None:
        return
    path = _cache_path(cache_dir, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.part")
        tmp.write_text(json.dumps(page.to_json(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)  # a kill never leaves half an entry under the real name
    except OSError as exc:  # a read-only or full disk: OCR still works, only uncached
        log.warning("OCR cache not written (%s): %s", path, exc)


def ocr_document(
    path: Path,
    numbers: list[int],
    *,
    password: str | None = None,
    cache_dir: Path | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> dict[int, OcrPage]:
    """OCR the given pages (1-based) of a PDF, one page image in memory at a time; `on_page(done,
    total)` after each. Each page is cached as soon as it is read, so an interrupted run (Ctrl-C,
    a killed worker) resumes at the first page not yet done."""
    import pypdfium2

    from ingest.errors import BadDocument

    try:
        pdf = pypdfium2.PdfDocument(str(path), password=password or None)
    except pypdfium2.PdfiumError as exc:
        raise BadDocument(
            f"无法渲染扫描页以进行 OCR：{path.name} / cannot render the scanned pages for OCR: {path.name}"
        ) from exc
    out: dict[int, OcrPage] = {}
    try:
        for done, number in enumerate(numbers, start=1):
            out[number] = ocr_page(pdf, number - 1, cache_dir=cache_dir)
            if on_page is not None:
                on_page(done, len(numbers))
    finally:
        pdf.close()
    return out
