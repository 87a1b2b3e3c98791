"""Number grounding: every figure in an answer must be found in its evidence or its computations.

`ground(text, evidence=[...], computations=[...])` extracts each number of the answer
(`service.answer.numbers.extract_numbers`); years, dates, citation markers [n], list markers and
references (表1-2, 第3页, names such as 8890) are exempt. Each remaining figure must equal a number
of the evidence texts or a computation's value, display or inputs, after normalisation:

- units: 8.93万元 = 89300元; 1.1万次 = 11000 次; a bare evidence number (a table cell whose unit is
  in its header) matches the figure as written ("562.05万次" ~ "562.05");
- percent: 99.86% = 0.9986 = 99.86 (a computation value may be a fraction or a percent);
- display rounding: the evidence value rounded to the figure's shown decimals equals the figure
  (99.8593% -> 99.86%; 1.1% = 1.10%; 37.8% from 37.83%); a figure showing more decimals than the
  evidence must agree with it exactly (1.10% = 1.1%, but 96.123% ≠ 96.12%);
- sign: compared by absolute value, because Chinese states direction in words (下降15.03% for
  −15.03%);
- approximate figures (约, 近, 逾, 余, 多, 左右) may be within 5% of an evidence number.

An ungrounded figure is kept in the text but **marked**: "⟨未核实：95.2%⟩" (so a reader never takes it
as fact, and the sentence stays readable), listed in `ungrounded`, and `grounded` is False.
Marking is idempotent: an already marked figure is not marked again but is still reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from service.answer.models import Computation
from service.answer.numbers import FoundNumber, extract_numbers

MARK_PREFIX = "⟨未核实："
MARK_SUFFIX = "⟩"
_MARKED = re.compile(re.escape(MARK_PREFIX) + r"(.*?)" + re.escape(MARK_SUFFIX))
APPROX_TOLERANCE = Decimal("0.05")
_SKIP_EVIDENCE_KINDS = {"citation", "marker"}


@dataclass
class GroundingResult:
    text: str  # the answer with ungrounded figures marked
    grounded: bool
    ungrounded: list[str] = field(default_factory=list)  # the ungrounded figures as written
    checked: list[str] = field(default_factory=list)  # the figures verified against evidence


@dataclass(frozen=True)
class _Candidate:
    value: Decimal  # as written / as given
    base_value: Decimal
    base_unit: str  # "" when unknown


def mark(raw: str) -> str:
    """How an ungrounded figure appears in the answer text."""
    return f"{MARK_PREFIX}{raw}{MARK_SUFFIX}"


def ground(
    text: str,
    *,
    evidence: Iterable[str],
    computations: Iterable[Computation | Mapping[str, Any]] = (),
) -> GroundingResult:
    """Check every figure of `text` against `evidence` (texts the answer may quote: retrieved
    passages, table text, the question) and `computations`; mark the ungrounded ones."""
    candidates = _evidence_candidates(evidence) + _computation_candidates(computations)
    marked_spans = [(m.start(), m.end(), m.group(1)) for m in _MARKED.finditer(text)]
    ungrounded: list[str] = [raw for _, _, raw in marked_spans]
    checked: list[str] = []
    to_mark: list[FoundNumber] = []
    for n in extract_numbers(text):
        if not n.checkable or any(a <= n.start < b for a, b, _ in marked_spans):
            continue
        if any(_matches(n, c) for c in candidates):
            checked.append(n.raw)
        else:
            to_mark.append(n)
            ungrounded.append(n.raw)
    out = text
    for n in reversed(to_mark):
        out = out[: n.start] + mark(n.raw) + out[n.end :]
    return GroundingResult(text=out, grounded=not ungrounded, ungrounded=ungrounded, checked=checked)


def _evidence_candidates(texts: Iterable[str]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for t in texts:
        for n in extract_numbers(t):
            if n.kind not in _SKIP_EVIDENCE_KINDS:
                out.append(_Candidate(abs(n.value), abs(n.base_value), n.base_unit))
    return out


def _computation_candidates(computations: Iterable[Computation | Mapping[str, Any]]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for comp in computations:
        data = comp.model_dump() if isinstance(comp, Computation) else dict(comp)
        unit = str(data.get("unit") or "")
        out += _value_candidates(data.get("value"), unit)
        for n in extract_numbers(str(data.get("display") or "")):
            out.append(_Candidate(abs(n.value), abs(n.base_value), n.base_unit))
        for inp in data.get("inputs") or []:
            if isinstance(inp, Mapping):
                out += _value_candidates(inp.get("value"), str(inp.get("unit") or ""))
    return out


def _value_candidates(value: Any, unit: str) -> list[_Candidate]:
    """A computation value with its unit; a rate may be stored as a fraction or as a percent, so
    both readings are offered."""
    if value is None or isinstance(value, bool):
        return []
    try:
        v = abs(Decimal(str(value).replace(",", "").strip().rstrip("%")))
    except InvalidOperation:
        return []
    found = extract_numbers(f"1{unit}") if unit else []
    if found and found[0].unit == unit:
        base_unit, scale = found[0].base_unit, found[0].scale
    else:
        base_unit, scale = "", Decimal(1)
    if base_unit == "%":
        return [_Candidate(v, v * scale, "%"), _Candidate(v * 100, v, "%")]
    return [_Candidate(v, v * scale, base_unit)]


def _close(a: Decimal, b: Decimal, tol: Decimal) -> bool:
    return abs(a - b) <= tol


def _matches(n: FoundNumber, c: _Candidate) -> bool:
    a_written, a_base = abs(n.value), abs(n.base_value)
    tol = Decimal(5) * Decimal(10) ** (-n.decimals - 1)  # half a unit in the last shown digit
    base_tol = tol * n.scale
    if n.approx:
        tol = max(tol, c.value * APPROX_TOLERANCE)
        base_tol = max(base_tol, c.base_value * APPROX_TOLERANCE)
    if n.base_unit == c.base_unit:
        return _close(a_base, c.base_value, base_tol)
    if c.base_unit == "" or n.base_unit == "":
        # one side has no unit: a table cell ("562.05" under 接听量（万次）) or a plain computation value
        return (
            _close(a_written, c.value, tol)
            or _close(a_base, c.value, base_tol)
            or _close(a_written, c.base_value, tol)
            or _close(a_base, c.base_value, base_tol)
        )
    return False
