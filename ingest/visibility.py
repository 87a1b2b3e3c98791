"""Text a reader cannot see is not part of the document: find it in a page's content stream.

A planted sentence in white on white, in 0.5 pt type, in render mode 3 (invisible) or placed off the
page is extracted by every text parser as if it were printed, and would then be indexed, cited and
believed. `visible_page` walks a pypdf page's content stream (and the form XObjects it draws) while
tracking the graphics state — CTM, text matrix, font size, fill and stroke colour, fill opacity,
render mode — and drops every text-showing operator whose text would not be seen:

- `render_mode`: render mode 3 (neither filled nor stroked) or 7 (clip only);
- `background`: painted in a colour within `NEAR_WHITE` of the (white) page, or fully transparent;
- `tiny`: an effective glyph height below `MIN_FONT_PT` points;
- `off_page`: drawn with its origin outside the page's crop box.

Only the page object held in memory is changed (its /Contents, and the /XObject entries of forms
with hidden text); the file is not touched. Counts are characters, estimated from the string bytes
(two bytes a glyph for composite fonts), per reason.

Invisible text (render mode 3) drawn over a picture is kept: that is how a scan carries its OCR
layer, and the reader sees the words in the picture. Colours of spot, indexed and pattern colour
spaces are taken as visible.

Limits, deliberately: text covered by a later opaque shape, text clipped away by a clipping path
and text on a coloured rectangle of the same colour are not detected.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from pypdf.generic import ArrayObject, ContentStream, NameObject

MIN_FONT_PT = 2.0
NEAR_WHITE = 0.06  # every colour channel within this of 1.0 (white) is the page's own colour
_MAX_STACK = 256  # q nested deeper than this is not tracked (a hostile file)
_MAX_FORM_DEPTH = 8
_SHOW = {b"Tj", b"TJ", b"'", b'"'}
REASONS_ZH = {
    "render_mode": "不可见渲染模式",
    "background": "与背景同色或透明",
    "tiny": "字号过小",
    "off_page": "位于页面之外",
}

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """m × n (PDF row-vector convention: apply m, then n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _nums(operands: list[Any], count: int) -> tuple[float, ...] | None:
    if len(operands) < count:
        return None
    try:
        values = tuple(float(x) for x in operands[-count:])
    except (TypeError, ValueError):
        return None
    return values if all(math.isfinite(v) for v in values) else None


def _colour(operands: list[Any]) -> tuple[float, ...] | None:
    """RGB of a gray/RGB/CMYK operand list; None when it is not one (a pattern, a spot colour)."""
    if operands and isinstance(operands[-1], NameObject):
        return None
    values = _nums(operands, len(operands)) if operands else None
    if values is None:
        return None
    if len(values) == 1:
        return (values[0],) * 3
    if len(values) == 3:
        return values
    if len(values) == 4:
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


@dataclass(frozen=True)
class _State:
    ctm: Matrix = IDENTITY
    fill: tuple[float, ...] | None = (0.0, 0.0, 0.0)  # RGB; None when unknown (pattern, spot colour)
    stroke: tuple[float, ...] | None = (0.0, 0.0, 0.0)
    fill_device: bool = True  # the fill colour space is gray/RGB/CMYK (sc/scn operands are colours)
    stroke_device: bool = True
    fill_alpha: float = 1.0
    stroke_alpha: float = 1.0
    render: int = 0
    font_size: float = 0.0
    font: str = ""
    scale: float = 1.0  # Tz / 100
    leading: float = 0.0


@dataclass
class Hidden:
    """Characters dropped from one document, per reason."""

    chars: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.chars.values())

    def add(self, other: Hidden) -> None:
        self.chars.update(other.chars)

    def summary(self) -> str:
        """'' when nothing was hidden; else a Chinese / English sentence for the ingest report."""
        if not self.total:
            return ""
        zh = "，".join(f"{REASONS_ZH[k]} {n}" for k, n in sorted(self.chars.items()))
        en = ", ".join(f"{k} {n}" for k, n in sorted(self.chars.items()))
        return (
            f"已忽略 {self.total} 个读者看不见的字符（{zh}），未入库 / "
            f"ignored {self.total} characters a reader cannot see ({en})"
        )


class _Walker:
    def __init__(self, reader: Any, box: tuple[float, float, float, float]) -> None:
        self.reader = reader
        self.box = box
        self.hidden = Hidden()
        self.forms_seen: set[int] = set()
        self.images: list[tuple[float, float, float, float]] = []  # boxes of the pictures drawn

    def filter(self, content: ContentStream, resources: Any, state: _State, depth: int) -> bool:
        """Drop hidden text from `content` in place; True when anything was dropped."""
        self.images += _image_boxes(content, resources, state.ctm)
        stack: list[_State] = []
        tm = tlm = IDENTITY
        dropped = False
        kept: list[tuple[Any, bytes]] = []
        for operands, op in content.operations:
            if op == b"q":
                if len(stack) < _MAX_STACK:
                    stack.append(state)
            elif op == b"Q":
                if stack:
                    state = stack.pop()
            elif op == b"cm":
                m = _nums(operands, 6)
                if m is not None:
                    state = replace(state, ctm=_mult(m, state.ctm))  # type: ignore[arg-type]
            elif op in (b"g", b"rg", b"k"):
                state = replace(state, fill=_colour(operands), fill_device=True)
            elif op in (b"G", b"RG", b"K"):
                state = replace(state, stroke=_colour(operands), stroke_device=True)
            elif op in (b"sc", b"scn"):
                state = replace(state, fill=_colour(operands) if state.fill_device else None)
            elif op in (b"SC", b"SCN"):
                state = replace(state, stroke=_colour(operands) if state.stroke_device else None)
            elif op in (b"cs", b"CS"):
                device = bool(operands) and _device_space(resources, operands[0])
                initial = (0.0, 0.0, 0.0) if device else None  # a spot colour's initial tint is full ink
                if op == b"cs":
                    state = replace(state, fill=initial, fill_device=device)
                else:
                    state = replace(state, stroke=initial, stroke_device=device)
            elif op == b"gs" and operands:
                state = self._ext_gstate(resources, operands[0], state)
            elif op == b"Tr":
                v = _nums(operands, 1)
                if v is not None:
                    state = replace(state, render=int(v[0]))
            elif op == b"Tf" and len(operands) >= 2:
                v = _nums(operands[1:2], 1)
                state = replace(state, font=str(operands[0]), font_size=v[0] if v else state.font_size)
            elif op == b"Tz":
                v = _nums(operands, 1)
                if v is not None:
                    state = replace(state, scale=v[0] / 100)
            elif op == b"TL":
                v = _nums(operands, 1)
                if v is not None:
                    state = replace(state, leading=v[0])
            elif op == b"BT":
                tm = tlm = IDENTITY
            elif op in (b"Td", b"TD"):
                v = _nums(operands[:2], 2)
                if v is not None:
                    if op == b"TD":
                        state = replace(state, leading=-v[1])
                    tm = tlm = _mult((1.0, 0.0, 0.0, 1.0, v[0], v[1]), tlm)
            elif op == b"Tm":
                m = _nums(operands, 6)
                if m is not None:
                    tm = tlm = m  # type: ignore[assignment]
            elif op == b"T*":
                tm = tlm = _mult((1.0, 0.0, 0.0, 1.0, 0.0, -state.leading), tlm)
            elif op == b"Do" and operands and depth < _MAX_FORM_DEPTH:
                dropped |= self._form(resources, operands[0], state, depth)
            if op in (b"'", b'"'):
                tm = tlm = _mult((1.0, 0.0, 0.0, 1.0, 0.0, -state.leading), tlm)
            if op in _SHOW:
                reason = self._reason(state, tm)
                if reason:
                    self.hidden.chars[reason] += self._char_count(operands, op, resources, state.font)
                    dropped = True
                    if op == b'"' and len(operands) >= 3:  # keep its spacing side effects, not its text
                        kept += [([operands[0]], b"Tw"), ([operands[1]], b"Tc")]
                    if op in (b"'", b'"'):
                        kept.append(([], b"T*"))
                    continue
            kept.append((operands, op))
        if dropped:
            content.operations = kept
        return dropped

    def _reason(self, state: _State, tm: Matrix) -> str:
        trm = _mult(tm, state.ctm)
        if state.render in (3, 7):
            # invisible text over a picture is a scan's OCR layer: the reader sees it in the picture
            x, y = trm[4], trm[5]
            if any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in self.images):
                return ""
            return "render_mode"
        painted = {0: "fill", 4: "fill", 1: "stroke", 5: "stroke"}.get(state.render, "both")
        unseen = {
            "fill": _unseen(state.fill, state.fill_alpha),
            "stroke": _unseen(state.stroke, state.stroke_alpha),
        }
        if all(unseen.values()) if painted == "both" else unseen[painted]:
            return "background"
        height = abs(state.font_size) * math.hypot(trm[2], trm[3])
        width = abs(state.font_size) * abs(state.scale) * math.hypot(trm[0], trm[1])
        if min(height, width) < MIN_FONT_PT:
            return "tiny"
        x0, y0, x1, y1 = self.box
        x, y = trm[4], trm[5]
        margin = height
        if x < x0 - margin or x > x1 or y < y0 - margin or y > y1 + margin:
            return "off_page"
        return ""

    def _ext_gstate(self, resources: Any, name: Any, state: _State) -> _State:
        try:
            gs = resources["/ExtGState"][name].get_object()
            if "/ca" in gs:
                state = replace(state, fill_alpha=float(gs["/ca"]))
            if "/CA" in gs:
                state = replace(state, stroke_alpha=float(gs["/CA"]))
            if "/Font" in gs and isinstance(gs["/Font"], ArrayObject) and len(gs["/Font"]) == 2:
                state = replace(state, font_size=float(gs["/Font"][1]))
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
        return state

    @staticmethod
    def _char_count(operands: list[Any], op: bytes, resources: Any, font: str) -> int:
        strings: list[Any] = []
        if op == b"TJ" and operands and isinstance(operands[0], list):
            strings = [s for s in operands[0] if isinstance(s, (str, bytes))]
        elif operands:
            strings = [operands[-1]]
        width = 1
        try:
            if resources["/Font"][font].get_object().get("/Subtype") == "/Type0":
                width = 2
        except (KeyError, TypeError, AttributeError):
            pass
        total = 0
        for s in strings:
            raw = s.original_bytes if hasattr(s, "original_bytes") else s
            total += len(raw) // width if isinstance(raw, bytes) else len(raw)
        return total

    def _form(self, resources: Any, name: Any, state: _State, depth: int) -> bool:
        try:
            xobjects = resources["/XObject"]
            form = xobjects[name].get_object()
            if form.get("/Subtype") != "/Form" or id(form) in self.forms_seen:
                return False
        except (KeyError, TypeError, AttributeError):
            return False
        self.forms_seen.add(id(form))
        m = _nums(list(form.get("/Matrix", [])), 6) or IDENTITY
        content = ContentStream(form, self.reader)
        form_resources = form.get("/Resources", resources)
        form_resources = form_resources.get_object() if form_resources is not None else resources
        if not self.filter(content, form_resources, replace(state, ctm=_mult(m, state.ctm)), depth + 1):  # type: ignore[arg-type]
            return False
        for key, value in form.items():
            if key not in ("/Length", "/Filter", "/DecodeParms"):
                content[NameObject(key)] = value
        xobjects[NameObject(str(name))] = content
        return True


def _unseen(colour: tuple[float, ...] | None, alpha: float) -> bool:
    """Paint the reader cannot tell from the white page: (near) white, or fully transparent."""
    return alpha <= 0.02 or (colour is not None and all(c >= 1 - NEAR_WHITE for c in colour))


def _device_space(resources: Any, name: Any) -> bool:
    """Whether colour space `name` takes gray/RGB/CMYK components (device, calibrated or ICC)."""
    if name in ("/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/CalGray", "/CalRGB", "/G", "/RGB", "/CMYK"):
        return True
    try:
        space = resources["/ColorSpace"][name].get_object()
        family = space[0] if isinstance(space, list) else space
        return family in ("/ICCBased", "/CalGray", "/CalRGB", "/DeviceGray", "/DeviceRGB", "/DeviceCMYK")
    except (KeyError, TypeError, IndexError, AttributeError):
        return False


def _image_boxes(
    content: ContentStream, resources: Any, ctm: Matrix
) -> list[tuple[float, float, float, float]]:
    """The page-space boxes of the images `content` paints (XObject images and inline images)."""
    boxes = []
    stack: list[Matrix] = []
    for operands, op in content.operations:
        if op == b"q" and len(stack) < _MAX_STACK:
            stack.append(ctm)
        elif op == b"Q" and stack:
            ctm = stack.pop()
        elif op == b"cm":
            m = _nums(operands, 6)
            if m is not None:
                ctm = _mult(m, ctm)  # type: ignore[arg-type]
        elif op in (b"Do", b"INLINE IMAGE"):
            if op == b"Do":
                try:
                    if (
                        not operands
                        or resources["/XObject"][operands[0]].get_object().get("/Subtype") != "/Image"
                    ):
                        continue
                except (KeyError, TypeError, AttributeError):
                    continue
            corners = [
                _mult((1.0, 0.0, 0.0, 1.0, cx, cy), ctm)[4:] for cx, cy in ((0, 0), (1, 0), (0, 1), (1, 1))
            ]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def visible_page(page: Any, reader: Any) -> Hidden:
    """Remove the text a reader cannot see from `page` (a pypdf page, in memory); what was removed."""
    try:
        contents = page.get_contents()
    except Exception:
        return Hidden()
    if contents is None:
        return Hidden()
    try:
        box = page.cropbox
        bounds = (float(box.left), float(box.bottom), float(box.right), float(box.top))
    except (KeyError, TypeError, ValueError, AttributeError):
        bounds = (-math.inf, -math.inf, math.inf, math.inf)
    lo_x, hi_x = sorted(bounds[0::2])
    lo_y, hi_y = sorted(bounds[1::2])
    if not (hi_x - lo_x > 1 and hi_y - lo_y > 1):  # a broken page box says nothing about placement
        lo_x = lo_y = -math.inf
        hi_x = hi_y = math.inf
    walker = _Walker(reader, (lo_x, lo_y, hi_x, hi_y))
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    if walker.filter(contents, resources, _State(), 0):
        page[NameObject("/Contents")] = contents
    return walker.hidden
