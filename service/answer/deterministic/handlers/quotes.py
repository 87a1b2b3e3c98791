"""Quoting: policy clauses, the best sentences for what/which/why questions, and the document list."""

from __future__ import annotations

import re

from ingest.fold import fold
from service.answer.deterministic.evidence import (
    Passage,
    normalize_space,
    number_mentions,
    split_lines,
    split_sentences,
)
from service.answer.deterministic.finders import page_of
from service.answer.deterministic.handlers._context import CLAUSE_NO, Context, cite_all, fig_var, refusal
from service.answer.deterministic.handlers.lookup import EACH, expand_each
from service.answer.deterministic.render import Draft, zh_count


def handle_policy(ctx: Context) -> Draft:
    """Quote the clause(s) of the policy that answer the question: words weighted by rarity, the
    concept's own names counting double."""
    import math

    a = ctx.analysis
    ids = ctx.finder.policy_scope()
    concept = ctx.concept(a.concept)
    forms = [m for m in (concept.synonyms + concept.match if concept else ()) if len(m) >= 2]
    words = list(dict.fromkeys([*forms[:1], *a.entities, *question_words(ctx)]))
    words = [fold(w) for w in words if w not in _RULE_WORDS]  # compared with folded clauses
    forms = [fold(f) for f in forms]
    if not words and not forms:
        return refusal(ctx, f"“{a.question}”所问的条款")
    query = " ".join(words[:6]) or a.question
    ctx.progress("searching", "检索政策条款")
    if (
        concept is not None
        and concept.kind in ("score", "amount", "count")
        and re.search(r"多少|几|分别|各", a.question)
    ):
        # "细则里四个一级指标的分值分别是多少？": the policy's own table
        spec = ctx.spec(concept=concept.key, terms=[], year=None, baseline=False)
        spec.policy = True
        f = ctx.finder.figure(spec)
        if f is not None:
            found = [fig_var(ctx, f, f"{''.join(a.entities) or f.row}{concept.key}")]
            if EACH.search(a.question):
                found = expand_each(ctx, found)
            found = cite_all(ctx, found)
            return Draft("answer_lookup", {"figures": found, "missing": [], "check": None})
    clauses: list[tuple[int, Passage, str, str]] = []
    seen: set[str] = set()
    for rank, p in enumerate(ctx.finder.search(query, doc_ids=ids, k=8)):
        for sent in _clauses(p.text):
            c = fold(normalize_space(sent))
            if c not in seen and len(c) >= 6:
                seen.add(c)
                clauses.append((rank, p, sent, c))
    n = len(clauses) or 1
    weight = {w: len(w) * math.log(1 + n / (1 + sum(1 for *_, c in clauses if w in c))) for w in words}
    for f in forms:
        weight[f] = max(weight.get(f, 0.0), 2.0 * len(f))
    total = sum(weight[w] for w in words) or 1.0
    best: list[tuple[float, Passage, str]] = []
    for rank, p, sent, c in clauses:
        covered = sum(weight[w] for w in words if w in c) + max(
            (weight[f] for f in forms if f in c), default=0.0
        )
        if covered:
            bonus = (0.1 if CLAUSE_NO.match(c) else 0) + 0.05 / (1 + rank)
            best.append((covered / total + bonus, p, sent))
    best.sort(key=lambda t: -t[0])
    if not best or best[0][0] < 0.3:
        return refusal(ctx, f"关于“{query}”的政策条款")
    top = best[0][0]
    out = []
    for _, p, sent in [t for t in best[:2] if t[0] >= 0.75 * top]:
        out.append(
            {
                "text": normalize_space(sent),
                "title": p.title,
                "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent),
            }
        )
    return Draft("answer_policy", {"topic": a.concept or "、".join(words[:3]), "clauses": out})


_RULE_WORDS = frozenset(
    [
        "细则",
        "实施细则",
        "管理办法",
        "办法",
        "规定",
        "制度",
        "政策",
        "条款",
        "按照",
        "根据",
        "依据",
        "规则",
        "文件",
    ]
)


def _clauses(text: str) -> list[str]:
    """A policy's clauses (第N条 … up to the next clause), else its sentences."""
    lines = split_lines(text)
    out: list[str] = []
    for ln in lines:
        s = ln.strip()
        if (
            CLAUSE_NO.match(normalize_space(s))
            or not out
            or "\t" in s
            or re.match(r"^第[一二三四五六七八九十]+章", normalize_space(s))
        ):
            out.append(s)
        else:
            out[-1] += s
    return out or split_sentences(text)


def handle_documents(ctx: Context) -> Draft:
    res = ctx.finder.call("list_documents")
    docs = res.get("documents") if isinstance(res, dict) else res
    docs = [d for d in (docs or []) if isinstance(d, dict)]
    return Draft(
        "answer_documents",
        {
            "documents": [
                {"title": d.get("title") or d.get("path"), "status": d.get("status", "")} for d in docs
            ],
            "count": zh_count(len(docs)),
        },
    )


OPEN_WORDS = frozenset(
    [
        "哪些",
        "什么",
        "哪一年",
        "哪年",
        "何时",
        "什么时候",
        "哪个",
        "哪家",
        "为什么",
        "为何",
        "原因",
        "怎样",
        "如何",
        "怎么",
        "是谁",
        "谁",
    ]
)


def question_words(ctx: Context) -> list[str]:
    """Every content-bearing word of the question (verbs included), for ranking sentences."""
    from service.answer.deterministic.lexicon import STOPWORDS, segment

    q = normalize_space(ctx.analysis.question)
    out = []
    for w in segment(q):
        w = w.strip()
        if len(w) < 2 or w in STOPWORDS or w in OPEN_WORDS or re.fullmatch(r"[\W\d]+", w):
            continue
        if w[0] in "哪这那该此其" or w.startswith("什么"):  # "哪些方面", "这笔": pointing, not content
            continue
        out.append(w)
    return list(dict.fromkeys(out))


def rank_sentences(
    ctx: Context, words: list[str], passages: list[Passage]
) -> list[tuple[float, Passage, str]]:
    """Sentences by how much of the question they contain: each word weighs by its length and its
    rarity among the retrieved sentences (a word every sentence has says little)."""
    import math

    sents: list[tuple[int, Passage, str, str]] = []
    seen: set[str] = set()
    for rank, p in enumerate(passages):
        for sent in split_sentences(p.text):
            s = fold(normalize_space(sent))  # matched as simplified; the quote keeps the document's
            if s in seen or len(s) < 8 or "\t" in sent:
                continue
            seen.add(s)
            sents.append((rank, p, sent, s))
    words = [fold(w) for w in words]
    n = len(sents) or 1
    wants_number = bool(re.search(r"多少|几[个项年次人条名期]|多大|多高", ctx.analysis.question))
    weight = {w: len(w) * math.log(1 + n / (1 + sum(1 for *_, s in sents if w in s))) for w in words}
    total = sum(weight.values()) or 1.0
    out: list[tuple[float, Passage, str]] = []
    for rank, p, sent, s in sents:
        covered = sum(weight[w] for w in words if w in s or w in fold(p.section))
        if covered:
            density = sum(len(w) for w in words if w in s) / len(s)  # to the point beats long-winded
            figure = (
                0.15 if wants_number and number_mentions(s) else 0.0
            )  # "有多少个": the sentence with the count
            out.append((covered / total + 0.2 * density + figure + 0.05 / (1 + rank), p, sent))
    out.sort(key=lambda t: -t[0])
    return out


def handle_open(ctx: Context) -> Draft:
    """A what/which/why question, or nothing recognised: quote the sentences that answer it best."""
    a = ctx.analysis
    words = question_words(ctx)
    if not words:
        ctx.finder.searched.append(f"问题分析：未识别出指标、表格项目或章节（{a.question}）")
        return refusal(ctx, f"“{a.question}”所问的内容")
    ctx.progress("searching", "检索原文")
    passages = ctx.finder.search(" ".join(words), doc_ids=ctx.finder.document_ids, k=8)
    ranked = [t for t in rank_sentences(ctx, words, passages) if t[0] >= 0.5]
    if not ranked:
        return refusal(ctx, f"与“{'、'.join(words)}”相关的内容")
    top = ranked[0][0]
    return quote_draft(ctx, "、".join(a.terms or words), [t for t in ranked[:2] if t[0] >= 0.9 * top])


def quote_draft(ctx: Context, topic: str, ranked: list[tuple[float, Passage, str]]) -> Draft:
    clauses = [
        {
            "text": normalize_space(sent),
            "title": p.title,
            "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent),
        }
        for _, p, sent in ranked
    ]
    return Draft("answer_policy", {"topic": topic, "clauses": clauses, "kind": "quote"})
