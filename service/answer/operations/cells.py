"""A table cell named by its row and its column: "在职人员控制率这一项满分几分？" asks for the cell
whose row is the document's own 在职人员控制率 and whose column measures 分值.

The column is a glossary measure (分值, 得分, 全年执行数, 实际完成值 …) or, for a score question, what
the question's wording asks (扣分 = 分值 − 得分). The row is named in the document's own words: the
question's remaining content words, each of which must be in the row's labels or (as context) in the
column, the table or the document title. Any word found nowhere rejects the cell — "家长满意度" is
not the row 学生满意度 — so a question about something the table does not list is never answered
from a neighbour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.search.facts import MEASURE_CATEGORIES, IndexedFact, bigrams

_YEAR = re.compile(r"(?:19|20)\d{2}\s*(?:年度|年[末底初中]?)?")
# how a question asks for a score-table column, in the question's own (not the documents') words
_DEDUCTION = re.compile(r"扣了?(?:几|多少)分|扣分|被扣|失分|丢了?(?:几|多少)分|差(?:几|多少)分")
_SCORED = re.compile(r"得了|得分|评了|打了|拿了|自评")
_WEIGHT = re.compile(r"占(?:了)?(?:几|多少)分|满分|分值|权重|权数|标准分|总分值")
# question language (pointing, asking, verbs of scoring), never part of a row's name
_NOISE = re.compile(
    r"这一项|那一项|这一块|那一块|这一部分|那部分|这部分|这项|那项|该项|此项|一项|这块|那块|一块|部分|方面|这个|那个|还有|还剩|剩下|各项|各个|每项|"
    r"完成得|完成了|完成情况|怎么样|情况如何|如何|怎样|得了|打了|给了|拿了|拿到|能得|应得|应该得|可以得|得到|评了|"
    r"扣了|扣分|被扣|失分|满分|几分|多少分|占了|占|是多少|百分之几|百分之多少|百分之|多少|是几|为多少|请问|一共|总共|"
    r"这张表里?|表里|表中|表上|里面|里的|中的|上的|下面|下的|之中|是多少|的|了|吗|呢|吧|啊|呀|么"
)
# generic nouns a question uses for "the row" ("这个指标"), never a row's own name
_GENERIC = frozenset(
    {
        "指标",
        "项目",
        "情况",
        "内容",
        "数据",
        "数字",
        "分数",
        "金额",
        "这项",
        "一项",
        "岗位",
        "单位",
        "部门",
        "绩效",
    }
)
_CHUNK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9]{2,}")


@dataclass
class CellAsk:
    measure: str  # a glossary concept id naming the column, or "deduction" (分值 − 得分)
    chunks: tuple[str, ...]  # the row, in the question's words


def _clean(text: str) -> str:
    return re.sub(r"[\s\"“”‘’'《》〈〉「」()（）的]", "", text or "")


def cell_ask(
    text: str, hits: list[Any], glossary: Any, asked: str | None, *, rowless: bool = False
) -> CellAsk | None:
    """The column and row a question names, or None when it does not name both (with `rowless`,
    a column alone: "它的满分是多少？" continues the row of the last answer)."""
    measure: str | None = None
    spans: list[tuple[int, int]] = []
    if asked is None and any(
        glossary.concept(h.concept_id).kind in ("score", "weight")
        and glossary.concept(h.concept_id).category in ("score", "form_column")
        for h in hits
    ):
        asked = "score"  # "满分是多少": a score-table column named, not how it is asked
    if asked == "score":
        if _WEIGHT.search(text) and _SCORED.search(text):
            return None  # "一共得了多少分？满分多少？": two columns asked at once
        if _DEDUCTION.search(text):
            measure = "deduction"
        elif _WEIGHT.search(text) or any(glossary.concept(h.concept_id).kind == "weight" for h in hits):
            measure = "weight"
        else:
            measure = "indicator_score"
        for h in hits:  # score words name the column; everything else (产出, 资金结余) names the row
            if glossary.concept(h.concept_id).category in ("score", "form_column"):
                spans.append((h.start, h.end))
    elif asked == "amount":
        stages = [h for h in hits if glossary.concept(h.concept_id).category in MEASURE_CATEGORIES]
        if len({h.concept_id for h in stages}) != 1:
            return None
        measure = stages[0].concept_id
        spans = [(h.start, h.end) for h in stages]
    else:
        return None
    rest = "".join(" " if any(s <= i < e for s, e in spans) else ch for i, ch in enumerate(text))
    rest = _NOISE.sub(" ", COUNTED.sub(" ", _YEAR.sub(" ", _clean(rest))))
    rest = re.sub(r"[、]|(?<=[^\s])[和与及](?=[^\s])", " ", rest)  # "监理费、测绘费和青苗补偿费": items
    for w in sorted(glossary.operations.get("sum", ()), key=len, reverse=True):
        rest = rest.replace(w, " ")  # "加起来", "一共": how, not what
    chunks = tuple(dict.fromkeys(_without_group_word(c) for c in _CHUNK.findall(rest) if c not in _GENERIC))
    if not chunks and not rowless:
        return None
    return CellAsk(measure, chunks)


def free_chunks(text: str, glossary: Any) -> tuple[str, ...]:
    """The question's content words that no glossary term, qualifier or operation word covers: the
    document's own vocabulary (a project, a row, a unit), each of which an answer's evidence must use."""
    text = _UNIT_NOTE.sub(" ", text)
    spans = [(h.start, h.end) for h in glossary.find(text)]
    rest = "".join(" " if any(s <= i < e for s, e in spans) else ch for i, ch in enumerate(text))
    rest = _NOISE.sub(" ", COUNTED.sub(" ", _YEAR.sub(" ", _clean(rest))))
    rest = re.sub(r"[和与及、]", " ", rest)  # separators between the things a question names
    for words in (*glossary.operations.values(), *glossary.qualifiers.values()):
        for w in sorted(words, key=len, reverse=True):
            if len(w) >= 2:
                rest = rest.replace(w, " ")
    return tuple(dict.fromkeys(c for c in _CHUNK.findall(rest) if c not in _GENERIC))


_UNIT_NOTE = re.compile(r"[（(]\s*(?:单位[:：]?\s*)?(?:万元|元|亿元|千元|%|人|个|分|次|项)\s*[)）]")
COUNTED = re.compile(
    r"[这那该哪]?[一二两三四五六七八九十几多]+(?:小项|大项|大块|大类|个|项|类|方面|部分|块|条)"
)


def line_before(text: str, term: str, glossary: Any) -> tuple[str, ...]:
    """The line a rate is asked of: the question's words before the rate's own term ("项目管理费的
    执行率" -> 项目管理费), without years, pointing and the document's own name words. Glossary terms
    stay: the line may be named by one (基本支出)."""
    at = text.find(term)
    if at <= 0:
        return ()
    head = _NOISE.sub(" ", _YEAR.sub(" ", _clean(text[:at])))
    for words in glossary.qualifiers.values():
        for w in sorted(words, key=len, reverse=True):
            if len(w) >= 2:
                head = head.replace(w, " ")
    chunks = (_without_group_word(c) for c in _CHUNK.findall(head))
    return tuple(c for c in chunks if c not in _GENERIC and not _RATE_LEAD.fullmatch(c))


# what a group of indicators is called after its name ("过程指标", "效益维度", "产出类"): the name
# is the line ("过程小计", the rows under 过程)
_GROUP_WORD = re.compile(r"(?:类指标|指标|维度|类|板块)$")


def _without_group_word(chunk: str) -> str:
    bare = _GROUP_WORD.sub("", chunk)
    return bare if len(bare) >= 2 else chunk


# words that only lead into a rate's name ("预算执行率", "项目资金的支出进度"), never a line
_RATE_LEAD = re.compile(r"(?:预算|资金|财政|整体|总体|全年|年度|全部|项目|专项|经费)+")


def covered(chunk: str, text: str, *, share: float = 0.75) -> bool:
    """Is the chunk in the text (verbatim, or nearly: most of its character pairs)?"""
    clean = _clean(text)
    if chunk in clean:
        return True
    own = bigrams(chunk)
    return bool(own) and len(own & bigrams(clean)) / len(own) >= share


def mentioned(chunk: str, text: str) -> bool:
    """Does the text use the chunk at all (any two of its characters together)? A looser test than a
    row name's: a question paraphrases ("话务岗全年" for 话务岗 …全年…), but a word none of whose
    parts the evidence uses is about something else."""
    own = bigrams(chunk)
    return not own or bool(own & bigrams(re.sub(r"[0-9.,]", "", _clean(text))))  # "每1万" says 每万


def names_a_parent(words: list[str], fact: Any) -> str:
    """The element of a table row's path the question names when it names only an ancestor ("投入")
    of the row the figure is on (投入/在职人员控制率): that figure is a sub-item's, not the asked one's.
    "" when the question names the row itself or says nothing of its path."""
    path = [_clean(p) for p in getattr(fact, "row_path", ()) if _clean(p)]
    if getattr(fact, "source", "") != "table" or len(path) < 2:
        return ""
    *parents, own = path
    if any(covered(w, own) for w in words):
        return ""
    bare = [re.sub(r"\d+(?:\.\d+)?分?", "", p) for p in parents]  # "投入(15分)" is named 投入
    return next(
        (
            p
            for p, b in zip(parents, bare, strict=True)
            for w in words
            if covered(w, b) and len(w) >= 0.5 * len(b)
        ),
        "",
    )


_FOLLOWUP = re.compile(r"^(?:那么|那|还有|再看看?|另外)|(?:的)?呢$")


_PRONOUN = re.compile(r"^(?:那么|那)?(?:它|其|这项|该项|这一项|此项)")


def followup_cell(text: str, previous: dict[str, Any] | None, glossary: Any = None) -> CellAsk | None:
    """After a cell question: "那马鞍医院呢？" — the same column, the row this follow-up names;
    "它的满分是多少？" — the same row, the column this follow-up names."""
    if not previous or not previous.get("cell_measure"):
        return None
    rows = tuple(previous.get("cell_chunks") or ())
    if glossary is not None and rows and _PRONOUN.search(text):
        from service.answer.operations.question import asked_kind

        rest = _PRONOUN.sub("", text)
        own = cell_ask(rest, glossary.find(rest), glossary, asked_kind(text), rowless=True)
        if own is not None and not own.chunks:
            return CellAsk(own.measure, rows)
    bare = re.sub(r"[？?。！!，,\s]+$", "", text)
    if not _FOLLOWUP.search(bare) or len(bare) > 24:
        return None
    rest = _NOISE.sub(" ", _YEAR.sub(" ", _clean(_FOLLOWUP.sub(" ", bare))))
    rest = re.sub(r"小项|大项|里面|其中", " ", rest)
    chunks = tuple(dict.fromkeys(c for c in _CHUNK.findall(rest) if c not in _GENERIC))
    if not chunks:
        return None
    return CellAsk(str(previous["cell_measure"]), chunks)


def _covers(chunk: str, text: str, text_bigrams: frozenset[str]) -> bool:
    if chunk in text:
        return True
    own = bigrams(chunk)
    return bool(own) and len(own & text_bigrams) / len(own) >= 0.75


@dataclass
class RowMatch:
    item: IndexedFact
    matched: int  # bigrams of the question's row words found in the row's name
    exact: bool  # the row's name is one of the question's words
    named: tuple[str, ...] = ()  # the question's words found in the row's name


def row_cells(
    ask: CellAsk, facts: list[IndexedFact], column: frozenset[str], *, years: list[int]
) -> list[RowMatch]:
    """Cells whose column measures one of `column` and whose row the question names, best first."""
    out: list[RowMatch] = []
    for item in facts:
        f = item.fact
        if f.source != "table" or not (item.measures & column) or not f.row_path:
            continue
        if years and item.year is not None and item.year not in years:
            continue
        row = _clean("".join(f.row_path))
        row_bg = bigrams(row)
        around = _clean(" ".join(f.col_path) + f.context + item.title)
        around_bg = bigrams(around)
        matched, exact, named = 0, False, []
        for chunk in ask.chunks:
            if _covers(chunk, row, row_bg):
                named.append(chunk)
                matched += len(bigrams(chunk) & row_bg) or 1
                exact = exact or chunk == row or (row.endswith(chunk) and len(row) - len(chunk) <= 1)
            elif not _covers(chunk, around, around_bg):
                break  # a word of the question that this cell's row, column and table never use
        else:
            if matched:
                out.append(RowMatch(item, matched, exact, tuple(named)))
    out.sort(key=lambda m: (-m.matched, not m.exact, m.item.fact.page, m.item.fact.id))
    return out


def best_rows(matches: list[RowMatch]) -> list[RowMatch]:
    """The rows that fit best: most of the question's words, and among those the rows named exactly
    by them when there are such. Several distinct values left means the question is ambiguous."""
    if not matches:
        return []
    top = [m for m in matches if m.matched == matches[0].matched]
    top = [m for m in top if m.exact] or top
    if len({_clean("".join(m.item.fact.row_path)) for m in top}) > 1:
        return []  # the words name several rows (a group such as 投入, or two 满意度 lines): not one cell
    return top


def same_row(a: IndexedFact, b: IndexedFact) -> bool:
    fa, fb = a.fact, b.fact
    return fa.doc_id == fb.doc_id and fa.table_id == fb.table_id and fa.row_index == fb.row_index


def stated_points(label: str) -> str | None:
    """The points a group's label states for itself ("投入(15分)" -> "15"), or None."""
    m = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]|(\d+(?:\.\d+)?)\s*分\s*[)）]", label or "")
    if m:
        return m.group(1) or m.group(2)
    # "产出指标(50)": a bare number in brackets ending a group's label is its points (no year, no code)
    bare = re.search(r"[（(]\s*(\d{1,3}(?:\.\d+)?)\s*[)）]\s*$", label or "")
    return bare.group(1) if bare and Decimal(bare.group(1)) <= 100 else None


@dataclass
class Group:
    table_id: str
    parent: str  # the row-path element the question names ("投入", "预算执行")
    cells: list[IndexedFact]  # the asked column's cell of each item (leaf row) under it
    missing: list[str]  # items under it whose asked cell is blank


def group_cells(
    ask: CellAsk, facts: list[IndexedFact], column: frozenset[str], *, years: list[int]
) -> Group | None:
    """The items of the one group the question names ("投入部分", "产出指标这几项"): the leaf rows
    of a table whose row path has the named element above them. None unless exactly one group in
    one table fits and the question's words are all accounted for."""
    by_group: dict[tuple[str, str], dict[int, tuple[str, ...]]] = {}
    cells: dict[tuple[str, str], dict[int, IndexedFact]] = {}
    for item in facts:
        f = item.fact
        if f.source != "table" or len(f.row_path) < 2:
            continue
        if years and item.year is not None and item.year not in years:
            continue
        path = tuple(_clean(p) for p in f.row_path)
        around = _clean(" ".join(f.col_path) + f.context + item.title)
        at = next(
            (n for n, p in enumerate(path[:-1]) if all(covered(c, p) or covered(c, around) for c in ask.chunks)
             and any(covered(c, p) for c in ask.chunks)),
            None,
        )  # fmt: skip
        if at is None:
            continue
        # a question naming the row itself ("预算执行率" nearly covers its parent 预算执行) asks no
        # group; an item whose name repeats a word its group's label states verbatim (社会效益 under
        # 效益（30分）) is one of that group's items all the same
        if any(covered(c, path[-1]) and c not in path[at] for c in ask.chunks):
            continue
        parent = f.row_path[at]
        key = (f.table_id, parent)
        by_group.setdefault(key, {})[f.row_index] = path
        if item.measures & column:
            cells.setdefault(key, {})[f.row_index] = item
    if len(by_group) != 1:
        return None
    key, rows = next(iter(by_group.items()))
    # leaves only: a row whose path continues in another row is a subtotal of those
    leaves = {r: p for r, p in rows.items() if not any(q != p and q[: len(p)] == p for q in rows.values())}
    found = cells.get(key, {})
    return Group(
        table_id=key[0],
        parent=key[1],
        cells=[found[r] for r in sorted(leaves) if r in found],
        missing=["/".join(p[-1:]) for r, p in sorted(leaves.items()) if r not in found],
    )
