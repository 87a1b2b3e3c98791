"""Finding evidence through the Toolbox: figures in table cells (find_figure), figures in sentences
(search_documents), section items and clauses. Every tool call is recorded (for "未找到" answers that
say what was searched) and reported as a progress event.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from ingest.fold import fold
from service.answer.base import EventSink, emit
from service.answer.deterministic.evidence import (
    Figure,
    Passage,
    cells_from,
    find_years,
    normalize_space,
    number_mentions,
    passages_from,
    split_sentences,
    to_halfwidth,
)
from service.answer.deterministic.lexicon import Concept, Lexicon, clean_header, cut_for_search
from service.answer.models import ProgressEvent

_QUALIFIER = re.compile(r"计划|目标|预期|设定|原定|申报|额定|上限")
_TOTAL = re.compile(r"(共计|合计|总计|总额|全年累计|累计)\s*$")
_BASELINE = re.compile(r"均值|平均")
_CHANGE_BEFORE = re.compile(r"(增加|增长|提高|上升|上涨|减少|下降|降低|多|少)了?\s*[-−]?\s*$")
_TARGET_CONTEXT = re.compile(r"目标|计划|预期|设定|申报|预定|额定|定额|上限")
_CHANGE_STATED = re.compile(
    r"(?:较|比|同比)\s*(?P<year>(?:19|20)\d{2})\s*年度?[^，,。；;]{0,12}?"
    r"(?P<verb>增加|增长|提高|上升|上涨|多|减少|下降|降低|少)了?\s*(?P<num>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万人次|万元|亿元|元|万件|万次|人次|万人|个|人|名|条|件|次|篇|期|项)"
)

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def is_change_amount(sentence: str, start: int) -> bool:
    """Whether the number at `start` is stated as a change ("增加了24445人次"), not as a level."""
    return bool(_CHANGE_BEFORE.search(sentence[max(0, start - 5) : start]))


@dataclass(frozen=True)
class StatedChange:
    """ "较2019年增加了24445人次": the change of a figure against `year`, in a sentence of a passage."""

    passage: Passage
    sentence: str
    year: int
    amount: str  # signed: a decrease is negative
    unit: str


@dataclass
class FigureSpec:
    """What figure to look for."""

    concept: Concept | None = None
    entities: list[str] = field(default_factory=list)
    year: int | None = None
    terms: list[str] = field(default_factory=list)
    baseline: bool = False  # the question asks for a multi-year average
    qualified: bool = False  # the question itself asks for a planned/target value
    columns: tuple[str, ...] = ()  # preferred column words, e.g. ("预算金额",)
    policy: bool = False  # figures from policy documents (an indicator table) instead of reports

    def query(self, name: str | None = None) -> str:
        words = []
        if self.year:
            words.append(f"{self.year}年")
        words += self.entities
        if name or self.concept:
            words.append(name or self.concept.key)  # type: ignore[union-attr]
        words += list(self.columns)
        words += self.terms
        return " ".join(dict.fromkeys(w for w in words if w))

    @property
    def kind(self) -> str | None:
        return self.concept.kind if self.concept else None


@dataclass
class ToolCall:
    tool: str
    args: dict[str, Any]
    seconds: float
    ok: bool


class Finder:
    def __init__(
        self,
        toolbox: Any,
        lexicon: Lexicon,
        *,
        document_ids: list[str] | None = None,
        on_event: EventSink | None = None,
    ) -> None:
        self.toolbox = toolbox
        self.lexicon = lexicon
        self.document_ids = document_ids or None
        self.on_event = on_event
        self.calls: list[ToolCall] = []
        self.searched: list[str] = []  # human-readable: what was looked for
        self._used_cache: dict[str, bool] = {}

    # ---- tool calls -----------------------------------------------------------------------
    def call(self, tool: str, **args: Any) -> Any:
        emit(self.on_event, ProgressEvent(stage="tool", tool=tool, tool_input=args, detail=f"调用 {tool}"))
        t0 = time.perf_counter()
        try:
            result = getattr(self.toolbox, tool)(**args)
        except Exception as exc:
            result = {"error": {"code": type(exc).__name__, "message": str(exc)}}
        ok = not (isinstance(result, dict) and "error" in result)
        self.calls.append(ToolCall(tool, args, time.perf_counter() - t0, ok))
        emit(
            self.on_event,
            ProgressEvent(
                stage="tool", tool=tool, tool_input=args, tool_output=_summary(result), detail="完成"
            ),
        )
        return result

    def search(self, query: str, *, doc_ids: list[str] | None = None, k: int = 8) -> list[Passage]:
        ids = doc_ids or self.document_ids
        args: dict[str, Any] = {"query": query, "k": k}
        if ids:
            args["document_ids"] = ids
        self.searched.append(f"全文检索“{query}”")
        return passages_from(self.call("search_documents", **args))

    def cells(self, query: str, *, doc_ids: list[str] | None = None) -> list[dict[str, Any]]:
        args: dict[str, Any] = {"query": query}
        ids = doc_ids or self.document_ids
        if ids:
            args["document_ids"] = ids
        self.searched.append(f"表格单元格“{query}”")
        return cells_from(self.call("find_figure", **args))

    # ---- figures ----------------------------------------------------------------------------
    def figure(self, spec: FigureSpec) -> Figure | None:
        found = self.figures(spec)
        return found[0] if found else None

    def figures(self, spec: FigureSpec) -> list[Figure]:
        """Candidates best first: cells, then sentences (cells win ties: tables are data)."""
        scope = self.policy_scope() if spec.policy else None
        out = [f for f in (self._score_cell(spec, c) for c in self.cells(spec.query(), doc_ids=scope)) if f]
        if not out and spec.concept:
            # the table may word it differently: retry with the concept's other names
            for alt in _alternatives(spec)[:3]:
                out = [f for f in (self._score_cell(spec, c) for c in self.cells(alt, doc_ids=scope)) if f]
                if out:
                    break
        if (not out or max(f.score for f in out) < 3) and not spec.policy:
            passages = self.search(spec.query(), doc_ids=self.report_scope())
            out += self._text_figures(spec, passages)
        return sorted(out, key=lambda f: (-f.score, f.source != "cell", f.page))

    def _score_cell(self, spec: FigureSpec, c: dict[str, Any]) -> Figure | None:
        row, col = clean_header(c["row"]), clean_header(c["column"])
        caption = clean_header(c["table"])
        inside = row + "|" + col
        hay = inside + "|" + caption
        if c["doc_id"] and (self.lexicon.doc_kinds.get(c["doc_id"]) == "policy") != spec.policy:
            return None
        score = 0.0
        if spec.concept:
            forms = [m for m in spec.concept.match + spec.concept.synonyms if len(m) >= 2]
            # a two-character name is the head of the header, not its modifier: "培训" names the
            # header "开展培训" but not "培训导师" or "培训费"
            hits = [m for m in forms if m in inside and (len(m) > 2 or row.endswith(m) or col.endswith(m))]
            if not hits:
                return None
            score += 3 + (1 if any(m in (row, col) for m in hits) else 0)
        for e in spec.entities:
            if e in inside:
                score += 2.5
            elif e in caption:
                score += 0.5
            else:
                return None
        for t in spec.terms:  # other words of the question: a whole header helps, a miss costs a little
            score += 1 if t in (row, col) or (len(t) >= 3 and t in hay) else (0 if t in hay else -0.5)
        for w in spec.columns:
            if w in col:
                score += 2
            else:
                return None
        if not spec.concept and not spec.entities:
            return None
        if spec.kind == "rate" and c["unit"] != "%":
            return None
        if spec.kind in ("amount", "count", "score") and c["unit"] == "%":
            return None
        header_years = find_years(c["row"] + " " + c["column"]) or [
            int(y) for y in re.findall(r"(?:19|20)\d{2}", inside)
        ]
        doc_year = self.lexicon.doc_years.get(c["doc_id"])
        is_baseline = bool(_BASELINE.search(inside))
        if is_baseline != spec.baseline and (header_years or is_baseline):
            if is_baseline:
                return None
            score -= 0.5
        elif is_baseline and spec.baseline:
            score += 2
        if spec.year:
            if header_years:
                if spec.year not in header_years:
                    return None
                score += 2
            elif doc_year and doc_year != spec.year:
                return None
        elif header_years and not is_baseline:
            if doc_year and doc_year in header_years:
                score += 1
            else:
                score -= 1
        if not spec.entities and row in ("合计", "总计"):
            score += 1
        quote = c["row_text"] or f"{c['table']}：{c['row']} {c['column']} {c['raw']}".strip()
        unit = c["unit"] or _unit_of(c["table"], c["row"] + c["column"])
        if not unit and spec.kind == "score":
            unit = "分"
        return Figure(
            value=c["value"],
            unit=unit,
            doc_id=c["doc_id"],
            title=c["title"] or self.lexicon.titles.get(c["doc_id"], ""),
            page=c["page"],
            quote=quote,
            source="cell",
            label=f"{row} {col}".strip(),
            table=c["table"],
            table_id=c["table_id"],
            row=c["row"],
            column=c["column"],
            year=spec.year or (header_years[0] if len(header_years) == 1 else None),
            score=score,
        )

    def _text_figures(self, spec: FigureSpec, passages: list[Passage]) -> list[Figure]:
        out: list[Figure] = []
        for rank, p in enumerate(passages):
            if self.lexicon.doc_kinds.get(p.doc_id) == "policy" or p.kind == "table":
                continue
            doc_year = self.lexicon.doc_years.get(p.doc_id)
            for sent in split_sentences(p.text):
                f = self._sentence_figure(spec, p, sent, doc_year)
                if f:
                    out.append(Figure(**{**f.__dict__, "score": f.score + 1 / (2 + rank)}))
        return out

    def _sentence_figure(
        self, spec: FigureSpec, p: Passage, sent: str, doc_year: int | None
    ) -> Figure | None:
        s = normalize_space(sent)
        anchors: list[tuple[int, int]] = []
        score = 0.0
        if spec.concept:
            forms = sorted(
                {m for m in spec.concept.match + spec.concept.synonyms if len(m) >= 2}, key=len, reverse=True
            )
            for m in forms:
                anchors += [(x.start(), x.end()) for x in re.finditer(re.escape(m), s)]
            if not anchors:
                return None
            score += 3
        for e in spec.entities:
            pos = s.find(e)
            if pos < 0:
                return None
            score += 2
            if not spec.concept:
                anchors.append((pos, pos + len(e)))
        if not anchors:
            return None
        for t in spec.terms:
            score += 1 if (t in s or t in p.section) else -0.5
        best: tuple[float, Any] | None = None
        for num in number_mentions(s):
            if spec.kind == "rate" and num.unit != "%":
                continue
            if spec.kind in ("amount", "count") and num.unit in ("%", "分"):
                continue
            if spec.kind == "score" and num.unit not in ("分", ""):
                continue
            if spec.year and not (
                num.year == spec.year
                or (
                    num.year is None
                    and doc_year == spec.year
                    and not _other_year_before(s, num.start, spec.year)
                )
            ):
                continue
            if not spec.year and num.year not in (None, doc_year):
                continue
            # distance from the nearest anchor before the number, else a short way after it
            d, between = _distance(anchors, num.start, num.end, s)
            if d is None or d > 60:
                continue
            baseline_near = bool(_BASELINE.search(between)) or bool(
                _BASELINE.search(s[max(0, num.start - 8) : num.start])
            )
            if spec.baseline != baseline_near:
                if spec.baseline:
                    continue  # a multi-year average must be stated as one ("较2018-2019年均值10.58万元")
                score_adj = -1.5
            else:
                score_adj = 0.0
            if spec.kind in ("amount", "count") and is_change_amount(s, num.start):
                continue  # "较2019年增加了24445人次" states a change, not the figure itself
            ns = score - d / 20 + score_adj
            if _QUALIFIER.search(between) and not spec.qualified:
                ns -= 2.5
            if "其中" in s[max(0, num.start - 12) : num.start]:
                ns -= 0.5  # "其中线上培训30948人次": a part of the figure, not the figure
            if _TOTAL.search(s[max(0, num.start - 6) : num.start]):
                ns += 3  # "共计 1036.39 万件": the total, not one of its parts
            if re.search(r"[；;，,]", between):
                ns -= 0.5
            if best is None or ns > best[0]:
                best = (ns, num)
        if best is None:
            return None
        ns, num = best
        return self._text_figure(
            p, sent, num, label=spec.concept.key if spec.concept else " ".join(spec.entities), score=ns
        )

    def _text_figure(self, p: Any, sent: str, num: Any, *, label: str, score: float) -> Figure:
        """A figure stated in sentence `sent` of passage `p`, quoted and cited at its page."""
        return Figure(
            value=num.value,
            unit=num.unit,
            doc_id=p.doc_id,
            title=p.title or self.lexicon.titles.get(p.doc_id, ""),
            page=_page_of(p, sent),
            quote=sent.strip(),
            source="text",
            label=label,
            year=num.year,
            score=score,
        )

    # ---- figures for arithmetic between stated figures ---------------------------------------------
    def stated_changes(self, concept: Concept, year: int) -> list[StatedChange]:
        """Sentences stating how a figure changed against `year` ("培训总数较2019年增加了24445人次")."""
        forms = [m for m in concept.match + concept.synonyms if len(m) >= 2]
        out: list[StatedChange] = []
        for p, sent in self.sentences(
            f"{concept.key} 较{year}年 增加 减少", must=[str(year)], any_of=forms, doc_ids=self.report_scope()
        ):
            if self.lexicon.doc_kinds.get(p.doc_id) == "policy":
                continue
            s = to_halfwidth(normalize_space(sent))
            for m in _CHANGE_STATED.finditer(s):
                if int(m.group("year")) != year:
                    continue
                # the change must be the concept's: its name stated before the change in the sentence
                if not any(f in s[: m.start()] for f in forms):
                    continue
                down = m.group("verb") in ("减少", "下降", "降低", "少")
                amount = ("-" if down else "") + m.group("num")
                out.append(StatedChange(p, sent, year, amount, m.group("unit")))
        return out

    def sentence_figure(self, spec: FigureSpec, p: Passage, sentence: str) -> Figure | None:
        """The spec's figure in one given sentence (the current value next to a stated change)."""
        return self._sentence_figure(spec, p, sentence, self.lexicon.doc_years.get(p.doc_id))

    def target_figures(self, concept: Concept, *, unit_ok: Any) -> list[Figure]:
        """Planned / target values of a figure: numbers next to the concept's name in a sentence of the
        绩效目标 section, or said to be 计划/目标/设定 ("计划接听率为90%", "开展8000人次业务培训")."""
        forms = sorted({m for m in concept.match + concept.synonyms if len(m) >= 2}, key=len, reverse=True)
        out: list[Figure] = []
        for rank, p in enumerate(
            self.search(f"绩效目标 计划 {concept.key}", doc_ids=self.report_scope(), k=10)
        ):
            if self.lexicon.doc_kinds.get(p.doc_id) == "policy" or p.kind == "table":
                continue
            in_goals = bool(re.search(r"绩效目标|目标", p.section))
            for sent in split_sentences(p.text):
                s = normalize_space(sent)
                anchors = [(x.start(), x.end()) for f in forms for x in re.finditer(re.escape(f), s)]
                if not anchors:
                    continue
                goal_sentence = in_goals or bool(re.search(r"绩效目标|目标为|计划", s))
                for num in number_mentions(s):
                    if not unit_ok(num.unit):
                        continue
                    d, _ = _distance(anchors, num.start, num.end, s)
                    if d is None or d > 60:
                        continue
                    near = s[max(0, num.start - 12) : num.start]
                    qualified = bool(_TARGET_CONTEXT.search(near))
                    if not (qualified or goal_sentence):
                        continue
                    if re.search(r"实际|累计|完成了?$", near) and not qualified:
                        continue
                    score = 3 + (2 if qualified else 0) + (1 if in_goals else 0) - d / 20 + 1 / (2 + rank)
                    out.append(self._text_figure(p, sent, num, label=f"{concept.key}目标值", score=score))
        return sorted(out, key=lambda f: (-f.score, f.page))

    def phrase_figures(
        self, words: list[str], *, qualified: bool, year: int | None, unit_ok: Any
    ) -> list[Figure]:
        """A figure named by free words no concept or header covers ("额定人数", "申报的录用人数"):
        numbers whose preceding words in the same clause contain most of `words`."""
        words = [w for w in words if len(w) >= 2]
        if not words:
            return []
        whole = "".join(words)
        out: list[Figure] = []
        for rank, p in enumerate(self.search(" ".join(words), doc_ids=self.report_scope(), k=10)):
            if self.lexicon.doc_kinds.get(p.doc_id) == "policy" or p.kind == "table":
                continue
            doc_year = self.lexicon.doc_years.get(p.doc_id)
            for sent in split_sentences(p.text):
                s = fold(normalize_space(sent))
                if not all(fold(w) in s or fold(w) in fold(p.section) for w in words):
                    continue  # every word naming the figure is in its sentence
                for num in number_mentions(s):
                    if not num.unit or not unit_ok(num.unit) or is_change_amount(s, num.start):
                        continue
                    if year and num.year not in (year, None if doc_year == year else -1):
                        continue
                    if not year and num.year not in (None, doc_year):
                        continue  # "2018-2020年…分别为621人、777人、909人": no year asked is the report's
                    window = re.split(r"[；;。]", s[max(0, num.start - 24) : num.start])[-1]
                    hits = [w for w in words if w in window]
                    if not hits or len(hits) * 2 < len(words):
                        continue
                    last = max(window.rfind(w) + len(w) for w in hits)
                    score = len(hits) * 2 + (3 if whole in window else 0) - (len(window) - last) / 10
                    has_qualifier = bool(_TARGET_CONTEXT.search(window))
                    if has_qualifier != qualified:
                        score -= 2
                    out.append(self._text_figure(p, sent, num, label=whole, score=score + 1 / (2 + rank)))
        return sorted(out, key=lambda f: (-f.score, f.page))

    def row_figures(self, fig: Figure, *, along: str = "row") -> list[Figure]:
        """Every value in the same table row (or column) as `fig`, read with get_table, in table order."""
        if fig.source != "cell" or not fig.table_id:
            return [fig]
        res = self.call("get_table", doc=fig.doc_id, caption_or_id=fig.table_id)
        rows = res.get("rows", []) if isinstance(res, dict) else []
        caption = (
            f"{fig.table}（{res.get('unit_line')}）"
            if isinstance(res, dict) and res.get("unit_line")
            else fig.table
        )
        out = []
        for c in cells_from({"cells": res.get("cells", [])} if isinstance(res, dict) else {}):
            if (c["row"] if along == "row" else c["column"]) != (fig.row if along == "row" else fig.column):
                continue
            quote = fig.quote
            if along == "column":  # each value is quoted with its own row
                label = c["row_first"]
                line = next((r for r in rows if r and normalize_space(str(r[0])) == label), None)
                text = " ".join(str(x) for x in line if x) if line else ""
                quote = (f"{caption}：{text}" if caption else text) if line else quote
            out.append(
                Figure(
                    value=c["value"],
                    unit=c["unit"] or fig.unit,
                    doc_id=fig.doc_id,
                    title=fig.title,
                    page=c["page"] or fig.page,
                    quote=quote,
                    source="cell",
                    label=c["column"] if along == "row" else c["row_first"],
                    table=fig.table,
                    table_id=fig.table_id,
                    row=c["row"],
                    column=c["column"],
                )
            )
        return out or [fig]

    def report_scope(self) -> list[str] | None:
        """Reports to read figures from: the asked-for documents that are reports, else every report."""
        reports = self.lexicon.report_doc_ids()
        if self.document_ids:
            return [d for d in self.document_ids if d in reports] or list(self.document_ids)
        return reports or None

    def policy_scope(self) -> list[str] | None:
        policies = self.lexicon.policy_doc_ids()
        if self.document_ids:
            return [d for d in self.document_ids if d in policies] or list(self.document_ids)
        return policies or None

    def present(self, term: str) -> bool:
        """Whether the corpus mentions `term` at all (whole, or every part jieba finds in it)."""
        texts = self._texts(term)
        term = fold(term)
        if any(term in t for t in texts):
            return True
        parts = [w for w in cut_for_search(term) if len(w) >= 2 and w != term]
        return bool(parts) and all(any(w in t for t in texts) for w in parts)

    def present_in(self, term: str, question: str) -> bool:
        """Is a word the segmenter cut out of the question ("水塘" of 耒水塘门口) only a wrong cut?
        True when every character of it is in a longer or neighbouring piece of the question's own
        run of characters that the corpus does use (耒水, 塘门口)."""
        at = question.find(term)
        if at < 0 or len(term) < 2:
            return False
        lo, hi = at, at + len(term)
        while lo > 0 and _CJK_CHAR.match(question[lo - 1]):
            lo -= 1
        while hi < len(question) and _CJK_CHAR.match(question[hi]):
            hi += 1
        run, start = question[lo:hi], at - lo
        if len(run) > 24:  # (a longer run is no one name: its pieces are looked up one by one)
            return False

        def covered(k: int) -> bool:
            for size in (4, 3, 2):
                for left in range(max(0, k - size + 1), min(k, len(run) - size) + 1):
                    piece = run[left : left + size]
                    if term not in piece and piece != term and self._used(piece):
                        return True
            return False

        return all(covered(start + k) for k in range(len(term)))

    def _used(self, piece: str) -> bool:
        if piece not in self._used_cache:
            self._used_cache[piece] = any(fold(piece) in t for t in self._texts(piece))
        return self._used_cache[piece]

    def _texts(self, term: str) -> list[str]:
        """The passages a search for `term` finds, and the documents' own titles ("江北区…三公经费
        预算情况": a word of a title is mentioned), folded (評價 is 评价)."""
        texts = [fold(normalize_space(p.text) + p.section) for p in self.search(term, k=5)]
        scope = set(self.document_ids or self.lexicon.titles)
        return texts + [
            fold(re.sub(r"\s+", "", t)) for d, t in self.lexicon.titles.items() if d in scope and t
        ]

    # ---- sentences --------------------------------------------------------------------------
    def sentences(
        self,
        query: str,
        *,
        must: list[str],
        any_of: tuple[str, ...] | list[str] = (),
        doc_ids: list[str] | None = None,
        k: int = 8,
    ) -> list[tuple[Passage, str]]:
        """Sentences from retrieved passages that contain every word of `must` (and one of `any_of`)."""
        out: list[tuple[float, Passage, str]] = []
        for rank, p in enumerate(self.search(query, doc_ids=doc_ids, k=k)):
            for sent in split_sentences(p.text):
                s = fold(normalize_space(sent))  # matched as simplified; the quote keeps the document's
                if all(w in s for w in must) and (not any_of or any(w in s for w in any_of)):
                    hits = sum(1 for w in any_of if w in s)
                    out.append((hits + 1 / (1 + rank), p, sent.strip()))
        out.sort(key=lambda t: -t[0])
        seen: set[str] = set()
        result = []
        for _, p, s in out:
            if s not in seen:
                seen.add(s)
                result.append((p, s))
        return result


def page_of(p: Passage, sentence: str) -> int:
    return _page_of(p, sentence)


def _page_of(p: Passage, sentence: str) -> int:
    """The page a sentence is on: a passage crossing a page break knows only its first and last page;
    a sentence in the second half of such a passage is attributed to the last page."""
    if not p.end_page or p.end_page == p.page:
        return p.page
    pos = p.text.find(sentence[:12])
    if pos < 0:
        return p.page
    return p.end_page if pos > len(p.text) * 0.5 else p.page


def _alternatives(spec: FigureSpec) -> list[str]:
    """Other names to query the tables with: how the evidence words it first, then how people ask."""
    assert spec.concept is not None
    seen = {spec.concept.key}
    names = []
    for m in (*spec.concept.match, *sorted(spec.concept.synonyms, key=len, reverse=True)):
        if len(m) >= 2 and m not in seen:
            seen.add(m)
            names.append(m)
    return [spec.query(n) for n in names]


def _distance(anchors: list[tuple[int, int]], start: int, end: int, s: str) -> tuple[float | None, str]:
    best: tuple[float, str] | None = None
    for a_s, a_e in anchors:
        if start >= a_e:
            cand = (float(start - a_e), s[a_e:start])
        elif 0 <= a_s - end < 12:
            cand = (40.0 + a_s - end, "")
        else:
            continue
        if best is None or cand[0] < best[0]:
            best = cand
    return (best[0], best[1]) if best else (None, "")


def _other_year_before(s: str, pos: int, year: int) -> bool:
    return any(y != year for y in find_years(s[:pos]))


def _unit_of(caption: str, column: str) -> str:
    """The unit a column label states in brackets ("金额（万元）"), only a unit the field knows: a
    header path may hold "谢凯13990260322(办公)", which is no unit."""
    from ingest.numbers import unit_in_label

    for m in re.finditer(r"[（(][^）)]+[）)]", column):
        unit = unit_in_label(m.group(0))
        if unit:
            return unit
    return ""


def _summary(result: Any) -> Any:
    """A short, JSON-able picture of a tool result for progress events."""
    if isinstance(result, dict):
        if "error" in result:
            return result
        return {
            k: (len(v) if isinstance(v, list) else v) for k, v in result.items() if not isinstance(v, dict)
        }
    if isinstance(result, list):
        return {"count": len(result)}
    return result
