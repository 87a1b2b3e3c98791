"""The standard forms' vocabulary and records (`ingest.forms` reads grids into them).

Header words of the national format (annex of 财预〔2020〕10号: 项目支出 / 部门整体支出绩效自评表) and
their common variants, matched after dropping brackets and units ("全年预算数（万元）", "执行率(B/A)");
the typed records every form becomes (`FormRecord` and its parts), each value a `FormCell` that keeps
the text as printed, the exact value (None when blank, "/" or "—": never 0) and where it is printed.
Pure: stdlib, `ingest.numbers` and the glossary's `forms` words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.glossary import load_glossary
from ingest.numbers import is_empty_mark, normalize_text

# ---- the form's vocabulary: the `forms` section of ingest/glossary.yaml ------------------------------
VOCAB = load_glossary().forms
NAME_LABELS = VOCAB.header
START_LABELS = VOCAB.start_labels
MAX_WORDS = VOCAB.max_words
TOTAL_WORDS = VOCAB.total_words
SUBTOTAL_WORDS = VOCAB.subtotal_words
FUND_ROW_KINDS = VOCAB.fund_rows
COMPARATORS = VOCAB.comparators
PAREN = re.compile(r"[（(][^（）()]*[）)]")


@functools.lru_cache(maxsize=8192)
def key(text: str) -> str:
    """A header word for matching: no spaces, no bracketed units or (A)/(B/A) marks, half-width."""
    t = normalize_text(re.sub(r"\s+", "", text or ""))
    t = PAREN.sub("", t)
    return t.replace(":", "").replace("：", "")


@functools.lru_cache(maxsize=4096)
def fund_column(text: str) -> str:
    """Which funds-block column a header names ("" when none)."""
    k = key(text)
    if not k or len(k) > 12:
        return ""
    return VOCAB.column(VOCAB.fund_columns, k)


@functools.lru_cache(maxsize=4096)
def indicator_column(text: str) -> str:
    """Which indicator-block column a header names ("" when none)."""
    k = key(text)
    if not k or len(k) > 16:
        return ""
    return VOCAB.column(VOCAB.indicator_columns, k)


# ---- records ---------------------------------------------------------------------------------------


@dataclass
class FormCell:
    """One printed cell: `text` as printed ("" when blank), `value` exact Decimal text or None
    (blank, "/", "—", words), `unit`, and `where` it is printed."""

    text: str
    value: str | None
    unit: str
    where: dict[str, Any]
    is_percent: bool = False

    @property
    def blank(self) -> bool:
        return is_empty_mark(self.text)


@dataclass
class FundRow:
    label: str
    kind: str  # total | fiscal | carryover | other | ""
    cells: dict[str, FormCell]  # initial budget spent max rate score


@dataclass
class Indicator:
    level1: str
    level2: str
    level3: str
    target: FormCell | None
    actual: FormCell | None
    max: FormCell | None
    score: FormCell | None
    reason: FormCell | None
    comparator: str = ""  # ≥ ≤ = > < or "" (qualitative / none stated)
    target_value: str | None = None
    target_unit: str = ""
    actual_value: str | None = None
    actual_unit: str = ""


@dataclass
class ScoreNode:
    """A row of a 得分表: a leaf (三级指标) or a subtotal / total row."""

    path: list[str]
    kind: str  # leaf | subtotal | total
    max: FormCell | None
    score: FormCell | None
    stated_max: str | None = None  # "决策（20分）" states the group's weight in its label


@dataclass
class FormRecord:
    kind: str  # project_form | department_form | score_table
    title: str
    year: int | None
    source: str  # file name
    sheet: str
    header: dict[str, FormCell] = field(default_factory=dict)  # project agency implementer unit
    money_unit: str = ""
    funds: list[FundRow] = field(default_factory=list)
    goal_expected: FormCell | None = None
    goal_actual: FormCell | None = None
    indicators: list[Indicator] = field(default_factory=list)
    nodes: list[ScoreNode] = field(default_factory=list)
    total_max: FormCell | None = None
    total_score: FormCell | None = None
    stated_grade: FormCell | None = None  # a 评价等级 / 自评等级 cell, when the form prints one
    template: bool = False  # a blank template: the form's columns, nothing filled in
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.nodes:
            out["tree"] = score_tree(out["nodes"])
        return out

    @property
    def name(self) -> str:
        for k in ("project", "unit"):
            c = self.header.get(k)
            if c is not None and c.text:
                return c.text
        return self.title


def is_total_label(text: str) -> bool:
    k = key(text)
    return k in TOTAL_WORDS or (k.endswith(TOTAL_WORDS[0]) and len(k) <= 6)  # "自评总分"


def parse_target(text: str) -> tuple[str, str | None, str]:
    """("≥50个") -> ("≥", "50", "个"); ("=100%") -> ("=", "100", "%"); words -> ("", None, "")."""
    t = normalize_text(re.sub(r"\s+", "", text or ""))
    cmp = ""
    for sym, words in COMPARATORS:
        for w in sorted(words, key=len, reverse=True):
            if t.startswith(w):
                cmp, t = sym, t[len(w) :]
                break
        if cmp:
            break
    m = re.match(r"^([+-]?\d[\d,]*(?:\.\d+)?)(.*)$", t)
    if not m:
        return cmp, None, ""
    unit = m.group(2).strip()
    for sym, tails in VOCAB.comparator_tails:
        for tail in tails:
            if unit.endswith(tail):  # "98%以上"
                unit, cmp = unit[: -len(tail)], cmp or sym
    if unit in ("百分比", "％"):
        unit = "%"
    if len(unit) > 6 or re.search(r"\d", unit):
        return cmp, None, ""
    return cmp, m.group(1).replace(",", ""), unit


def score_tree(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A 得分表's rows as a tree: 一级 -> 二级 -> 三级 leaves (分值, 得分), each 一级 with its 小计 row.
    A leaf whose upper labels were lost (a merged cell cut by a page break) stays under the group
    above it."""
    tree: list[dict[str, Any]] = []
    l1: dict[str, Any] | None = None
    l2: dict[str, Any] | None = None
    for node in nodes:
        path = node.get("path") or []
        if node.get("kind") == "subtotal":
            if l1 is not None:
                l1["subtotal"] = {"max": node.get("max"), "score": node.get("score")}
            continue
        if node.get("kind") != "leaf" or not path:
            continue
        *upper, leaf = path
        if len(upper) >= 1 and (l1 is None or l1["name"] != upper[0]):
            l1 = {"name": upper[0], "stated_max": node.get("stated_max"), "children": [], "subtotal": None}
            tree.append(l1)
            l2 = None
        if l1 is None:
            l1 = {"name": "", "stated_max": None, "children": [], "subtotal": None}
            tree.append(l1)
        if len(upper) >= 2 and (l2 is None or l2["name"] != upper[1]):
            l2 = {"name": upper[1], "children": []}
            l1["children"].append(l2)
        if l2 is None:
            l2 = {"name": "", "children": []}
            l1["children"].append(l2)
        l2["children"].append({"name": leaf, "max": node.get("max"), "score": node.get("score")})
    return tree
