"""What a document's own tables teach the lexicon.

A report names its measures in its table headers ("接听量（万次）", "单位人工成本（万元）") and
computes some of them from others. Neither is vocabulary of the field, so neither is written in
code: the measures are read from the headers (their kind from the unit the header or the cell
states), and a relation is learned only where the document's own numbers prove it — a rate or a
per-unit figure that equals the quotient of two other series in every column (or row) where all
three are stated, at least twice, to the figure's own decimals.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from service.answer.deterministic.lexicon import Concept, Kind, clean_header

# a figure per something: its value is a quotient of two others ("每1万…成本", "人均…", "单位…成本")
_PER_UNIT = re.compile(r"^(?:每|单位|平均每|[^\W\d_月年日周季]均)")
_PER_TEN_THOUSAND = re.compile(r"^每\s*[1一]?\s*万")
_RATE = re.compile(r"率$")
_COUNT_UNITS = frozenset("人 次 件 个 户 家 条 项 台 套 场 期 所 万次 万件 万人 人次 万人次".split())  # noqa: SIM905
_AMOUNT_UNITS = frozenset("元 万元 亿元 千元".split())  # noqa: SIM905
SCALES = (Decimal(1), Decimal(100), Decimal(10000))
MAX_SERIES = 80  # per document and orientation: the relation search is cubic in it


@dataclass(frozen=True)
class Relation:
    """`name` = numerator ÷ denominator (× 100 for a rate), proven on `proofs` columns of a table."""

    op: str  # calculator operation: "ratio" (a percentage), "unit_cost", "cost_per_10k"
    numerator: str
    denominator: str
    proofs: int = 0


@dataclass
class _Series:
    name: str
    values: dict[str, Decimal]
    decimals: dict[str, int]
    percent: bool
    unit: str


def _decimal(text: str | None) -> tuple[Decimal, int] | None:
    if text is None:
        return None
    try:
        d = Decimal(str(text))
    except InvalidOperation:
        return None
    exp = d.as_tuple().exponent
    return d, (-exp if isinstance(exp, int) and exp < 0 else 0)


def kind_of(name: str, unit: str, percent: bool) -> Kind | None:
    if percent or unit == "%" or _RATE.search(name):
        return "rate"
    if unit in _AMOUNT_UNITS or (unit.endswith("元") and _PER_UNIT.search(name)):
        return "amount"
    if unit in _COUNT_UNITS:
        return "count"
    return None


def _series(cells: Iterable[object]) -> list[list[_Series]]:
    """Per document and orientation (rows named by their label, columns by their header)."""
    groups: dict[tuple[str, str, str], _Series] = {}
    for c in cells:
        doc, cell = c  # type: ignore[misc]
        got = _decimal(cell.value)
        if got is None or not cell.row_header or not cell.col_header:
            continue
        value, places = got
        row = clean_header(cell.row_header[-1])
        col = "/".join(clean_header(h) for h in cell.col_header if h)
        for orient, name, key in (("row", row, col), ("col", clean_header(cell.col_header[-1]), row)):
            if len(name) < 2 or not key:
                continue
            s = groups.setdefault(
                (doc, orient, name), _Series(name, {}, {}, bool(cell.is_percent), str(cell.unit or ""))
            )
            if key in s.values and s.values[key] != value:  # the same name twice: not one series
                s.values[key] = Decimal("NaN")
                continue
            s.values[key] = value
            s.decimals[key] = places
    out: dict[tuple[str, str], list[_Series]] = defaultdict(list)
    for (doc, orient, _name), s in groups.items():
        s.values = {k: v for k, v in s.values.items() if not v.is_nan()}
        if len(s.values) >= 2:
            out[(doc, orient)].append(s)
    return [v[:MAX_SERIES] for v in out.values()]


def _fits(r: _Series, a: _Series, b: _Series) -> tuple[Decimal, int] | None:
    """The scale at which r = a ÷ b × scale in every shared key (one miss allowed from four), and
    how many keys prove it."""
    keys = [k for k in r.values if k in a.values and k in b.values and b.values[k] != 0]
    if len(keys) < 2:
        return None
    rate = r.percent or bool(_RATE.search(r.name))
    for scale in SCALES:
        if rate != (scale == 100):
            continue
        hits = 0
        for k in keys:
            q = a.values[k] / b.values[k] * scale
            step = Decimal(1).scaleb(-r.decimals[k])
            if abs(q - r.values[k]) <= step * Decimal("0.5") + step / 1000:
                hits += 1
        if hits >= 2 and hits >= len(keys) - (1 if len(keys) >= 4 else 0):
            return scale, hits
    return None


def learn_relations(cells: Iterable[object]) -> dict[str, Relation]:
    """Relations the documents' tables prove; a figure two different pairs fit is left out (which
    of them the report divided cannot be told from its numbers)."""
    found: dict[str, set[Relation]] = defaultdict(set)
    for group in _series(cells):
        for r in group:
            if not (r.percent or _RATE.search(r.name) or _PER_UNIT.search(r.name)):
                continue
            for a in group:
                if a is r:
                    continue
                for b in group:
                    if b is r or b is a:
                        continue
                    fit = _fits(r, a, b)
                    if fit is None:
                        continue
                    scale, hits = fit
                    if scale == 100:
                        op = "ratio"
                    elif _PER_TEN_THOUSAND.search(r.name):
                        op = "cost_per_10k"
                    else:
                        op = "unit_cost"
                    found[r.name].add(Relation(op, a.name, b.name, hits))
    return {
        name: next(iter(rels))
        for name, rels in found.items()
        if len({(x.numerator, x.denominator) for x in rels}) == 1
    }


def learn(cells: list[object], known: Iterable[Concept]) -> tuple[list[Concept], dict[str, Relation]]:
    """The relations the tables prove, and a concept for each figure in them that no known concept
    names (its kind from its unit): only a figure the document computes with is surely a measure;
    its other headers stay headers (a row may name a post or an item, not a measure)."""
    relations = learn_relations(cells)
    names = {n for name, r in relations.items() for n in (name, r.numerator, r.denominator)}
    kinds: dict[str, Kind] = {}
    for c in cells:
        _doc, cell = c  # type: ignore[misc]
        if cell.value is None or not cell.row_header:
            continue
        for header in (cell.row_header[-1], *(cell.col_header[-1:] if cell.col_header else ())):
            name = clean_header(header)
            if name in names and name not in kinds:
                k = kind_of(name, str(cell.unit or ""), bool(cell.is_percent))
                if k is not None:
                    kinds[name] = k
    people = {name for name, unit in _units(cells).items() if unit in _HEAD_UNITS}
    per_head = {n for n, r in relations.items() if r.op == "unit_cost" and r.denominator in people}
    forms = {name: [*_variants(name), *(_per_head(name) if name in per_head else ())] for name in kinds}
    # a count named by its verb ("受理量", "接听量"): asked as the verb done ("受理了多少")
    for name, k in kinds.items():
        if k == "count" and len(name) >= 3 and name.endswith("量") and not name.endswith("数量"):
            forms[name] += [name[:-1] + "了", name[:-1] + "的"]
    # a rate's shorter name ("流失率" of 月均人员流失率) when no other name of the documents ends so
    names = {*kinds, *(h for c in known for h in (c.key, *c.synonyms))}
    for name, k in kinds.items():
        if k == "rate":
            for cut in range(1, len(name) - 2):
                tail = name[cut:]
                if sum(n.endswith(tail) for n in names) == 1:
                    forms[name].append(tail)
    return [
        Concept(name, tuple(dict.fromkeys(forms[name])), (name,), k) for name, k in kinds.items()
    ], relations


_HEAD_UNITS = frozenset(["人", "名", "位"])


def _units(cells: Iterable[object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in cells:
        _doc, cell = c  # type: ignore[misc]
        if cell.row_header and cell.unit:
            out.setdefault(clean_header(cell.row_header[-1]), str(cell.unit))
    return out


def _per_head(name: str) -> tuple[str, ...]:
    """A per-unit figure whose denominator counts people is a per-head figure: 单位X = 人均X = 每人X."""
    m = re.match(r"^(?:单位|平均每人|每人|人均)", name)
    return tuple(head + name[m.end() :] for head in ("人均", "每人", "单位")) if m else ()


_PER_TEN_THOUSAND_HEAD = re.compile(r"^每\s*[1一]?\s*万次?")


def _variants(name: str) -> tuple[str, ...]:
    """The ways of writing a figure's per-10,000 head: 每1万 = 每一万 = 每万 = 每万次."""
    m = _PER_TEN_THOUSAND_HEAD.match(name)
    if not m:
        return (name,)
    rest = name[m.end() :]
    return tuple(
        dict.fromkeys([name, *(head + rest for head in ("每万", "每一万", "每1万", "每万次", "每一万次"))])
    )


_RATE_NAME = re.compile(r"([\u4e00-\u9fff]{1,8}率)$")


def sentence_rates(descriptions: Iterable[str], known: Iterable[Concept]) -> list[Concept]:
    """The rates a report names in its sentences ("全年累计接听率96.12%"): the shortest name ending
    in 率 (three characters at least) that its percentage figures are described by, when no known
    concept has that name — so a question naming the rate ("坐席电话接听率") finds the sentence."""
    taken = {w for c in known for w in (c.key, *c.synonyms)}
    out: dict[str, Concept] = {}
    for d in descriptions:
        m = _RATE_NAME.search(re.sub(r"\s+", "", d))
        if not m:
            continue
        name = m.group(1)[-3:]
        if name in taken or name in out or any(name in t or t.endswith(name) for t in taken if len(t) > 3):
            continue
        out[name] = Concept(name, (name,), (name,), "rate")
    return list(out.values())
