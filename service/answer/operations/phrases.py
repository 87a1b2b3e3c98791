"""Two quantities named in the document's own words, and the operation between them.

"在编在职的人占编制数的比例是多少？" -> share("在编在职的人", "编制数"); "在职的人比核定编制多出来几个？" ->
difference(…); "财政拨款收入加上级补助收入一共多少？" -> sum(…). Each side is found among the
document's figures by what it is called (its phrase, or its row and column labels) — glossary terms
and the document's own words alike — and must be the one figure so called; otherwise the question is
refused with the candidates named, never answered with a neighbour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.answer.operations.cells import covered, free_chunks
from service.answer.operations.operands import Match, unit_fits
from service.search.facts import IndexedFact

# how a question joins its two quantities; the operand phrases are what stands on either side
_SHARE = (
    re.compile(
        r"^(?P<a>.+?)在(?P<b>[^占，,]+?)(?:中|里|当中)(?:所占|占)?的?(?:比例|比重|占比|多大比|多少比)"
    ),
    re.compile(
        r"^(?P<a>[^，,]+?)(?:占|是|相当于|为)(?P<b>[^，,]+?)的?(?:比例|比重|占比|百分之|百分比|多大比|几成|多少比)"
    ),
    re.compile(r"^(?P<a>[^，,]+?)在(?P<b>[^占，,]+?)(?:中|里|当中)(?:所占|占)(?:了|的)?多少$"),
    re.compile(r"^(?P<a>[^，,]+?)占(?P<b>[^，,]+?)的?多少$"),
)
_DIFFERENCE = (
    re.compile(
        r"^(?P<a>.+?)比(?P<b>.+?)(?P<dir>多|少|高|低|超|节约|节省|结余)(?:[\u4e00-\u9fff]?了|了)?(?:出来?)?"
        r"(?:多少|几)(?:个|元|万元|亿元|人|名|项)?(?P<tail>[\u4e00-\u9fff]{1,8})?(?:$|[，,])"
    ),
    re.compile(
        r"^(?P<a>.+?)(?:和|与|跟)(?P<b>.+?)(?:之间)?(?:相差|差了|差额|差距|差)(?:是|为|有)?(?:多少|几)"
    ),
    re.compile(r"^(?P<a>.+?)减(?:去|掉)?(?P<b>.+?)(?:是|为|等于|剩|还剩)"),
)
_SUM = (
    re.compile(
        r"^(?P<a>.+?)(?P<b>(?:(?:加上|加(?!起来|在一起|一起)|和|与|及|、).+?)+?)[，,]?"
        r"(?:加起来|加在一起|加一起|合起来|合计|一共|总共|共计|之和|总计|共)"
    ),
)
_JOINS = re.compile(r"加上|(?<![追增参附添更])加(?!权|起来|在一起|一起)|和|与|及|、")
# a side that carries its own figure, a hypothesis or a second operation is not a plain quantity
_NOT_PLAIN = re.compile(r"\d|如果|假如|要是|假设|按照?|倍|增长|下降|变化|平均|率")
_POINTERS = re.compile(r"^(?:那么?|请问|帮我算?一?下|算一下|这个|这笔|这项|该笔|该|本|其中|其|那)+")
_YEARS = re.compile(r"(?:19|20)\d{2}\s*(?:年度|年)?")


# a follow-up that measures the last answer's figure against another ("和在职在编人数比是百分之多少")
_FOLLOW_SHARE = re.compile(
    r"^(?:那|那么)?(?:和|跟|与|同)(?P<b>[^，,]+?)(?:相)?比(?:较)?(?:的话)?[，,]?(?:是|占|为|有)?的?"
    r"(?:百分之|比例|比重|占比|多大比|多少比)"
)
PREVIOUS = "上一个回答中的数字"


@dataclass
class Binary:
    op: str  # share | difference | sum | sum_each
    sides: tuple[str, ...]  # the quantities, in the question's words (two; a sum may have more)
    count: int = 0  # sum_each: how many figures the question says there are ("两个工程")


# "监理费两个工程加一起花了多少", "两个工程的监理费一共多少": one name, the figures of the several
# lines it names (one per 工程), added — the count the question states must be the count found
_COUNT = r"(?P<n>[两二三四五六七八九十]|\d{1,2})(?:个|项|类|笔|处|家|所|条)"
_SUM_CUES = r"(?:加起来|加在一起|加一起|合起来|合计|一共|总共|共计|总计|之和)"
_SUM_EACH = (
    re.compile(rf"^(?P<a>[^，,]{{2,}}?){_COUNT}(?P<what>[\u4e00-\u9fff]{{0,6}}?)的?{_SUM_CUES}"),
    re.compile(rf"^(?:这|那)?{_COUNT}(?P<what>[\u4e00-\u9fff]{{1,6}}?)的(?P<a>[^，,]{{2,}}?){_SUM_CUES}"),
)
# a side of a share that is itself a sum: "两个工程的青苗补偿费合计", "甲和乙两个项目的债券合计"
SUM_WORDS = re.compile(r"(?:合计|总共|一共|总计|共计|加起来|合起来|加在一起|之和)$")
COUNTED_SIDE = re.compile(
    r"^(?P<items>.*?)(?:这|那)?(?P<n>[两二三四五六七八九十]|\d{1,2})(?:个|项|类|笔|处|家|所|条)"
    r"(?P<what>[\u4e00-\u9fff]{1,6}?)的(?P<name>.{2,})$"
)
NUMERALS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _shared_line(side: str, other: str) -> str:
    """ "培训费全年预算和实际支出差了多少": the line named before one side's measure is the other
    side's too when that side names a measure alone (培训费's 实际支出, not the project's); a side
    that names more than a measure keeps its words."""
    from ingest.glossary import load_glossary

    g = load_glossary()
    own = g.find(side)
    if len(own) != 1 or (own[0].start, own[0].end) != (0, len(side)):
        return side
    theirs = g.find(other)
    if not theirs or theirs[-1].end != len(other) or theirs[-1].start < 2:
        return side
    line = other[: theirs[-1].start].rstrip("的")
    if len(line) < 2 or _NOT_PLAIN.search(line) or _JOINS.search(line):
        return side
    return line + side


def split(text: str) -> list[Binary]:
    """The readings of a question that joins named quantities: the operation and its sides. Several
    when a join word may be part of a name ("加上级补助收入": 加 + 上级补助收入, or 加上 + 级补助收入);
    the caller keeps the reading whose sides all name figures."""
    body = _YEARS.sub("", re.split(r"[？?。！!]", text, maxsplit=1)[0])
    follow = _FOLLOW_SHARE.search(body)
    if follow is not None:
        b = _plain(follow.group("b"))
        return [Binary("share", (PREVIOUS, b))] if _all_plain(("上一", b)) else []
    for op, patterns in (("share", _SHARE), ("difference", _DIFFERENCE), ("sum", _SUM)):
        for p in patterns:
            m = p.search(body)
            if m is None or (op == "sum" and not _JOINS.search(m.group("b"))):
                continue
            if op == "sum" and re.search(r"占|比例|比重|百分之|之比|倍", body[m.end() :]):
                return []  # "甲和乙合计占总规模多少": a share of a sum, not the sum
            if op == "sum":
                readings = _sum_readings(m.group("a") + m.group("b"))
            else:
                a, b = (_plain(m.group(g)) for g in ("a", "b"))
                tail = m.groupdict().get("tail")
                if tail and len(tail) >= 2:  # "甲比乙多发了多少债券": the measure after 多少 is both sides'
                    a, b = f"{a}的{tail}", f"{b}的{tail}"
                if op == "difference":
                    a, b = _shared_line(a, b), _shared_line(b, a)
                if op == "difference" and m.groupdict().get("dir") in ("少", "低", "节约", "节省", "结余"):
                    a, b = b, a  # "甲比乙少多少" is 乙 − 甲: report the positive gap
                readings = [(a, b)]
            out = [Binary(op, sides) for sides in readings if _all_plain(sides)]
            if out or readings:
                return out
    for p in _SUM_EACH:
        m = p.search(body)
        if m is None or re.search(r"占|比例|比重|百分之|之比|倍", body[m.end() :]):
            continue
        name = _plain(m.group("a"))
        n = m.group("n")
        count = int(n) if n.isdigit() else NUMERALS[n]
        if len(name) >= 2 and not _NOT_PLAIN.search(name) and not _JOINS.search(name) and count >= 2:
            return [Binary("sum_each", (name,), count)]
    return []


def _plain(side: str) -> str:
    return _POINTERS.sub("", side.split("，")[-1].split(",")[-1]).strip(" ，,的")


def _all_plain(sides: tuple[str, ...]) -> bool:
    return len(sides) >= 2 and all(len(x) >= 2 and not _NOT_PLAIN.search(x) for x in sides)


def _sum_readings(span: str) -> list[tuple[str, ...]]:
    """The parts of "甲、乙和丙" (each join word tried long and short: 加上 / 加), a qualifier before
    the first part's last 的 ("九山河一期的监理费、测绘费") applied to every part."""
    clauses = [c for c in re.split(r"[，,]", span) if c.strip()]
    span = next((c for c in clauses if _JOINS.search(c)), span)  # the clause that joins the parts
    readings: list[tuple[str, ...]] = []
    for joins in (
        _JOINS,
        re.compile(r"(?<![追增参附添更])加(?!权)(?!上)|和|与|及|、"),
        re.compile(r"(?<![追增参附添更])加(?!权)|和|与|及|、"),
    ):
        parts = [_plain(x) for x in joins.split(span) if x.strip()]
        counted = (
            re.match(r"^(.+?)(?:这|那)?[两三四五六七八九十几]+(?:项|个|类|块)的?(.+)$", parts[-1])
            if parts
            else None
        )
        if counted:  # "相关性和可持续性两项加权得分": the measure after the count is every part's
            parts = [*parts[:-1], counted.group(1)]
            parts = [x if x.endswith(counted.group(2)) else x + counted.group(2) for x in parts]
        head, _, first = parts[0].rpartition("的") if parts else ("", "", "")
        if head and len(first) >= 2 and all("的" not in x for x in parts[1:]):
            parts = [f"{head}的{first}", *(f"{head}的{x}" for x in parts[1:])]
        if tuple(parts) not in readings:
            readings.append(tuple(parts))
    return readings


def resolve(
    phrase: str, facts: list[IndexedFact], g: Any, *, years: list[int], scores: bool = False
) -> tuple[list[Match], str]:
    """The figures a phrase names: every glossary quantity and every own word of the phrase is in
    what the figure is said to be; the most specific (least else said) first. Also the words looked for."""
    hits = [h for h in g.find(phrase) if g.concept(h.concept_id).kind not in ("rate", "text")]
    named = list(dict.fromkeys(h.concept_id for h in hits))
    surface = {h.concept_id: h.term for h in hits}
    chunks = [c for c in free_chunks(phrase, g) if len(c) >= 2]
    if not named and not chunks:
        return [], ""
    words = "、".join((*(g.concept(c).label for c in named), *chunks))
    out = _named_figures(phrase, named, surface, chunks, facts, g, years=years, scores=scores)
    if not out:  # "编制数" where the document states only its one part (事业编制25名): that part
        sole = {c: sole_part(c, facts, g) for c in named}
        if named and all(sole.values()):
            parts = [p for p in sole.values() if p]
            out = _named_figures(
                phrase,
                parts,
                {p: g.concept(p).label for p in parts},
                chunks,
                facts,
                g,
                years=years,
                scores=scores,
            )
    return out, words


def sole_part(cid: str, facts: list[IndexedFact], g: Any) -> str | None:
    """The one part of a whole the documents state, when they state neither the whole nor any other
    of its parts (a unit with only 事业编制 has that many 编制); None otherwise."""
    if any(cid in i.concepts for i in facts):
        return None
    present = {p for p in g.parts_of(cid) if any(p in i.concepts for i in facts)}
    if len(present) != 1:
        return None
    part = present.pop()
    # a row of a breakdown beside rows the glossary does not tie to the whole (财政拨款小计 above
    # 自有资金小计) is one of several parts, whatever the glossary lists
    for i in facts:
        f = i.fact
        if part not in i.concepts or f.source != "table":
            continue
        if any(
            o.fact.source == "table"
            and o.fact.table_id == f.table_id
            and o.fact.col_index == f.col_index
            and o.fact.row_index != f.row_index
            and o.fact.unit == f.unit
            and part not in o.concepts
            for o in facts
        ):
            return None
    return part


def _named_figures(
    phrase: str,
    named: list[str],
    surface: dict[str, str],
    chunks: list[str],
    facts: list[IndexedFact],
    g: Any,
    *,
    years: list[int],
    scores: bool,
) -> list[Match]:
    quals = frozenset(g.qualifiers_in(phrase))
    out: list[Match] = []
    for i in facts:
        f = i.fact
        said = (f.description if f.source == "text" else " ".join((*f.row_path, *f.col_path))) + f.unit
        # a glossary quantity is named by its concept, or by the very words the question uses
        # ("财政拨款收入" in the row 一般公共预算财政拨款收入, which the glossary reads as the longer term)
        # ... but not when the figure is one of its parts and another part is stated too ("事业编制"
        # says 编制 beside 行政编制: neither is 编制数)
        if not all(
            c in i.concepts or (surface[c] in said and not _one_of_parts(i, c, facts, g)) for c in named
        ) or not all(covered(c, said) or _reordered(c, said) for c in chunks):
            continue
        if f.unit in ("%", "‰") or (f.unit == "分") != scores or f.comparator:
            continue  # a rate or a target is not a quantity to add or divide; scores go with scores
        if years and i.year is not None and i.year not in years:
            continue
        if "total" in quals and "total" not in g.qualifiers_in(
            f.description if f.source == "text" else " ".join(f.row_path)
        ):
            continue  # "全部工资福利支出": the total line, not one of its lines
        if "change" in i.qualifiers or any(
            (q in quals) != (q in i.qualifiers) for q in ("plan", "previous_year")
        ):
            continue
        extra = len(re.sub(r"[\d.,%\s·/、，,：:（）()]|(?:19|20)\d{2}年?", "", said)) - sum(
            len(c) for c in chunks
        )
        out.append(Match(i, -float(extra)))
    out.sort(key=lambda m: (-m.score, m.fact.page, m.fact.id))
    return out


def _one_of_parts(item: IndexedFact, cid: str, facts: list[IndexedFact], g: Any) -> bool:
    """Is the figure a part of the quantity `cid` beside another part of it the document states as
    more than nothing (行政编制 39 beside 事业编制 5; not 一般公共预算拨款 beside a 政府性基金 of 0.00)?"""
    parts = set(g.parts_of(cid))
    own = item.concepts & parts
    if not own:
        return False
    return any(
        i.fact.doc_id == item.fact.doc_id
        and (i.concepts & parts) - own
        and not (i.concepts & own)
        and _nonzero(i.fact.value)
        for i in facts
    )


def _nonzero(value: str) -> bool:
    try:
        return float(str(value).replace(",", "")) != 0
    except ValueError:
        return True


def _reordered(chunk: str, text: str) -> bool:
    """The same words in another order ("在编在职" for 在职在编): every character of the chunk is in
    the text and so are half its character pairs."""
    if len(chunk) < 4 or not all(ch in text for ch in chunk):
        return False
    pairs = [chunk[k : k + 2] for k in range(len(chunk) - 1)]
    return sum(p in text for p in pairs) * 2 >= len(pairs)


def same_kind(a: Match, b: Match) -> bool:
    """Two figures that can be added, subtracted or divided: the same unit, or two amounts of money."""
    ua, ub = a.fact.unit, b.fact.unit
    people = {"人", "名"}  # a head count, whichever counter word the sentence uses
    return ua == ub or (unit_fits("amount", ua) and unit_fits("amount", ub)) or {ua, ub} <= people


def follows_previous(text: str) -> bool:
    """Does the question measure the last answer's figure against another ("和…比是百分之多少")?"""
    return any(PREVIOUS in r.sides for r in split(text))


# "比上年减少（或增加）了多少", "增加了多少万元": an amount of change, not a rate of it
# (增长 / 下降 / 提高 of how much reads as a rate as often as an amount: left as a growth rate)
_AMOUNT_CHANGE = re.compile(r"(?:增加|减少|多|少)(?:[（(][^)）]{0,8}[)）])?了?(?:多少|几)")
_RATE_WORDS = re.compile(r"率|%|％|百分|幅度|比例|几成|倍|比重")


def asks_amount_change(question: str) -> bool:
    return bool(_AMOUNT_CHANGE.search(question)) and not _RATE_WORDS.search(question)


# "…加起来和一级指标分值对得上吗？一共多少分？": the sum is asked; the check against a stated
# figure is a clause of its own
_SUM_CUE = re.compile(r"加起来|加在一起|相加|加总|之和|合计|一共|总共|共计|合起来")
_CHECK_CLAUSE = re.compile(
    r"(?:和|跟|与|同)[^，。；？?！!]{0,24}?(?:对得上|对不上|一致|相等|相符|吻合|符合)[^，。；？?！!]{0,8}"
    r"|(?:是不是|是否)?(?:正好|刚好|恰好)?(?:等于|对得上|对不上|一致|相等|相符|吻合|对不对)[^，。；？?！!]{0,24}"
)


def sum_without_check(question: str) -> str:
    """The question with its check clauses taken out, when it asks for a sum as well ("…加起来是多少？
    跟一级指标的分数一致吗？" -> "…加起来是多少？"); "" when it is not such a question."""
    if not _SUM_CUE.search(question) or not _CHECK_CLAUSE.search(question):
        return ""
    if not re.search(r"多少|几", question):
        return ""  # "三项加起来等于总额吗": a yes/no check, which the report check answers
    rest = _CHECK_CLAUSE.sub("", question)
    rest = re.sub(r"[，,；;]*([？?。！!])[？?。！!，,\s]*", r"\1", rest).strip("，,；; ")
    if not _SUM_CUE.search(rest):
        return ""
    return rest


# "那耒水塘门口那个工程的呢？": the last question asked again of another thing
_ELLIPTICAL = re.compile(
    r"^(?:那么?|还有|再问一下)?(?P<x>[^，,。？?！!]{2,24}?)(?:的)?(?:呢|又是多少|又如何)[？?。]?$"
)
_ASKING = re.compile(r"多少|几|哪|什么|怎么|如何|是否|吗")


def elliptical(question: str, previous: str, g: Any) -> str:
    """The last question asked of the thing a short follow-up names instead ("九山河一期治理工程的
    监理费是多少？" then "那耒水塘门口那个工程的呢？" -> "耒水塘门口那个工程的监理费是多少？"); "" when the
    follow-up names a measure, a year or a qualifier (other follow-up rules read those), or the last
    question has no "X的Y" to put it in."""
    m = _ELLIPTICAL.match(question.strip())
    if m is None or not previous:
        return ""
    x = _POINTERS.sub("", m.group("x")).strip()
    if len(x) < 2 or _ASKING.search(x) or _YEARS.search(x) or g.qualifiers_in(x):
        return ""
    if any(
        g.concept(c).category != "other" or g.concept(c).kind in ("rate", "score", "weight")
        for c in g.concepts_in(x)
    ):
        return ""  # "那执行率呢", "那决算数呢": another measure of the same thing
    if not free_chunks(x, g):
        return ""
    body = previous.strip()
    at = body.rfind("的", 0, max(0, len(re.split(r"是多少|有多少|多少|几", body)[0])))
    if at <= 0:
        return ""
    return x + body[at:]
