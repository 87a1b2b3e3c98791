"""A self-evaluation form's indicator the question names, and the computations asked of it.

An official names an indicator the way she remembers it, not as the form prints it: "信访案件办结
情况" for the row 办结信访案件, "群众满意度指标" for the one indicator under 群众满意度指标. The
indicator is found by its name's characters and character pairs in the question, never by a list of
words; a near name that differs in a character (在岸 for 离岸) is not the indicator.

Asked of one named indicator (its 年度指标值 and 实际完成值 as the form record holds them, parsed at
ingest with their units and comparator):
- its completion, 实际完成值 ÷ 年度指标值 (`target_completion_rate`);
- how far the actual went past the target, or fell short, 实际完成值 − 年度指标值 (`difference`).
Both are computed by the metrics module from the two cited cells. An indicator named whose cells are
not numbers of one unit gets 未找到 with the reason, never a figure from elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

from service.answer.deterministic.render import Draft

_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_SPACE = re.compile(r"\s+")
_GROUP_SUFFIX = "指标"  # how a form's column of indicator groups ends (数量指标, 群众满意度指标)
# what a form prints before an indicator's name: marks (★), its number ("指标3:", "1.", "其中:")
_NUMBERING = re.compile(r"^(?:[^\u4e00-\u9fff]+|(?:指标|其中)\s*\d*\s*[:：.、]?)+")
# "比年度指标值少了多少": the shortfall, target − actual; otherwise how far the actual went past it
_SHORTFALL = re.compile(r"少|低|差|欠|不足|未完成|没完成")
_FUZZY_SHARE = 0.75  # of a name's character pairs the question must use, every character too


def _norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _names(ind: dict[str, Any], groups: Counter[str]) -> list[str]:
    """The names an indicator is known by: its 三级指标 as printed, without brackets and without the
    marks and numbering a form puts before it ("★★★", "指标3:"), and its 二级指标 (without the
    trailing 指标) when nothing else on the form sits under it."""
    raw = _norm(ind.get("level3") or "")
    bare = _NUMBERING.sub("", _PAREN.sub("", raw))
    names = [raw, _PAREN.sub("", raw), bare]
    group = _PAREN.sub("", _norm(ind.get("level2") or ""))
    if group and groups[group] == 1:
        stem = group[: -len(_GROUP_SUFFIX)] if group.endswith(_GROUP_SUFFIX) else group
        names += [group, stem]
    return [n for n in dict.fromkeys(names) if len(n) >= 2]


def _score(question: str, names: list[str]) -> float:
    best = 0.0
    for name in names:
        if name in question:
            best = max(best, 2 + len(name) / 100)  # verbatim; the longest name wins
        elif len(name) >= 4 and all(ch in question for ch in name):
            own = _pairs(name)
            share = len(own & _pairs(question)) / len(own)
            if share >= _FUZZY_SHARE:  # "信访案件办结" for 办结信访案件
                best = max(best, 1 + share)
    return best


def named_indicators(text: str, forms: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The (form, indicator) pairs the question names best; [] when it names none."""
    question = _norm(text)
    scored: list[tuple[float, dict[str, Any], dict[str, Any]]] = []
    for form in forms:
        inds = form.get("indicators") or []
        groups = Counter(_PAREN.sub("", _norm(i.get("level2") or "")) for i in inds)
        for ind in inds:
            s = _score(question, _names(ind, groups))
            if s > 0:
                scored.append((s, form, ind))
    if not scored:
        return []
    top = max(s for s, _f, _i in scored)
    return [(f, i) for s, f, i in scored if s == top]


def indicator_computation(a: Any, text: str) -> Draft | None:
    """The completion rate or the excess of the one indicator the question names; None when the
    question asks neither, or names no single indicator (the other paths answer or refuse)."""
    g = a.owner.glossary
    concepts = set(g.concepts_in(text))
    ops = set(g.operations_in(text))
    # "完成了年度指标的百分之多少", "实际数是年度指标值的百分之几": a completion rate asked by its parts
    by_parts = ("share" in ops or "百分之" in text) and ("target_value" in concepts or "完成" in text)
    asks_rate = "completion_rate" in concepts or by_parts
    asks_difference = "difference" in ops and not by_parts
    if asks_rate == asks_difference:  # neither, or both (a compound question is split before)
        return None
    found = named_indicators(text, a.forms)
    if len(found) != 1:
        return None
    form, ind = found[0]
    printed = _norm(ind.get("level3") or ind.get("level2") or "")
    label = _NUMBERING.sub("", _PAREN.sub("", printed)) or printed  # "★★★X(按月平均)(≥**人)" -> X
    # how the question compares, read outside the indicator's own name ("农村低保标准…高出多少")
    said = _norm(text)
    for name in _names(ind, Counter()):
        said = said.replace(name, " ")
    short = _SHORTFALL.search(said.replace("多少", "")) is not None  # (多少 asks; it says no shortfall)
    target, actual = ind.get("target"), ind.get("actual")
    tv, av = ind.get("target_value"), ind.get("actual_value")
    tu, au = ind.get("target_unit") or "", ind.get("actual_unit") or ""
    what = (
        "目标完成率"
        if asks_rate
        else ("实际完成值比年度指标值少的数" if short else "实际完成值与年度指标值之差")
    )
    op = "indicator_rate" if asks_rate else "indicator_difference"
    searched = [f"自评表“{label}”的年度指标值、实际完成值"]
    if tv is None or av is None or not (target or {}).get("text") or not (actual or {}).get("text"):
        shown = "、".join(
            f"{zh}“{c['text']}”"
            for zh, c in (("年度指标值", target), ("实际完成值", actual))
            if c and c.get("text")
        )
        reason = f"这一指标的{shown}不是可计算的数值" if shown else "这一指标的年度指标值或实际完成值未填写"
        return a.refuse(f"“{label}”的{what}", reason, searched, op)
    if tu and au and tu != au:
        return a.refuse(
            f"“{label}”的{what}",
            f"年度指标值（{tu}）与实际完成值（{au}）的单位不同，不能直接计算",
            searched,
            op,
        )
    comparator = ind.get("comparator") or ""
    if asks_rate and comparator in ("≤", "<"):
        # a ceiling (≤2天): how its completion is reckoned is the rule's, not a plain ratio
        return a.refuse(
            f"“{label}”的{what}",
            "这是反向指标（年度指标值是上限），完成率不是实际值除以目标值，文档未给出其算法",
            searched,
            op,
        )
    # one unit on both sides: a rate has none, and a difference is in it (a count word the metrics
    # module does not list, 起 or 座, is carried in the subject instead)
    unit = au or tu
    known = unit in _metric_units()
    from service.answer.operations.rules import computed_draft, run_metric

    nt, na = a.cite(form, target), a.cite(form, actual)
    given = unit if known and not asks_rate else ""
    inputs = {
        "actual": {"value": av, "unit": given, "label": f"{label}实际完成值", "source": actual.get("where")},
        "target": {"value": tv, "unit": given, "label": f"{label}年度指标值", "source": target.get("where")},
    }
    if asks_rate:
        comp, why = run_metric(a.owner, "target_completion_rate", inputs)
    else:
        first, second = ("target", "actual") if short else ("actual", "target")
        comp, why = run_metric(
            a.owner, "difference", {"minuend": inputs[first], "subtrahend": inputs[second]}
        )
    if comp is None:
        return a.refuse(f"“{label}”的{what}", why or "计算模块拒绝了这两个数", searched, op)
    shown = [
        {"label": f"{label}·年度指标值", "display": target["text"], "n": nt},
        {"label": f"{label}·实际完成值", "display": actual["text"], "n": na},
    ]
    if not asks_rate and not short:
        shown.reverse()
    in_unit = f"（单位：{unit}）" if unit and not asks_rate and not known else ""
    draft = computed_draft(f"“{label}”的{what}{in_unit}", comp, shown, a.cites, op)
    if comparator:
        draft.notes.append(f"年度指标值为“{target['text']}”，按其中的数 {tv}{tu} 计算。")
    return draft


def _metric_units() -> frozenset[str]:
    from service.metrics.units import KNOWN_UNITS

    return frozenset(KNOWN_UNITS)
