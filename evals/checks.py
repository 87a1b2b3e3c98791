"""Deterministic checks of one answer against a case's `expect`.

Each check type is a function returning `CheckResult`s (passed + why, in words a reviewer can act
on). Numbers are read from the answer text by the evals' own reader (`evals.numbers`, never the
product's extractor) and compared after unit normalisation (元/万元/亿元, %, 万件 …).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from evals.numbers import Figure, read_figures, split_unit

DEFAULT_TOLERANCE = Decimal("0.01")
# checks that need the answer's structure (citations, computations, grounding flag)
STRUCTURED_CHECKS = frozenset({"citation", "metric", "grounded"})
CHECK_KINDS = ("value", "citation", "metric", "contains", "not_contains", "refuse", "grounded")

_REFUSAL = re.compile(
    r"未找到|没有找到|未能找到|找不到|查找不到|查无|未查到|没有查到|"
    r"(?:未|没有)(?:提及|披露|涉及|记载|载明|列出|给出|提供|说明|包含)|"
    r"(?:没有|无)(?:相关|这方面|该项|此项)?的?(?:数据|信息|记载|内容|资料)|"
    r"不在(?:报告|文件|文档)|无法(?:回答|确定|找到|获取)|"
    r"cannot find|could not find|can't find|couldn't find|not found|no (?:relevant )?(?:information|data)",
    re.IGNORECASE,
)
_DECREASE_CUE = re.compile(r"(下降|降低|减少|下滑|回落|低于|节约|减)(了|约|为|幅度为|幅度|率为)?\s*$")
_SAME_BASE = {"名": "人", "位": "人", "席": "个"}


@dataclass
class CheckResult:
    kind: str
    passed: bool
    why: str
    expected: Any = None
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AnswerView:
    """What a target returned for one question. `citations`/`computations`/`grounded` are None
    when the target gives no structure (an OpenAI-compatible endpoint)."""

    answer: str
    citations: list[dict[str, Any]] | None = None
    computations: list[dict[str, Any]] | None = None
    grounded: bool | None = None
    answerer: str = ""
    conversation_id: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def structured(self) -> bool:
        return self.citations is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- text and numbers


def normalize_text(text: str) -> str:
    """NFKC (full-width digits, letters, punctuation to ASCII) with all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def to_decimal(raw: Any) -> Decimal:
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        return Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"不是数字 not a number: {raw!r}") from exc


def figures(text: str) -> list[Figure]:
    """The quantities stated in `text` (not years, dates, citation marks, list markers, references)."""
    return read_figures(text)


def _unit_of(unit: str) -> tuple[str, Decimal]:
    """(base unit, scale) of a unit as written: 万件 -> (件, 10000)."""
    return split_unit(unit)


def _base(unit: str) -> str:
    return _SAME_BASE.get(unit, unit)


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")


def number_matches(n: Figure, value: Decimal, unit: str, tol: Decimal, text: str) -> bool:
    """Does the stated number `n` say `value` `unit` (within `tol`, in `unit`)? A negative
    expectation is also met by its absolute value after a word of decrease (下降15.03%)."""
    candidates = [n.value]
    if value < 0 and n.value > 0 and _DECREASE_CUE.search(unicodedata.normalize("NFKC", text[: n.start])):
        candidates.append(-n.value)
    if not unit:
        return any(abs(c - value) <= tol for c in candidates)
    base, scale = _unit_of(unit)
    if not n.unit:
        if base == "%":
            return False  # a rate must be stated as a rate
        return any(abs(c - value) <= tol for c in candidates)
    if _base(n.base_unit) != _base(base):
        return False
    return any(abs(c * n.scale - value * scale) <= tol * scale for c in candidates)


# ---------------------------------------------------------------- check types


def check_value(spec: Mapping[str, Any], view: AnswerView) -> CheckResult:
    value = to_decimal(spec["value"])
    unit = str(spec.get("unit", ""))
    tol = to_decimal(spec.get("tolerance", DEFAULT_TOLERANCE))
    want = f"{_fmt(value)}{unit}" + (f" ±{_fmt(tol)}" if "tolerance" in spec else "")
    stated = figures(view.answer)
    for n in stated:
        if number_matches(n, value, unit, tol, view.answer):
            return CheckResult("value", True, f"答案给出 {n.raw}（期望 {want}）", want)
    seen = "、".join(n.raw for n in stated[:12]) or "（没有数字）"
    return CheckResult("value", False, f"答案中没有 {want}；答案里的数字：{seen}", want)


def _pages(spec: Mapping[str, Any]) -> list[int]:
    page = spec["page"]
    return list(page) if isinstance(page, list) else [int(page)]


def check_citation(spec: Mapping[str, Any], view: AnswerView, doc_ids: Mapping[str, str]) -> CheckResult:
    doc, pages = str(spec["doc"]), _pages(spec)
    want = f"{doc} 第{'/'.join(map(str, pages))}页"
    if view.citations is None:
        return CheckResult("citation", False, "目标不返回结构化引用，跳过", want, skipped=True)
    doc_id = doc_ids.get(doc)
    if doc_id is None:
        return CheckResult("citation", False, f"未能把 {doc} 对应到文档 id（未入库？）", want)
    for c in view.citations:
        if str(c.get("doc_id")) == doc_id and int(c.get("page", 0)) in pages:
            return CheckResult("citation", True, f"引用 [{c.get('n')}] 为 {doc} 第{c.get('page')}页", want)
    got = "；".join(
        f"[{c.get('n')}] {c.get('title') or c.get('doc_id')} 第{c.get('page')}页" for c in view.citations
    )
    return CheckResult("citation", False, f"未引用 {want}；实际引用：{got or '（无引用）'}", want)


def _input_values(comp: Mapping[str, Any]) -> list[tuple[str, Decimal]]:
    out: list[tuple[str, Decimal]] = []
    inputs = comp.get("inputs") or []
    items = inputs.items() if isinstance(inputs, Mapping) else [(None, i) for i in inputs]
    for key, item in items:
        raw = item.get("value") if isinstance(item, Mapping) else item
        name = str(key if key is not None else (item.get("name", "") if isinstance(item, Mapping) else ""))
        values = raw if isinstance(raw, list) else [raw]
        for v in values:
            try:
                out.append((name, to_decimal(v)))
            except ValueError:
                continue
    return out


def _metric_problem(spec: Mapping[str, Any], comp: Mapping[str, Any]) -> str | None:
    have = _input_values(comp)
    inputs = spec.get("inputs")
    tiny = Decimal("0.000001")
    if isinstance(inputs, Mapping):
        for name, raw in inputs.items():
            want = to_decimal(raw)
            if not any(n == name and abs(v - want) <= tiny for n, v in have):
                return f"输入 {name}={_fmt(want)} 不在计算的输入中"
    elif inputs:
        pool = [v for _, v in have]
        for raw in inputs:
            want = to_decimal(raw)
            hit = next((i for i, v in enumerate(pool) if abs(v - want) <= tiny), None)
            if hit is None:
                return f"输入 {_fmt(want)} 不在计算的输入中（实际：{'、'.join(_fmt(v) for v in pool)}）"
            pool.pop(hit)
    if "value" in spec:
        want = to_decimal(spec["value"])
        tol = to_decimal(spec.get("tolerance", DEFAULT_TOLERANCE))
        try:
            got = to_decimal(comp.get("value"))
        except ValueError:
            return f"计算结果不是数字：{comp.get('value')!r}"
        if abs(got - want) > tol:
            return f"计算结果 {comp.get('display') or comp.get('value')} ≠ 期望 {_fmt(want)}"
    return None


def check_metric(spec: Mapping[str, Any], view: AnswerView) -> CheckResult:
    names = spec["name"] if isinstance(spec["name"], list) else [spec["name"]]
    want = "/".join(names)
    if view.computations is None:
        return CheckResult("metric", False, "目标不返回结构化计算，跳过", want, skipped=True)
    same = [c for c in view.computations if c.get("metric") in names]
    if not same:
        got = "、".join(str(c.get("metric")) for c in view.computations) or "（无计算）"
        return CheckResult("metric", False, f"没有 {want} 计算；实际计算：{got}", want)
    problems = []
    for comp in same:
        problem = _metric_problem(spec, comp)
        if problem is None:
            return CheckResult("metric", True, f"{comp.get('metric')}: {comp.get('formula', '')}", want)
        problems.append(problem)
    return CheckResult("metric", False, f"{want} 计算不符：{'；'.join(problems)}", want)


def _describe(pattern: Any) -> str:
    return f"/{pattern['re']}/" if isinstance(pattern, Mapping) else str(pattern)


def _found(pattern: Any, text: str) -> bool:
    norm = normalize_text(text)
    if isinstance(pattern, Mapping):
        return re.search(pattern["re"], norm) is not None
    return normalize_text(str(pattern)) in norm


def check_contains(pattern: Any, view: AnswerView) -> CheckResult:
    want = _describe(pattern)
    if _found(pattern, view.answer):
        return CheckResult("contains", True, f"答案包含 {want}", want)
    return CheckResult("contains", False, f"答案不包含 {want}", want)


def check_not_contains(pattern: Any, view: AnswerView) -> CheckResult:
    want = _describe(pattern)
    if _found(pattern, view.answer):
        return CheckResult("not_contains", False, f"答案不应包含 {want}，但包含了", want)
    return CheckResult("not_contains", True, f"答案不含 {want}", want)


def is_refusal(text: str) -> bool:
    return _REFUSAL.search(unicodedata.normalize("NFKC", text)) is not None


def check_refuse(view: AnswerView, question: str) -> CheckResult:
    """Must say it cannot find it, and state no figure (numbers from the question do not count)."""
    asked = {n.value for n in read_figures(question)}
    stated = [n for n in figures(view.answer) if n.value not in asked]
    said = is_refusal(view.answer)
    if said and not stated:
        return CheckResult("refuse", True, "答案说明未找到，且未给出数字", True)
    why = []
    if not said:
        why.append("答案没有说明未找到")
    if stated:
        why.append(f"答案给出了数字：{'、'.join(n.raw for n in stated[:8])}")
    return CheckResult("refuse", False, "；".join(why), True)


def check_grounded(view: AnswerView) -> CheckResult:
    if view.grounded is None:
        return CheckResult("grounded", False, "目标不返回 grounded 标记，跳过", True, skipped=True)
    if view.grounded:
        return CheckResult("grounded", True, "grounded: true", True)
    return CheckResult("grounded", False, "grounded: false（答案中有未经核实的数字）", True)


def run_checks(
    expect: Mapping[str, Any], view: AnswerView, *, question: str, doc_ids: Mapping[str, str]
) -> list[CheckResult]:
    """Every check the expectation asks for, in a stable order."""
    results: list[CheckResult] = []
    for spec in ([expect["value"]] if "value" in expect else []) + list(expect.get("values", [])):
        results.append(check_value(spec, view))
    for spec in expect.get("citations", []):
        results.append(check_citation(spec, view, doc_ids))
    if "metric" in expect:
        results.append(check_metric(expect["metric"], view))
    for pattern in expect.get("contains", []):
        results.append(check_contains(pattern, view))
    for pattern in expect.get("not_contains", []):
        results.append(check_not_contains(pattern, view))
    if expect.get("refuse"):
        results.append(check_refuse(view, question))
    if expect.get("grounded"):
        results.append(check_grounded(view))
    return results


def wrong_figures(
    expect: Mapping[str, Any], view: AnswerView, question: str, checks: list[CheckResult]
) -> list[str]:
    """The figures an answer states as its answer when they are not the asked quantity: a case
    expecting a value whose value check failed, or an unanswerable case, answered (not refused)
    with figures other than those in the question. A refusal is never a wrong figure."""
    if not ("value" in expect or "values" in expect or expect.get("refuse")):
        return []
    if is_refusal(view.answer):
        return []
    value_checks = [c for c in checks if c.kind == "value"]
    if value_checks and all(c.passed for c in value_checks):
        return []
    asked = {n.value for n in read_figures(question)}
    return [n.raw for n in figures(view.answer) if n.value not in asked][:8]
