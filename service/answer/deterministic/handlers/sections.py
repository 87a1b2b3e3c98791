"""Sections of a report (存在的主要问题, 相关建议 …): their items with pages, or the sentences about one point."""

from __future__ import annotations

import re

from service.answer.deterministic.evidence import (
    Passage,
    normalize_space,
    split_lines,
    split_sentences,
)
from service.answer.deterministic.finders import page_of
from service.answer.deterministic.handlers._context import (
    SECTION_HEADINGS,
    SUBHEAD,
    TOPHEAD,
    Context,
    refusal,
)
from service.answer.deterministic.handlers.quotes import question_words, quote_draft, rank_sentences
from service.answer.deterministic.render import Draft, zh_count


def handle_section(ctx: Context) -> Draft:
    key = ctx.analysis.section or ""
    heads = section_heads(key)
    ctx.progress("searching", f"查找“{key}”部分")
    passages = ctx.finder.search(key, doc_ids=ctx.finder.report_scope(), k=20)
    in_section = [p for p in passages if section_heading(p.section, heads)]
    focus = [w for w in question_words(ctx) if w not in SECTION_WORDS and not any(w in h for h in heads)]
    if focus:  # "在预算执行约束方面，报告指出了什么问题？": the item about that, quoted
        extra = ctx.finder.search(" ".join([key, *focus]), doc_ids=ctx.finder.report_scope(), k=10)
        ranked = [
            (
                sc + (0.2 if section_heading(p.section, heads) else 0),
                p,
                sent,
            )
            for sc, p, sent in rank_sentences(ctx, focus, in_section + extra)
            if sc >= 0.5
        ]
        ranked.sort(key=lambda t: -t[0])
        if ranked:
            top = ranked[0][0]
            return quote_draft(ctx, "、".join(focus), [t for t in ranked[:3] if t[0] >= 0.7 * top])
    items = _section_items(in_section, heads)
    if items:
        out = [
            {"text": text, "n": ctx.cites.add(p.doc_id, p.title, page, quote)}
            for text, p, page, quote in items
        ]
        return Draft(
            "answer_section",
            {"section": key, "count": zh_count(len(out)), "items": out, "paragraphs": []},
            meta={"pages": sorted({i[2] for i in items})},
        )
    # a section without sub-items (绩效目标, 评价结论): quote its sentences
    paras = []
    for p in (
        in_section[:2]
        or [p for p in passages if any(h in p.text for h in SECTION_HEADINGS.get(key, (key,)))][:1]
    ):
        own = [normalize_space(x) for x in re.split(r"\s*>\s*", p.section) if x.strip()]
        sentences = split_sentences(p.text)
        after_heading = False
        for sent in sentences:
            s = normalize_space(sent)
            # "(三)存在的问题和原因分析 无。": the section's body is what the report says there, however
            # short ("无。" is an answer: it names no problem), on the heading's line or after it
            head = next((h for h in own if s.startswith(h) and is_heading(heading_core(h), heads)), "")
            if head:
                s, after_heading = s[len(head) :].strip(), True
                if not s:
                    continue
            if after_heading and s and len(s) < 12 and not (TOPHEAD.match(s) or SUBHEAD.match(s)):
                paras.append({"text": s, "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent)})
                after_heading = False
                continue
            after_heading = False
            if (
                len(s) < 12
                or TOPHEAD.match(s)
                or (SUBHEAD.match(s) and len(s) < 30)
                or "\t" in sent
                or re.match(r"表\s*\d|单位[:：]", s)
            ):
                continue
            paras.append({"text": s, "n": ctx.cites.add(p.doc_id, p.title, page_of(p, sent), sent)})
            if len(paras) >= 4:
                break
        if len(paras) >= 4:
            break
    if not paras:
        return refusal(ctx, f"“{key}”部分")
    # the report's own heading ("存在的问题和原因分析"), not the answerer's name for the section
    shown = next((h for p in in_section if (h := section_heading(p.section, heads))), key)
    return Draft("answer_section", {"section": shown, "count": "", "items": [], "paragraphs": paras})


def section_heads(key: str) -> tuple[str, ...]:
    """What a section's heading may say: the answerer's own names for it and the glossary's terms of
    the section they name ("存在的问题和原因分析", "四、存在的问题", "下一步拟改进措施及有关建议" are the
    problems and the suggestions whatever a report calls them)."""
    from ingest.glossary import load_glossary

    own = SECTION_HEADINGS.get(key, (key,))
    terms = [t for ts in load_glossary().sections.values() if set(ts) & set(own) for t in ts]
    return tuple(dict.fromkeys([*own, *terms]))


def section_heading(section: str, heads: tuple[str, ...]) -> str:
    """The first heading of a passage's section path ("一、自评结论 > (三)存在的问题和原因分析") that
    is the section `heads` name, without its numbering; "" when none is."""
    cores = (heading_core(x) for x in re.split(r"\s*>\s*", section))
    return next((c for c in cores if is_heading(c, heads)), "")


def is_heading(core: str, heads: tuple[str, ...]) -> bool:
    """Is a heading (its numbering removed) the section one of `heads` names: the same words, or a
    heading of at most 20 characters and one clause that begins or ends with one of them
    ("存在的问题及原因分析", "下一步拟改进措施及有关建议")."""
    if core in heads:
        return True
    if len(core) > 20 or re.search(r"[，,；;。]", core):  # "未留存后台原始数据，资料归档存在不足" is an item
        return False
    return any(len(h) >= 2 and (core.startswith(h) or core.endswith(h)) for h in heads)


def heading_core(heading: str) -> str:
    """ "四、存在的主要问题" -> "存在的主要问题"; "（二）项目绩效目标" -> "项目绩效目标"."""
    return re.sub(
        r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、])\s*", "", heading
    ).strip()


def _section_items(passages: list[Passage], heads: tuple[str, ...]) -> list[tuple[str, Passage, int, str]]:
    """The numbered sub-headings ((一), (二) …) under the section, with the page each starts on."""
    found: dict[str, tuple[str, Passage, int, str]] = {}
    order: dict[str, int] = {}
    for p in passages:
        parts = [x.strip() for x in re.split(r"\s*>\s*", p.section) if x.strip()]
        idx = next((i for i, x in enumerate(parts) if is_heading(heading_core(x), heads)), None)
        if idx is None:
            continue
        sub = parts[idx + 1] if idx is not None and idx + 1 < len(parts) else None
        candidates: list[tuple[str, int, str]] = []
        if SUBHEAD.match(parts[idx]):  # the section is itself a sub-heading: its text has no items
            continue
        if sub and SUBHEAD.match(sub):
            line = next(
                (ln for ln in split_lines(p.text) if normalize_space(ln) == normalize_space(sub)), None
            )
            page = page_of(p, line) if line else p.page
            candidates.append((normalize_space(sub), page, line or sub))
        for ln in split_lines(p.text):
            s = normalize_space(ln)
            if SUBHEAD.match(s) and len(s) <= 40 and not re.search(r"[。；]", s):
                candidates.append((s, page_of(p, ln), ln))
        for text, page, quote in candidates:
            m = SUBHEAD.match(text)
            if not m or heading_core(text) in heads:  # the section itself, not one of its items
                continue
            label = m.group(1)
            if label not in found or page < found[label][2]:
                found[label] = (text, p, page, quote)
                order[label] = "一二三四五六七八九十".find(label[0]) * 10 + len(label)
    return [found[k] for k in sorted(found, key=lambda k: order[k])]


SECTION_WORDS = frozenset(
    [
        "问题",
        "建议",
        "存在",
        "设定",
        "设置",
        "制定",
        "内容",
        "总体",
        "具体",
        "主要",
        "不足",
        "不足之处",
        "指出",
        "评价",
        "评价组",
        "整改",
        "改进",
        "提出",
        "列出",
        "报告",
        "项目",
        "方面",
        "哪些",
        "什么",
        "有何",
        "相关",
        "结论",
        "目标",
        "方法",
    ]
)
