"""Many documents in one store: the right documents for each question, and questions across them.

`Portfolio.route` runs in front of the single-document answerer (`service.assistant.Assistant.ask`):

1. scope — explicit `document_ids`, else the documents the question names by unit, project or year
   (their identity, read at ingest), else the conversation's earlier scope;
2. a question across documents (哪些…低于90%、最低的五个、总额和平均、2021—2023年的变化、连续两年下降、
   A和B比较、和上年相比) is answered from the structured store's form records: `Answer.table`;
3. a question that fits several reports and names none gets one row per document (each cited) or,
   when there are many, a clarifying answer listing the candidates — never a silent pick;
4. anything else goes on to the single-document answerer with the scope found in 1.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.glossary import load_glossary
from service.answer.models import Answer, Turn
from service.portfolio import operations
from service.portfolio.facts_rows import rows_from_facts
from service.portfolio.query import Query, parse
from service.portfolio.render import Column, ResultTable, answer_of, as_text, number_cell
from service.portfolio.rows import MEASURE_ZH, Row, rows_from_forms
from service.portfolio.scope import NameIndex, Scope, is_policy, resolve
from service.search.facts import index_fact

FIT_CHECK_LIMIT = 60  # candidates whose text is read to see which can answer at all
TABLE_CANDIDATES = 30  # up to this many: the asked figure of each, one cited row per document
PER_DOCUMENT_ANSWERS = 4  # up to this many candidates: one answer each; more: a clarifying answer
LISTED_CANDIDATES = 10

AnswerOne = Callable[[str, list[str]], Answer]


@dataclass
class Routed:
    answer: Answer | None = None  # a portfolio or clarifying answer: done
    document_ids: list[str] | None = None  # else: ask the single-document answerer with this scope
    meta: dict[str, Any] = field(default_factory=dict)  # scope to keep for follow-ups


def _previous(history: list[Turn]) -> dict[str, Any]:
    for turn in reversed(history):
        if turn.role == "assistant":
            return {k: turn.meta.get(k) for k in ("scope", "candidates") if turn.meta.get(k)}
    return {}


def _doc_label(record: Any) -> str:
    ident = record.identity or {}
    parts = [ident.get("unit"), ident.get("project"), f"{ident['year']}年度" if ident.get("year") else ""]
    shown = " · ".join(p for p in parts if p)
    return shown if len(shown) > 6 else (record.title or shown or record.doc_id)


class Portfolio:
    def __init__(self, store: Any) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._cached: tuple[str, list[Any], list[Row]] | None = None
        self._by_doc: dict[str, tuple[str, list[Row]]] = {}  # doc_id -> (its version, its rows)
        self._documents: list[Any] = []  # the visible documents' records, as last read
        self._names: tuple[list[Any], NameIndex] | None = None  # (snapshot's documents, their names)

    def _snapshot(self) -> tuple[list[Any], list[Row]]:
        """The visible documents and every form's and report's rows, kept per document: after a
        change to the store only the documents added or rewritten since are read (a bureau's 10,000
        forms are read once; a new form costs one form's read), and removed ones are dropped."""
        generation = self.store.generation()
        with self._lock:
            if self._cached is None or self._cached[0] != generation:
                versions = self.store.visible_versions()
                changed = [i for i in versions if self._by_doc.get(i, ("",))[0] != versions[i]]
                everything = len(changed) == len(versions)
                fresh_docs = self.store.list_documents(
                    include_failed=False, doc_ids=None if everything else changed
                )
                known = {d.doc_id: d for d in self._documents if d.doc_id in versions}
                known.update((d.doc_id, d) for d in fresh_docs)
                documents = sorted(known.values(), key=lambda d: (d.ingested_at or "", d.path or ""))
                fresh = self._read(fresh_docs, everything=everything)
                self._by_doc = {i: (versions[i], fresh[i]) if i in fresh else self._by_doc[i] for i in known}
                rows = [r for d in documents for r in self._by_doc[d.doc_id][1]]
                self._documents = documents
                self._cached = (generation, documents, rows)
            return self._cached[1], self._cached[2]

    def _read(self, documents: list[Any], *, everything: bool) -> dict[str, list[Row]]:
        """doc_id -> its rows: a form's from its form records, a report's from its facts and tables."""
        if not documents:
            return {}
        ids = [d.doc_id for d in documents]
        identities = {d.doc_id: d.identity for d in documents}
        forms = self.store.get_forms(None if everything else ids)
        out: dict[str, list[Row]] = {i: [] for i in ids}
        for row in rows_from_forms(forms, identities):
            if row.doc_id in out:
                out[row.doc_id].append(row)
        for row in self._report_rows([d for d in documents if not out[d.doc_id]]):
            out[row.doc_id].append(row)
        return out

    def _report_rows(self, documents: list[Any]) -> list[Row]:
        """The evaluation reports (documents without a standard form, not policies or score
        tables): one row each from the fact index, its tables and its pages, with 未找到 for a
        figure no fact fits exactly."""
        reports = [
            d
            for d in documents
            if (d.identity or {}).get("kind") not in ("policy", "score_table", "self_form")
        ]
        if not reports:
            return []
        glossary = load_glossary()
        titles = {d.doc_id: d.title for d in reports}
        by_doc: dict[str, list[Any]] = {}
        for fact in self.store.get_facts([d.doc_id for d in reports]):
            by_doc.setdefault(fact.doc_id, []).append(index_fact(fact, titles.get(fact.doc_id, ""), glossary))
        tables = {d.doc_id: self.store.get_tables(d.doc_id) for d in reports}
        pages = {d.doc_id: [(p.number, p.text) for p in self.store.get_pages(d.doc_id)] for d in reports}
        return rows_from_facts(by_doc, reports, tables, pages)

    def _name_index(self, documents: list[Any]) -> NameIndex:
        """The reports' names index of this snapshot's documents (built once per snapshot)."""
        with self._lock:
            if self._names is None or self._names[0] is not documents:
                self._names = (documents, NameIndex([d for d in documents if not is_policy(d)]))
            return self._names[1]

    def rows(self, doc_ids: list[str] | None) -> list[Row]:
        rows = self._snapshot()[1]
        if doc_ids is None:
            return list(rows)
        wanted = set(doc_ids)
        return [r for r in rows if r.doc_id in wanted]

    def route(
        self,
        question: str,
        *,
        history: list[Turn],
        document_ids: list[str] | None,
        answer_one: AnswerOne,
    ) -> Routed:
        documents = self._snapshot()[0]
        previous = _previous(history)
        scope = resolve(
            question, documents, explicit=document_ids, previous=previous, index=self._name_index(documents)
        )
        q = parse(question)
        keep = {"scope": scope.doc_ids} if scope.named and scope.doc_ids else {}

        if q.cross or (q.op == "previous" and scope.named):
            ids = scope.doc_ids if scope.named else None
            rows = self.rows(ids if q.op not in ("previous",) else None)
            if len({r.doc_id for r in rows}) >= 2:
                answer = operations.run(q, rows, ids)
                if answer is not None:
                    answer.meta.update(keep)
                    return Routed(answer, meta=keep)
        if scope.ambiguous:
            fitting = self._fitting(question, scope.ambiguous)
            if len(fitting) == 1:  # only one document holds what is asked: that is the one
                only = [fitting[0].doc_id, *scope.policies]
                return Routed(None, only, {"scope": only})
            if len(fitting) >= 2:
                scope.ambiguous = fitting
                return Routed(self._ambiguous(question, q, scope, answer_one))
        return Routed(None, scope.doc_ids if scope.named else document_ids, keep)

    def _fitting(self, question: str, candidates: list[Any]) -> list[Any]:
        """The candidates whose text names every quantity the question asks for (in any of the
        glossary's words for it): a question only one document can answer is not ambiguous.
        Past `FIT_CHECK_LIMIT` candidates every one is kept (reading them all would be slow)."""
        glossary = load_glossary()
        wanted = [glossary.concept(c).terms for c in glossary.concepts_in(question)]
        if not wanted or len(candidates) > FIT_CHECK_LIMIT:
            return list(candidates)
        out = []
        for record in candidates:
            text = re.sub(r"\s+", "", "".join(p.text for p in self.store.get_pages(record.doc_id)))
            if all(any(t in text for t in terms) for terms in wanted):
                out.append(record)
        return out

    def _ambiguous(self, question: str, q: Query, scope: Scope, answer_one: AnswerOne) -> Answer:
        candidates = scope.ambiguous
        ids = [d.doc_id for d in candidates]
        meta = {"candidates": ids, "op": "ambiguous"}
        if q.measure and len(candidates) <= TABLE_CANDIDATES:
            rows = [r for r in self.rows(ids) if q.measure in r.measures]
            if len(rows) == len(candidates):
                answer = operations.measure_table(
                    rows,
                    Query(measure=q.measure, op="list"),
                    lead=f"问题没有指明是哪一份文档，下面逐份列出{MEASURE_ZH[q.measure]}（可点名单位或项目，或用“第N个”追问）：",
                )
                if answer is not None:
                    answer.meta.update(meta)
                    answer.notes.append(
                        f"问题匹配 {len(candidates)} 份文档，逐份列出 / one row per matching document"
                    )
                    return answer
        if len(candidates) <= PER_DOCUMENT_ANSWERS:
            return self._per_document(question, candidates, meta, answer_one)
        return self._clarify(candidates, meta)

    def _per_document(
        self, question: str, candidates: list[Any], meta: dict[str, Any], answer_one: AnswerOne
    ) -> Answer:
        table = ResultTable(
            title="逐份文档的回答", columns=[Column("document", "文档"), Column("answer", "回答")]
        )
        computations = []
        for record in candidates:
            one = answer_one(question, [record.doc_id])
            first = (one.answer or "").strip().split("\n")[0]
            offset = len(table.citations)
            for c in one.citations:
                table.citations.append(c.model_copy(update={"n": c.n + offset}))
            for i in range(len(one.citations), 0, -1):
                first = first.replace(f"[{i}]", f"[{i + offset}]")
            computations.extend(one.computations)
            cite = offset + 1 if one.citations else 0
            table.rows.append(
                {
                    "doc_id": record.doc_id,
                    "cite": cite,
                    "cells": {"document": _doc_label(record), "answer": first},
                }
            )
        lines = ["问题没有指明是哪一份文档，已入库的这几份都可能相关，逐份回答如下（可点名单位或项目追问）："]
        lines += [f"- {r['cells']['document']}：{r['cells']['answer']}" for r in table.rows]
        return answer_of(table, "\n".join(lines), computations=computations, meta=meta)

    def _clarify(self, candidates: list[Any], meta: dict[str, Any]) -> Answer:
        table = ResultTable(
            title="候选文档",
            columns=[
                Column("n", "序号", "number"),
                Column("document", "文档"),
                Column("kind", "类型"),
                Column("year", "年度"),
            ],
        )
        for i, record in enumerate(candidates[:LISTED_CANDIDATES], start=1):
            ident = record.identity or {}
            table.rows.append(
                {
                    "doc_id": record.doc_id,
                    "cite": 0,
                    "cells": {
                        "n": i,
                        "document": _doc_label(record),
                        "kind": ident.get("kind", ""),
                        "year": ident.get("year"),
                    },
                }
            )
        more = (
            "（只列出前几份，可说出单位、项目或年度缩小范围）" if len(candidates) > LISTED_CANDIDATES else ""
        )
        lines = [
            f"已入库的多份文档都可能与这个问题有关{more}，请指明是哪一份（说出单位、项目或年度，或回复“第N个”），或在文档选择框中选定："
        ]
        lines += [f"{r['cells']['n']}. {r['cells']['document']}" for r in table.rows]
        answer = answer_of(table, "\n".join(lines), meta=meta)
        answer.notes.append(
            f"问题匹配 {len(candidates)} 份文档，未作选择 / the question fits {len(candidates)} documents; none was picked"
        )
        return answer


__all__ = ["Portfolio", "Routed", "as_text", "number_cell"]
