"""Reading an indicator's scoring rule (评分标准 / 计分标准) from its wording, into the structured rule
`service.metrics.scoring_rules` scores by.

Three shapes cover most numeric rules, and a rule is read only when every clause is understood:
bands ("X=0，计3分；0-10%（含），计2分；…；大于30%不得分"), a standard with a deduction per step
("以100%为标准。X≤100%，计5分；每超过一个百分点扣0.5分，扣完为止"), and a proportion of the weight
("按完成比例计算得分，满分为止"). The words come from glossary.yaml `scoring_rules`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal

from service.metrics.scoring_rules import Band, Bound, Deduction, Linear, ScoringRule

_NUM = r"(\d+(?:\.\d+)?)"
_ZH_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@functools.lru_cache(maxsize=1)
def _words() -> dict[str, tuple[str, ...]]:
    from ingest.glossary import load_glossary

    return load_glossary().scoring_rules


def _alt(key: str) -> str:
    words = sorted(_words().get(key, ()), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in words) + ")" if words else "(?!x)x"


def normalize(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "")
    t = t.replace("≦", "≤").replace("≧", "≥").replace("<=", "≤").replace(">=", "≥")
    t = re.sub(r"[\s“”\"‘’'「」『』]", "", t)
    return t.replace("—", "-").replace("–", "-").replace("~", "-").replace("～", "-")


def _mark(raw: str | None) -> bool | None:
    if not raw:
        return None
    inner = raw.strip("()")
    if re.fullmatch(_alt("exclusive_marks"), inner):
        return False
    if re.fullmatch(_alt("inclusive_marks") + r"\d*(?:\.\d+)?%?", inner) or re.fullmatch(
        _alt("inclusive_marks"), inner
    ):
        return True
    return None


def _count(raw: str | None) -> Decimal:
    if not raw:
        return Decimal(1)
    if raw in _ZH_NUM:
        return Decimal(_ZH_NUM[raw])
    return Decimal(raw)


@functools.lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    mark = r"(\((?:[^()]{1,6})\))?"
    pct = r"(%)?"
    return {
        "points": re.compile(
            rf"{_alt('award')}(?P<p>\d+(?:\.\d+)?)分|(?P<zero>{_alt('zero')})|(?P<full>{_alt('full')})"
            r"|(?:^|,)(?P<bare>\d+(?:\.\d+)?)分$"
        ),
        "deduct": re.compile(
            rf"每(?P<dir>{_alt('step_up')}|{_alt('step_down')})(?P<k>\d+(?:\.\d+)?|[一两二三四五六七八九十])?"
            rf"(?:{_alt('percent_point')}|(?P<pct>%)|个)?(?:的)?,?{_alt('deduct')}(?P<d>\d+(?:\.\d+)?)分"
        ),
        "standard": re.compile(rf"以{_NUM}{pct}{_alt('standard')}"),
        "range": re.compile(rf"{_NUM}{pct}{mark}(?:-|至|到){_NUM}{pct}{mark}(?:之间)?"),
        "cmp": re.compile(
            rf"(?P<op>≤|≥|<|>|=|{_alt('at_most')}|{_alt('at_least')}|{_alt('below')}|{_alt('above')})"
            rf"{_NUM}{pct}{mark}"
        ),
        "suffix": re.compile(
            rf"{_NUM}{pct}{mark}(?P<sfx>{_alt('under_suffix')}|{_alt('over_suffix')}){mark}"
        ),
        "bare": re.compile(rf"^{_NUM}{pct}$"),
    }


def _condition(cond: str) -> tuple[Bound | None, Bound | None, bool] | None:
    """(low, high, percent) of a band's condition, e.g. "80%(含)-90%", "≥90%", "60%以下"; None when
    the text states none."""
    p = _patterns()
    m = p["range"].search(cond)
    if m:
        lo_in, hi_in = _mark(m.group(3)), _mark(m.group(6))
        if lo_in is not None and hi_in is None:
            hi_in = not lo_in
        elif hi_in is not None and lo_in is None:
            lo_in = not hi_in
        pct = bool(m.group(2) or m.group(5))
        return Bound(Decimal(m.group(1)), lo_in), Bound(Decimal(m.group(4)), hi_in), pct
    m = p["suffix"].search(cond)
    if m:
        v, pct = Decimal(m.group(1)), bool(m.group(2))
        inc = _mark(m.group(3)) if _mark(m.group(3)) is not None else _mark(m.group(5))
        inc = True if inc is None else inc  # 以上/以下 include the number (民法典第一千二百五十九条)
        under = re.fullmatch(_alt("under_suffix"), m.group("sfx")) is not None
        return (None, Bound(v, inc), pct) if under else (Bound(v, inc), None, pct)
    m = p["cmp"].search(cond)
    if m:
        op, v, pct = m.group("op"), Decimal(m.group(2)), bool(m.group(3))
        if op == "=":
            return Bound(v, True), Bound(v, True), pct
        if op == "≤" or re.fullmatch(_alt("at_most"), op):
            return None, Bound(v, True), pct
        if op == "≥" or re.fullmatch(_alt("at_least"), op):
            return Bound(v, True), None, pct
        if op == "<" or re.fullmatch(_alt("below"), op):
            return None, Bound(v, False), pct
        return Bound(v, False), None, pct
    m = p["bare"].search(cond)
    if m:
        v = Decimal(m.group(1))
        return Bound(v, True), Bound(v, True), bool(m.group(2))
    return None


@functools.lru_cache(maxsize=8192)  # every table cell is tried on each scoring question
def parse_rule(text: str) -> ScoringRule | None:
    """The numeric scoring rule `text` states, or None when any clause of it is not understood (a
    qualitative rule, a formula, a rule in words) — a rule half read is not read."""
    t = normalize(text)
    p = _patterns()
    if not t or not (re.search(r"\d", t) or re.search(_alt("proportional"), t)):
        return None
    linear = linear_rule(t)
    if linear is not None:
        return ScoringRule(text=text, linear=linear[0], percent=True)
    bands: list[Band] = []
    deductions: list[tuple[Deduction, Bound | None, Bound | None]] = []
    standard: Decimal | None = None
    percent = False
    proportional = re.search(_alt("proportional"), t) is not None
    capped = re.search(_alt("cap"), t) is not None
    for clause in (c for c in re.split(r"[;。]|(?<!\d)\.|\.(?!\d)", t) if c.strip(",")):
        rest = clause
        for key in ("proportional", "cap", "floor"):
            rest = re.sub(_alt(key), "", rest)
        m = p["standard"].search(rest)
        if m:
            standard, percent = Decimal(m.group(1)), percent or bool(m.group(2))
            rest = rest[: m.start()] + rest[m.end() :]
        d = p["deduct"].search(rest)
        if d:
            up = re.fullmatch(_alt("step_up"), d.group("dir")) is not None
            before = rest[: d.start()].rstrip(",")
            cond = _condition(before) if before else None
            low, high = (cond[0], cond[1]) if cond else (None, None)
            percent = percent or bool(d.group("pct")) or bool(cond and cond[2])
            deductions.append(
                (Deduction(Decimal(0), up, _count(d.group("k")), Decimal(d.group("d")), clause), low, high)
            )
            rest = before
            if not rest:
                continue
        pts = p["points"].search(rest)
        if pts is None:
            if deductions and deductions[-1][0].text == clause:
                continue  # "X>0，每超过一个百分点扣0.8分": the condition went with the deduction
            if re.sub(r"[,，]", "", rest):
                return None  # a clause that gives no points and is not understood
            continue
        points: Decimal | None
        if pts.group("zero"):
            points = Decimal(0)
        elif pts.group("full"):
            points = None
        else:
            points = Decimal(pts.group("p") or pts.group("bare"))
        cond = _condition(rest[: pts.start()].rstrip(","))
        if cond is None:
            return None  # points for a condition not stated in numbers ("无结余，3分")
        low, high, pct = cond
        percent = percent or pct
        bands.append(Band(low, high, points, clause))
    if proportional:
        if bands or deductions:
            return None
        return ScoringRule(text=text, proportional=True, capped=capped, percent=True)
    if deductions:
        if len(deductions) != 1 or len(bands) > 1:
            return None
        ded, low, high = deductions[0]
        candidates = {standard} if standard is not None else set()
        for b in bands:
            candidates |= {x.value for x in (b.low, b.high) if x is not None}
        if ded.up and low is not None:
            candidates.add(low.value)
        if not ded.up and high is not None:
            candidates.add(high.value)
        if len(candidates) != 1:
            return None
        threshold = candidates.pop()
        full = bands[0] if bands else Band(None, None, None, "")
        ded = Deduction(threshold, ded.up, ded.step, ded.per, ded.text)
        return ScoringRule(text=text, bands=(full,), deduction=ded, percent=percent or threshold == 0)
    if len(bands) >= 2:
        return ScoringRule(text=text, bands=tuple(bands), percent=percent)
    return None


_WEIGHT_WORD = r"(?:指标)?(?:分值|权重|权数|满分|标准分)"
_LINEAR = re.compile(
    rf"得分=[(]*(?P<c>\d+(?:\.\d+)?)-(?P<k>\d+(?:\.\d+)?)[*](?P<a>[^/()*=]+)/(?P<b>[^/()*=]+)[)]*[*]{_WEIGHT_WORD}"
)
_LINEAR_ZERO = re.compile(
    r"若(?P<a>[^/()*=]+)/(?P<b>[^/()*=>]+)>(?P<t>\d+(?:\.\d+)?)[,]?(?:此项|该项|本项)?得0分"
)


def linear_rule(t: str) -> tuple[Linear, str, str] | None:
    """ "指标得分=(1−10×调剂金额/年初预算数)×指标分值；若调剂金额/年初预算数>0.1，此项得0分" (normalised
    text): the rule, and the ratio's two operands in the document's words; None when it is not this
    shape exactly (every clause naming a score must be one of these two)."""
    u = t.replace("×", "*").replace("÷", "/").replace("（", "(").replace("）", ")")
    m = _LINEAR.search(u)
    if m is None:
        return None
    a, b = m.group("a").strip(), m.group("b").strip()
    zero = None
    z = _LINEAR_ZERO.search(u)
    if z is not None:
        if (z.group("a").strip(), z.group("b").strip()) != (a, b):
            return None  # a zero clause on another ratio: not understood
        zero = Decimal(z.group("t"))
    scored = [c for c in re.split(r"[;。]", u) if "分" in c]
    if any(not (_LINEAR.search(c) or _LINEAR_ZERO.search(c)) for c in scored):
        return None
    return Linear(Decimal(m.group("c")), Decimal(m.group("k")), zero, m.group(0)), a, b
