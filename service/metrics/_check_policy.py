"""Report check, policy: read the grade bands a policy document states ("90分（含）以上为“优”；80分（含）至
90分为“良”；…；60分以下为“差”") from its page text, so a report is graded by the rule that governs it.

Phrases recognised (whitespace ignored, so a band broken across lines still reads):
- top band:    "90分（含）以上为“优”", "90分以上（含90分）为优秀", "超过90分的为优" (exclusive)
- middle band: "80分（含）至90分为“良”", "80-89分为良", "大于等于80分且小于90分为良"
- lowest band: "60分以下为“差”", "低于60分为差", "不足60分的为不合格"
"以上 / 以下" without a mark follow the legal convention (民法典第一千二百五十九条: 以上、以下包括本数),
so "90分以上" includes 90; a lower bound marked （不含） or stated as 超过 / 高于 / 大于 excludes it.
The clause with the most band phrases wins; its number (第八条) and page are cited with the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.metrics.errors import BadGradeRule
from service.metrics.grades import GradeBand, GradeRule

_NUM = r"(\d+(?:\.\d+)?)"
_VERB = r"(?:的)?(?:为|评为|定为|属于|确定为|列为)(?:等级)?"
_LABEL = r"[“\"「『]?([A-Za-z\u4e00-\u9fff]{1,4}?)[”\"」』]?(?=[；;。，,、）)]|$)"
_MARK = r"(?:[（(]((?:不)?(?:含|包含|包括)[^)）]{0,6})[)）])?"

_TOP = re.compile(rf"{_NUM}分?{_MARK}(?:及|或)?以上{_MARK}{_VERB}{_LABEL}")
_ABOVE = re.compile(rf"(?:超过|高于|大于|＞|>){_NUM}分?{_MARK}{_VERB}{_LABEL}")
_RANGE = re.compile(
    rf"(?:(?:大于等于|不低于|≥|>=)?){_NUM}分?{_MARK}(?:至|到|[-—–~～]|且(?:小于|低于|<))"
    rf"{_NUM}分?{_MARK}(?:以下|以内)?{_VERB}{_LABEL}"
)
_LOW = re.compile(rf"(?:{_NUM}分?{_MARK}以下|(?:低于|小于|不足|不满|不到|＜|<){_NUM}分?){_VERB}{_LABEL}")
_CLAUSE = re.compile(r"第[一二三四五六七八九十百零〇\d]+条")
# the label first, its band in brackets after it ("优（90分及以上）、良（80（含）—90分）、差（60分以下）")
_FIRST = r"(?:^|(?<=[：:，,、；;。为]))[“\"「『]?([\u4e00-\u9fff]{1,3}?)[”\"」』]?[（(]"
_TOP_AFTER = re.compile(rf"{_FIRST}{_NUM}分?{_MARK}(?:及|或)?以上{_MARK}[)）]")
_RANGE_AFTER = re.compile(rf"{_FIRST}{_NUM}分?{_MARK}(?:至|到|[-—–~～]){_NUM}分?{_MARK}(?:以下|以内)?[)）]")
_LOW_AFTER = re.compile(rf"{_FIRST}(?:{_NUM}分?{_MARK}以下|(?:低于|小于|不足|不满|不到){_NUM}分?)[)）]")


@dataclass(frozen=True)
class PolicyGradeRule(GradeRule):
    """A grade rule read from a policy document, with where it says so."""

    doc_id: str = ""
    title: str = ""
    page: int | None = None
    clause: str = ""  # "第八条"
    text: str = ""  # the clause's wording

    def citation(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "page": self.page,
            "clause": self.clause,
            "text": self.text,
        }


def _inclusive(mark: str | None, default: bool = True) -> bool:
    if not mark:
        return default
    return not mark.startswith("不")


def _bands_in(text: str) -> list[tuple[int, GradeBand]]:
    """(position, band) for every band phrase in `text` (whitespace already removed)."""
    found: list[tuple[int, GradeBand]] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(a < m.end() and m.start() < b for a, b in taken)

    for m in _RANGE.finditer(text):
        low, mark, label = m.group(1), m.group(2), m.group(5)
        found.append((m.start(), GradeBand(label, Decimal(low), _inclusive(mark))))
        taken.append(m.span())
    for m in _TOP.finditer(text):
        if free(m):
            inc = _inclusive(m.group(2) or m.group(3))
            found.append((m.start(), GradeBand(m.group(4), Decimal(m.group(1)), inc)))
            taken.append(m.span())
    for m in _ABOVE.finditer(text):
        if free(m):
            found.append((m.start(), GradeBand(m.group(3), Decimal(m.group(1)), False)))
            taken.append(m.span())
    for m in _RANGE_AFTER.finditer(text):
        if free(m):
            found.append((m.start(), GradeBand(m.group(1), Decimal(m.group(2)), _inclusive(m.group(3)))))
            taken.append(m.span())
    for m in _TOP_AFTER.finditer(text):
        if free(m):
            inc = _inclusive(m.group(3) or m.group(4))
            found.append((m.start(), GradeBand(m.group(1), Decimal(m.group(2)), inc)))
            taken.append(m.span())
    for m in _LOW_AFTER.finditer(text):
        if free(m):
            found.append((m.start(), GradeBand(m.group(1), Decimal(0), True)))
            taken.append(m.span())
    for m in _LOW.finditer(text):
        if free(m):
            found.append((m.start(), GradeBand(m.group(4), Decimal(0), True)))
            taken.append(m.span())
    return sorted(found, key=lambda x: x[0])


def grade_rule_from_policy(pages: list[Any], *, title: str = "", doc_id: str = "") -> PolicyGradeRule:
    """The grade bands stated in a policy document's pages (duck-typed `Page`: number, text), citing
    the clause and page. Raises `BadGradeRule` (Chinese + English) when the text states no usable rule."""
    best: tuple[int, PolicyGradeRule] | None = None
    for page in pages:
        text = re.sub(r"\s+", "", page.text or "")
        starts = [m.start() for m in _CLAUSE.finditer(text)]
        bounds = list(zip([0, *starts], [*starts, len(text)], strict=True))
        for start, end in bounds:
            segment = text[start:end]
            if not re.search(r"等级|评级|档次|[分划]为[一二三四五六七八九\d]+[档级个]", segment):
                continue
            bands = _bands_in(segment)
            labels: dict[str, GradeBand] = {}
            for _, band in bands:
                labels.setdefault(band.label, band)
            mins = [b.min for b in labels.values()]
            if len(labels) < 2 or len(set(mins)) != len(mins):
                continue
            clause = _CLAUSE.match(segment)
            rule = PolicyGradeRule(
                bands=tuple(sorted(labels.values(), key=lambda b: b.min, reverse=True)),
                source="",
                doc_id=doc_id,
                title=title,
                page=page.number,
                clause=clause.group(0) if clause else "",
                text=segment,
            )
            if best is None or len(labels) > best[0]:
                best = (len(labels), rule)
    if best is None:
        name = f"《{title}》" if title else "该文档"
        raise BadGradeRule(
            f"{name}中没有找到评级档次（如“90分（含）以上为‘优’”），无法据此评级；请换一份写明评级规则的文件，"
            "或不带 --policy 使用默认档次",
            "no grade bands (e.g. '90分（含）以上为“优”') found in the policy document; "
            "pass a document that states them, or omit --policy for the default bands",
        )
    rule = best[1]
    where = f"《{title}》" if title else (doc_id or "政策文件")
    source = f"{where}{rule.clause}（第{rule.page}页）"
    return PolicyGradeRule(
        bands=rule.bands,
        source=source,
        doc_id=rule.doc_id,
        title=rule.title,
        page=rule.page,
        clause=rule.clause,
        text=rule.text,
    )


@dataclass(frozen=True)
class ExecutionRule:
    """How the budget-execution score of a 自评表 is given. The usual rule (财预〔2020〕10号 自评表:
    分值 × min(执行率, 100%)) or a policy's: the same proportion, and no points at all below a stated
    execution rate ("执行率低于60%的，不得分"). `source` names where the rule comes from."""

    source: str
    zero_below: Decimal | None = None  # an execution rate (%) below which the score is 0
    zero_inclusive: bool = False  # "60%（含）以下" also scores 0 at exactly 60%
    doc_id: str = ""
    title: str = ""
    page: int | None = None
    clause: str = ""
    text: str = ""

    def scores_zero(self, rate: Decimal) -> bool:
        if self.zero_below is None:
            return False
        return rate < self.zero_below or (self.zero_inclusive and rate == self.zero_below)

    def describe(self) -> str:
        base = "分值×min(执行率,100%)"
        if self.zero_below is None:
            return base
        mark = "（含）以下" if self.zero_inclusive else "以下"
        return f"{base}；执行率{self.zero_below}%{mark}不得分"


_EXEC = r"(?:预算|资金)?执行率"
_ZERO = r"(?:的|时)?[，,]?(?:该项|此项|该指标|本项)?(?:不得分|得0分|计0分|不计分|为0分|记0分)"
_ZERO_BELOW = re.compile(
    rf"{_EXEC}(?:低于|小于|不足|未达到|未达|不到|<|＜){_NUM}[%％]{_MARK}{_ZERO}"
    rf"|{_EXEC}(?:在)?{_NUM}[%％]{_MARK}(以下|及以下){_MARK}{_ZERO}"
)
_PROPORTION = re.compile(
    rf"{_EXEC}得分[=＝]|得分[=＝](?:预算|资金)?执行率[×*xX]|{_EXEC}[×*xX](?:该指标|该项|本项)?分值"
    rf"|分值[×*xX]{_EXEC}"
)


def execution_rule_from_policy(
    pages: list[Any], *, title: str = "", doc_id: str = ""
) -> ExecutionRule | None:
    """The budget-execution scoring rule a policy document states (a clause on the execution rate's
    score: its proportion and a rate below which nothing is scored), citing clause and page; None
    when the document states none."""
    for page in pages:
        text = re.sub(r"\s+", "", page.text or "")
        starts = [m.start() for m in _CLAUSE.finditer(text)]
        for start, end in zip([0, *starts], [*starts, len(text)], strict=True):
            segment = text[start:end]
            zero = _ZERO_BELOW.search(segment)
            if zero is None and not _PROPORTION.search(segment):
                continue
            below, inclusive = None, False
            if zero is not None:
                if zero.group(1) is not None:
                    below, inclusive = Decimal(zero.group(1)), _inclusive(zero.group(2), default=False)
                else:  # "执行率60%以下": 以下 includes the number unless marked （不含）
                    marks = zero.group(4) or zero.group(6)
                    below, inclusive = Decimal(zero.group(3)), _inclusive(marks)
            clause = _CLAUSE.match(segment)
            where = f"《{title}》" if title else (doc_id or "政策文件")
            name = clause.group(0) if clause else ""
            return ExecutionRule(
                source=f"{where}{name}（第{page.number}页）", zero_below=below, zero_inclusive=inclusive,
                doc_id=doc_id, title=title, page=page.number, clause=name, text=segment,
            )  # fmt: skip
    return None


__all__ = ["ExecutionRule", "PolicyGradeRule", "execution_rule_from_policy", "grade_rule_from_policy"]
