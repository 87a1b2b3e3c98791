"""Every number of a document as a fact: exact value, unit, a description of what it measures,
the qualifier words around it, the period, and where it was read (page, quote, table cell).

Pure: pages and tables in, facts out. What a number measures is learned from the document itself
— a table cell from its caption, row path and column path; a number in a sentence from the phrase
that precedes it in its clause ("年末实有人数20人" -> 年末实有人数) — and the field's words (which
quantity, which qualifier) are read later from the glossary. Numbers that are not measures
(dates, years, document numbers, codes, phone numbers, clause and list numbers) never become facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ingest.models import Page, Table
from ingest.numbers import UNITS, parse_number, unit_in_label, units_of_unit_line

FACTS_VERSION = "33"  # 33: a clause comparing with last year lends the next no 上年; 32: the units are the glossary's (measure words: 起, 座, 批次 …)

# the units of figures in sentences: the glossary's, and "万" alone ("8.47万" at a line's end, 元 on the
# next); not 年 and 月, which in a sentence are dates ("2023年实际支出")
_TEXT_UNITS = (*(u for u in UNITS if u not in ("年", "月")), "万")
_UNIT_RE = "|".join(sorted(_TEXT_UNITS, key=len, reverse=True))
_NUM = re.compile(
    r"(?<![0-9A-Za-z.])(?P<sign>[-−])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    rf"(?P<unit>{_UNIT_RE})?"
)
# numbers that are not measures (the glossary adds the field's own patterns)
_NOT_MEASURES = re.compile(
    r"〔\s*\d{4}\s*〕\s*\d+\s*号|[\[(（]\s*\d{4}\s*[\])）]\s*\d+\s*号|\d+\s*号文?"
    r"|\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*(?:\d{1,2}\s*日?)?|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月份?"
    r"|(?:19|20)\d{2}\s*(?:年度|年|[-—–~至到]\s*(?:19|20)\d{2}\s*年?)"
    r"|第\s*[\d一二三四五六七八九十百]+\s*(?:条|款|章|节|页|次|批|期|项|轮|季度)"
    r"|表\s*\d+(?:\s*[-－—.]\s*\d+)*|附件\s*\d+|图\s*\d+"
    r"|https?://\S+|www\.\S+|\S+@\S+|\d{3,4}-\d{7,8}|1[3-9]\d{9}|\d{11,}"
    r"|^\s*(?:\d{1,2}|[（(]\s*\d{1,2}\s*[)）])\s*[.、．)）](?!\d)|[（(]\s*\d{1,2}\s*[)）]",
    re.MULTILINE,
)
_CLAUSE_BREAK = re.compile(r"[，。；;！？!?：:\n、]|(?<!\d),|,(?!\d)")  # not 21,986,719.31's commas
_LEADING_FILLER = re.compile(r"^(?:其中|另外|此外|同时|并且|以及|和|及|与|且|共|其)?[：:]?")
_TRAILING_FILLER = re.compile(
    r"(?:为|是|达到了|达到|达|约为|约|共计|共|(?<![总合累])计|合计为|总计为|累计为|累计|实现|完成了|完成|(?<![实现拥])有|占|"
    r"比例为|比例|比重为|较|比|同比|增长了|增长|下降了|下降|减少了|减少|增加了|增加|提高了|提高|降低了|降低)+$"
)
_COMPARATOR = re.compile(r"^\s*(≥|≤|>=|<=|＞|＜|>|<|=|＝|不低于|不少于|不高于|不超过|达到|大于|小于|约)\s*")
_MONEY_WORDS = r"支出|预算|决算|资金|经费|收入|金额|拨款|投资|费"
_SCORE_WORDS = re.compile(r"分值|得分|分数|权重|满分|率")
# a form's header line "填表单位：某某局" names the form, not what a column measures
_KEY_VALUE = re.compile(r"^[^:：]{2,10}[:：]\s*\S.{3,}")
_YEAR_IN = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_RANGE_IN = re.compile(r"(?<!\d)(?:((?:19|20)\d{2})\s*年?\s*[-－—~至到]\s*)?((?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class Fact:
    id: str
    doc_id: str
    value: str  # exact Decimal text
    unit: str  # 万元, %, 人 …; "" when the document states none
    description: str  # what it measures, in the document's words
    context: str  # the words around it: the clause, or the row and column headers
    page: int
    quote: str  # the sentence or table row it was read from
    source: str  # text | table
    period: int | None = None
    comparator: str = ""  # ≥, ≤, 达到 … for target values ("≥95%")
    table_id: str = ""
    row_index: int = -1
    col_index: int = -1
    row_path: tuple[str, ...] = field(default_factory=tuple)
    col_path: tuple[str, ...] = field(default_factory=tuple)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _clean_label(text: str) -> str:
    return re.sub(r"\s+", "", text or "").strip("：:，,。")


def _year_of(*texts: str) -> int | None:
    for t in texts:
        m = _YEAR_IN.search(t or "")
        if m:
            return int(m.group(1))
    return None


def _phrase_before(text: str, start: int) -> str:
    """The words the number at `start` measures: its clause up to the number, fillers trimmed."""
    head = text[:start]
    cut = max((m.end() for m in _CLAUSE_BREAK.finditer(head)), default=0)
    phrase = re.sub(r"\s+", "", head[cut:])
    last = next(reversed(list(_NUM.finditer(phrase))), None)
    if last is not None and last.group("unit"):  # "…344.88万件共计1036.39" -> 共计
        if re.fullmatch(r"[和及与、]?", phrase[last.end() :]) and len(head) > 0:
            # "分别为A元和B元": B is what A is (its year comes from 分别, see _respective_year)
            raw = head[cut:]
            runs = list(_NUM.finditer(raw))
            if runs and runs[-1].group("unit"):
                return _phrase_before(text, cut + runs[-1].start())
        phrase = phrase[last.end() :]
    phrase = _TRAILING_FILLER.sub("", phrase)
    phrase = _LEADING_FILLER.sub("", phrase)
    if len(phrase) < 2 or phrase in _glossary().qualifiers.get("total", ()):
        total = _listed_total(head, cut)
        if total:
            return total
    if len(phrase) < 2:  # "共3期" -> look at the previous clause's subject
        prev = head[:cut].rstrip("，,：:、")
        cut2 = max((m.end() for m in _CLAUSE_BREAK.finditer(prev)), default=0)
        phrase = _TRAILING_FILLER.sub("", re.sub(r"\s+", "", prev[cut2:])) + phrase
    phrase = re.sub(r"[\d.,%]+$", "", phrase)[-30:]
    phrase = re.sub(r"^[(（“\"'‘《]+|[(（“\"'‘《]+$", "", phrase)
    return "" if len(phrase) < 2 or phrase.endswith("每") else phrase


def _only_total(row_path: Sequence[str], col_path: Sequence[str]) -> bool:
    """Is a cell named only by a total word (合计, 总计, 小计) and columns that name no quantity
    ("2019年")? Its table's caption says what it totals."""
    g = _glossary()
    label = _clean_label("".join(row_path))
    return bool(label) and label in g.qualifiers.get("total", ()) and not g.concepts_in(" ".join(col_path))


def _listed_total(head: str, cut: int) -> str:
    """ "累计受理求助类信息691.51万件、累计受理派单类信息344.88万件，共计1036.39万件": a total after the
    parts it adds up measures what the parts have in common (累计受理共计), not the last part's words
    (which would name 1036.39 "累计受理派单类信息344.88万件"). "" when the clause says no total word
    or the parts share no name of two characters or more."""
    own = re.sub(r"\s+", "", head[cut:])
    word = next((w for w in _glossary().qualifiers.get("total", ()) if w in own), "")
    if not word:
        return ""
    left = max((m.end() for m in re.finditer(r"[。；;！？\n]", head[:cut])), default=0)
    names = []
    for clause in _CLAUSE_BREAK.split(head[left:cut]):
        clause = re.sub(r"\s+", "", clause)
        num = next((n for n in _NUM.finditer(clause) if n.group("unit")), None)
        if num is None:
            continue
        name = _LEADING_FILLER.sub("", _TRAILING_FILLER.sub("", clause[: num.start()]))
        if name:
            names.append(name)
    if len(names) < 2:
        return ""
    common = _longest_common_run(names)
    common = _LEADING_FILLER.sub("", _TRAILING_FILLER.sub("", common))
    return common + word if len(common) >= 2 and not re.search(r"\d", common) else ""


def _longest_common_run(names: list[str]) -> str:
    """The longest run of characters every name contains (the first such run on a tie)."""
    first = min(names, key=len)
    for size in range(len(first), 1, -1):
        for i in range(len(first) - size + 1):
            run = first[i : i + size]
            if all(run in n for n in names):
                return run
    return ""


# measure words after which a count's noun follows ("设9个内设机构", "建成5座泵站"); not 次/期/人,
# which a verb follows as often ("培训3期，参训120人参加…")
_CLASSIFIERS = frozenset("个名项座家所条台辆处场批篇户套份间张块")
_NOUN_AFTER = re.compile(r"[\u4e00-\u9fff]{2,10}")
_NOUN_STOP = re.compile(r"的|为|是|并|和|及|与|已|均|全|都|分别|其中|共|等|以上|以下|左右")


def _counted_noun(unit: str, after: str) -> str:
    """The noun a count's measure word counts, written after it ("9个内设机构" -> 内设机构), or ""."""
    if unit not in _CLASSIFIERS:
        return ""
    m = _NOUN_AFTER.match(after)
    if m is None:
        return ""
    noun = m.group()
    stop = _NOUN_STOP.search(noun)
    if stop is not None:
        if stop.group() == "的":
            return ""  # "3个乡镇的群众": the count is of the 乡镇, which modify what follows
        noun = noun[: stop.start()]
    return noun if len(noun) >= 2 else ""


def _respective_year(text: str, start: int) -> int | None:
    """ "2020年、2021年该项目实际支出分别为A元和B元": the k-th figure after 分别 is of the k-th year
    named before it; None when the sentence does not pair years with figures so."""
    left = max((m.end() for m in re.finditer(r"[。；;！？\n]", text[:start])), default=0)
    sentence = text[left:start]
    at = sentence.rfind("分别")
    if at < 0:
        return None
    years: list[int] = []
    for y in _YEAR_RANGE_IN.finditer(sentence[:at]):  # "2018-2020年" names each of its years
        last = int(y.group(2))
        first = int(y.group(1)) if y.group(1) else last
        years += [v for v in range(first, last + 1) if v not in years] if 0 <= last - first < 30 else []
    if len(years) < 2:
        return None
    before = [n for n in _NUM.finditer(sentence[at:]) if not re.fullmatch(r"(?:19|20)\d{2}", n.group("num"))]
    return years[len(before)] if len(before) < len(years) else None


def _clause_of(text: str, start: int, end: int) -> str:
    """The clause a number is read in: "年度目标为85个，实际完成95个" gives 95 the clause
    "实际完成95个", so the qualifier words of one clause (目标, 实际, 上年同期) are not every figure's
    of the sentence. A 其中/包括 earlier in the sentence is kept in front: the figures after it are
    parts ("总计85.98万元，其中甲22万元，乙4.98万元")."""
    head = text[:start]
    cut = max((m.end() for m in _CLAUSE_BREAK.finditer(head)), default=0)
    sentence_start = max((m.end() for m in re.finditer(r"[。；;！？\n]", head)), default=0)
    g = _glossary()
    parts = [w for w in g.qualifiers.get("part", ()) if w in text[sentence_start:cut]]
    prefix = parts[0] if parts else ""
    own = re.sub(r"\s+", "", text[cut:end])
    # "2023年度计划提供服务31600人次、开展培训660人次": a clause that says neither 计划, 实际 nor 上年
    # is of the nearest earlier clause of its sentence that does
    kinds = ("plan", "actual", "previous_year")
    if not any(w in own for k in kinds for w in g.qualifiers.get(k, ())):
        earlier = [c for c in _CLAUSE_BREAK.split(text[sentence_start:cut]) if c.strip()]
        since = tuple(g.changes.get("since_previous", ()))
        for clause in reversed(earlier):
            # "比上年下降1.2%" compares with last year; it does not make the next clause's figures last year's
            compares = any(s in clause for s in since)
            if compares:
                break  # the nearest clause that compares ends the search: earlier ones are other figures
            said = [
                w
                for k in kinds
                for w in g.qualifiers.get(k, ())
                if w in clause and not (k == "previous_year" and compares)
            ]
            if said:
                prefix += max(said, key=len)
                break
    return prefix + own


def _previous_year_of(description: str, doc_year: int | None) -> int | None:
    """A figure whose own phrase says it is last year's (上年同期, 去年) is of the year before the
    document's, unless the words belong to a budget stage (上年结转资金 is this year's money)."""
    if doc_year is None:
        return None
    g = _glossary()
    terms = [
        (h.start, h.end) for h in g.find(description) if g.concept(h.concept_id).category == "budget_stage"
    ]
    for w in g.qualifiers.get("previous_year", ()):
        for m in re.finditer(re.escape(w), description):
            if not any(s <= m.start() < e for s, e in terms):
                return doc_year - 1
    return None


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in re.finditer(r"[。；;！？\n]", text[:start])), default=0)
    m = re.search(r"[。；;！？\n]", text[end:])
    right = end + m.end() if m else len(text)
    return text[left:right].strip()


_NUMBER_RUN = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?%?(?:[ \t]+[-−]?\d[\d,]*(?:\.\d+)?%?){2,}")


def _in_number_row(text: str, start: int, end: int) -> bool:
    """Is the number one of three or more separated only by spaces or tabs on its line (a table's
    row that reached the text layer without its grid)?"""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    at = start - line_start
    return any(r.start() <= at < r.end() for r in _NUMBER_RUN.finditer(line))


def text_facts(doc_id: str, page: Page, *, start_index: int, doc_year: int | None) -> list[Fact]:
    text = _nfkc(page.text)
    blocked = [m.span() for m in _NOT_MEASURES.finditer(text)]
    out: list[Fact] = []
    for m in _NUM.finditer(text):
        s = m.start("num")
        if any(bs <= s < be for bs, be in blocked):
            continue
        digits = m.group("num").replace(",", "")
        unit = m.group("unit") or ""
        if unit == "万" and re.match(r"\s*元", text[m.end() :]):
            unit = "万元"  # "8.47 万" at a line's end, "元" on the next line
        if not unit and "." not in digits and len(digits) <= 1:
            continue  # a bare single digit is an ordinal or a count word, not a measure
        if not unit and re.fullmatch(r"(?:19|20)\d{2}", digits):
            continue
        if _in_number_row(text, m.start(), m.end()):
            continue  # "接听量(万次)  1012.36  562.05 …": a table row read as text; its cells say which is which
        description = _phrase_before(text, m.start())
        if not description:
            continue
        counted = _counted_noun(unit, text[m.end() :])
        if counted and counted not in description:
            description += counted  # "招商服务中心设9个内设机构": 9 counts 内设机构
        if (
            unit == "分"
            and re.search(r"[（(]\s*$", text[: m.start()])
            and re.match(r"\s*[)）]", text[m.end() :])
            and not _SCORE_WORDS.search(description)
        ):
            description += "分值"  # "效益（30分）": the points a label states are its weight, not a score
        if unit == "万" and re.search(_MONEY_WORDS, description):
            unit = "万元"  # "支出决算8.47万": 万 of money
        sign = "-" if m.group("sign") else ""
        quote = _sentence_around(text, m.start(), m.end())
        clause = _clause_of(text, m.start(), m.end())
        out.append(
            Fact(
                id=f"{doc_id}:f{start_index + len(out):05d}",
                doc_id=doc_id,
                value=sign + digits,
                unit=unit,
                description=description,
                context=clause[:200],
                page=page.number,
                quote=quote[:300],
                source="text",
                period=_respective_year(text, m.start())
                or _year_of(description, quote[: max(0, m.start() - text.find(quote))])
                or _previous_year_of(description, doc_year)
                or doc_year,
            )
        )
    return _inherit_subjects(out)


def _inherit_subjects(facts: list[Fact]) -> list[Fact]:
    """ "某局“三公”经费财政拨款支出年初预算为22.00万元，支出决算为8.77万元": the second figure's
    phrase names only a measure (支出决算); what it measures is the subject of the figure before it
    in the same sentence (某局“三公”经费财政拨款…)."""
    g = _glossary()
    out: list[Fact] = []
    for f in facts:
        prev = out[-1] if out else None
        if prev is not None and prev.quote == f.quote and _only_measures(f.description, g):
            subject = _subject_of(prev.description, g)
            if subject:
                f = replace(f, description=_join_overlap(subject, f.description))
        out.append(f)
    return out


def _measure_spans(text: str, g: Any) -> list[tuple[int, int]]:
    """Spans of words that say which figure of a thing this is (a budget stage, a form column, a
    score; or 实际 / 计划 / 上年同期), not what thing."""
    spans = [
        (h.start, h.end)
        for h in g.find(text)
        if g.concept(h.concept_id).category in ("budget_stage", "form_column", "score")
    ]
    for name in ("plan", "actual", "previous_year"):
        for w in g.qualifiers.get(name, ()):
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(w), text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _only_measures(description: str, g: Any) -> bool:
    spans = _measure_spans(description, g)
    return bool(spans) and sum(e - s for s, e in spans) == len(description)


def _subject_of(description: str, g: Any) -> str:
    """The description without the measure words at its end: what the figure is of."""
    spans = _measure_spans(description, g)
    end = len(description)
    for s, e in sorted(spans, reverse=True):
        if e != end:
            break
        end = s
    return description[:end] if 2 <= end < len(description) else ""


def _join_overlap(subject: str, measure: str) -> str:
    """ "…财政拨款支出" + "支出决算" -> "…财政拨款支出决算"."""
    for k in range(min(len(subject), len(measure)), 0, -1):
        if subject.endswith(measure[:k]):
            return subject + measure[k:]
    return subject + measure


def _target_number(raw: str) -> tuple[str, str, str] | None:
    """ "≥95%" -> ("95", "%", "≥"); "达到100人次" -> ("100", "人次", "达到")."""
    text = _nfkc(raw or "").strip()
    comp = _COMPARATOR.match(text)
    if not comp:
        return None
    m = _NUM.fullmatch(text[comp.end() :].strip())
    if not m:
        return None
    return m.group("num").replace(",", ""), m.group("unit") or "", comp.group(1)


def _number_in(raw: str) -> tuple[str, str, str, bool] | None:
    """(value, unit, comparator, is_percent) of a cell that holds one number; None for text."""
    parsed = parse_number(raw)
    if parsed is not None:
        return parsed.value, parsed.unit, "", parsed.is_percent
    bare = re.fullmatch(r"\s*(\d[\d,]*(?:\.\d+)?)\s*万\s*", _nfkc(raw or ""))
    if bare:  # "864.2万": 万 of whatever the labels count (万元 beside money words)
        return bare.group(1).replace(",", ""), "万", "", False
    target = _target_number(raw)
    if target is not None:
        value, unit, comp = target
        return value, unit, comp, unit == "%"
    return None


def _is_label(raw: str) -> bool:
    text = _clean_label(raw)
    return bool(text) and _number_in(raw) is None and bool(re.search(r"[\u3400-\u9fffA-Za-z]", text))


# form columns whose cells explain or justify a line (评分标准, 指标说明, 偏差原因) rather than name it
_NAMING_COLUMNS = frozenset(
    {
        "level1_indicator",
        "level2_indicator",
        "level3_indicator",
        "indicator_name",
        "target_value",
        "actual_value",
    }
)


def _glossary() -> Any:
    from ingest.glossary import load_glossary

    return load_glossary()


def _note_columns(header_paths: dict[int, tuple[str, ...]]) -> set[int]:
    g = _glossary()
    out = set()
    for col, path in header_paths.items():
        if not path:
            continue
        ids = g.concepts_in(path[-1])
        if ids and all(
            g.concept(i).category == "form_column"
            and g.concept(i).kind == "text"
            and i not in _NAMING_COLUMNS
            for i in ids
        ):
            out.add(col)
    return out


def _is_sentence(label: str) -> bool:
    """A scoring rule or explanation in a cell ("无结余,3分;有结余,但不超过上年结转,2分…"): text
    beside the row, not a level of its name."""
    return len(label) > 20 and bool(re.search(r"[，,;；。]", label))


def table_facts(doc_id: str, table: Table, *, start_index: int, doc_year: int | None) -> list[Fact]:
    """Every number cell of a table, described by the table's own labels: the text cells to its
    left in its row (the row path) and the nearest text cells above it in its column (the column
    path) — so a form whose header is several rows deep, or a label/value table ("人员编制 | 21 |
    实有人数 | 21"), is read by what it says, not by a fixed layout."""
    caption = _clean_label(table.caption)
    grid = [list(r) for r in table.header] + [list(r) for r in table.rows]
    offset = len(table.header)
    pages = {(c.row_index, c.col_index): c.page for c in table.cells}
    units = {(c.row_index, c.col_index): c.unit for c in table.cells}
    default_unit = next(iter(units_of_unit_line(table.unit_line)), "")
    if not default_unit:  # a money unit named once in the table's labels ("预算执行情况（万元）")
        named = {u for r in grid for x in r if _is_label(x) for u in re.findall(r"亿元|万元|千元", _nfkc(x))}
        default_unit = named.pop() if len(named) == 1 else ""
    header_paths = {
        c.col_index: tuple(_clean_label(h) for h in c.col_header if _clean_label(h)) for c in table.cells
    }
    notes = _note_columns(header_paths)
    serial = _glossary().is_serial_label
    serial_cols = {
        c
        for c in range(max((len(r) for r in grid), default=0))
        # the column's heading (its first label) says so; a 栏次 row's first cell does not make
        # the column of row names a serial column
        if any(serial(_clean_label(r[c]) or "-") for r in grid[:offset] if c < len(r))
        or serial(next((_clean_label(r[c]) for r in grid if c < len(r) and _is_label(r[c])), "-"))
        or serial((header_paths.get(c) or ("-",))[-1])
    }
    out: list[Fact] = []
    for r in range(offset, len(grid)):
        row = grid[r]
        for c, raw in enumerate(row):
            number = _number_in(raw)
            if number is None:
                continue
            value, unit, comparator, is_percent = number
            left: list[str] = []
            for cc in range(c - 1, -1, -1):  # the labels just left of it, up to the previous number
                x = row[cc]
                if cc in serial_cols or cc in notes:
                    continue  # a line-number column, or a column of rules or explanations, is transparent
                if _number_in(x) is not None:
                    break
                if _is_label(x) and not _is_sentence(_clean_label(x)):
                    left.insert(0, _clean_label(x))
            if not left:  # a form's line: its label is at the start, the numbers follow
                left = [
                    _clean_label(x)
                    for cc, x in enumerate(row[:c])
                    if _is_label(x) and cc not in notes and cc not in serial_cols
                ]
            row_path = tuple(dict.fromkeys(x for x in left if len(x) <= 60 and not _is_sentence(x)))[-3:]
            above: list[str] = []
            for rr in range(r - 1, -1, -1):  # the nearest label above it in its column
                cell_text = grid[rr][c] if c < len(grid[rr]) else ""
                if _is_label(cell_text):
                    above = [_clean_label(cell_text)]
                    if rr < offset:  # the table's own header: keep its full (multi-level) path
                        above = list(header_paths.get(c, ())) or above
                    break
            col_path = tuple(x for x in above if len(x) <= 40 and not _KEY_VALUE.match(x))
            if c in serial_cols or (col_path and serial(col_path[-1])) or (row_path and serial(row_path[-1])):
                continue  # a line number, not a measure
            if not row_path and not col_path:
                continue
            labels = (*row_path, *col_path)
            if unit == "万":
                unit = "万元" if re.search(_MONEY_WORDS, "".join(labels) + caption) else ""
            table_unit = units.get((r - offset, c), "")
            if (
                table_unit
                and col_path
                and _SCORE_WORDS.search(col_path[-1])
                and not unit_in_label(col_path[-1])
            ):
                # a score or rate column under a table-wide "单位：亿元": the column's own label wins
                table_unit = "分" if re.search(r"分", col_path[-1]) else ""
            unit = (
                unit
                or ("%" if is_percent else "")
                or table_unit
                or next((u for u in (unit_in_label(h) for h in reversed(labels)) if u), "")
                or (
                    default_unit
                    if re.search(_MONEY_WORDS, "".join(labels)) and not _SCORE_WORDS.search("".join(labels))
                    else ""
                )
            )
            out.append(
                Fact(
                    id=f"{doc_id}:f{start_index + len(out):05d}",
                    doc_id=doc_id,
                    value=value,
                    unit=unit,
                    description=" ".join(
                        p
                        for p in (
                            # a 合计 row measures what the table's caption names ("“三公”经费支出…合计")
                            caption if _only_total(row_path, col_path) else "",
                            "/".join(row_path),
                            "/".join(col_path),
                        )
                        if p
                    ),
                    context=" ".join(p for p in (caption, "/".join(row_path), "/".join(col_path)) if p),
                    page=pages.get((r - offset, c), table.pages[0] if table.pages else 1),
                    quote=(f"{caption}：" if caption else "") + "｜".join(x for x in row if x)[:240],
                    source="table",
                    period=_year_of(*col_path, *row_path) or _year_of(caption) or doc_year,
                    comparator=comparator,
                    table_id=table.id,
                    row_index=r - offset,
                    col_index=c,
                    row_path=row_path,
                    col_path=col_path,
                )
            )
    return out


def extract_facts(doc_id: str, pages: list[Page], tables: list[Table], *, year: int | None) -> list[Fact]:
    """Every measure of a document: table cells first (they are exact), then sentences. A table's
    text on its page is not read again as sentences."""
    facts: list[Fact] = []
    for t in tables:
        facts += table_facts(doc_id, t, start_index=len(facts), doc_year=year)
    table_values = {(f.page, f.value) for f in facts}
    row_names = {(f.page, _bare_label(f.row_path[-1])) for f in facts if f.row_path}
    for p in pages:
        for f in text_facts(doc_id, p, start_index=len(facts), doc_year=year):
            if (f.page, f.value) in table_values and f.unit in ("", "%"):
                continue  # the same cell, read again from the page's text layer
            if (f.page, _bare_label(f.description)) in row_names:
                continue  # a table row read again as text (its numbers may run together: "29423.20")
            facts.append(f)
    return [_renumber(f, i) for i, f in enumerate(facts)]


def _bare_label(label: str) -> str:
    """A row's name without its ordinal and spacing: "一、一般公共服务支出" -> "一般公共服务支出"."""
    text = re.sub(r"\s+", "", _nfkc(label))
    return re.sub(
        r"^(?:[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.](?!\d))", "", text
    )


def _renumber(f: Fact, i: int) -> Fact:
    return replace(f, id=f"{f.doc_id}:f{i:05d}")
