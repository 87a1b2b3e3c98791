"""Shared pieces of the generator: decimal helpers, the document builder (`Doc`), the gold-case
candidates (`Cand`), planting one inconsistency, and small HTML table helpers.

Every figure a document shows is registered with `Doc.num` (key, value, unit, text as rendered),
so the cases can cite the page where that text lands in the PDF.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from evals.generator import vocab

D = Decimal
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def q(v: Decimal | int | str, places: int = 2) -> Decimal:
    return Decimal(v).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def pct(part: Decimal, whole: Decimal) -> Decimal:
    """part ÷ whole × 100, rounded half-up to 2 places."""
    return q(part / whole * HUNDRED)


def growth(cur: Decimal, prev: Decimal) -> Decimal:
    return q((cur - prev) / prev * HUNDRED)


def plain(v: Decimal) -> str:
    """A number as written in notes and metric inputs: no separators, no exponent."""
    return format(v, "f")


def fmt(v: Decimal, places: int, sep: bool) -> str:
    v = q(v, places)
    return format(v, f",.{places}f") if sep else format(v, f".{places}f")


def grade_of(score: Decimal) -> str:
    for low, g in vocab.GRADE_BANDS:
        if score >= low:
            return g
    return "差"


GRADE_RULE = "优≥90、良80–90、中60–80、差<60"


def esc(s: str) -> str:
    return html.escape(s, quote=False)


# --------------------------------------------------------------------------------------------
@dataclass
class Fig:
    key: str
    value: Decimal  # as shown (after a planted change: the stated value)
    unit: str
    text: str  # the number exactly as rendered, e.g. "1,234.56"
    label: str


@dataclass
class Cand:
    """A gold case before pages are known. `cite` and `deps` are figure keys."""

    kind: str  # lookup | computed | refuse
    question: str
    value: Decimal | None = None
    unit: str = ""
    cite: list[str] = field(default_factory=list)
    note: str | None = None
    metric: dict | None = None
    contains: list | None = None
    tags: list[str] = field(default_factory=list)
    deps: set[str] = field(default_factory=set)
    prev: Cand | None = None  # the first turn of a follow-up conversation
    absent: str | None = None  # refusals: a word the document must not contain

    def all_deps(self) -> set[str]:
        return set(self.cite) | self.deps | (self.prev.all_deps() if self.prev else set())


@dataclass
class PlantOption:
    kind: str  # sum | rate | score_total
    key: str  # the figure whose stated value is changed
    label: str
    taints: set[str]  # figures no gold case may rely on afterwards
    true: Decimal  # the value the document should show
    step: Decimal  # the smallest unit of the shown figure (0.01, 1 …)
    lo: Decimal  # the change is drawn from ±[lo, hi]
    hi: Decimal


@dataclass
class Planted:
    kind: str
    key: str
    stated: Decimal
    expected: Decimal
    label: str


# --------------------------------------------------------------------------------------------
@dataclass
class Ctx:
    """The draws shared by every document type."""

    year: int
    place: str
    sector: vocab.Sector
    agency: str  # 示例市农业农村局
    project: str
    implementer: str
    munit: str  # 元 | 万元 | 亿元
    mplaces: int
    sep: bool
    splaces: int  # places of scores
    ruled: bool
    unit_in_header: bool
    total_first: bool
    font: str
    size: str
    heading_font: str


def draw_ctx(rng: random.Random, *, big: bool = False) -> Ctx:
    sector = rng.choice(vocab.SECTORS)
    place = rng.choice(vocab.PLACES)
    munit = rng.choice(["万元", "万元", "万元", "元", "亿元"] if big else ["万元", "万元", "万元", "元"])
    return Ctx(
        year=rng.randint(2019, 2024),
        place=place,
        sector=sector,
        agency=place + sector.agency,
        project=rng.choice(sector.projects),
        implementer=place + rng.choice(sector.implementers),
        munit=munit,
        mplaces=4 if munit == "亿元" else 2,
        sep=rng.random() < 0.6,
        splaces=rng.choice([1, 2, 2]),
        ruled=rng.random() < 0.7,
        unit_in_header=rng.random() < 0.5,
        total_first=rng.random() < 0.4,
        font=rng.choice(["Noto Serif CJK SC", "Noto Sans CJK SC"]),
        size=rng.choice(["10.5pt", "11pt", "12pt"]),
        heading_font=rng.choice(["Noto Sans CJK SC", "Noto Serif CJK SC"]),
    )


def money(rng: random.Random, ctx: Ctx, lo_wan: float, hi_wan: float) -> Decimal:
    """A random amount between lo and hi 万元, in the document's unit and places."""
    factor = {"元": Decimal(10000), "万元": Decimal(1), "亿元": Decimal("0.0001")}[ctx.munit]
    step = Decimal(1).scaleb(-ctx.mplaces)
    lo = int(Decimal(str(lo_wan)) * factor / step)
    hi = int(Decimal(str(hi_wan)) * factor / step)
    return q(Decimal(rng.randint(max(lo, 1), max(hi, 2))) * step, ctx.mplaces)


def split(rng: random.Random, total: Decimal, n: int, places: int, spread: float = 0.6) -> list[Decimal]:
    """n positive parts that add up exactly to total."""
    weights = [1 - spread / 2 + rng.random() * spread for _ in range(n)]
    s = sum(weights)
    parts = [q(total * Decimal(str(w / s)), places) for w in weights[:-1]]
    parts.append(total - sum(parts, ZERO))
    return parts


def split_int(rng: random.Random, total: int, n: int, low: int = 1) -> list[int]:
    """n integers >= low adding up to total (scores of indicators)."""
    parts = [low] * n
    for _ in range(total - low * n):
        parts[rng.randrange(n)] += 1
    return parts


# --------------------------------------------------------------------------------------------
class Doc:
    def __init__(self, rng: random.Random, ctx: Ctx, name: str, doc_type: str, kind_zh: str) -> None:
        self.rng = rng
        self.ctx = ctx
        self.name = name  # stem
        self.doc_type = doc_type
        self.kind_zh = kind_zh
        self.title = ""
        self.figs: dict[str, Fig] = {}
        self.true: dict[str, Decimal] = {}
        self.parts: list[str] = []
        self.cands: list[Cand] = []
        self.plant_options: list[PlantOption] = []
        self.planted: Planted | None = None
        self.overrides: dict[str, Decimal] = {}
        self.tainted: set[str] = set()

    # -- figures ------------------------------------------------------------------------------
    def num(
        self, key: str, value: Decimal, unit: str, places: int, label: str = "", sep: bool | None = None
    ) -> str:
        """Register a figure and return its text (HTML-safe). A planted override changes what is
        shown; `self.true[key]` keeps the drawn value."""
        sep = self.ctx.sep if sep is None else sep
        value = q(value, places)
        self.true[key] = value
        shown = q(self.overrides.get(key, value), places)
        text = fmt(shown, places, sep)
        old = self.figs.get(key)
        if old is not None and old.text != text:
            raise ValueError(f"figure {key} rendered two ways: {old.text} / {text}")
        self.figs[key] = Fig(key, shown, unit, text, label or (old.label if old else key))
        return esc(text)

    def m(self, key: str, value: Decimal, label: str = "") -> str:
        """A money figure in the document's unit."""
        return self.num(key, value, self.ctx.munit, self.ctx.mplaces, label)

    def mu(self, key: str, value: Decimal, label: str = "") -> str:
        """A money figure followed by its unit (for sentences)."""
        return self.m(key, value, label) + self.ctx.munit

    def p(self, key: str, value: Decimal, label: str = "") -> str:
        return self.num(key, value, "%", 2, label)

    def s(self, key: str, value: Decimal, label: str = "") -> str:
        return self.num(key, value, "分", self.ctx.splaces, label)

    def n(self, key: str, value: int | Decimal, unit: str, label: str = "") -> str:
        return self.num(key, Decimal(value), unit, 0, label)

    def v(self, key: str) -> Decimal:
        """The value as shown (a planted figure shows its stated value)."""
        return self.figs[key].value

    def t(self, key: str) -> str:
        """The note form of a figure as shown."""
        return plain(self.figs[key].value)

    # -- planting -----------------------------------------------------------------------------
    def option(
        self, kind: str, key: str, label: str, taints: set[str], true: Decimal, step: str, lo: str, hi: str
    ) -> None:
        self.plant_options.append(PlantOption(kind, key, label, taints | {key}, true, D(step), D(lo), D(hi)))

    def plant(self) -> None:
        """Choose one registered option and decide its stated value. Called after the values are
        drawn and before the HTML is written (the override is applied by `num`)."""
        opt = self.rng.choice(self.plant_options)
        true_value = opt.true
        steps_lo, steps_hi = int(opt.lo / opt.step), int(opt.hi / opt.step)
        delta = opt.step * self.rng.randint(max(steps_lo, 1), max(steps_hi, 2))
        sign = self.rng.choice([1, -1])
        if opt.kind in ("rate", "score_total") and true_value + delta > HUNDRED:
            sign = -1
        if true_value - delta <= 0:
            sign = 1
        stated = true_value + sign * delta
        self.overrides[opt.key] = stated
        self.tainted = set(opt.taints)
        self.planted = Planted(opt.kind, opt.key, stated, true_value, opt.label)

    def shown(self, key: str, value: Decimal) -> Decimal:
        """What the document states for `key` (the planted value, if this is the planted figure).
        Figures derived from a planted one are computed from what is shown, so a document holds
        exactly one inconsistency."""
        return self.overrides.get(key, value)

    # -- cases --------------------------------------------------------------------------------
    def cand(self, kind: str, question: str, **kw) -> Cand:
        c = Cand(kind, question, **kw)
        self.cands.append(c)
        return c

    def lookup(
        self, key: str, question: str, *, prev: Cand | None = None, tags: list[str] | None = None
    ) -> Cand:
        f = self.figs[key]
        return self.cand(
            "lookup", question, value=f.value, unit=f.unit, cite=[key], prev=prev, tags=tags or []
        )

    def refuse(self, question: str, why: str, absent: str | None = None) -> Cand:
        """An unanswerable question; `absent` is a word the document must not contain."""
        return self.cand("refuse", question, note=why, absent=absent)

    def computed(
        self,
        question: str,
        *,
        value: Decimal,
        unit: str,
        formula: str,
        expr: str,
        inputs: list[str],
        metric: str | list[str] | None = None,
        metric_inputs: list[str] | None = None,
        contains: list | None = None,
        tags: list[str] | None = None,
        deps: list[str] | None = None,
    ) -> Cand:
        """`expr` is the arithmetic with the figures substituted (× ÷ + − ( ) and % on 100)."""
        note = f"{formula}；代入：{expr} = {plain(value)}{unit}"
        met = None
        if metric:
            met = {"name": metric, "value": plain(value)}
            if metric_inputs is None:
                metric_inputs = [self.t(k) for k in inputs]
            if metric_inputs:
                met["inputs"] = metric_inputs
        return self.cand(
            "computed",
            question,
            value=value,
            unit=unit,
            cite=list(inputs),
            note=note,
            metric=met,
            contains=contains,
            tags=tags or [],
            deps=set(deps or []),
        )

    def grade_case(self, total_key: str, question: str) -> Cand:
        total = self.v(total_key)
        g = grade_of(total)
        note = f"等级：总分 {plain(total)} 分，按 {GRADE_RULE} 判定为“{g}”"
        return self.cand(
            "computed",
            question,
            value=total,
            unit="分",
            cite=[total_key],
            note=note,
            metric={"name": "grade_from_score", "inputs": [plain(total)]},
            contains=[{"re": f'(?:等级|等次|档次|评定|评为|为|属于|是)[^。；，]{{0,6}}[“"「『]?{g}(?![好])'}],
            tags=["grade"],
        )

    # -- html ---------------------------------------------------------------------------------
    def add(self, *chunks: str) -> None:
        self.parts.extend(chunks)

    def h(self, level: int, text: str) -> None:
        self.parts.append(f"<h{level}>{esc(text)}</h{level}>")

    def para(self, text: str, align: str | None = None) -> None:
        style = f' style="text-align:{align}"' if align else ""
        self.parts.append(f"<p{style}>{text}</p>")

    def html(self) -> str:
        c = self.ctx
        return (
            "<!DOCTYPE html>\n"
            '<html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{esc(self.title)}</title>\n<style>\n"
            "@page { size: 21cm 29.7cm; margin: 2.4cm 2.2cm; }\n"
            f'body {{ font-family: "{c.font}"; font-size: {c.size}; }}\n'
            f'h1 {{ font-family: "{c.heading_font}"; font-size: 17pt; text-align: center; }}\n'
            f'h2 {{ font-family: "{c.heading_font}"; font-size: 13pt; }}\n'
            f'h3 {{ font-family: "{c.heading_font}"; font-size: 12pt; }}\n'
            "td, th { font-size: 9.5pt; }\n"
            "</style></head>\n<body>\n" + "\n".join(self.parts) + "\n</body></html>\n"
        )


# --------------------------------------------------------------------------------------------
def td(
    text: str,
    *,
    rs: int = 1,
    cs: int = 1,
    th: bool = False,
    align: str | None = None,
    width: int | None = None,
) -> str:
    tag = "th" if th else "td"
    attrs = f' width="{width}%"' if width else ""
    if rs > 1:
        attrs += f' rowspan="{rs}"'
    if cs > 1:
        attrs += f' colspan="{cs}"'
    if align:
        attrs += f' align="{align}"'
    return f"<{tag}{attrs}>{text}</{tag}>"


def table(
    head: list[list[str]], body: list[list[str]], *, ruled: bool, widths: list[int] | None = None
) -> str:
    """Rows are lists of already-built cells. The header goes in <thead> (repeated on a new page)."""
    border = ' border="1"' if ruled else ' border="0"'
    cols = ""
    if widths:
        # pixels (LibreOffice ignores percentages once a row spans columns); 630 px ≈ the text width
        cols = "<colgroup>" + "".join(f'<col width="{w * 63 // 10}">' for w in widths) + "</colgroup>"
    out = [f'<table{border} cellspacing="0" cellpadding="4" width="100%">{cols}']
    if head:
        out.append("<thead>" + "".join(f"<tr>{''.join(r)}</tr>" for r in head) + "</thead>")
    out.append("<tbody>" + "\n".join(f"<tr>{''.join(r)}</tr>" for r in body) + "</tbody></table>")
    return "\n".join(out)


def unit_line(ctx: Ctx, unit: str | None = None) -> str:
    return f'<p style="text-align:right">单位：{unit or ctx.munit}</p>'


def hdr(ctx: Ctx, label: str, unit: str | None = None) -> str:
    """A column header, with the unit in it when the document states units in headers."""
    return f"{label}（{unit or ctx.munit}）" if ctx.unit_in_header else label
