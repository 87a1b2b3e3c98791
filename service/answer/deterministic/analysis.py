"""Question analysis: what is asked (intent and operation), about what (concept, table headers,
section), for which years, and which words the evidence must contain.

A follow-up ("那2019年呢？", "它的得分率呢？") is resolved by merging the slots it leaves open from
the previous assistant turn's analysis, which the answer stores in `Answer.meta`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from service.answer.deterministic.evidence import to_halfwidth
from service.answer.deterministic.lexicon import (
    SECTIONS,
    STOPWORDS,
    Concept,
    Lexicon,
    segment,
    segment_pos,
)

Intent = Literal["lookup", "compute", "section", "grade", "check", "policy", "documents", "unknown"]
Op = Literal[
    "growth",
    "over_budget",
    "execution_rate",
    "score_rate",
    "grade",
    "total_score",
    "baseline",
    "derive",
    "share",
    "per_capita",
    "difference",
    "target_completion",
]

_CHECK = re.compile(
    r"(一致|相符|相等|等于|对得上|正确|准确|算得对|对)吗|是否(一致|相符|相等|等于|正确|准确)|加起来|相加|之和|算得对|对不对|有没有错|"
    r"对得上|对不上|核对|复核|核验|校验|核查|勾稽|(检查|验证).{0,6}(报告|数字|数据|计算)|(数字|数据).{0,6}(准确|正确|一致|有没有错)"
)
# "…加起来一共多少？": a sum asked for, not a check of the report (no yes/no cue beside it)
_SUM_CUE = re.compile(r"加起来|相加|之和")
_YES_NO = re.compile(
    r"(一致|相符|相等|等于|对得上|正确|准确|算得对|对)吗|是否|对不对|有没有错|对得上|对不上|是不是|核对|复核|核验|校验|核查|勾稽|验证|检查"
)


def _SUM_ONLY(q: str) -> bool:
    return bool(_SUM_CUE.search(q) and re.search(r"多少|几", q) and not _YES_NO.search(q))


_POLICY = re.compile(
    r"管理办法|实施细则|细则|办法|规定|制度|政策|口径|怎么算|如何计算|计算方法|计算公式|怎么计算|分母|条款|依据什么|哪一条|第[一二三四五六七八九十]+条"
)
_GROWTH = re.compile(
    r"增长|提高|上升|增加|增幅|涨幅|上涨|涨了|下降|降低|减少|降幅|降了|变化|变动|同比|多了|少了"
)
# a change asked for even without a year compared ("受理量涨了百分之几", "一年里增长了多少")
_CHANGE_ASKED = re.compile(
    r"(增长|提高|上升|增加|上涨|涨|下降|降低|减少|降|变化|变动)了?(百分之多少|百分之几|多少|几成|几个百分点|几%|"
    r"多大|几何|百分比)|(增幅|涨幅|降幅|增长率|变化率|变动率)(是|为|有)?(多少|几|多大)"
)
# a rate or share asked for ("钱花出去了百分之多少", "用掉了几成", "比例是多少", "占多大比重")
PERCENT_ASKED = re.compile(r"百分之|百分比|百分率|几成|比例|比重|占比|占多大|占多少|%|百分点")
_SCORE_GIVEN = re.compile(r"(\d+(?:\.\d+)?)\s*分")
_DOCS = re.compile(r"(哪些|什么|几份|多少份).{0,4}(文件|文档|报告|资料)|文档列表|已.{0,2}(导入|上传|收录)")
_PROCEDURE = re.compile(r"(是否|有没有|有无|是不是|履行|按规定).{0,12}(程序|手续|调整|审批|报批)")
_FOLLOWUP_HEAD = re.compile(
    r"^(那|那么|那个|它|它的|其|其中|该|这个|还有|再看|换成|改成|比|较|和|与|同|相比)"
)
_LAST_YEAR = re.compile(r"去年|上一年|上年度|前一年")
_THIS_YEAR = re.compile(r"今年|本年|当年|本年度")
_OPEN = re.compile(r"哪些|什么|哪一年|哪年|何时|什么时候|哪个|哪家|为什么|为何|原因|怎样|如何|怎么|是谁|谁")
_OPEN_STRONG = re.compile(r"哪些|哪一年|哪年|何时|什么时候|哪个|哪家|哪一|为什么|为何|原因|是谁|谁")
_QUANTITY = re.compile(
    r"多少|几[个项年次人条名分]|多大|多高|多长|比例|比重|占比|百分|%|率|金额|数额|得分|分数|等级|超预算|超支|增长|下降|"
    r"均值|平均|总额|是多少"
)
_RULEBOOK = re.compile(r"细则|管理办法|办法|规定|制度|政策|条款|哪一条|第[一二三四五六七八九十]+条")
_GRADE_WORD = re.compile(r"等级|评级|档次|[“\"「]?[优良中差][”\"」]?(还是|吗|呢|等)|算[优良中差]")
_GRADE_OF_CLASS = re.compile(r"等级(为|是)[“\"「]?[优良中差]")
_DERIVE = re.compile(
    r"怎么算|如何计算|怎么计算|怎样计算|计算方法|测算|算出来|用哪|由哪|如何得出|怎么得出|怎么来的|公式"
)
_UNDERSPENT = re.compile(r"少花|结余|节余|比预算少|没花完|未花完|剩余|剩下")
_PER_CAPITA = re.compile(r"人均|每人|平均每人|每名")
_SHARE = re.compile(r"占.{0,12}(比重|比例|占比|百分|多少|几成)|比重|占比")
_COMPARE = re.compile(r"比(?!例|重|率)|较|同比|相比")
_BASELINE_Q = re.compile(r"均值|平均|年均|历史|以前年度|以往|往年|历年|基期|前[两二几]年|前些年")
_DIFF = re.compile(
    r"相差|差多少|差了多少|差距|差额|差值|多多少|少多少|多出多少|多了多少|少了多少|高出多少|"
    r"(?<![提升降])高了?多少|(?<![提升降])低了?多少|多出|少出"
)
_DIFF_SYMMETRIC = re.compile(r"相差|差多少|差了多少|差距|差额|差值")
_CONNECTIVE = re.compile(r"和|与|跟|同|相对于|对比|比|较|距离|距|离")
_TARGET_WORD = re.compile(r"目标|计划|预期|设定|申报|预定")
_COMPLETE = re.compile(r"完成|达成|实现|兑现|相比|对比")
_OPERAND_QUALIFIER = re.compile(r"目标|计划|预期|设定|申报|预定|额定|定额|上限|批复")
_ASKING_WORDS = re.compile(
    r"^(完成|程度|完成度|完成率|情况|目标|计划|设定|相比|对比|差距|差额|相差|之间|达成|实现|多少|如何)$"
)
_YEAR_IN_Q = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*年)?(?!\d)")


@dataclass
class Analysis:
    question: str
    intent: Intent = "unknown"
    op: Op | None = None
    concept: str | None = None  # key of the main concept
    concepts: list[str] = field(default_factory=list)  # all concept keys named, in order
    entities: list[str] = field(default_factory=list)  # table headers named (rows/columns)
    years: list[int] = field(default_factory=list)
    relative_year: bool = False  # "去年" / "同比": the year before the report's year
    vs_baseline: bool = False  # a change against the multi-year average ("较历史均值")
    open_question: bool = False  # asks what/which/why, not how much
    score: str | None = None  # a score given in the question ("92.37分")
    section: str | None = None
    terms: list[str] = field(default_factory=list)  # other content words the evidence must contain
    wants_procedure: bool = False
    policy: bool = False
    followup: bool = False
    # the two figures of a difference ("A和B相差多少"), each {text, concept, entities, years, words, qualified}
    operands: list[dict[str, Any]] = field(default_factory=list)
    symmetric: bool = False  # "相差多少" (no direction) rather than "A比B多多少"

    def to_meta(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("question")
        return d

    @classmethod
    def from_meta(cls, question: str, meta: dict[str, Any]) -> Analysis:
        known = {k: v for k, v in meta.items() if k in cls.__dataclass_fields__ and k != "question"}
        return cls(question=question, **known)


def analyse(question: str, lexicon: Lexicon, *, previous: dict[str, Any] | None = None) -> Analysis:
    # "每万次接听量的人工成本" names the same figure as "每万次接听量人工成本": match without 的
    q = to_halfwidth(question).strip().replace("的", "")
    q = re.sub(r"每[一1]\s*万", "每万", q)
    q = colloquial(q)
    q = _distribute(q, lexicon)
    a = Analysis(question=question)
    a.years = sorted({int(y) for y in _YEAR_IN_Q.findall(q)})
    a.relative_year = bool(_LAST_YEAR.search(q))
    named = lexicon.concepts_in(q)
    a.entities = sorted(
        (h for h in lexicon.headers_in(q) if not _is_concept_word(h, named, lexicon)), key=q.find
    )
    # a concept word inside a longer header ("支出" in "工资福利支出") belongs to the header, and a
    # header inside a longer concept name ("接听量" in "每万次接听量人工成本") to the concept
    spans = [(m.start(), m.start() + len(e)) for e in a.entities for m in re.finditer(re.escape(e), q)]
    named = [
        (c, s, p)
        for c, s, p in named
        if not any(b <= p and p + len(s) <= e and len(s) < e - b for b, e in spans)
    ]
    cspans = [(p, p + len(s)) for _, s, p in named]
    a.entities = [
        e
        for e in a.entities
        if not any(
            b <= m.start() and m.end() <= x and len(e) < x - b
            for b, x in cspans
            for m in re.finditer(re.escape(e), q)
        )
    ]
    a.concepts = [c.key for c, _, _ in named]
    a.wants_procedure = bool(_PROCEDURE.search(q))
    a.policy = bool(_POLICY.search(q))
    a.section = _section(q)
    if m := _SCORE_GIVEN.search(q):
        a.score = m.group(1)
    a.terms = _content_terms(q, named, a.entities, lexicon)
    keys = set(a.concepts)

    explicit_rule = bool(_RULEBOOK.search(q)) and not a.entities and not a.years
    change_asked = bool(_GROWTH.search(q)) and bool(
        len(a.years) >= 2 or a.relative_year or _COMPARE.search(q) or _CHANGE_ASKED.search(q)
    )
    if _CHECK.search(q) and not _SUM_ONLY(q):
        a.intent = "check"
    elif _DOCS.search(q) and not keys:
        a.intent = "documents"
    elif explicit_rule and not a.score:
        # "细则规定怎么处理？", "按办法…怎么算": the rule itself is asked for
        a.intent, a.policy = "policy", True
        a.concept = a.concepts[0] if a.concepts else None
    elif a.score and (keys & {"评价等级"} or _GRADE_WORD.search(q)):
        a.intent, a.op, a.concept = "grade", "grade", "评价等级"
    elif (
        _BASELINE_Q.search(q)
        and (main := _main(named, exclude=set())) in lexicon.ratios
        and not _GROWTH.search(q)
    ):
        a.intent, a.op, a.concept = "compute", "baseline", main
    elif (
        _DERIVE.search(q)
        and (derived := [k for k in a.concepts if k in lexicon.derived])
        and not _GROWTH.search(q)
    ):
        a.intent, a.op, a.concept = "compute", "derive", derived[-1]
    elif "评价等级" in keys and _GRADE_OF_CLASS.search(q) and not a.score:
        a.intent, a.policy = "policy", True  # "评价等级为差的项目…会怎样": a rule, not this project's grade
        a.concept = "评价等级"
    elif "评价等级" in keys:
        a.intent, a.op, a.concept = "grade", "grade", "评价等级"
    elif (
        _TARGET_WORD.search(q)
        and _COMPLETE.search(q)
        and not _DIFF.search(q)
        and (main := _main(named, exclude=_not_target_figures(named))) is not None
        and (c := lexicon.concept(main)) is not None
        and c.kind in ("rate", "count", "amount")
    ):
        # "培训目标完成了多少": the actual figure against the target stated in the 绩效目标
        a.intent, a.op, a.concept = "compute", "target_completion", main
        a.terms = [t for t in a.terms if not _ASKING_WORDS.match(t)]
    elif _DIFF.search(q) and (ops := _operands(q, lexicon)):
        a.concept = next((o["concept"] for o in ops if o["concept"]), None)
        if _same_figure_other_year(ops):  # "2020年受理量比2019年多多少": a year-on-year change
            a.intent, a.op = "compute", "growth"
        elif {o["concept"] for o in ops} & {"预算金额"} and any(o["entities"] for o in ops):
            # "工资福利支出比预算少多少": the row's spending against its own budget
            a.intent, a.op = "compute", "over_budget"
            a.concept = "超预算金额"
        else:
            a.intent, a.op, a.operands = "compute", "difference", ops
            a.symmetric = bool(_DIFF_SYMMETRIC.search(q))
            # free words naming a side must be in the corpus ("招标人数" is not: 未找到, never a guess)
            a.terms = list(dict.fromkeys(w for o in ops for w in o["words"]))
    elif "得分率" in keys or (
        # "项目效益得了满分的百分之多少": a score as a share of its full marks is the 得分率
        PERCENT_ASKED.search(q) and not change_asked and "分值" in keys and ("得分" in keys or "得" in q)
    ):
        a.intent, a.op, a.concept = "compute", "score_rate", "得分率"
    elif "超预算金额" in keys or (_UNDERSPENT.search(q) and keys & {"预算金额", "支出金额"}):
        a.intent, a.op = "compute", "over_budget"
        a.concept = _main(named, exclude={"超预算金额"}) or "超预算金额"
    elif _PER_CAPITA.search(q) and a.entities:
        a.intent, a.op = "compute", "per_capita"
        a.concept = None
    elif (
        PERCENT_ASKED.search(q)
        and not change_asked
        and (rate := rate_for(named, lexicon)) is not None
        and (not set(a.entities) - {"合计"} or not _SHARE.search(q) or lexicon.derived[rate][2] in keys)
    ):
        # "支出占预算多大比重", "钱花出去了百分之多少": the rate the report states (预算执行率, of the
        # 合计 row unless a row is named: "工资福利支出用掉了几成"); "话务岗占合计的比重" stays a share
        a.intent, a.concept, a.concepts = "lookup", rate, [rate]
        a.op = "execution_rate" if rate == "预算执行率" else None
    elif _SHARE.search(q) and (keys or a.entities):
        a.intent, a.op = "compute", "share"
        a.concept = _main(named, exclude=set())
    elif a.policy and not (a.years and keys - {"预算执行率", "资金到位率", "得分率"}):
        a.intent = "policy"
        a.concept = a.concepts[0] if a.concepts else None
    elif change_asked:
        a.intent, a.op = "compute", "growth"
        a.concept = _main(named, exclude=set())
    elif a.section and (not keys - {"得分", "评价等级"} or not _QUANTITY.search(q)):
        a.intent = "section"
    elif "得分" in keys:
        a.intent, a.concept = "lookup", "得分"
        if not a.entities or "合计" in a.entities:
            a.op = "total_score"
    elif keys or a.entities:
        a.intent = "lookup"
        a.concept = _main(named, exclude=set())
        if a.concept == "预算执行率":
            a.op = "execution_rate"
    elif a.section:
        a.intent = "section"

    if a.op == "growth" and _BASELINE_Q.search(q):
        a.vs_baseline = True
    if a.intent == "unknown" and _GROWTH.search(q) and _COMPARE.search(q):
        a.intent, a.op, a.vs_baseline = (
            "compute",
            "growth",
            bool(_BASELINE_Q.search(q)),
        )  # a follow-up's new op
    figure_named = any((c.kind in ("rate", "amount", "count")) for c, _, _ in named)
    open_marker = _OPEN_STRONG.search(q) or (_OPEN.search(q) and not figure_named)
    if a.intent in ("lookup", "unknown") and open_marker and not _QUANTITY.search(q):
        a.intent, a.op, a.open_question = "unknown", None, True
    if previous and _is_followup(q, a):
        a = _merge(a, Analysis.from_meta(question, previous))
    return a


# colloquial words for the domain's nouns -> the words the reports use
_COLLOQUIAL: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"老百姓|普通百姓|(?<![老普])百姓|市民|民众|办事群众"), "群众"),
    (
        re.compile(
            r"(?:满不满意|满意不满意|满意吗|满意不|是否满意|满意程度|满意情况|有多满意|多满意|满意(?![度率]))"
        ),
        "满意度",
    ),
    (re.compile(r"(?:使用|用了|用掉了?)(?=[^，,。？?]{0,4}(?:比例|几成|百分|比重))"), "支出"),
    (re.compile(r"平均每(?:一个|个|名|位)?(?:人|员工|职工)"), "人均"),
)


def colloquial(q: str) -> str:
    """ "老百姓对接线员满意吗" -> "群众对坐席满意度": the words the reports and the lexicon use."""
    for pattern, word in _COLLOQUIAL:
        q = pattern.sub(word, q)
    return q


def rate_for(named: list[tuple[Concept, str, int]], lexicon: Lexicon) -> str | None:
    """The rate a percentage question means when it names only amounts or counts: the stated rate
    computed from them ("支出占预算" -> 预算执行率, "接听的比例" -> 接听率). None when a rate is named
    or no rate is computed from what is named."""
    kinds = {c.key: c.kind for c, _, _ in named}
    if not kinds or any(k not in ("amount", "count") for k in kinds.values()):
        return None
    rates = {
        r: nd for r, (_, *nd) in lexicon.derived.items() if (c := lexicon.concept(r)) and c.kind == "rate"
    }
    numerators = [r for r, (num, _den) in rates.items() if num in kinds]
    if numerators:
        return numerators[0]
    # a whole named alone stands for the field's rate over it ("预算用掉了几成"), never for a rate a
    # document computes over it: "月均人员数量的比例" is no turnover rate
    denominators = [r for r, (_num, den) in rates.items() if den in kinds and r not in lexicon.learned]
    if "预算执行率" in denominators:
        return "预算执行率"
    return denominators[0] if len(denominators) == 1 else None


_COORD = re.compile(r"([\u4e00-\u9fff]{2})(和|与|及|、|以及)([\u4e00-\u9fff]{2})([\u4e00-\u9fff]{2,4})")


def _distribute(q: str, lexicon: Lexicon) -> str:
    """ "追加和调减预算" -> "追加预算和调减预算" when both halves are names the lexicon knows."""
    names = {syn for c in lexicon.concepts for syn in c.synonyms} | lexicon.headers

    def fix(m: re.Match[str]) -> str:
        a, conj, b, tail = m.groups()
        for n in range(len(tail), 1, -1):
            head = tail[:n]
            if a + head in names and b + head in names and a + head not in q:
                return f"{a}{head}{conj}{b}{head}{tail[n:]}"
        return m.group(0)

    return _COORD.sub(fix, q)


def _operands(q: str, lexicon: Lexicon) -> list[dict[str, Any]]:
    """ "A和B相差多少" / "A比B多多少": the two figures compared, each analysed on its own. A side
    naming no figure of its own ("比计划多多少") borrows the other side's. [] when not two sides."""
    diff = _DIFF.search(q)
    if diff is None:
        return []
    head = q[: diff.start()]
    # a connective inside a name ("商品和服务支出") does not split
    names = [
        (m.start(), m.start() + len(h)) for h in lexicon.headers for m in re.finditer(re.escape(h), head)
    ]
    names += [(p, p + len(s)) for _, s, p in lexicon.concepts_in(head)]
    # ... nor one inside a word ("同" in "合同工"): a connective is a word of its own
    bounds, pos = {0}, 0
    for tok in segment(head):
        pos = head.find(tok, pos) + len(tok)
        bounds.add(pos)
    for m in _CONNECTIVE.finditer(head):
        if any(b <= m.start() < e for b, e in names if e - b > len(m.group(0))):
            continue
        if m.start() not in bounds or m.end() not in bounds:
            continue
        left = re.sub(r"^(请问|那么|那|请)", "", head[: m.start()]).strip("，,。？? ")
        right = re.sub(r"(之间|相比|比较|对比|两者|二者|还|仍|尚|要|的)+$", "", head[m.end() :])
        right = right.strip("，,。？? ")
        if not left or not right:
            continue
        sides = [_operand(left, lexicon), _operand(right, lexicon)]
        for i, side in enumerate(sides):
            other = sides[1 - i]
            if not side["concept"] and not side["entities"] and not side["words"]:
                side["concept"], side["entities"] = other["concept"], list(other["entities"])
                side["words"] = list(other["words"])
        if all(s["concept"] or s["entities"] or s["words"] for s in sides):
            return sides
    return []


def _joined_tokens(text: str) -> list[str]:
    """jieba's words, with runs of single characters joined ("线"+"上" -> "线上")."""
    out: list[str] = []
    single = ""
    for tok, _ in segment_pos(text):
        tok = tok.strip()
        if len(tok) == 1 and re.match(r"[\u4e00-\u9fff]", tok):
            single += tok
            continue
        if single:
            out.append(single)
            single = ""
        if tok:
            out.append(tok)
    if single:
        out.append(single)
    return out


def _not_target_figures(named: list[tuple[Concept, str, int]]) -> set[str]:
    """Concepts that cannot be the figure a target is set for: grades, scores, the completion rate itself."""
    return {
        c.key for c, _, _ in named if c.kind in ("grade", "score") or c.metric == "target_completion_rate"
    }


def _operand(text: str, lexicon: Lexicon) -> dict[str, Any]:
    named = lexicon.concepts_in(text)
    entities = [h for h in lexicon.headers_in(text) if not _is_concept_word(h, named, lexicon)]
    # a concept word inside a header ("支出" in "工资福利支出") belongs to the header
    spans = [(m.start(), m.end()) for e in entities for m in re.finditer(re.escape(e), text)]
    named = [(c, w, p) for c, w, p in named if not any(b <= p and p + len(w) <= e for b, e in spans)]
    concept = _main(named, exclude=set())
    covered = [s for _, s, _ in named] + entities
    rest = _YEAR_IN_Q.sub(" ", text)
    for w in sorted(covered, key=len, reverse=True):
        rest = rest.replace(w, " ")
    words = [
        t
        for t in _joined_tokens(rest)
        if len(t) >= 2
        and t not in STOPWORDS
        and not _OPERAND_QUALIFIER.fullmatch(t)
        and not re.fullmatch(r"[\d.%\s\W]+", t)
    ]
    if concept and words:
        # "线上培训": a concept narrowed by words of its own is found by the whole phrase
        surface = max((w for c, w, _ in named if c.key == concept), key=len)
        words, concept = [*words, surface], None
    return {
        "text": text,
        "concept": concept,
        "entities": entities,
        "years": sorted({int(y) for y in _YEAR_IN_Q.findall(text)}),
        "relative": -1 if _LAST_YEAR.search(text) else (0 if _THIS_YEAR.search(text) else None),
        "words": words if not entities else [],
        "qualified": bool(_OPERAND_QUALIFIER.search(text)),
    }


def _same_figure_other_year(ops: list[dict[str, Any]]) -> bool:
    """ "2020年受理量比2019年多多少": one figure in two years — a year-on-year change, not a difference."""
    a, b = ops
    return (
        a["concept"] == b["concept"]
        and a["entities"] == b["entities"]
        and a["qualified"] == b["qualified"]
        and (a["years"], a["relative"]) != (b["years"], b["relative"])
    )


def _main(named: list[tuple[Concept, str, int]], *, exclude: set[str]) -> str | None:
    # the most specific concept: the longest surface form among those named
    cands = [(c, s) for c, s, _ in named if c.key not in exclude]
    if not cands:
        return None
    return max(cands, key=lambda cs: len(cs[1]))[0].key


_SECTION_PATTERNS = {
    "存在的主要问题": re.compile(
        r"哪些问题|问题有哪些|什么问题|主要问题|存在.{0,4}问题|问题.{0,4}(清单|列表)|不足之处|有何不足"
    ),
    "相关建议": re.compile(r"建议"),
}


def _section(q: str) -> str | None:
    for key, ways in SECTIONS.items():
        if any(w in q for w in ways) or (key in _SECTION_PATTERNS and _SECTION_PATTERNS[key].search(q)):
            return key
    return None


def _is_concept_word(header: str, named: list[tuple[Concept, str, int]], lexicon: Lexicon) -> bool:
    """A header that is just a concept's synonym ("预算执行率") is not an entity."""
    return any(header == s or header in c.synonyms or header in c.match for c, s, _ in named)


def _content_terms(
    q: str, named: list[tuple[Concept, str, int]], entities: list[str], lexicon: Lexicon
) -> list[str]:
    """Words of the question that are neither concept, header, year nor function words.

    These must appear in the evidence, so "招标金额" is never answered with a budget figure."""
    covered = [syn for c, _, _ in named for syn in c.synonyms] + [s for _, s, _ in named] + entities
    covered += [w for ways in SECTIONS.values() for w in ways]
    rest = q
    for w in sorted(covered, key=len, reverse=True):
        rest = rest.replace(w, " ")
    rest = _YEAR_IN_Q.sub(" ", rest)
    rest = _SCORE_GIVEN.sub(" ", rest)
    out: list[str] = []
    for tok, flag in segment_pos(rest):
        tok = tok.strip()
        if not tok or tok in STOPWORDS or re.fullmatch(r"[\d.%\s\W]+", tok) or len(tok) < 2:
            continue
        # content words only (nouns, verbal nouns, the domain words taught to jieba): verbs and
        # idioms carry the asking ("加起来", "算出来"), not what is asked about
        if not flag.startswith(("n", "vn", "x", "eng", "j")):
            continue
        if _POLICY.fullmatch(tok) or _GROWTH.fullmatch(tok) or _PROCEDURE.search(tok):
            continue
        if tok in {
            "管理办法",
            "程序",
            "手续",
            "调整",
            "履行",
            "预算调整",
            "调整程序",
        }:
            continue
        out.append(tok)
    return out


def _is_followup(q: str, a: Analysis) -> bool:
    """A question that names no figure, row, section or other content of its own continues the last one."""
    open_slots = (
        not a.concepts and not a.entities and not a.section and a.intent not in ("check", "documents")
    )
    if _FOLLOWUP_HEAD.search(q) or q.rstrip("？?。 ").endswith("呢"):
        return True
    return open_slots and not a.terms


def _with_years(operand: dict[str, Any], years: list[int]) -> dict[str, Any]:
    """A previous difference's side for a follow-up naming another year ("那2019年呢？")."""
    if not years or operand.get("qualified"):
        return dict(operand)  # a target or quota has no year of its own
    return {**operand, "years": list(years), "relative": None}


def _merge(new: Analysis, prev: Analysis) -> Analysis:
    """Fill the slots a follow-up leaves open from the previous analysis."""
    out = Analysis(question=new.question, followup=True)
    if new.op is None and (
        new.intent == "unknown" or (not new.concepts and not new.section and new.intent != "check")
    ):
        # "那2019年呢？": same question, other year/entity
        out.intent, out.op, out.concept, out.concepts = (
            prev.intent,
            prev.op,
            prev.concept,
            list(prev.concepts),
        )
        out.section, out.policy, out.score = prev.section, prev.policy, prev.score
        out.operands, out.symmetric = [_with_years(o, new.years) for o in prev.operands], prev.symmetric
        out.entities = new.entities or list(prev.entities)
        out.years = new.years or list(prev.years)
        out.relative_year = new.relative_year or (prev.relative_year and not new.years)
        out.terms = new.terms
        return out
    # "它的得分率呢？" / "比上一年增长了多少？": new operation, the previous subject
    out.intent, out.op = new.intent, new.op
    out.concept = new.concept or prev.concept
    out.concepts = list(new.concepts) or list(prev.concepts)
    out.vs_baseline = new.vs_baseline
    out.section, out.policy, out.score = new.section, new.policy, new.score or None
    out.entities = new.entities or list(prev.entities)
    out.years = new.years or list(prev.years)
    out.relative_year = new.relative_year
    out.terms = new.terms
    if new.op == "grade" and not new.score and prev.score:
        out.score = prev.score
    return out
