"""Indicator scoring rules (评分标准 / 计分标准) read from a document's own words, and a value scored by them.

An evaluation's indicator table states, for each indicator, how its score is given. Three shapes
cover most numeric rules, and a rule is read only when every clause of it is understood:

- bands: "X=0，计3分；0-10%（含），计2分；10-20%（含），计1分；大于30%不得分";
- a standard and a deduction per step: "以100%为标准。X≤100%，计5分；每超过一个百分点扣0.5分，扣完为止",
  "100%计满分，每低于5%扣2分，扣完为止";
- a proportion of the weight: "按完成比例计算得分，满分为止" (分值 × 完成率, capped when it says so).

The words come from glossary.yaml `scoring_rules`. A value on a boundary the rule does not mark
（含 / 不含), a deduction for part of a step, or a value above 100% under a proportion the rule does not
cap is not decided here: the metric refuses (`AmbiguousRule`) and says why, never guesses.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.metrics._build import HUNDRED, build
from service.metrics.errors import MetricError
from service.metrics.registry import ArgSpec, metric
from service.metrics.result import MetricInput, MetricResult

_NUM = r"(\d+(?:\.\d+)?)"
_ZH_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


class UnreadableRule(MetricError):
    """The text is not a numeric scoring rule this module can read."""

    code = "unreadable_rule"


class AmbiguousRule(MetricError):
    """The rule is read, but it does not decide this value (an unmarked boundary, part of a step)."""

    code = "ambiguous_rule"


@dataclass(frozen=True)
class Bound:
    value: Decimal
    inclusive: bool | None  # None: the rule does not say


@dataclass(frozen=True)
class Band:
    low: Bound | None
    high: Bound | None
    points: Decimal | None  # None: full marks (the indicator's 分值)
    text: str

    def contains(self, v: Decimal) -> bool | None:
        """True / False, or None when `v` sits on a bound whose inclusion the rule leaves open."""
        unsure = False
        for bound, below in ((self.low, False), (self.high, True)):
            if bound is None:
                continue
            if v == bound.value:
                if bound.inclusive is None:
                    unsure = True
                elif not bound.inclusive:
                    return False
            elif (v > bound.value) if below else (v < bound.value):
                return False
        return None if unsure else True


@dataclass(frozen=True)
class Deduction:
    threshold: Decimal
    up: bool  # points are taken when the value exceeds the threshold (else when it falls short)
    step: Decimal  # per this many percentage points (or units)
    per: Decimal  # points taken per step
    text: str


@dataclass(frozen=True)
class ScoringRule:
    text: str
    bands: tuple[Band, ...] = ()
    deduction: Deduction | None = None
    proportional: bool = False
    capped: bool = False
    percent: bool = False  # the rule's figures are percentages

    def needs_max(self) -> bool:
        return self.proportional or any(b.points is None for b in self.bands)


def txt(v: Decimal) -> str:
    """A figure as written, without trailing zeros: 5.00 -> "5", 0.50 -> "0.5"."""
    return format(v.normalize(), "f") if v == v else str(v)


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


def parse_rule(text: str) -> ScoringRule | None:
    """The numeric scoring rule `text` states, or None when any clause of it is not understood (a
    qualitative rule, a formula, a rule in words) — a rule half read is not read."""
    t = normalize(text)
    p = _patterns()
    if not t or not (re.search(r"\d", t) or re.search(_alt("proportional"), t)):
        return None
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


def score_by(rule: ScoringRule, value: Decimal, max_score: Decimal | None) -> tuple[Decimal, str]:
    """(score, how) for `value` (percent points when the rule is in percent) under `rule`."""
    if rule.needs_max() and max_score is None:
        raise AmbiguousRule(
            "该评分标准按满分或分值计分，但没有给出该指标的分值",
            "the rule scores against full marks, but the indicator's weight is not given",
        )
    if rule.proportional:
        assert max_score is not None
        if value > HUNDRED and not rule.capped:
            raise AmbiguousRule(
                f"{txt(value)}%超过100%，而评分标准没有说明超过部分如何计分",
                "the value exceeds 100% and the rule does not say how that scores",
            )
        used = min(value, HUNDRED)
        cap = "（满分为止，超过100%按100%计）" if value > HUNDRED else ""
        return max_score * used / HUNDRED, f"{txt(max_score)} × {txt(used)}%{cap}"
    unit = "%" if rule.percent else ""
    if rule.deduction is not None:
        d = rule.deduction
        full = rule.bands[0].points if rule.bands[0].points is not None else max_score
        if full is None:
            raise AmbiguousRule("评分标准没有说明满分是多少", "the rule does not state full marks")
        gap = (value - d.threshold) if d.up else (d.threshold - value)
        word = "超过" if d.up else "低于"
        if gap <= 0:
            return full, f"{txt(value)}{unit}未{word}{txt(d.threshold)}{unit}，得满分{txt(full)}分"
        steps = gap / d.step
        if steps != steps.to_integral_value():
            raise AmbiguousRule(
                f"{txt(value)}{unit}{word}{txt(d.threshold)}{unit}共{txt(gap)}，不是整{txt(d.step)}个百分点，"
                "评分标准没有说明不足一档的部分如何扣分",
                "the gap is not a whole number of steps and the rule does not say how a part step is scored",
            )
        taken = steps * d.per
        score = max(full - taken, Decimal(0))
        floor = "，扣完为止" if full - taken < 0 else ""
        pp = "个百分点" if rule.percent else ""
        return score, (
            f"{txt(value)}{unit}{word}{txt(d.threshold)}{unit}共{txt(gap)}{pp}，每{txt(d.step)}{pp}扣{txt(d.per)}分："
            f"{txt(full)} − {txt(steps)} × {txt(d.per)}{floor}"
        )
    sure = [b for b in rule.bands if b.contains(value) is True]
    unsure = [b for b in rule.bands if b.contains(value) is None]
    if len(sure) > 1 and len({b.points for b in sure}) > 1:
        raise AmbiguousRule(
            f"{txt(value)}{unit}同时落在评分标准的几档里（{'；'.join(b.text for b in sure)}）",
            "the value falls in several bands of the rule",
        )
    if not sure:
        if unsure:
            raise AmbiguousRule(
                f"{txt(value)}{unit}正好在分档的界点上，评分标准没有写明该界点含不含在内（{'；'.join(b.text for b in unsure)}）",
                "the value sits on a band boundary the rule does not mark as included or excluded",
            )
        raise AmbiguousRule(
            f"评分标准的各档没有覆盖{txt(value)}{unit}", "no band of the rule covers the value"
        )
    band = sure[0]
    points = band.points if band.points is not None else max_score
    assert points is not None
    return points, f"{txt(value)}{unit}属于“{band.text}”一档"


@metric(
    name="rule_score",
    name_zh="按评分标准计分",
    name_en="Score by the stated rule",
    description=(
        "按文档所列评分标准（分档、标准值加每档扣分、按完成比例）为给定的值计分；规则或该值不能确定得分时拒绝。"
        "Scores a value by an indicator's scoring rule as the document states it (bands, a standard with a "
        "deduction per step, or a proportion of the weight); refuses when the rule does not decide the value."
    ),
    args=[
        ArgSpec("value", "评分对象的值", "the value scored (a rate in %, or a count)", unit_class="any"),
        ArgSpec("rule", "评分标准", "the rule's text as the document states it", kind="text"),
        ArgSpec(
            "max_score",
            "分值",
            "the indicator's weight (full marks)",
            unit_class="score",
            default_unit="分",
            required=False,
        ),
    ],
)
def rule_score(
    value: MetricInput, rule: Any, max_score: MetricInput | None, places: int | None
) -> MetricResult:
    text = str(rule or "")
    parsed = parse_rule(text)
    if parsed is None:
        raise UnreadableRule(
            f"读不懂这条评分标准的计分方法：“{text[:80]}”", "the scoring rule is not one this module can read"
        )
    if parsed.percent and value.unit not in ("%", "") and value.value != 0:
        raise AmbiguousRule(
            f"评分标准按百分比计分，给定的值单位是“{value.unit}”", "the rule is in percent, the value is not"
        )
    score, how = score_by(parsed, value.value, max_score.value if max_score else None)
    exponent = score.normalize().as_tuple().exponent
    shown = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return build(
        "rule_score",
        value=score,
        unit="分",
        places=min(shown, 2) if places is None else places,
        formula=f"{how} = {{display}}",
        symbols="得分 = 评分标准(值)",
        words=f"按评分标准“{normalize(text)[:120]}”计分",
        inputs=[value, *([max_score] if max_score else [])],
        details={"rule": text},
    )
