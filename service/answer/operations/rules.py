"""What a given value would score by an indicator's own scoring rule.

"编制50人，实际在职51人，按这个指标表在职人员控制率能得几分？", "假如预算调整率是15%，能得几分？":
the question states the figures; the document states the rule (评分标准 / 计分标准) in a table row,
and often the rate's formula beside it ("在职人员控制率=(在职人员数/编制数)×100%"). The row is found
by the indicator's name in the question; the rate is computed by the metrics module from the
question's figures mapped onto the formula's operands by their words; the rule is applied by
`service.metrics.scoring_rules`. Every step is cited or shown; a row, an operand or a rule that is
not certain is a refusal, never a guess.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.answer.deterministic.render import CitationSet, Draft
from service.answer.models import Computation
from service.answer.operations.rule_text import linear_rule, normalize, parse_rule

_FIG = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|万元|亿元|元|人|个|名|户|家|项|次|件|座|套|台|辆|公里|米|吨|亩)?")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FORMULA = re.compile(r"([^=,;:。]{2,40}?)=([^,;。]{3,120})")


@dataclass(frozen=True)
class Given:
    value: Decimal
    unit: str
    words: str  # what the question calls it: the words just before the figure
    raw: str


@dataclass(frozen=True)
class RuleRow:
    doc_id: str
    table: Any
    row: int  # index into table.rows
    col: int
    rule: str
    names: tuple[str, ...]  # the row's short text cells (its indicator's name and levels)
    cells: tuple[str, ...]


def _words(glossary: Any, key: str) -> tuple[str, ...]:
    return tuple(glossary.scoring_rules.get(key, ()))


def asks_rule_score(question: str, glossary: Any) -> bool:
    q = normalize(question)
    return any(w in q for w in _words(glossary, "question"))


def given_figures(question: str) -> list[Given]:
    """The figures a question states, with the words before each: "编制50人，实际在职51人" ->
    (50 人 "编制"), (51 人 "实际在职"). Years and scores (分) are not values to score."""
    text = _YEAR.sub(" ", question)
    out: list[Given] = []
    last = 0
    for m in _FIG.finditer(text):
        before = text[last : m.start()]
        last = m.end()
        after = text[m.end() : m.end() + 1]
        if after == "分" or (m.group(2) is None and not re.search(r"[是为有到了]$", before.strip())):
            continue
        words = re.split(r"[，,。；;、？?！!\s]", before)[-1]
        unit = "%" if m.group(2) in ("%", "％") else (m.group(2) or "")
        out.append(Given(Decimal(m.group(1)), unit, words, m.group(0)))
    return out


def lcs(a: str, b: str) -> int:
    """Length of the longest common substring of a and b."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0] * (len(b) + 1)
        for j, ch2 in enumerate(b, 1):
            if ch == ch2:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _is_text(cell: str) -> bool:
    c = normalize(cell)
    return bool(c) and len(c) <= 24 and bool(_CJK.search(c)) and not re.fullmatch(r"[\d.%分()]+", c)


def rule_rows(tables: list[Any]) -> list[RuleRow]:
    out: list[RuleRow] = []
    for t in tables:
        for r, row in enumerate(t.rows):
            for c, cell in enumerate(row):
                if cell and parse_rule(cell) is not None:
                    names = tuple(dict.fromkeys(normalize(x) for x in row if x and x != cell and _is_text(x)))
                    out.append(RuleRow(t.doc_id, t, r, c, cell, names, tuple(row)))
    return out


def _unread_rules(tables: list[Any], q: str) -> tuple[str, str] | None:
    """(indicator, rule text) of a row the question names whose scoring rule is not one
    `parse_rule` reads (a formula, a rule in words), or None."""
    best: tuple[int, str, str] | None = None
    for t in tables:
        for row in t.rows:
            for cell in row:
                c = normalize(cell or "")
                if (
                    len(c) < 8
                    or not re.search(r"得分|计分|扣\d|计\d|得\d", c)
                    or parse_rule(cell) is not None
                ):
                    continue
                for n in (normalize(x) for x in row if x and x != cell and _is_text(x)):
                    k = lcs(q, n)
                    if k >= 3 and k >= len(n) - 1 and (best is None or k > best[0]):
                        best = (k, n, c)
    return (best[1], best[2]) if best else None


def _name_score(q: str, row: RuleRow) -> int:
    rule_name = re.split(r"[≤≥<>=]", normalize(row.rule))[0][:24]
    return max([lcs(q, n) for n in (*row.names, rule_name)] or [0])


def _period(text: str, glossary: Any) -> str:
    for w in sorted(glossary.qualifiers.get("previous_year", ()), key=len, reverse=True):
        text = text.replace(w, "上年")
    for w in sorted(_words(glossary, "current_year"), key=len, reverse=True):
        text = text.replace(w, "本年")
    return text


def _overlap(a: str, b: str) -> int:
    return len(set(_CJK.findall(a)) & set(_CJK.findall(b)))


def rate_formula(row: RuleRow) -> tuple[str, str, str, str, str] | None:
    """(name, kind, a, b, cell) of the rate formula a cell of the row states: kind "ratio" for
    a/b×100%, "change" for (a−b)/b×100%, "reduction" for (a−b)/a×100%."""
    for cell in row.cells:
        t = normalize(cell).replace("÷", "/").replace("×", "*").replace("x", "*")
        for m in _FORMULA.finditer(t):
            name, expr = m.group(1), m.group(2)
            expr = expr.replace("[", "(").replace("]", ")")
            g = re.fullmatch(r"\(?\(([^()]+)-([^()]+)\)/([^()*]+)\)?\*100%", expr) or re.fullmatch(
                r"\(([^()]+)-([^()]+)\)\*100%/(.+)", expr
            )
            if g and g.group(2) == g.group(3):
                return name, "change", g.group(1), g.group(2), cell
            if g and g.group(1) == g.group(3):  # (上年 − 本年) / 上年: a reduction
                return name, "reduction", g.group(1), g.group(2), cell
            g = re.fullmatch(r"\(?([^()/*]+)/([^()/*]+)\)?\*100%", expr) or re.fullmatch(
                r"([^()/*]+)\*100%/([^()/*]+)", expr
            )
            if g:
                return name, "ratio", g.group(1), g.group(2), cell
    return None


def _assign(given: list[Given], a: str, b: str, glossary: Any) -> tuple[Given, Given] | None:
    """The two figures of the question that are the formula's a and b, by their words; None when
    the words do not decide it (a tie, or a figure with no word in common with its operand)."""
    a_, b_ = _period(a, glossary), _period(b, glossary)
    scored = []
    for x, y in itertools.permutations(given, 2):
        if x.unit != y.unit or x.unit == "%":
            continue
        sx, sy = _overlap(_period(x.words, glossary), a_), _overlap(_period(y.words, glossary), b_)
        if sx and sy:
            scored.append((sx + sy, x, y))
    scored.sort(key=lambda s: s[0], reverse=True)
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1], scored[0][2]


def _max_cell(row: RuleRow, glossary: Any) -> Any:
    """The row's weight (分值 / 权数 …) cell nearest the rule, or None."""
    terms = glossary.concept("weight").terms if "weight" in glossary.concepts else ()
    cands = [
        c
        for c in row.table.cells
        if c.row_index == row.row
        and c.value is not None
        and any(t in "".join(c.col_header) for t in terms)
        and not c.is_percent
    ]
    if not cands:
        return None
    cands.sort(key=lambda c: abs(c.col_index - row.col))
    tie = len(cands) > 1 and abs(cands[0].col_index - row.col) == abs(cands[1].col_index - row.col)
    if tie and cands[0].value != cands[1].value:
        return None
    return cands[0]


def rule_answer(
    owner: Any, question: str, document_ids: list[str] | None, previous: dict[str, Any]
) -> Draft | None:
    """The answer to a what-would-it-score question, a refusal saying why, or None when the
    question is not one (or no document in scope states a numeric scoring rule)."""
    g = owner.glossary
    if not asks_rule_score(question, g):
        return None
    given = given_figures(question)
    if not given:
        return None
    tables = owner.toolbox.tables_in(document_ids)
    rows = rule_rows(tables)
    if not rows:
        return None
    q = normalize(question)
    scored = sorted(((_name_score(q, r), r) for r in rows), key=lambda s: s[0], reverse=True)
    best = scored[0][0]
    if best < 3 and previous.get("rule_indicator"):
        q = normalize(str(previous["rule_indicator"])) + q
        scored = sorted(((_name_score(q, r), r) for r in rows), key=lambda s: s[0], reverse=True)
        best = scored[0][0]
    titles = {i.fact.doc_id: i.title for i in owner.index.items(document_ids)}
    if best < 3:
        # no name: the row whose rate formula the question's figures fill ("编制20人、在职22人")
        filled = [r for r in rows if (f := rate_formula(r)) and _assign(given, f[2], f[3], g) is not None]
        if len({normalize(r.rule) for r in filled}) == 1:
            return _score(owner, filled[0], given, titles, q)
        loose = _unread_rules(tables, q)
        if loose:
            return _refuse(
                owner,
                "可按规则推算的评分标准",
                f"“{loose[0]}”的评分标准是公式或文字规则，不是能据以推算的分档、扣分或按比例计分规则",
                rows,
                titles,
            )
        return _refuse(owner, "所问指标的评分标准", "文档的评分标准中没有找到问题所说的指标", rows, titles)
    top = [r for s, r in scored if s == best]
    if len({normalize(r.rule) for r in top}) > 1:
        names = "、".join(dict.fromkeys(r.names[-1] if r.names else r.rule[:12] for r in top))
        return _refuse(
            owner,
            "唯一对应的评分标准",
            f"问题所说的指标对应多条评分标准（{names}），请说明是哪一项",
            top,
            titles,
        )
    row = top[0]
    return _score(owner, row, given, titles, q)


def _refuse(owner: Any, what: str, reason: str, rows: list[RuleRow], titles: dict[str, str]) -> Draft:
    searched = ["各表格中的评分标准 / 计分标准"]
    docs = list(dict.fromkeys(titles.get(r.doc_id, r.doc_id) for r in rows))
    return Draft(
        "refusal",
        {"subject": what, "reason": reason, "searched": searched, "titles": docs[:5]},
        found=False,
        meta={"path": "facts", "fact_op": "rule_score"},
    )


def computed_draft(
    subject: str,
    comp: Computation,
    inputs: list[dict[str, Any]],
    cites: CitationSet | None,
    op: str,
    stated: dict[str, Any] | None = None,
) -> Draft:
    """A computed answer (prompts/answer_computation): the result, its formula, each input cited,
    and the document's own statement of it when there is one."""
    draft = Draft(
        "answer_computation",
        {
            "subject": subject,
            "verb": "为",
            "result": comp.display,
            "name_zh": comp.name_zh or comp.metric,
            "formula": comp.formula,
            "inputs": inputs,
            "stated": stated,
            "extra": [],
        },
        computations=[comp],
        meta={"path": "facts", "fact_op": op},
    )
    draft.cites = cites
    return draft


def _given(x: Given, operand: str) -> dict[str, Any]:
    return {"value": str(x.value), "unit": x.unit, "label": operand}


def run_metric(owner: Any, metric: str, inputs: dict[str, Any]) -> tuple[Computation | None, str]:
    """The metrics module's computation, or None and its reason (Chinese) when it refuses."""
    result = owner.toolbox.compute_metric(name=metric, inputs=inputs)
    if not isinstance(result, dict) or "error" in result:
        err = result.get("error") if isinstance(result, dict) else None
        return None, str(err.get("message_zh", "")) if isinstance(err, dict) else ""
    body = result.get("computation", result)
    return Computation(**{k: v for k, v in body.items() if k in Computation.model_fields}), ""


def _cell_page(row: RuleRow, col: int) -> int:
    for c in row.table.cells:
        if c.row_index == row.row and c.col_index == col:
            return int(c.page)
    return int(row.table.page)


def _score(owner: Any, row: RuleRow, given: list[Given], titles: dict[str, str], q: str = "") -> Draft:
    g = owner.glossary
    cites = CitationSet()
    title = titles.get(row.doc_id, "")
    # the indicator's name: the row's text cell the question names best (ties: the earliest, the
    # levels run left to right), else the last one
    named = [n for n in row.names if q and lcs(q, n) >= 2]
    name = max(named, key=lambda n: lcs(q, n)) if named else (row.names[-1] if row.names else "")
    rule_n = cites.add(row.doc_id, title, _cell_page(row, row.col), row.rule)
    comps: list[Computation] = []
    rate_line = None
    percents = [x for x in given if x.unit == "%"]
    formula = rate_formula(row)
    linear = linear_rule(normalize(row.rule))
    if linear is not None:  # "得分=(1−10×调剂金额/年初预算数)×分值": the ratio is the rule's own
        formula = (f"{linear[1]}占{linear[2]}的比例", "ratio", linear[1], linear[2], row.rule)
    if len(percents) == 1:
        value = {
            "value": str(percents[0].value),
            "unit": "%",
            "label": f"问题给定的{percents[0].words or name}",
        }
    elif formula is not None and len(given) >= 2:
        fname, kind, a, b, cell = formula
        pair = _assign(given, a, b, g)
        if pair is None:
            return _refuse(
                owner, "计算所需的两个数", f"问题给出的数与公式“{fname}”中的{a}、{b}对应不上", [row], titles
            )
        x, y = pair
        f_n = cites.add(row.doc_id, title, _cell_page(row, row.cells.index(cell)), cell)
        inputs = {
            "numerator" if kind == "ratio" else "current": _given(x, a),
            "denominator" if kind == "ratio" else "previous": _given(y, b),
        }
        if kind == "reduction":
            gap, why = run_metric(owner, "difference", {"minuend": _given(x, a), "subtrahend": _given(y, b)})
            if gap is not None:
                comps.append(gap)
                inputs = {
                    "numerator": {"value": str(gap.value), "unit": x.unit, "label": f"{a}−{b}"},
                    "denominator": _given(x, a),
                }
                rate, why = run_metric(owner, "ratio", inputs)
            else:
                rate = None
        else:
            rate, why = run_metric(owner, "ratio" if kind == "ratio" else "growth_rate", inputs)
        if rate is None:
            return _refuse(owner, f"{fname}", why or "无法由问题给出的数算出该比率", [row], titles)
        if name and lcs(normalize(fname), name) >= 3 and fname != name:
            fname = name  # the row's name: the formula's may carry the document's typo
        rate.name_zh = fname
        comps.append(rate)
        shown = rate.formula if kind != "reduction" else f"{comps[-2].formula}；{rate.formula}"
        rate_line = {"name": fname, "formula": shown, "n": f_n}
        value = {"value": str(rate.value), "unit": "%", "label": fname}
    else:
        return _refuse(
            owner,
            "计分所需的值",
            "问题没有给出可按该评分标准计分的比率，文档中也没有由问题所给数字计算它的公式",
            [row],
            titles,
        )
    parsed = parse_rule(row.rule)
    if parsed is None:  # rule_rows read it; a rule that no longer reads is not scored
        return _refuse(owner, "按评分标准计算的得分", "该评分标准读不全", [row], titles)
    inputs: dict[str, Any] = {"value": value, "rule": parsed.to_dict()}
    max_cell = _max_cell(row, g)
    max_line = None
    if parsed.needs_max():
        if max_cell is None:
            return _refuse(
                owner, "该指标的分值", "评分标准按满分或分值计分，但表中没有找到该指标的分值", [row], titles
            )
        inputs["max_score"] = {"value": max_cell.value, "unit": "分", "label": "分值"}
        max_n = cites.add(row.doc_id, title, int(max_cell.page), " ".join(x for x in row.cells if x))
        max_line = {"display": f"{max_cell.value}分", "n": max_n}
    score, why = run_metric(owner, "rule_score", inputs)
    if score is None:
        return _refuse(owner, "按评分标准计算的得分", why or "该评分标准不能确定这个值的得分", [row], titles)
    comps.append(score)
    draft = Draft(
        "answer_rule_score",
        {
            "title": title,
            "indicator": name,
            "rule_n": rule_n,
            "result": score.display,
            "rate": rate_line,
            "formula": score.formula,
            "max": max_line,
        },
        computations=comps,
        meta={"path": "facts", "fact_op": "rule_score", "rule_indicator": name},
    )
    draft.cites = cites
    return draft
