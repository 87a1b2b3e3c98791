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
from decimal import Decimal
from typing import Any

from service.answer.deterministic.render import Draft

_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_SPACE = re.compile(r"\s+")
_GROUP_SUFFIX = "指标"  # how a form's column of indicator groups ends (数量指标, 群众满意度指标)
# what a form prints before an indicator's name: marks (★), its number ("指标3:", "1.", "其中:")
_NUMBERING = re.compile(
    r"^(?:[★☆※*#●◆■▲\s]+|\d{1,2}\s*[.、:：)）]|[(（]\d{1,2}[)）]|(?:指标|其中)\s*\d*\s*[:：.、])+"
)
# "比年度指标值少了多少": the shortfall, target − actual; otherwise how far the actual went past it
_SHORTFALL = re.compile(r"少|低|欠|不足|未完成|没完成")
_EXCESS = re.compile(r"多|高|超")
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
        if name in question and len(name) <= 2:
            best = max(best, 1.5)  # a two-character group stem (数量): below any near match of a name
        elif name in question:
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
    if "growth" in ops or "previous_year" in g.qualifiers_in(text, outside_terms=True):
        return None  # "完成率比上年提高了多少": a change, not this year's figure
    # "完成了年度指标的百分之多少", "实际数是年度指标值的百分之几": a completion rate asked by its parts
    by_parts = ("share" in ops or "百分之" in text) and ("target_value" in concepts or "完成" in text)
    asks_rate = "completion_rate" in concepts or by_parts
    if asks_rate and "difference" in ops:
        return None  # "超额完成了百分之多少": the excess over 100%, which no metric here computes
    asks_difference = "difference" in ops
    if asks_rate == asks_difference:  # neither, or both (a compound question is split before)
        return None
    found = named_indicators(text, a.forms)
    if len(found) != 1:
        return None
    from service.answer.operations.answer import _undirected_gap

    form, ind = found[0]
    printed = _norm(ind.get("level3") or ind.get("level2") or "")
    label = _NUMBERING.sub("", _PAREN.sub("", printed)) or printed  # "★★★X(按月平均)(≥**人)" -> X
    # how the question compares, read outside the indicator's own name ("农村低保标准…高出多少")
    said = _norm(text)
    for name in _names(ind, Counter()):
        said = said.replace(name, " ")
    bare = said.replace("多少", "")  # (多少 asks; it says no direction)
    if _SHORTFALL.search(bare) and _EXCESS.search(bare) and not asks_rate:
        return None  # both ways at once: which is meant is not clear
    gap = _undirected_gap(said)  # "相差多少": the size of the gap, larger less smaller
    short = _SHORTFALL.search(bare) is not None and not gap
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
    # one unit on both sides: a rate has none, and a difference is in it (a unit the metrics module
    # does not list, 元/人*月, is carried in the subject instead)
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
        if gap and Decimal(str(av)) < Decimal(str(tv)):
            first, second = "target", "actual"
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


# ---- the funds block and the indicator groups of a form --------------------------------------------
_MONEY_COLUMNS = frozenset({"initial", "budget", "spent"})
_SUM = re.compile(r"合计|一共|总共|加起来|加在一起|之和|共计|总计")  # (beside glossary operations.sum)


def funds_computation(a: Any, text: str) -> Draft | None:
    """Between two money columns of the form's funds row the question names (the 年度资金总额 row
    unless it names another): their difference ("实际花的钱比全年预算多出多少"), or the execution
    rate the question asks to compute from them ("按全年预算数和全年执行数算执行率"), the form's own
    rate shown beside it. None when the question asks neither."""
    from service.answer.operations.forms import _FUND_COLUMNS, _asked
    from service.answer.operations.rules import computed_draft, run_metric

    g = a.owner.glossary
    t = _norm(text)
    columns = [(col, zh) for col, zh in _asked(t, g.forms.questions, _FUND_COLUMNS) if col in _MONEY_COLUMNS]
    if len(columns) != 2 or len(a.forms) != 1:
        return None
    concepts = set(g.concepts_in(t))
    asks_rate = "budget_execution_rate" in concepts
    ops = set(g.operations_in(t))
    asks_difference = (
        not asks_rate
        and "share" not in ops
        # "比全年预算多出多少" (not the 比 of 比例, nor the 多 of 多少)
        and (
            "difference" in ops
            or re.search(r"比(?![例重率])[^，,。？?]{1,16}(?:多|少|超|差)", t.replace("多少", "")) is not None
        )
    )
    if not (asks_rate or asks_difference):
        return None
    form = a.forms[0]
    funds = form.get("funds") or []
    row = next(
        (r for r in funds if r.get("kind") not in ("", "total")
         and any(w in t for kind, words in g.forms.fund_rows if kind == r["kind"] for w in words)),
        next((r for r in funds if r.get("kind") == "total"), None),
    )  # fmt: skip
    if row is None:
        return None
    named_rows = {kind for kind, words in g.forms.fund_rows if kind != "total" and any(w in t for w in words)}
    if named_rows and row.get("kind") not in named_rows:
        return None  # "财政资金…" of a form with only its total row: not this row's figures
    label = re.sub(r"^其中[:：]?|[:：]$", "", _PAREN.sub("", _norm(row.get("label") or "")))
    cells = {col: row["cells"].get(col) for col, _zh in columns}
    unit = form.get("money_unit") or "万元"
    if any(not c or c.get("value") is None for c in cells.values()):
        return a.refuse(
            f"“{label}”的{'、'.join(zh for _c, zh in columns)}",
            "自评表中这两栏有空白或不是数值，不能计算",
            [f"自评表“{label}”行的{'、'.join(zh for _c, zh in columns)}"],
            "funds",
        )

    def given(col: str, zh: str) -> dict[str, Any]:
        c = cells[col]
        assert c is not None
        return {
            "value": c["value"],
            "unit": c.get("unit") or unit,
            "label": f"{label}{zh}",
            "source": c.get("where"),
        }

    zh_of = dict(columns)
    if asks_rate:
        if set(cells) != {"budget", "spent"}:
            return None
        comp, why = run_metric(
            a.owner, "budget_execution_rate",
            {"spent": given("spent", zh_of["spent"]), "adjusted_budget": given("budget", zh_of["budget"])},
        )  # fmt: skip
        subject, op = f"“{label}”的预算执行率（按全年执行数 ÷ 全年预算数）", "funds_rate"
    else:
        (first, zh1), (second, zh2) = columns
        from service.answer.operations.answer import _undirected_gap

        if _undirected_gap(t):  # "相差多少": the gap, the larger less the smaller
            if Decimal(str(cells[first]["value"])) < Decimal(str(cells[second]["value"])):  # type: ignore[index]
                (first, zh1), (second, zh2) = (second, zh2), (first, zh1)
        elif _SHORTFALL.search(t.replace("多少", "")):  # "实际花的比预算少了多少": the second less the first
            (first, zh1), (second, zh2) = (second, zh2), (first, zh1)
        comp, why = run_metric(
            a.owner, "difference", {"minuend": given(first, zh1), "subtrahend": given(second, zh2)}
        )
        subject, op = f"“{label}”的{zh1}与{zh2}之差", "funds_difference"
    if comp is None:
        return a.refuse(subject, why or "计算模块拒绝了这两个数", [f"自评表“{label}”行"], op)
    shown = [
        {"label": f"{label}·{zh}", "display": f"{cells[col]['text']}", "n": a.cite(form, cells[col])}  # type: ignore[index]
        for col, zh in columns
    ]
    stated = row["cells"].get("rate") if asks_rate else None
    draft = computed_draft(subject, comp, shown, a.cites, op)
    if stated and (stated.get("text") or "").strip():
        n = a.cite(form, stated)
        agrees = stated.get("value") is not None and abs(
            Decimal(str(stated["value"])) - Decimal(str(comp.value))
        ) < Decimal("0.01")
        draft.variables["stated"] = {"display": stated["text"], "n": n, "agrees": agrees}
    return draft


def points_lost(a: Any, text: str) -> Draft | None:
    """The points a form lost in all ("总分一共被扣了几分"): its total's 分值 less its total 得分, both
    cells of the form's total row; None when the question asks something else."""
    from service.answer.operations.rules import computed_draft, run_metric

    t = _norm(text)
    from service.answer.operations.forms import _LOST

    if not _LOST.search(t) or not any(w in t for w in a.owner.glossary.forms.questions["total"]):
        return None
    if len(a.forms) != 1:
        return None
    form = a.forms[0]
    top, got = form.get("total_max"), form.get("total_score")
    searched = ["自评表 总分行的分值、得分"]
    if not top or not got or top.get("value") is None or got.get("value") is None:
        return a.refuse("总分的扣分", "自评表的总分行没有同时填写分值和得分", searched, "points_lost")
    inputs = {
        "minuend": {"value": top["value"], "unit": "分", "label": "总分·分值", "source": top.get("where")},
        "subtrahend": {"value": got["value"], "unit": "分", "label": "总分·得分", "source": got.get("where")},
    }
    comp, why = run_metric(a.owner, "difference", inputs)
    if comp is None:
        return a.refuse("总分的扣分", why or "计算模块拒绝了这两个数", searched, "points_lost")
    shown = [
        {"label": "总分·分值", "display": f"{top['text']}", "n": a.cite(form, top)},
        {"label": "总分·得分", "display": f"{got['text']}", "n": a.cite(form, got)},
    ]
    return computed_draft("总分的扣分（分值 − 得分）", comp, shown, a.cites, "points_lost")


def groups_sum(a: Any, text: str) -> Draft | None:
    """One column summed over the indicator groups the question lists ("数量、质量、时效这三类指标合计
    得了多少分"): every indicator of each named 二级指标 group, each with that cell filled; None when the
    question names no group of the form or asks no sum."""
    from service.answer.operations.forms import _IND_COLUMNS, _asked
    from service.answer.operations.rules import computed_draft, run_metric

    g = a.owner.glossary
    t = _norm(text)
    if not _SUM.search(t) or len(a.forms) != 1:
        return None
    columns = [(c, zh) for c, zh in _asked(t, g.forms.questions, _IND_COLUMNS) if c in ("max", "score")]
    if len(columns) != 1:
        return None
    col, zh = columns[0]
    form = a.forms[0]
    inds = form.get("indicators") or []
    stems: dict[str, list[dict[str, Any]]] = {}
    for ind in inds:
        group = _PAREN.sub("", _norm(ind.get("level2") or ""))
        stem = group[: -len(_GROUP_SUFFIX)] if group.endswith(_GROUP_SUFFIX) else group
        if len(stem) >= 2:
            stems.setdefault(stem, []).append(ind)
    named = [s for s in stems if s in t]
    if len(named) < 2:
        return None  # one group is a row lookup or the group paths' sum; none is not this question
    items = [ind for s in named for ind in stems[s]]
    blank = [_norm(i.get("level3") or "") for i in items if not i.get(col) or i[col].get("value") is None]
    searched = [f"自评表 {'、'.join(named)}类指标的{zh}"]
    if blank:
        return a.refuse(
            f"{'、'.join(named)}类指标的{zh}合计",
            f"其中“{'、'.join(blank[:4])}”的{zh}为空白，不能相加",
            searched,
            "groups_sum",
        )
    parts = [
        {
            "value": i[col]["value"],
            "unit": "分",
            "label": f"{_norm(i.get('level3') or '')}{zh}",
            "source": i[col].get("where"),
        }
        for i in items
    ]
    comp, why = run_metric(a.owner, "sum_of_parts", {"parts": parts})
    if comp is None:
        return a.refuse(
            f"{'、'.join(named)}类指标的{zh}合计", why or "计算模块拒绝了这些数", searched, "groups_sum"
        )
    shown = [
        {
            "label": f"{_NUMBERING.sub('', _PAREN.sub('', _norm(i.get('level3') or '')))}·{zh}",
            "display": f"{i[col]['text']}",
            "n": a.cite(form, i[col]),
        }
        for i in items
    ]
    return computed_draft(f"{'、'.join(named)}类指标的{zh}合计", comp, shown, a.cites, "groups_sum")
