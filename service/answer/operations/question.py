"""A question as an operation over operands, read with the field's glossary.

"这个项目的预算执行率是多少？" -> rate(budget_execution_rate); "基本支出占总支出的比例？" ->
share(basic_expenditure, total_expenditure); "实有人数比编制人数少几人？" -> difference(…).
Words the glossary does not know stay as the question's own words, matched later against each
document's own descriptions of its numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from service.answer.operations.cells import COUNTED, CellAsk, cell_ask
from service.search.facts import MEASURE_CATEGORIES

_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年|年度)?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# question words that carry no content (asking, pointing, politeness), never matched against facts
_FUNCTION_WORDS = re.compile(
    r"得了|打了|给了|拿了|拿到|能得|应得|应该得|可以得|得到|评了|扣了|被扣|失分|几分|多少分|占了|一共|总共|[这那该]家|[这那][边段]|多[长久大高远宽深重]|用了|表上|之中|"
    r"上一年度|上一年|上年度|上年|去年|前一年|[这那该此本]张(?:表[里中上内]?)?|表格|下面|下属|之下|以下|下设|得怎么样|得怎样|得如何|这一部分|那一部分|这一块|那一块|这一项|那一项|是多少|为多少|多少|是几|几个|几项|几人|哪些|哪几|哪个|什么|怎么样|怎样|如何|是否|有没有|请问|请|帮我|"
    r"一下|这个|那个|这份|这笔|这项|这一|这些|此|该|(?<![\u4e00-\u9fff])本|其|我们|你|的|了|吗|呢|吧|啊|呀|么|是|有|在|和|与|及|给|按|照|看看|算算|算|"
    r"报告|文件|文档|表里|表中|里面|最后|最终|(?<![\u4e00-\u9fff])[里中上下]|[里中上下](?![\u4e00-\u9fff])|单位|部门|项目|部分|方面|这块|那块|一块|那项|一项|除以|乘以|减去|核一下|核对|还剩|剩下|相比|相较|数量|百分之|一年里|一年来|这一年"
)


# what kind of quantity the question asks for, from how it asks ("得几分" is a score, "几项" a count)
_ASKED_KINDS = (
    ("rate", re.compile(r"率(?:是|为)?多少|率有多少|百分之|百分比|%|比例|比重|占比|几成")),
    ("score", re.compile(r"几分|多少分|得分(?!率)|扣了?几分|扣分")),
    (
        "amount",
        re.compile(
            r"多少钱|多少万元|多少元|多少亿元|金额|(?:执行|花|用|支出|拨付|拨|到位|安排)了?多少(?![分人个项次名%])"
        ),
    ),
    (
        "count",
        re.compile(r"(?<![这那])(?:几个|几项|多少个|多少项|几条|几次|几期|几家)"),
    ),  # not "那几项的分值"
    ("people", re.compile(r"多少人|几人|几名|多少名")),
)
_COMPATIBLE = {
    "score": {"score", "weight"},
    "amount": {"amount"},
    "count": {"count", "people"},
    "people": {"people", "count"},
    "rate": {"rate"},
}


_NOT_ONE_FIGURE = re.compile(
    r"哪|有没有|是否|对不对|对得上|对不上|怎么算|如何算|怎么计算|如何计算|怎么来|怎么得|如何得出|为什么|原因|吗[？?]?$"
    r"|什么口径|用的是什么|按什么|是按|怎么定|如何定|是什么|还是"  # definitions and rules, not figures
    r"|核对|复核|核验|校验|核查|检查|验证|勾稽"  # a check of the document, not a figure
    r"|倍|(?<!占)比(?![例重率])(?:[^，,。？?]{0,14})(?:多|少|高|低|增|减|超)"  # ratios and comparisons between two quantities
)


# a question that supplies its own figures ("年初预算10200.59万元，…执行率应该是多少") is a check of them
_STATES_FIGURE = re.compile(r"\d+\.\d+|\d+\s*(?:万元|元|亿元|%|分|人)")


def asked_kind(text: str) -> str | None:
    for kind, pattern in _ASKED_KINDS:
        if pattern.search(text):
            return kind
    return None


# "几天", "多少辆", "多少万元": the unit a question asks its figure in
_ANY_COUNT = "个"
_ASKS_IN_UNIT = re.compile(r"(?:几|多少)([\u4e00-\u9fff%]{1,3})")


def asked_unit(text: str) -> str:
    """The unit the question asks its figure in, when it names one the documents' units include
    ("培训期限是几天" -> 天, "有几个" -> 个); "" otherwise (and for 几分, a score asked)."""
    from ingest.glossary import load_glossary
    from ingest.numbers import UNITS

    g = load_glossary()
    for m in _ASKS_IN_UNIT.finditer(normalize(text)):
        word = m.group(1)
        unit = next((u for u in UNITS if word.startswith(u)), "")
        if unit and len(unit) == 1 and _begins_a_word(unit, normalize(text)[m.start(1) :], g):
            continue  # "多少项目资金": 项 begins the word 项目, it is no unit
        if unit and unit != "分" and not (unit == "年" and word.startswith("年度")):
            return unit
    return ""


# "部门收入预算里财政拨款占多大比例", "公务接待费在三公经费中占多少": where the question puts the whole
_PART_IN_WHOLE = re.compile(
    r"(?P<part>[^，,。？?]+?)在(?P<whole>[^，,。？?]+?)(?:里面|当中|之中|里|中)(?:所)?占"
)
_WHOLE_THEN_PART = re.compile(
    r"(?P<whole>[^，,。？?]+?)(?:里面|当中|之中|里|中)(?P<part>[^，,。？?]+?)(?:所)?占"
)


def _share_spans(text: str, glossary: Any) -> list[str]:
    """[part, whole] of a share the question frames by 在…里/中 or …里…占: one quantity named in each
    span (the line over the measure when a span names both); [] when the framing is not there."""

    def one(span: str) -> str:
        named = list(dict.fromkeys(glossary.concepts_in(span)))
        lines = [c for c in named if glossary.concept(c).category not in MEASURE_CATEGORIES]
        pick = lines or named
        return pick[0] if len(pick) == 1 else ""

    for pattern in (_PART_IN_WHOLE, _WHOLE_THEN_PART):
        m = pattern.search(text)
        if m and glossary.concepts_in(text[m.end() :]):
            return []  # "…中公务接待费占一般公共预算支出的比例": the whole is the one named after 占
        if m:
            part, whole = one(m.group("part")), one(m.group("whole"))
            if part and whole and part != whole:
                return [part, whole]
    return []


def counted_noun(text: str) -> str:
    """What a count question counts, named right after its measure word ("有多少个预算单位" ->
    预算单位, "改了多少户危房" -> 危房); "" when it names nothing there."""
    t = normalize(text)
    unit = asked_unit(t)
    if not unit or unit in _VERB_AFTER:
        return ""
    m = re.search(rf"(?:几|多少){re.escape(unit)}([\u4e00-\u9fff]{{2,8}})", t)
    return re.split(r"[是为有的在被了呢吗啊]", m.group(1))[0] if m else ""


# after these units a question goes on with what was done ("多少人参加", "几次检查"), not a noun
_VERB_AFTER = frozenset({"人", "名", "万人", "人次", "万人次", "次", "万次"})


def _begins_a_word(unit: str, rest: str, g: Any) -> bool:
    """Does a one-character unit begin a longer word ("项" of 项目资金, "家" of 家庭) rather than stand
    alone before its noun ("个" of 个预算单位)? By the glossary's terms, else by the segmenter's cut."""
    if any(h.start == 0 and h.end > 1 for h in g.find(rest)):
        return True
    import jieba

    first = next(iter(jieba.cut(rest[:8])), "")
    return len(first) > 1 and first.startswith(unit)


def same_kind_of_unit(asked: str, unit: str) -> bool:
    """May a figure in `unit` answer a question asked in `asked`? The same unit, or one of the same
    kind the metrics module converts (万元 for 元); an unknown unit only as itself."""
    from service.metrics.errors import MetricError
    from service.metrics.units import is_count_kind, kind_of

    if asked == unit:
        return True
    try:
        kind = kind_of(unit)
        # 个 is the classifier of anything counted ("有几个" of 所, 家, 项)
        return kind == kind_of(asked) or (asked == _ANY_COUNT and is_count_kind(kind))
    except MetricError:
        return asked == _ANY_COUNT and not re.search(r"[元%分年月天时]", unit)


def compatible(asked: str | None, kind: str) -> bool:
    return asked is None or kind in _COMPATIBLE.get(asked, {kind})


@dataclass
class Operand:
    concept: str | None  # glossary concept id, None when only the question's own words name it
    words: str  # the question's words for it
    qualifiers: frozenset[str] = frozenset()


@dataclass
class Ask:
    text: str
    op: str  # lookup | rate | share | difference | growth | sum | average | none
    operands: list[Operand] = field(default_factory=list)
    rate_concept: str | None = None  # the rate asked for (rate operation)
    years: list[int] = field(default_factory=list)
    qualifiers: frozenset[str] = frozenset()
    residue: str = ""  # content words not covered by the glossary
    asked: str | None = None  # the kind of quantity asked for, when the question says
    cell: CellAsk | None = None  # a table cell named by its row (document words) and column
    single: bool = False  # asks for one figure (not a list, a comparison, a check or a what-if)
    worded: bool = False  # the rate is named by how it is asked ("完成了年度目标的百分之几"), not by its term

    def describe(self) -> str:
        names = [o.words for o in self.operands]
        return f"{self.op}({', '.join(names)})"


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def residue_of(text: str, glossary: Any) -> str:
    """The question's content words that no glossary term covers (a document's own vocabulary)."""
    spans = [(h.start, h.end) for h in glossary.find(text)]
    keep = "".join(" " if any(s <= i < e for s, e in spans) else ch for i, ch in enumerate(text))
    keep = _YEAR.sub(" ", keep)
    # the operation's words, and a change's ("增减", "变化幅度"): what is done, not what it is done to
    # (the other qualifiers stay: "实际完成" tells a done figure's row from its target's)
    quals = glossary.qualifiers.get("change", ())
    # a form named by its kind ("得分表最后合计多少分", "自评表"): the document itself, not a line of it
    kinds = [
        t
        for k in (getattr(glossary, "portfolio", {}) or {}).get("kinds", [])
        for t in k.get("terms", [])
        if t.endswith("表")
    ]
    for words in (*glossary.operations.values(), quals, kinds):
        for w in sorted(words, key=len, reverse=True):
            keep = keep.replace(w, " ")
    keep = _FUNCTION_WORDS.sub(" ", COUNTED.sub(" ", keep))  # "两项", "几大块": how many, not what
    parts = (_EDGE_PREPOSITION.sub("", p) for p in re.split(r"[^\u3400-\u4dbf\u4e00-\u9fffA-Za-z]+", keep))
    return " ".join(p for p in parts if len(p) >= 2)


# a preposition left at a chunk's edge when the year it governed is taken out ("受理量比[2019年]")
_EDGE_PREPOSITION = re.compile(r"^[比较与和同从至到]|[比较与和同从至到]$")


_DERIVED_METRICS = frozenset({"difference", "over_budget_amount"})


def derived_amounts(concepts: list[str], glossary: Any) -> list[str]:
    """Amounts the glossary defines by a formula (未执行金额 = 全年预算数 − 全年执行数) that the
    question names, when every other amount it names is one of that formula's operands."""
    out = []
    for c in concepts:
        f = glossary.concept(c).formula
        if f is None or f.metric not in _DERIVED_METRICS:
            continue
        if all(o == c or o in (*f.numerator, *f.denominator) for o in concepts):
            out.append(c)
    return out


def rate_by_wording(text: str, glossary: Any, quals: frozenset[str], ops: list[str]) -> str | None:
    """A rate asked as a share of the line's own figures ("完成了年度目标的百分之几"): the one rate
    whose formula takes its operands by qualifier (实际 over 目标), when the question names the
    denominator's qualifier and either the numerator's or the rate's own verb (完成 of 完成率)."""
    found = []
    for c in glossary.concepts.values():
        f = c.formula
        if f is None or c.kind != "rate" or not f.numerator or not f.denominator:
            continue
        stem = c.label.rstrip("率")
        if f.by_qualifiers is not None:
            num_q, den_q = f.by_qualifiers
            if "share" in ops and den_q in quals and (num_q in quals or (len(stem) >= 2 and stem in text)):
                found.append(c.id)
                continue
        # "预算执行了百分之多少": the rate's own words without 率, asked as a percentage
        stems = {t[:-1] for t in c.terms if t.endswith("率") and len(t) >= 4}
        if _PERCENT.search(text) and any(
            re.search(re.escape(x) + r"了?(?:百分之|多少比例|的比例)", text) for x in stems
        ):
            found.append(c.id)
    return found[0] if len(found) == 1 else None


_PERCENT = re.compile(r"百分之|百分比|比例")


def rate_of_operands(amounts: list[str], glossary: Any) -> str | None:
    """The one rate of the glossary whose formula divides the first quantity by the second, with its
    standard denominator (实际支出 ÷ 调整后预算 is 预算执行率; 实际支出 ÷ 年初预算 is none: the
    policy's rate is over the full-year budget) or its generic last one (实际支出 ÷ 预算), or None."""
    if len(amounts) != 2:
        return None
    num, den = amounts
    found = [
        c.id
        for c in glossary.concepts.values()
        if c.kind == "rate"
        and c.formula is not None
        and c.formula.metric
        and num in c.formula.numerator
        # the standard denominator, or the generic one a list of stages ends with (a "预算" that
        # names no stage; the rate path then says which figure it divided by)
        and (
            c.formula.denominator[0] == den
            or (len(c.formula.denominator) > 2 and c.formula.denominator[-1] == den)
        )
    ]
    metrics = {glossary.concept(c).formula.metric for c in found}
    if len(metrics) != 1:
        return None
    # two names of one computation (预算执行率, 支出进度): the one the metric is named after
    (metric,) = metrics
    return metric if metric in found else found[0]


# indicator groups and items: the lines a rate is asked of, never one of its operands
_LINE_CATEGORIES = frozenset({"indicator_level1", "indicator_level2"})


def rate_over(amounts: list[str], glossary: Any) -> str | None:
    """The rate asked as a percentage of its denominator alone ("决策得了满分的百分之几": 得分率,
    the line's score over its 分值): the question names one quantity besides the lines it asks of,
    and that quantity is the standard denominator of exactly one rate of the glossary."""
    named = [c for c in amounts if glossary.concept(c).category not in _LINE_CATEGORIES]
    if len(named) != 1:
        return None
    found = {
        c.formula.metric or c.id: c.id
        for c in glossary.concepts.values()
        if c.kind == "rate"
        and c.formula is not None
        and c.formula.numerator
        and named[0] in c.formula.denominator
    }
    if len(found) != 1:
        return None
    ((metric, cid),) = found.items()
    return metric if metric in glossary.concepts else cid


_ASIDE = re.compile(r"[(（]([^()（）]{1,40})[)）]")
# the words that join a formula's operands when it is restated ("实际完成值相对年度指标值")
_FORMULA_JOINS = re.compile(r"相对于|相对|相比|对比|除以|之比|比|÷|/|和|与|的|占|[\s,，、]")


def without_formula_aside(text: str, glossary: Any) -> str:
    """The question without a bracket that only restates the asked rate's formula by its operands
    ("完成率是多少（实际完成值相对年度指标值）"): the rate says it already, and the operands' words
    would be read as the line asked of."""
    for m in _ASIDE.finditer(text):
        outside = text[: m.start()] + text[m.end() :]
        rates = [glossary.concept(c) for c in glossary.concepts_in(outside)]
        own = {
            o
            for c in rates
            if c.kind == "rate" and c.formula is not None
            for o in (c.id, *c.formula.numerator, *c.formula.denominator)
        }
        inner = m.group(1)
        hits = glossary.find(inner)
        rest = "".join(ch for i, ch in enumerate(inner) if not any(h.start <= i < h.end for h in hits))
        if hits and all(h.concept_id in own for h in hits) and not _FORMULA_JOINS.sub("", rest):
            return outside
    return text


def parse(question: str, glossary: Any) -> Ask:
    text = without_formula_aside(normalize(question), glossary)
    hits = glossary.find(text)
    concepts = list(dict.fromkeys(h.concept_id for h in hits))
    words = {h.concept_id: h.term for h in hits}
    ops = glossary.operations_in(text)
    quals = frozenset(glossary.qualifiers_in(text))
    years = [int(y) for y in _YEAR.findall(text) if 1990 <= int(y) <= 2100]
    ask = Ask(text=text, op="none", years=years, qualifiers=quals, residue=residue_of(text, glossary))
    ask.asked = asked_kind(text)
    if (
        {"list", "compare", "average"} & set(ops)
        or _NOT_ONE_FIGURE.search(text)
        or _STATES_FIGURE.search(text)
    ):
        return ask  # lists, comparisons, yes/no and "which" questions are not single-figure operations
    ask.single = "sum" not in ops and "growth" not in ops and "difference" not in ops
    ask.cell = cell_ask(text, hits, glossary, ask.asked)

    def operand(cid: str) -> Operand:
        return Operand(cid, words.get(cid, cid), quals)

    def own_operand(cid: str, others: list[str]) -> Operand:
        """One of two quantities: the qualifier words in the other's name are not its own
        ("实际支出占全年预算的比例": 实际 is of 实际支出, the 全年预算 is no actual figure)."""
        rest = text
        for o in others:
            if o != cid and words.get(o):
                rest = rest.replace(words[o], " ")
        return Operand(cid, words.get(cid, cid), frozenset(glossary.qualifiers_in(rest)))

    kinds = {cid: glossary.concept(cid).kind for cid in concepts}
    rates = [c for c in concepts if kinds[c] == "rate"]
    amounts = [c for c in concepts if kinds[c] != "rate"]
    if rates and not ({"difference", "sum"} & set(ops) and len(amounts) >= 2):
        if ask.asked not in (None, "rate") or any(
            kinds[c] in ("weight", "score") and glossary.concept(c).category in ("score", "form_column")
            for c in amounts
        ):
            return ask  # "执行率折算得几分": a score asked about a rate, not the rate
        ask.op, ask.rate_concept = "rate", rates[0]
        ask.operands = [operand(rates[0])]
        return ask
    derived = derived_amounts(amounts, glossary)
    # "全年预算还有多少没有执行": 全年预算数 − 全年执行数
    if derived and compatible(ask.asked, kinds[derived[0]]):
        ask.op, ask.rate_concept = "rate", derived[0]
        ask.operands = [operand(derived[0])]
        return ask
    worded = rate_by_wording(text, glossary, quals, ops)
    if worded is not None and ask.asked in (None, "rate"):  # "完成了年度目标的百分之几": 完成率
        ask.op, ask.rate_concept, ask.worded = "rate", worded, True
        concept = glossary.concept(worded)
        ask.operands = [Operand(worded, concept.label, quals)]
        rest = ask.residue.replace(concept.label.rstrip("率"), " ").replace("百分之", " ")
        for t in concept.terms:
            rest = rest.replace(t[:-1], " ") if t.endswith("率") and len(t) >= 4 else rest
        for q in concept.formula.by_qualifiers or ():
            for w in sorted(glossary.qualifiers.get(q, ()), key=len, reverse=True):
                rest = rest.replace(w, " ")
        ask.residue = " ".join(w for w in rest.split() if len(w) >= 2)
        return ask
    over = rate_over(amounts, glossary) if ask.asked == "rate" and _PERCENT.search(text) else None
    if over is not None:  # "产出这一块拿到了分值的百分之几": the group's 得分率
        ask.op, ask.rate_concept, ask.worded = "rate", over, True
        # named by the denominator's words: the line asked of is the words before them
        den = next(c for c in amounts if glossary.concept(c).category not in _LINE_CATEGORIES)
        ask.operands = [Operand(over, words[den], quals)]
        return ask
    # "三公经费实际花的占预算的百分之多少": two measures of one line — the measures are the operands,
    # the line (三公经费) stays in the question's words
    measured = [c for c in amounts if glossary.concept(c).category in MEASURE_CATEGORIES]
    if len(measured) >= 2 and len(amounts) > len(measured):
        amounts = measured + [c for c in amounts if c not in measured]
    if "share" in ops and amounts and ask.asked in (None, "rate"):
        named_rate = rate_of_operands(amounts[:2], glossary)
        if named_rate is not None:  # "全年执行数占全年预算数的比例": the glossary's 预算执行率
            ask.op, ask.rate_concept = "rate", named_rate
            ask.operands = [operand(named_rate)]
            return ask
        ask.op = "share"
        pair = _share_spans(text, glossary) or amounts[:2]
        if len(pair) == 2 and pair[0] in glossary.wholes_of(pair[1]):
            pair = pair[::-1]  # "收入里财政拨款占了多少": the part over its whole, whichever is said first
        ask.operands = [own_operand(c, pair) for c in pair]
        return ask
    if "difference" in ops and len(amounts) >= 2:
        ask.op = "difference"
        ask.operands = [own_operand(c, amounts[:2]) for c in amounts[:2]]
        return ask
    if "growth" in ops and amounts:
        ask.op = "growth"
        ask.operands = [operand(amounts[0])]
        return ask
    if "sum" in ops and len(amounts) >= 2:
        ask.op = "sum"
        ask.operands = [operand(c) for c in amounts]
        return ask
    if len(amounts) == 1 and compatible(ask.asked, kinds[amounts[0]]):
        ask.op = "lookup"
        ask.operands = [operand(amounts[0])]
    # a quantity named only in the document's own words is left to the search path: matching a
    # question's unit and project names against a row's words picks a neighbouring figure too often
    return ask
