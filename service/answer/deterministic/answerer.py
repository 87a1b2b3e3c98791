"""The deterministic answerer: question analysis -> evidence through the Toolbox -> compute_metric ->
Chinese answer from a template, with numbered citations, computations and a number-grounding check.

The default when no LLM is configured, and the fallback when the LLM fails. Same tools, same
citations and computations as the LLM path; no model anywhere.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import replace
from typing import Any

from service.answer.base import EventSink, current_events, emit
from service.answer.deterministic.analysis import analyse
from service.answer.deterministic.compound import answer_compound, split_compound, with_subjects
from service.answer.deterministic.finders import Finder
from service.answer.deterministic.handlers import Context, dispatch, refusal
from service.answer.deterministic.learned import learn, sentence_rates
from service.answer.deterministic.lexicon import (
    BASE_CONCEPTS,
    Lexicon,
    clean_header,
    current_segmenter,
    merge_concepts,
    registry_concepts,
)
from service.answer.deterministic.render import CitationSet, Draft
from service.answer.models import Answer, ProgressEvent, Turn

log = logging.getLogger(__name__)

_POLICY_TITLE = re.compile(r"办法|细则|规定|制度|通知|指标体系|评分规则|条例|意见|规程")


class DeterministicAnswerer:
    name = "deterministic"

    def __init__(self, toolbox: Any) -> None:
        self.toolbox = toolbox
        self._lexicons: dict[tuple[str, ...], Lexicon] = {}  # per scope, for one store generation
        self._generation: str | None = None
        self._lock = threading.Lock()
        self._facts: Any = None

    def facts(self) -> Any:
        """The general path: questions as operations over the fact index, read with the glossary."""
        with self._lock:
            if self._facts is None:
                from ingest.glossary import load_glossary
                from service.answer.operations.answer import FactAnswerer

                self._facts = FactAnswerer(self.toolbox, load_glossary())
            return self._facts

    # ---- lexicon (rebuilt when the corpus changes) --------------------------------------------
    def lexicon(self, document_ids: list[str] | None = None) -> Lexicon:
        """The vocabulary of the documents a question is asked over (all, or its scope): another
        report's headers must not change how a question about this one is read."""
        gen = self._corpus_generation()
        if document_ids:
            try:  # ids, file names or titles, as the tools accept them
                document_ids = self.toolbox._resolve_many(list(document_ids)) or None
            except Exception:
                document_ids = None
        key = tuple(sorted(document_ids)) if document_ids else ()
        with self._lock:
            if gen != self._generation:
                self._lexicons.clear()
                self._generation = gen
            if key not in self._lexicons:
                if len(self._lexicons) > 64:
                    self._lexicons.pop(next(iter(self._lexicons)))
                self._lexicons[key] = build_lexicon(self.toolbox, document_ids or None)
            return self._lexicons[key]

    def _corpus_generation(self) -> str | None:
        store = getattr(self.toolbox, "store", None)
        try:
            return str(store.generation()) if store is not None else None
        except Exception:
            return None

    # ---- answering ------------------------------------------------------------------------
    def answer(
        self,
        question: str,
        *,
        history: list[Turn] | None = None,
        document_ids: list[str] | None = None,
        on_event: EventSink | None = None,
    ) -> Answer:
        question = (question or "").strip()
        if not question:
            return Answer(
                answer="请输入问题。Please ask a question.", grounded=True, answerer="deterministic"
            )
        asked_again = _asked_again(question, history, self.facts().glossary)
        if asked_again:  # "那耒水塘门口那个工程的呢？": the last question, of that thing
            answer = self.answer(asked_again, history=history, document_ids=document_ids, on_event=on_event)
            answer.notes = [f"按上一问理解为：{asked_again}", *answer.notes]
            return answer
        parts = split_compound(question)
        if len(parts) > 1:  # "预算多少，实际花了多少": each figure asked, the later as follow-ups
            return answer_compound(
                with_subjects(parts, self.facts().glossary),
                lambda q: self.answer(q, history=history, document_ids=document_ids, on_event=on_event),
            )
        lexicon = self.lexicon(document_ids)
        token = current_segmenter.set(lexicon.segmenter)  # this lexicon's words, for this answer only
        events = current_events.set(on_event)
        try:
            return self._answer(question, lexicon, history, document_ids, on_event)
        finally:
            current_events.reset(events)
            current_segmenter.reset(token)

    def _answer(
        self,
        question: str,
        lexicon: Lexicon,
        history: list[Turn] | None,
        document_ids: list[str] | None,
        on_event: EventSink | None,
    ) -> Answer:
        previous = _previous_meta(history or [], lexicon)
        analysis = analyse(question, lexicon, previous=previous)
        emit(on_event, ProgressEvent(stage="searching", detail=f"问题类型：{analysis.intent}"))
        finder = Finder(self.toolbox, lexicon, document_ids=document_ids, on_event=on_event)
        ctx = Context(finder=finder, lexicon=lexicon, analysis=analysis, cites=CitationSet())
        last = _last_answer_meta(history or [])
        # "…加起来是多少？跟一级指标的分数一致吗？": the sum asked, computed (not a check of the report)
        draft = self._sum_asked(question, document_ids, ctx)
        # "编制50人、在职51人，这项能得几分": a given case scored by the document's own rule
        draft = draft or self._rule_draft(question, document_ids, ctx, last)
        if draft is None and analysis.intent == "grade":
            draft = self._grade_draft(question, document_ids, ctx)
        if draft is None and (
            last.get("cell_measure")
            or follows_previous(question)
            # "比上一年增长了多少？" after one figure the fact path gave: its own sentence may hold the rest
            or (analysis.followup and last.get("path") == "facts" and len(last.get("figures") or []) == 1)
            or (
                not analysis.followup
                and analysis.intent in ("lookup", "compute", "unknown", "check", "section")
            )
        ):
            draft = self._fact_draft(question, document_ids, ctx, previous=last)
        try:
            draft = draft or self._fit_checked(
                question, document_ids, ctx, _unknown_terms(ctx) or dispatch(ctx)
            )
        except Exception as exc:
            log.exception("deterministic answerer failed on %r", question)
            draft = refusal(ctx, "可靠的答案", reason=f"处理该问题时出错（{type(exc).__name__}）")
        emit(on_event, ProgressEvent(stage="writing", detail="生成回答"))
        text = draft.text()
        citations = ctx.cites.items if draft.found else []
        grounded, ungrounded = True, []
        try:
            from service.answer.grounding import ground

            g = ground(
                text,
                evidence=[c.quote for c in citations] + [question] + [c.formula for c in draft.computations],
                computations=draft.computations,
            )
            text, grounded, ungrounded = g.text, g.grounded, list(g.ungrounded)
        except ImportError:  # pragma: no cover - grounding is part of the project
            pass
        if not grounded and draft.found and draft.template == "answer_lookup" and not draft.computations:
            # a looked-up figure the cited text does not contain is no figure of the document
            draft = refusal(
                ctx,
                "可核实的数字",
                reason=f"检索到的数字（{'、'.join(ungrounded[:3])}）与引用的原文对不上，不作为答案",
            )
            text, citations, grounded, ungrounded = draft.text(), [], True, []
        meta = {**analysis.to_meta(), **draft.meta, "found": draft.found}
        notes = list(draft.notes) + [
            f"{c.tool}({_short(c.args)}){'' if c.ok else ' 出错'}" for c in finder.calls
        ]
        return Answer(
            answer=text,
            citations=citations,
            computations=draft.computations,
            grounded=grounded,
            ungrounded=ungrounded,
            answerer="deterministic",
            notes=notes,
            meta=meta,
        )

    def _fact_draft(
        self,
        question: str,
        document_ids: list[str] | None,
        ctx: Context,
        *,
        previous: dict[str, Any] | None = None,
    ) -> Draft | None:
        """The fact path's answer when it found one that fits; None hands the question on."""
        try:
            _ask, draft = self.facts().answer(question, document_ids=document_ids, previous=previous)
        except Exception:
            log.exception("fact answerer failed on %r", question)
            return None
        if draft is None:
            return None
        # a figure question about a quantity the glossary knows, with nothing in the documents that
        # fits it exactly, is refused here: the older search path would answer with a neighbour
        ctx.cites = draft.cites or CitationSet()
        figures = draft.meta.get("figures") or []
        if draft.found and draft.template == "answer_lookup" and not draft.computations and figures:
            # a figure looked up must answer how the question asks (a difference, which items, 几天)
            from service.answer.operations.fit import operation_misfit, placed_of

            placed = placed_of(figures, self.facts().index.items(document_ids))
            misfit = operation_misfit(question, figures, placed)
            if misfit is not None:
                return refusal(ctx, misfit[0], reason=misfit[1])
        return draft

    def _grade_draft(self, question: str, document_ids: list[str] | None, ctx: Context) -> Draft | None:
        """The grade of the document's own total score, found in the fact index; None hands it on."""
        from service.answer.operations.answer import grade_of_document

        policies = frozenset(ctx.lexicon.policy_doc_ids())
        return self._adopted(
            "grade answer",
            question,
            ctx,
            lambda: grade_of_document(self.facts(), question, document_ids, policies=policies),
        )

    @staticmethod
    def _adopted(what: str, question: str, ctx: Context, call: Any) -> Draft | None:
        """A fact-path draft taken as the answer, its citations with it; None (and the error logged)
        when the call fails or finds nothing."""
        try:
            draft = call()
        except Exception:
            log.exception("%s failed on %r", what, question)
            return None
        if draft is not None:
            ctx.cites = draft.cites or CitationSet()
        return draft

    def _sum_asked(self, question: str, document_ids: list[str] | None, ctx: Context) -> Draft | None:
        """A sum asked together with a check of it against a stated figure: the fact path's sum of the
        question without its check clause (it names the stated figure when the table has one), or None."""
        from service.answer.operations.phrases import sum_without_check

        rest = sum_without_check(question)
        if not rest:
            return None
        try:
            _ask, draft = self.facts().answer(rest, document_ids=document_ids)
        except Exception:
            log.exception("sum answer failed on %r", rest)
            return None
        if draft is None or (draft.found and not draft.computations):
            return None  # (a refusal says why the sum cannot be made: a blank item, a missing row)
        ctx.cites = draft.cites or CitationSet()
        return draft

    def _rule_draft(
        self, question: str, document_ids: list[str] | None, ctx: Context, previous: dict[str, Any]
    ) -> Draft | None:
        """What a case the question states would score by an indicator's scoring rule, or last year's
        figure from this year's and its stated change, or a table column's mean; None otherwise."""
        from service.answer.operations.answer import same_row_followup
        from service.answer.operations.average import average_answer, superlative_answer
        from service.answer.operations.followups import other_row_followup
        from service.answer.operations.previous import previous_answer
        from service.answer.operations.rules import rule_answer

        def call() -> Draft | None:
            facts = self.facts()
            return (
                same_row_followup(facts, question, previous, document_ids)
                or other_row_followup(facts, question, previous, document_ids)
                or rule_answer(facts, question, document_ids, previous)
                or previous_answer(facts, question, document_ids)
                or average_answer(facts, question, document_ids)
                or superlative_answer(facts, question, document_ids)
            )

        return self._adopted("scoring-rule answer", question, ctx, call)

    def _change_amount(self, question: str, ctx: Context, draft: Draft) -> Draft:
        """ "比上年减少（或增加）了多少": the change in the figures' own unit, not a growth rate — the
        same two cited inputs, through year_on_year_change."""
        from service.answer.operations.phrases import asks_amount_change
        from service.answer.operations.rules import computed_draft, run_metric

        comps = draft.computations
        if len(comps) != 1 or comps[0].metric != "growth_rate" or not asks_amount_change(question):
            return draft
        old = comps[0]
        ins = [i for i in old.inputs if isinstance(i, dict)]
        if len(ins) != 2:
            return draft
        comp, _why = run_metric(
            self.facts(),
            "year_on_year_change",
            {
                name: {k: v for k, v in i.items() if k in ("value", "unit", "label", "source")}
                for name, i in (("current", ins[0]), ("previous", ins[1]))
            },
        )
        if comp is None:
            return draft
        cites = ctx.cites or CitationSet()
        inputs = []
        for i in ins:
            src = i.get("source") or {}
            same = [c for c in cites.items if c.doc_id == src.get("doc_id") and c.page == src.get("page")]
            n = (
                same[0].n
                if same
                else cites.add(
                    str(src.get("doc_id") or ""), "", int(src.get("page") or 0), str(src.get("quote") or "")
                )
            )
            inputs.append(
                {
                    "label": str(i.get("label") or ""),
                    "display": f"{i.get('value')}{i.get('unit') or ''}",
                    "n": n,
                }
            )
        subject = f"{ins[0].get('label') or ''}比{ins[1].get('label') or ''}的增减额"
        new = computed_draft(subject, comp, inputs, cites, "difference")
        ctx.cites = cites
        return new

    def _neighbour(self, question: str, document_ids: list[str] | None, ctx: Context, draft: Draft) -> Draft:
        """A looked-up figure whose neighbour (same page, unit and year) the question's words describe
        better ("线上培训" beside the 合计 of 线上 and 现场): that neighbour is the answer; several
        equally good, or a negated question no figure states: 未找到 with why."""
        if draft.template != "answer_lookup" or draft.computations or not draft.meta.get("figures"):
            return draft
        from service.answer.operations.answer import _Solver
        from service.answer.operations.fit import neighbour_named, other_column_of_row, placed_of
        from service.answer.operations.operands import Match
        from service.answer.operations.question import parse
        from service.search.tokenizer import base_domain_words, tokenizer_for

        fa = self.facts()
        facts = fa.index.items(document_ids)
        placed = list({id(i): i for i in placed_of(draft.meta.get("figures") or [], facts)}.values())
        chosen = other_column_of_row(question, placed, facts)  # 分值 found, 得分 asked: the row's 得分
        verdict = None
        if not chosen:
            chosen, verdict = neighbour_named(question, placed, facts, tokenizer_for(base_domain_words()))
        if verdict is not None:
            return refusal(ctx, verdict[0], reason=verdict[1])
        if not chosen:
            return draft
        solver = _Solver(fa, parse(question, fa.glossary), facts)
        new = solver.lookup_draft("", [Match(i, 1.0) for i in chosen])
        for fig, item in zip(new.variables["figures"], chosen, strict=True):
            fig["subject"] = solver.label_of(Match(item, 1.0))
        new.cites = solver.cites
        new.meta["neighbour"] = True
        ctx.cites = solver.cites
        return new

    def _fit_checked(
        self, question: str, document_ids: list[str] | None, ctx: Context, draft: Draft
    ) -> Draft:
        """The fit check (service/answer/operations/fit.py) on the search path's answers."""
        from service.answer.operations.fit import check_fit, other_document

        try:
            fa = self.facts()
            draft = self._change_amount(question, ctx, draft)
            draft = self._neighbour(question, document_ids, ctx, draft)
            if not draft.found:
                return draft
            understood = tuple(surface for _c, surface, _at in ctx.lexicon.concepts_in(question))
            verdict = check_fit(
                question, draft, lambda: fa.index.items(document_ids), fa.glossary, understood=understood
            ) or other_document(
                question,
                {c.doc_id for c in (ctx.cites or CitationSet()).items},
                fa.index.items(document_ids),
                fa.glossary,
            )
            if verdict is None and draft.template == "answer_lookup":
                verdict = _unknown_name(question, ctx, fa.glossary)
        except Exception:
            log.exception("fit check failed on %r", question)
            return draft
        if verdict is None:
            return draft
        what, reason = verdict
        return refusal(ctx, what, reason=reason)


def _unknown_terms(ctx: Context) -> Draft | None:
    """A question about something no document mentions ("招标金额") is answered "未找到" at once,
    before any figure is looked up, so a nearby number is never passed off as the answer."""
    a = ctx.analysis
    if a.intent not in ("lookup", "compute", "unknown") or not a.terms or a.entities:
        return None  # a question naming table rows/columns is trusted to be about them
    missing = [t for t in a.terms if not ctx.finder.present(t) and not ctx.finder.present_in(t, a.question)]
    if not missing:
        return None
    return refusal(ctx, f"与“{'、'.join(missing)}”相关的内容", reason="所收录文档中没有提到该内容")


def follows_previous(question: str) -> bool:
    from service.answer.operations.phrases import follows_previous as follows

    return follows(question)


def _unknown_name(question: str, ctx: Context, glossary: Any) -> tuple[str, str] | None:
    """A long name in the question ("某某银行贷款某市绿色转型项目") that no document in scope
    mentions and the cited evidence shares not a word with: whatever figure was found belongs to
    something else."""
    from service.answer.operations.cells import free_chunks, mentioned

    quotes = " ".join(c.quote + c.title for c in (ctx.cites or CitationSet()).items)
    for w in free_chunks(question, glossary):
        if len(w) >= 8 and not mentioned(w, quotes) and not ctx.finder.present(w):
            return f"与“{w}”相关的内容", "所收录文档中没有提到该内容"
    return None


def _asked_again(question: str, history: list[Turn] | None, glossary: Any) -> str:
    """The last question put again of the thing a short follow-up names ("那X的呢？"), or ""."""
    from service.answer.operations.phrases import elliptical

    last = next((t.content for t in reversed(history or []) if t.role == "user"), "")
    if not last:
        return ""
    pointed = _POINTED.fullmatch(question.strip())
    if pointed:  # "它的支出进度呢？" after "财政专项扶贫资金支出了多少？": that fund's 支出进度
        ask = pointed["y"] + "是多少？"
        written = with_subjects([last, ask], glossary)[1]
        return written if written != ask else ""
    if _compares(question, glossary) and _names_line(last, glossary) and not _names_line(question, glossary):
        # "比2015年多了多少？" after "公务用车购置及运行维护费预算是多少？": of that line, not of the whole
        first, _, rest = question.strip().partition("？")  # ("…多了多少", "为什么会增加？")
        written = with_subjects([last, first + "？"], glossary)[1]
        return written + rest if written != first + "？" else ""
    return elliptical(question, last, glossary)


def _compares(question: str, glossary: Any) -> bool:
    from service.answer.operations.fit import _COMPARISON

    return bool(set(glossary.operations_in(question)) & {"difference", "growth"}) or bool(
        _COMPARISON.search(question)
    )


def _names_line(text: str, glossary: Any) -> bool:
    """Does the text name a line of a budget (an expenditure class, a funding source), not only a measure?"""
    return any(
        glossary.concept(c).category in ("expenditure_class", "funding_source")
        for c in glossary.concepts_in(text)
    )


# a follow-up that points back at the last question's subject and names another measure of it
_POINTED = re.compile(
    r"(?:那|那么)?(?:它们|它|其(?![中他余它实次]))的?(?P<y>[^？?，,]{2,12}?)(?:呢|是多少|有多少|为多少)?[？?]?"
)


def _last_answer_meta(history: list[Turn]) -> dict[str, Any]:
    """The meta of the last assistant turn (this answerer's slots), or {}."""
    for turn in reversed(history):
        if turn.role == "assistant":
            return dict(turn.meta or {})
    return {}


def _previous_meta(history: list[Turn], lexicon: Lexicon) -> dict[str, Any] | None:
    """The analysed slots of the last exchange: stored by this answerer in the assistant turn's meta,
    or, when another answerer (the LLM) gave that answer, re-analysed from the last user question."""
    for turn in reversed(history):
        if (
            turn.role == "assistant"
            and turn.meta.get("intent")
            and turn.meta.get("answerer", "deterministic") == "deterministic"
        ):
            return turn.meta
        if turn.role == "user" and turn.content.strip():
            return analyse(turn.content, lexicon).to_meta()
    return None


def _short(args: dict[str, Any]) -> str:
    parts = []
    for k, v in args.items():
        text = str(v)
        parts.append(f"{k}={text[:40]}{'…' if len(text) > 40 else ''}")
    return ", ".join(parts)


def build_lexicon(toolbox: Any, document_ids: list[str] | None = None) -> Lexicon:
    """Concepts (base + metrics registry), table headers and document titles/years/kinds — of the
    documents in `document_ids` when given (a scoped question), else of every document."""
    try:
        from service.metrics import REGISTRY

        concepts = merge_concepts(BASE_CONCEPTS, registry_concepts(REGISTRY))
    except ImportError:  # pragma: no cover
        concepts = list(BASE_CONCEPTS)
    titles: dict[str, str] = {}
    kinds: dict[str, str] = {}
    years: dict[str, int | None] = {}
    try:
        res = toolbox.list_documents()
    except Exception:
        res = {}
    docs = res.get("documents", []) if isinstance(res, dict) else (res or [])
    for d in docs:
        if not isinstance(d, dict) or d.get("status", "ok") not in ("ok", "unchanged"):
            continue
        doc_id = str(d.get("doc_id", ""))
        if document_ids and doc_id not in document_ids:
            continue
        title = str(d.get("title", "") or "")
        titles[doc_id] = title
        kinds[doc_id] = str(d.get("kind") or ("policy" if _POLICY_TITLE.search(title) else "report"))
        y = d.get("year")
        if not y and (m := re.search(r"(?:19|20)\d{2}", title)):
            y = int(m.group(0))
        years[doc_id] = int(y) if y else None
    headers: set[str] = set()
    cells: list[object] = []
    store = getattr(toolbox, "store", None)
    if store is not None:
        try:
            for table in store.get_tables():
                if table.doc_id not in titles:
                    continue
                for cell in table.cells:
                    headers.update(clean_header(h) for h in (*cell.row_header, *cell.col_header))
                    cells.append((table.doc_id, cell))
                headers.update(clean_header(h) for r in table.rows for h in r[:1])
        except Exception:
            pass
    own, relations = learn(cells, concepts)
    try:  # rates the documents name in their sentences ("全年累计接听率96.12%")
        from ingest.glossary import load_glossary
        from service.search.facts import FactIndex

        stated = [
            i.fact.description
            for i in FactIndex(store, load_glossary()).items(list(titles) or None)
            if i.fact.source == "text" and i.fact.unit == "%" and not i.qualifiers & {"change", "plan"}
        ]
        own += sentence_rates(stated, [*concepts, *own])
    except Exception:  # a store without facts (an older data dir) has no sentence rates to learn
        log.debug("sentence rates not learned", exc_info=True)
    by_key = {c.key: c for c in concepts}
    for c in own:  # a figure a known concept names too keeps that concept, with the document's forms
        k = by_key.get(c.key)
        by_key[c.key] = (
            c if k is None else replace(k, synonyms=tuple(dict.fromkeys((*k.synonyms, *c.synonyms))))
        )
    concepts = list(by_key.values())
    headers = {
        h for h in headers if len(h) >= 2 and not re.fullmatch(r"[\d.%\-\s年]+", h) and "其中" not in h
    }
    return Lexicon(
        concepts=concepts,
        headers=headers,
        titles=titles,
        doc_kinds=kinds,
        doc_years=years,
        learned={name: (r.op, r.numerator, r.denominator) for name, r in relations.items()},
    )
