"""The fit check: does the figure an answer states fit the question exactly? (DESIGN step 4)

Run on the search path's answers against the fact index. A figure is shown only when it is the
asked quantity; otherwise the answer becomes 未找到 with what the figure was. The rules, each
about the field rather than about any document:
- a question that asks "what if", or gives its own figures and asks what they score, is a
  computation from a rule — a figure looked up in the document is not its answer;
- how the question asks decides the kind of quantity (得几分 a score, 多少钱 an amount, 几成 a rate,
  几倍 a ratio, 扣了几分 a deduction): a figure of another kind does not fit;
- a looked-up figure must be a fact of the index (numbers that are not measures — line numbers,
  dates, codes — never are), and that fact must be about every quantity the question names (a
  table cell) or at least one (a sentence).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from service.answer.operations.cells import covered, free_chunks, mentioned, names_a_parent
from service.answer.operations.operands import bigrams, unit_fits
from service.answer.operations.question import (
    asked_kind,
    asked_unit,
    counted_noun,
    residue_of,
    same_kind_of_unit,
)
from service.search.facts import ENTITY_LIKE, MEASURE_CATEGORIES

MEASURED = frozenset({"amount", "rate", "count", "people", "score", "weight", "duration"})
_HYPOTHETICAL = re.compile(r"假如|如果|假设|假定|若是|倘若|的话")
_STATES_FIGURES = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|元|亿元|%|分|人|个)")
_RATIO = re.compile(r"几倍|多少倍")
# "哪个项目自评分最低": one looked-up figure does not say which is the lowest
_SUPERLATIVE = re.compile(r"最高|最低|最多|最少|最大|最小|最快|最慢|最好|最差|最长|最短|最早|最晚")
# "这几项加起来一共多少": the items of an earlier answer, summed
_THOSE_SUMMED = re.compile(
    r"(?:这几|那几|这些|那些|上述|以上)[项个笔类]?.{0,6}(?:加起来|合计|一共|总共|之和|共计|总计)"
)
# "有哪些单位达到了100%": the items are asked, one figure does not list them
_WHICH_ITEMS = re.compile(r"哪些|哪几")
_DEDUCTION = re.compile(r"扣了?(?:几|多少)分|扣分(?:是)?多少")
# "超了多少", "比上年少了多少": a difference between two figures, never one figure looked up
_COMPARISON = re.compile(
    r"(?:超|多|少|高|低|增|减|差|失)了?(?:多少|几)|(?:超出|超过|高出|低于|相差|失分)(?:了)?(?:多少|几)"
    r"|增减(?:幅度|额|情况)|变化(?:幅度|了多少)|增幅|降幅"
    r"|比[^，,。；;？?]{1,24}?(?:多|少|高|低|超)[\u4e00-\u9fff]{0,4}?了?(?:多少|几)"  # "比购置多安排了多少"
)
# "除去转移支付，其余的支出": what is left of a figure once a part is taken out, never the figure
_EXCLUDING = re.compile(r"除去|除掉|扣除|扣掉|刨去|去掉|不含|不包括|除了")
_YEARS = re.compile(r"((?:19|20)\d{2})\s*年")
_LINE_CLASSES = frozenset({"expenditure_class", "funding_source"})
_FIGURE_QUESTION = re.compile(
    r"多少|几[个项人次分名成倍]|百分之|完成(?:得|程度|情况)|相比|比较|增长|下降|涨|降了"
)

Verdict = tuple[str, str] | None  # (what was not found, why) or None when the answer stands


def same_number(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return False


def placed_of(figures: list[Any], facts: list[Any]) -> list[Any]:
    """The facts of the index an answer's figures are (same value, same page)."""
    return [
        i
        for f in figures
        for i in facts
        if same_number(i.fact.value, f.get("value")) and i.fact.page == f.get("page")
    ]


def _kind_fits(kind: str, unit: str) -> bool:
    if kind == "amount" and unit in ("", "万"):
        return False  # an amount is stated with its unit; a bare number is a count, a code or a mark
    if kind in ("score", "weight") and unit not in ("分", ""):
        return False
    return unit_fits(kind, unit)


def _fits(asked: set[str], item: Any, g: Any, *, whole: bool) -> bool:
    """A table cell fits when every quantity the question names is on its row or column (the
    weight "of 在职人员控制率" is not the weight of 投入); a sentence's figure, or one of several
    figures asked for together ("办公费和差旅费分别"), when one is."""
    have = set(item.concepts)  # exact: a part is not its whole, and the reverse
    if item.fact.source == "table" and whole:
        return asked <= have
    return bool(asked & have)


def _missing_qualifier(question: str, placed: list[Any], g: Any) -> str:
    """A target asked and an actual found (or last year asked and this year found): not the asked
    quantity. Only qualifiers that change what a figure is: plan and previous year."""
    said_all = set(g.qualifiers_in(question, outside_terms=True))
    if "actual" in said_all and "plan" not in said_all and placed:
        # "实际完成了多少" answered with the figure the document plans (计划开展…660人次)
        own = [
            set(g.qualifiers_in(i.fact.description + " " + " ".join(i.fact.col_path))) or set(i.qualifiers)
            for i in placed
        ]
        if all("plan" in q and "actual" not in q for q in own):
            return "检索到的数字是计划或目标值，不是实际完成的数"
        # "其中行政编制实有多少人" answered from the 编制人数 column: the glossary says 编制数 excludes
        # 实有人数, the quantity the question's own 实有 names
        counterparts = [_excluded_named(question, i, g) for i in placed]
        if all(counterparts):
            have, asked_for = counterparts[0]
            return f"检索到的数字是{have}，不是{asked_for}"
    asked = said_all & {"plan", "previous_year"}
    if not asked or not placed:
        return ""
    for q in asked:
        # in what the figure itself is said to be (its phrase or labels), not anywhere in its sentence
        if not any(
            q in g.qualifiers_in(i.fact.description + " " + " ".join(i.fact.col_path)) for i in placed
        ):
            word = "计划或目标值" if q == "plan" else "上年的数"
            return f"检索到的数字不是{word}"
    return ""


def _excluded_named(question: str, item: Any, g: Any) -> tuple[str, str] | None:
    """(what the figure is, what the question asks) when the figure's own labels name a concept that
    excludes one the question's actual-word (实有, 实际 …) belongs to: 编制人数 for 实有."""
    words = [w for w in g.qualifiers.get("actual", ()) if w in question]
    if not words:
        return None
    f = item.fact
    labels = f.description if f.source == "text" else " ".join((*f.row_path, *f.col_path))
    for cid in g.concepts_in(labels):
        for ex in g.concept(cid).excludes:
            other = g.concept(ex)
            if ex not in g.concepts_in(labels) and any(w in t for t in other.terms for w in words):
                return g.concept(cid).label, other.label
    return None


def _coverage(word: str, item: Any) -> float:
    """How much of the question's own word is in what the fact describes (phrase or labels)."""
    f = item.fact
    grams = bigrams(word)
    said = bigrams(f.description + "".join((*f.row_path, *f.col_path)))
    return len(grams & said) / len(grams) if grams else 0.0


def _better_elsewhere(word: str, words: list[str], placed: list[Any], facts: list[Any]) -> bool:
    """The document describes another figure (same unit, same period) with the asker's words
    ("线上培训") clearly better, all words counted, than the figure answered (the 合计 of 线上 and
    现场): the answer took a neighbour."""
    if len(word) < 4:
        return False  # short words are too common in a document to point at one figure

    def total(item: Any) -> float:
        return sum(_coverage(w, item) for w in words)

    here = max(placed, key=total)
    if _coverage(word, here) >= 0.5:
        return False
    units, periods = {i.fact.unit for i in placed}, {i.fact.period for i in placed}
    return any(
        _coverage(word, i) >= 0.8 and total(i) >= total(here) + 0.75
        for i in facts
        if i.fact.unit in units and i.fact.period in periods
    )


def _unaccounted(question: str, draft: Any, placed: list[Any], titles: set[str], g: Any) -> list[str]:
    """The question's own words (not the glossary's) that neither the answered figure's evidence —
    its labels, sentence, table, cited passage — nor a document title uses: "产出小计" answered by a
    cell of the row 产出/产出数量, "那项收入" by another line."""
    chunks = free_chunks(question, g)
    if not chunks:
        return []
    evidence = " ".join(
        [
            *(i.fact.description + i.fact.context + i.fact.quote for i in placed),
            *(str(c.get("quote") or "") for c in draft.meta.get("figures") or []),
        ]
    )
    named = " ".join(titles)  # words naming a document itself
    return [w for w in chunks if not mentioned(w, evidence) and not covered(w, named)]


def _inputs_off_topic(
    question: str, computations: list[Any], items: Callable[[], list[Any]], g: Any
) -> list[str]:
    """The question's own words that no input of a computation speaks of ("服务补贴的执行率" computed
    from the 培训费 sentence), or, when some do, an input that speaks of none of them."""
    chunks = free_chunks(question, g)
    if not chunks:
        return []
    titles = " ".join({i.title for i in items() if i.title})
    chunks = tuple(w for w in chunks if not covered(w, titles))  # words naming the document itself
    inputs = [
        " ".join((str(i.get("label") or ""), str((i.get("source") or {}).get("quote") or "")))
        for c in computations
        for i in c.inputs
        if isinstance(i, dict) and (i.get("source") or {}).get("quote")
    ]
    if not chunks or not inputs:
        return []
    units = {str(i.get("unit") or "") for c in computations for i in c.inputs if isinstance(i, dict)}
    facts = [i for i in items() if i.fact.unit in units]
    chunks = tuple(w for w in chunks if _spoken_of(w, facts))
    if not chunks:
        return []
    unused = [w for w in chunks if not any(mentioned(w, t) for t in inputs)]
    if unused:
        return unused
    if any(not any(mentioned(w, t) for w in chunks) for t in inputs):
        return list(chunks)
    return []


# computations whose every input is a figure of the line the question names (its change, or the
# difference of named lines); a share or rate divides a line by its whole, and a sum adds its parts
_OF_NAMED_LINES = frozenset({"value_from_change", "growth_rate", "year_on_year_change", "difference"})


def _input_off_line(
    question: str, computations: list[Any], items: Callable[[], list[Any]], g: Any
) -> tuple[str, str] | None:
    """A line the question names by a glossary term ("公务接待费") and an input of a computation of
    named lines that is another line's figure ("三公经费…55万元，…公务接待费30万元" computed from
    55): (the line asked, what the input is), else None. An input is judged by what the fact index
    says its figure measures, and only where the documents do give figures of the line."""
    lines = {
        c
        for c in g.concepts_in(question)
        if g.concept(c).category not in MEASURE_CATEGORIES and g.concept(c).kind not in ("rate", "text")
    }
    if not lines:
        return None
    facts = items()
    for c in computations:
        if c.metric not in _OF_NAMED_LINES:
            continue
        for i in c.inputs:
            if not isinstance(i, dict) or i.get("name") == "change":
                continue  # a stated change ("较2019年增加24445人次") is said of the figure before it
            source = i.get("source") or {}
            placed = [
                f
                for f in facts
                if same_number(f.fact.value, i.get("value"))
                and f.fact.page == source.get("page")
                and f.fact.doc_id == source.get("doc_id", f.fact.doc_id)
            ]
            if not placed or any(f.concepts & lines for f in placed):
                continue
            unit = str(i.get("unit") or "")
            beside = [
                f
                for f in facts
                if f.concepts & lines and f.fact.doc_id == placed[0].fact.doc_id and f.fact.unit == unit
            ]
            if beside:  # the line's own figures are there: this input is another line's
                asked = g.concept(sorted(lines & beside[0].concepts)[0]).label
                return asked, placed[0].fact.description or str(i.get("label") or "")
    return None


def _other_measure(
    question: str, computations: list[Any], items: Callable[[], list[Any]], g: Any
) -> tuple[str, str] | None:
    """A question naming one budget stage ("2018年决算比2017年决算增长") computed from a cell of
    another stage's column (2018年预算数): (the stage asked, the label of the cell used), else None."""
    stages = {
        c for c in g.concepts_in(question) if g.concept(c).category == "budget_stage" and c not in ENTITY_LIKE
    }
    years = set(re.findall(r"(?:19|20)\d{2}", question))
    over_time = len(years) >= 2 or any(
        c.metric in ("growth_rate", "year_on_year_change") for c in computations
    )
    if len(stages) != 1 or not over_time:
        return None  # one quantity over two periods: each side must be of the asked stage
    stage = next(iter(stages))
    facts = None
    for c in computations:
        for i in c.inputs:
            src = (i.get("source") or {}) if isinstance(i, dict) else {}
            if not src.get("page"):
                continue
            facts = facts if facts is not None else items()
            cells = [
                f
                for f in facts
                if f.fact.source == "table"
                and f.measures
                and f.fact.page == src.get("page")
                and same_number(f.fact.value, i.get("value"))
            ]
            if cells and not any(stage in f.measures for f in cells):
                return g.concept(stage).label, "·".join(cells[0].fact.col_path) or cells[0].fact.description
    return None


def _part_for_total(question: str, placed: list[Any], facts: list[Any], g: Any) -> str:
    """A total asked ("一共", "合计", "总共") and a part's figure found (基本支出 for 一般公共预算支出):
    the label of the part, else ""."""
    if "total" not in g.qualifiers_in(question) and "sum" not in g.operations_in(question):
        return ""
    named = set(g.concepts_in(question))
    if any("total" in i.qualifiers for i in placed):
        return ""  # the figure is also stated as a 合计
    for i in placed:
        parts = [c for c in i.concepts if g.concept(c).part_of and c not in named]
        if not parts or {"total", "part"} & i.qualifiers:
            continue
        f = i.fact
        if f.source == "table" and not any(  # a table line is the total unless the table has another
            o.fact.table_id == f.table_id
            and o.fact.col_index == f.col_index
            and o.fact.row_index != f.row_index
            and ("total" in o.qualifiers or set(o.concepts) & set(g.wholes_of(parts[0])))
            and not same_number(o.fact.value, f.value)  # a part that is the whole's only part is it
            for o in facts
        ):
            continue
        return g.concept(parts[0]).label
    return ""


def _other_quantity_over_time(question: str, computations: list[Any], g: Any) -> tuple[str, str] | None:
    """ "项目支出比上年少了多少": both sides of the change must be 项目支出 — a side whose label and
    sentence name none of its terms is another quantity. (the quantity, the side's label), else None."""
    if "previous_year" not in g.qualifiers_in(question, outside_terms=True):
        return None
    amounts = [c for c in g.concepts_in(question) if g.concept(c).kind == "amount"]
    if len(amounts) != 1:
        return None
    concept = g.concept(amounts[0])
    for c in computations:
        for i in c.inputs:
            if not isinstance(i, dict):
                continue
            said = str(i.get("label") or "") + str((i.get("source") or {}).get("quote") or "")
            if (
                said
                and amounts[0] not in g.concepts_in(str(i.get("label") or ""))
                and not any(t in str(i.get("label") or "") for t in concept.terms)
            ):
                return concept.label, str(i.get("label") or "")
    return None


def _without(question: str, words: tuple[str, ...]) -> str:
    for w in sorted(words, key=len, reverse=True):
        question = question.replace(w, "，")
    return question


def _spoken_of(word: str, facts: list[Any]) -> bool:
    """Does a document in scope name some figure (of the answer's unit) by the word — in what the
    figure is said to be, and as a good part of it (热线 in a 25-character phrase about a survey is
    not what that figure measures), not merely in its sentence? Only then does
    an answer whose evidence never uses it point at a neighbour; a word no document uses is the asker's paraphrase,
    which the answering path resolved by its own vocabulary."""
    return any(
        covered(word, i.fact.description) and len(word) >= 0.25 * len(i.fact.description.replace(" ", ""))
        for i in facts
    )


def other_document(question: str, cited: set[str], facts: list[Any], g: Any) -> tuple[str, str] | None:
    """With several documents in scope: the question names something ("亚洲开发银行贷款…项目") that
    other documents speak of and no cited one does — the figure was taken from the wrong document."""
    if not cited or len({i.fact.doc_id for i in facts}) < 2:
        return None
    said: dict[str, str] = {}
    for i in facts:
        said[i.fact.doc_id] = (
            said.get(i.fact.doc_id, i.title) + i.fact.description + i.fact.context + i.fact.quote
        )
    for w in free_chunks(question, g):
        if len(w) < 3:
            continue
        where = {d for d, text in said.items() if covered(w, text)}
        if where and not (where & cited):
            titles = sorted({i.title for i in facts if i.fact.doc_id in where and i.title})[:2]
            return (
                f"“{w}”的数据",
                f"引用的数字出自另一份文档；提到“{w}”的是《{'》《'.join(titles)}》",
            )
    return None


def operation_misfit(question: str, figures: list[dict[str, Any]], placed: list[Any]) -> Verdict:
    """Does one looked-up figure answer how the question asks? Not when it asks a computation
    from given figures, a ratio, which item is the most, which items (a list), a difference or
    change, a deduction, or a quantity of another kind or unit than the figure's ("几天" answered
    in 元). Used on every answer that states figures it looked up (search and fact paths alike)."""
    said = asked_kind(question)
    if _HYPOTHETICAL.search(question) or (_STATES_FIGURES.search(question) and said == "score"):
        return (
            "按给定条件推算的结果",
            "这是按规则由给定数字推算的问题，文档中没有可直接引用的数字，不以文中其他数字代替",
        )
    if _RATIO.search(question):
        return "所问的倍数", "文档没有直接给出这一倍数"
    most = _SUPERLATIVE.findall(question)
    if most and not any(
        w in str(f.get("quote", "")) + str(f.get("subject", "")) for f in figures for w in most
    ):
        return (
            f"“{most[0]}”的那一项",
            f"检索到的只是其中一个数，不能据此说明它是{most[0]}的；问的是比较，需要逐项列出",
        )
    if _THOSE_SUMMED.search(question):  # "这几项加起来一共多少": a sum of items named before, not one figure
        return "所问的合计", "问的是前面几项之和，检索到的只是一个数，不能确定它是这几项的合计"
    if _WHICH_ITEMS.search(question) and len(figures) == 1:
        return "所问的各项", "问的是哪些项，检索到的只是一个数，不能据此列出各项"
    if _COMPARISON.search(question) and not any("change" in i.qualifiers for i in placed):
        return "所问的差额或变化", "问的是两个数之间的差额或变化，检索到的只是一个数，不是差额或变化"
    excluding = _EXCLUDING.search(question)
    if excluding and not any(excluding.group() in i.fact.description + i.fact.context for i in placed):
        return "所问的余数", f"问的是{excluding.group()}一部分之后的数，检索到的是未作扣除的数"
    units = [str(f.get("unit") or "") for f in figures] + [i.fact.unit for i in placed if i.fact.unit]
    if said is not None and not any(_kind_fits(said, u) for u in units):
        return (
            "所问的量",
            f"检索到的数字的单位（{'、'.join(u or '无单位' for u in dict.fromkeys(units))}）与所问的量不符",
        )
    unit = asked_unit(question)
    stated = [u for u in units if u]
    if unit and stated and not any(same_kind_of_unit(unit, u) for u in stated):
        return "所问的量", f"问的是多少{unit}，检索到的数字的单位是{'、'.join(dict.fromkeys(stated))}"
    if _DEDUCTION.search(question) and not any(
        "扣" in i.fact.description + "".join(i.fact.col_path) for i in placed
    ):
        return "扣分", "检索到的数字是得分或分值，不是扣分"
    noun = counted_noun(question)  # "有多少个预算单位": a count of something else is no answer
    if (
        len(noun) >= 2
        and placed
        and not any(covered(noun, i.fact.description + "".join(i.fact.row_path), share=0.6) for i in placed)
    ):
        said = placed[0].fact.description or "另一个量"
        return f"“{noun}”的数量", f"检索到的数字说的是“{said}”，不是{noun}的数量"
    return None


def check_fit(
    question: str, draft: Any, items: Callable[[], list[Any]], g: Any, *, understood: tuple[str, ...] = ()
) -> Verdict:
    """None when the answer stands; else what to say was not found, and why. `understood`: words of
    the question the answering path resolved by its own vocabulary (not held against its evidence)."""
    if draft.template == "answer_policy" and draft.variables.get("kind") == "quote":
        if asked_kind(question) or _FIGURE_QUESTION.search(question):
            draft.variables["unanswered"] = True  # the passage is shown as evidence, not as the answer
        return None
    figures = draft.meta.get("figures") or []
    said = asked_kind(question)
    computed = [c for c in draft.computations if c.unit]
    lines = [c for c in g.concepts_in(question) if g.concept(c).category in _LINE_CLASSES]
    if draft.computations and "share" in g.operations_in(question) and lines:
        # only a line the documents have figures for (a project report's "项目经费" is the project)
        lines = [c for c in lines if any(c in i.concepts for i in items())]
    if draft.computations and "share" in g.operations_in(question) and lines:
        # "决算里基本支出占多大比例" answered with the 预算执行率 of the whole: no input is 基本支出
        labels = [
            str(i.get("label") or "") for c in draft.computations for i in c.inputs if isinstance(i, dict)
        ]
        if not any(c in g.concepts_in(lab) for c in lines for lab in labels):
            name = draft.computations[0].name_zh or draft.computations[0].metric
            return "所问的比例", f"给出的是{name}，计算所用的数字都不是“{g.concept(lines[0]).label}”的"
    if draft.computations and draft.template != "answer_lookup":
        stray = _inputs_off_topic(_without(question, understood), draft.computations, items, g)
        if stray:
            return f"“{'、'.join(stray)}”的数据", "计算所用的数字的出处没有提到这一项"
        line = _input_off_line(question, draft.computations, items, g)
        if line:
            return f"“{line[0]}”的数据", f"计算用到的“{line[1]}”不是{line[0]}的数"
        drifted = _other_quantity_over_time(question, draft.computations, g)
        if drifted:
            return f"“{drifted[0]}”的上年数", f"计算用到的“{drifted[1]}”不是{drifted[0]}"
        other = _other_measure(question, draft.computations, items, g)
        if other:
            return f"所问的{other[0]}", f"计算用到的“{other[1]}”不是{other[0]}"
    if draft.template != "answer_lookup" or not figures:
        if computed and said in ("score", "amount") and not any(_kind_fits(said, c.unit) for c in computed):
            return (
                "所问的数",
                f"算出的是{computed[0].name_zh or computed[0].metric}（{computed[0].unit}），不是所问的量",
            )
        return None
    if draft.computations:
        return None
    facts = items()
    placed = placed_of(figures, facts)
    misfit = operation_misfit(question, figures, placed)
    if misfit is not None:
        return misfit
    units = [str(f.get("unit") or "") for f in figures] + [i.fact.unit for i in placed if i.fact.unit]
    years = {int(y) for y in _YEARS.findall(question)}
    of_years = {i.year for i in placed}
    if years and placed and None not in of_years and not (of_years & years):
        held = "、".join(f"{y}年" for y in sorted(y for y in of_years if y is not None))
        asked = "、".join(f"{y}年" for y in sorted(years))
        return f"{asked}的数据", f"检索到的数字是{held}的，不是{asked}的"
    named = {g.concept(c).kind for c in g.concepts_in(question) if g.concept(c).kind in MEASURED}
    if said is None and named == {"amount"} and all(u in ("", "万", "分") for u in units):
        return "所问的金额", "检索到的数字不是金额"
    if said is None and named == {"rate"} and units and "%" not in units:
        return "所问的比率", "检索到的数字不是百分比"
    if (
        said in ("score", "weight")
        and placed
        and not any(g.concept(c).kind in ("score", "weight") for i in placed for c in i.concepts | i.measures)
        and not any(u == "分" for u in units)
    ):
        return "所问的分数", "检索到的数字不是得分或分值"
    part = _part_for_total(question, placed, facts, g)
    if part:
        return "所问的总数", f"检索到的是分项“{part}”，不是总数"
    words_all = list(free_chunks(question, g)) + [h.term for h in g.find(question)]
    parent = next((p for i in placed if (p := names_a_parent(words_all, i.fact))), "")
    if parent:
        return f"“{parent}”本身的数", f"检索到的数字属于“{parent}”下的一个分项，不是“{parent}”本身的"
    qualifier = _missing_qualifier(question, placed, g)
    if qualifier:
        return "所问的量", qualifier
    titles = {i.title for i in facts if i.title}
    units = {i.fact.unit for i in placed}
    unused = [
        w
        for w in _unaccounted(_without(question, understood), draft, placed, titles, g)
        # a rate is of the figures it divides: a line its amounts name ("图书购置费") is spoken of
        if _spoken_of(w, [i for i in facts if i.fact.unit in units or units & {"%", "‰"}])
    ]
    if unused:  # the question names something the figure's evidence never mentions
        return f"“{'、'.join(unused)}”的数据", "检索到的数字的出处没有提到这一项"
    words = [  # the asker's own words, but not those that name the document (its unit, project)
        w
        for w in residue_of(question, g).split()
        if len(w) >= 2 and not any(len(bigrams(w) & bigrams(t)) >= 0.6 * len(bigrams(w)) for t in titles)
    ]
    neighbours = [w for w in words if placed and _better_elsewhere(w, words, placed, facts)]
    if neighbours:  # another figure of the document is described by the asker's words; this one is not
        return f"“{'、'.join(neighbours)}”的数据", "检索到的数字描述的不是这一项（文档中另有更贴切的项）"
    asked = {c for c in g.concepts_in(question) if g.concept(c).kind in MEASURED}
    if not asked or (draft.meta.get("neighbour") and placed):
        return None  # a neighbour chosen because the question's own words describe it: it is named
    if not placed:
        return "所问的量", "检索到的数字不是文档中的度量值（可能是序号、栏次、日期或编号）"
    # "基本支出里人员经费": the part is what is asked; its whole only says where to look
    asked = {c for c in asked if not any(c in g.wholes_of(o) for o in asked if o != c)} or asked
    unit_of = {str(f.get("value")): str(f.get("unit") or "") for f in figures}
    misfits: list[str] = []
    for fig in figures:
        # only the named quantities a figure of this unit could be ("预算执行" the indicator is not
        # asked of a %; "在职人员控制率" the rate is not asked of a 分值, but names its line)
        relevant = {c for c in asked if _kind_fits(g.concept(c).kind, unit_of.get(str(fig.get("value")), ""))}
        same = [
            i
            for i in placed
            if same_number(i.fact.value, fig.get("value")) and i.fact.page == fig.get("page")
        ]
        known = [i for i in same if i.concepts]
        if not relevant:
            # no quantity named could be a figure of this unit: it must at least be about one of
            # them ("一般公共预算占全部资金的比例" is not answered by the 预算执行率)
            if same and known and not any(asked & i.concepts for i in same):
                misfits.append(re.sub(r"[\d.,%]+", "", same[0].fact.description) or "另一个量")
                continue
            return None
        # a rate named beside a score or weight names the line ("在职人员控制率这一项满分几分")
        wanted = relevant | {c for c in asked - relevant if g.concept(c).kind == "rate"}
        if not same or not known or any(_fits(wanted, i, g, whole=len(figures) == 1) for i in same):
            return None  # a figure the index cannot name, or one that fits: kept
        misfits.append(re.sub(r"[\d.,%]+", "", same[0].fact.description) or "另一个量")
    labels = "、".join(g.concept(c).label for c in sorted(asked))
    return f"“{labels}”的数据", f"检索到的数字说的是“{'、'.join(dict.fromkeys(misfits))}”，不是所问的量"


# ---- the neighbour the question names -----------------------------------------------------------
_EACH = re.compile(r"各|分别|各自")
# "没有接起来", "未完成", "不合格" — but not a question's "满不满意", "是不是", "有没有"
_NEGATED = re.compile(
    r"(?<![\u4e00-\u9fff])(?:没有|没|未|不)(?=[\u4e00-\u9fff])|([\u4e00-\u9fff])(?:没有|没|未|不)(?!\1)(?=[\u4e00-\u9fff])"
)
_BOUND = re.compile(r"(?:超过|超出|高于|低于|不低于|不少于|不高于|不超过|大于|小于|以上|以下)了?$")
_FILLER_WORDS = frozenset({"项目", "多少", "其中", "一共", "总共", "这个", "那个", "数据", "情况", "年度"})


def _content_words(question: str, tokenizer: Any, titles: str) -> list[str]:
    """The question's words that say which figure: two or more characters, not a year, a number or a
    word that only names the document (its title's words)."""
    out = []
    for w in tokenizer.tokens(question):  # words and their dictionary sub-words (实际完成, 实际)
        if len(w) < 2 or not re.search(r"[\u4e00-\u9fff]", w) or w in _FILLER_WORDS or w in titles:
            continue
        if w not in out:
            out.append(w)
    return out


def _said(item: Any) -> str:
    f = item.fact
    return re.sub(r"\s+", "", f.description + "".join((*f.row_path, *f.col_path)) + f.unit)


def neighbour_named(
    question: str, placed: list[Any], facts: list[Any], tokenizer: Any
) -> tuple[list[Any], Verdict]:
    """The figure answered is described without some word of the question ("线上", "求助类", "年初",
    "实有") that a neighbour of it — same document, page and unit, same year — is described with:
    (the neighbours to answer with instead, None) when they are clear — one that the question's words
    describe best, or for "各/分别" one per such word — ([], a verdict) when several fit equally,
    ([], None) when the answer stands. A negated question ("没有接起来的") asks for a figure no
    neighbour states: a verdict."""
    if not placed or len({(i.fact.doc_id, _number(i.fact.value)) for i in placed}) != 1:
        return [], None
    titles = "".join({i.title for i in facts if i.title})
    words = _content_words(question, tokenizer, titles)
    here = max(placed, key=lambda i: sum(w in _said(i) for w in words))  # the figure as best described
    text_here = _said(here)
    missing = [w for w in words if w not in text_here]
    if not missing:
        return [], None
    if _NEGATED.search(question) and not _NEGATED.search(text_here):
        return [], ("所问的数", "问的是“未…”的部分，检索到的数字说的是全部，文档没有直接给出所问的数")
    f = here.fact
    near = [
        i
        for i in facts
        if i.fact.doc_id == f.doc_id
        and i.fact.page == f.page
        and i.fact.unit == f.unit
        and not same_number(i.fact.value, f.value)
        and i.year == here.year
        and not i.fact.comparator
        and not _BOUND.search(i.fact.description)  # "每月均超过了99%" is a bound, not the figure
    ]
    covers = {id(i): {w for w in words if w in _said(i)} for i in near}
    have = {w for w in words if w in text_here}
    # more specific: every word the answered figure is described by, and a word it lacks
    # a figure described by none of the question's words (the answering path's paraphrase) yields
    # only to one that most of them describe
    better = [
        i
        for i in near
        if covers[id(i)] & set(missing)
        and covers[id(i)] > have
        and (have or (len(covers[id(i)]) >= 2 and 2 * len(covers[id(i)]) >= len(words)))
    ]
    if not better and not _EACH.search(question):
        return [], None

    def best_for(pool: list[Any]) -> list[Any]:
        top = max(len(covers[id(i)]) for i in pool)
        tied = [i for i in pool if len(covers[id(i)]) == top]
        distinct = {i.fact.value for i in tied}
        return tied if len(distinct) > 1 else tied[:1]

    if _EACH.search(question):  # "线上培训和现场培训各多少": one neighbour per word the total lacks
        chosen: list[Any] = []
        for w in missing:
            pool = [i for i in near if w in covers[id(i)] and len(covers[id(i)]) >= 2]
            if not pool:
                continue
            top = best_for(pool)
            if len(top) > 1:
                return [], _several(top)
            if top[0] not in chosen:
                chosen.append(top[0])
        if len(chosen) >= 2:
            return chosen, None
    if not better:
        return [], None
    top = best_for(better)
    if len(top) > 1:
        return [], _several(top)
    return top, None


def _number(value: str) -> Decimal | str:
    try:
        return Decimal(value).normalize()
    except InvalidOperation:
        return value


def _several(items: list[Any]) -> tuple[str, str]:
    names = "、".join(dict.fromkeys(i.fact.description or "·".join(i.fact.row_path) for i in items[:4]))
    return "唯一对应的数字", f"文档中有多个数字都符合（{names}），请指明是哪一项"


# "评价组给X打了几分" asks the score a row got; "X的分值/满分" the points it could get
_ASKS_SCORE = re.compile(r"(?:打|得|给|评|拿|获)了?(?:几|多少)分|得分(?!率)")
_ASKS_WEIGHT = re.compile(r"分值|满分|权重")
_SCORE_MEASURES = frozenset({"indicator_score", "total_score"})
_WEIGHT_MEASURES = frozenset({"weight", "total_weight"})


def other_column_of_row(question: str, placed: list[Any], facts: list[Any]) -> list[Any]:
    """A table cell of the other of 分值 and 得分 than the question asks: the cell of the asked one on
    the same row ([] when the cell fits, or the row has no single such cell)."""
    score, weight = bool(_ASKS_SCORE.search(question)), bool(_ASKS_WEIGHT.search(question))
    if score == weight or len({(i.fact.table_id, i.fact.row_index) for i in placed}) != 1:
        return []
    cells = [i for i in placed if i.fact.source == "table"]
    if not cells:
        return []
    have, want = (_WEIGHT_MEASURES, _SCORE_MEASURES) if score else (_SCORE_MEASURES, _WEIGHT_MEASURES)
    if not all(i.measures & have and not i.measures & want for i in cells):
        return []
    f = cells[0].fact
    row = [
        i
        for i in facts
        if i.fact.source == "table"
        and i.fact.doc_id == f.doc_id
        and i.fact.table_id == f.table_id
        and i.fact.row_index == f.row_index
        and i.measures & want
    ]
    return row if len({i.fact.col_index for i in row}) == 1 else []
