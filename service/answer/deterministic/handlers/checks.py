"""Report checks through check_report: a summary, or the items a specific question is about."""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.evidence import (
    normalize_space,
    split_sentences,
)
from service.answer.deterministic.finders import page_of
from service.answer.deterministic.handlers._context import Context, refusal
from service.answer.deterministic.render import Draft, zh_count


def handle_check(ctx: Context) -> Draft:
    ids = ctx.finder.report_scope() or []
    if not ids:
        return refusal(ctx, "可供核对的报告")
    ctx.progress("computing", "复核报告数字")
    rows: list[dict[str, Any]] = []
    title = ""
    for doc in ids[:1]:
        title = ctx.lexicon.titles.get(doc, doc)
        ctx.finder.searched.append(f"复核报告《{title}》")
        res = ctx.finder.call("check_report", doc=doc)
        items = res.get("items") if isinstance(res, dict) else res
        if not isinstance(items, list):
            return refusal(
                ctx,
                "报告核对结果",
                reason=str((res or {}).get("error", {}).get("message", "")) if isinstance(res, dict) else "",
            )
        for it in items:
            if isinstance(it, dict):
                rows.append({**it, "doc_id": doc, "title": title})
    focus = _focused_items(ctx, rows)
    if focus:
        return _focused_check(ctx, focus, title)
    by_status: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_status.setdefault(_status(r), []).append(r)
    mismatches = []
    for r in by_status.get("mismatch", []):
        quote = str(r.get("claim") or r.get("quote") or "")
        page = int(r.get("page") or 0)
        n = ctx.cites.add(r["doc_id"], r["title"], page, quote) if quote and page else None
        mismatches.append(
            {"claim": quote, "stated": r.get("stated"), "recomputed": r.get("recomputed"), "n": n}
        )
    return Draft(
        "answer_check",
        {
            "title": title,
            "total": zh_count(len(rows)),
            "ok": zh_count(len(by_status.get("ok", []))),
            "mismatch": zh_count(len(mismatches)),
            "unverifiable": zh_count(len(by_status.get("cannot_verify", []))),
            "mismatches": mismatches,
        },
        notes=[f"check_report: {len(rows)} 项"],
    )


_SUM_ASKED = re.compile(r"相加|加起来|之和|合计|总和|加总|各项")


_NUM_IN_Q = re.compile(r"\d+(?:\.\d+)?")


_TABLE_NO = re.compile(r"表\s*(\d+(?:\s*[-－—]\s*\d+)?)")


def _focused_items(ctx: Context, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The check items a specific question is about ("表1-1 … 加起来与合计数一致吗？", "59.56% 算得对吗？")."""
    a = ctx.analysis
    q = normalize_space(a.question).replace(" ", "")
    numbers = {
        n.rstrip("0").rstrip(".") for n in _NUM_IN_Q.findall(q) if not re.fullmatch(r"(19|20)\d{2}", n)
    }
    tables = {
        re.sub(r"\s|[－—]", lambda m: "-" if m.group(0) in "－—" else "", t) for t in _TABLE_NO.findall(q)
    }
    words = list(a.entities) + list(a.terms)
    for key in a.concepts:
        c = ctx.concept(key)
        if c:
            words += [w for w in c.synonyms + c.match if len(w) >= 2]
    scored: list[tuple[float, int, dict[str, Any]]] = []
    for i, r in enumerate(rows):
        claim = normalize_space(str(r.get("claim", ""))).replace(" ", "")
        stated = re.sub(r"[^\d.]", "", str(r.get("stated", ""))).rstrip("0").rstrip(".")
        score = 0.0
        if stated and stated in numbers:
            score += 3
        m = _TABLE_NO.match(claim)
        if m and tables:
            score += 2 if m.group(1).replace(" ", "") in tables else -2
        score += sum(1.5 if len(w) >= 3 else 1 for w in dict.fromkeys(words) if w in claim)
        if _SUM_ASKED.search(q):
            score += 1 if "+" in str(r.get("formula", "")) else -1
        if score > 0:
            scored.append((score, i, r))
    if not scored:
        return []
    top = max(sc for sc, _, _ in scored)
    if top < 2:
        return []
    return [r for sc, _, r in sorted(scored, key=lambda t: (-t[0], t[1])) if sc >= top][:2]


def _focused_check(ctx: Context, items: list[dict[str, Any]], title: str) -> Draft:
    from service.answer.models import Computation

    out, computations = [], []
    for r in items:
        comp = r.get("computation")
        if isinstance(comp, dict):
            try:
                computations.append(
                    Computation(**{k: v for k, v in comp.items() if k in Computation.model_fields})
                )
            except Exception:
                comp = None
        n = _cite_stated(ctx, r)
        status = _status(r)
        verdict = {"ok": "与复算结果一致", "mismatch": "与复算结果不一致"}.get(status, "无法核实")
        if status == "cannot_verify" and r.get("why"):
            verdict += f"（{r['why']}）"
        out.append(
            {
                "claim": str(r.get("claim", "")),
                "stated": str(r.get("stated", "")),
                "n": n,
                "formula": str((comp or {}).get("formula") or "").split("；")[0] if comp else "",
                "convention": str(r.get("convention_zh") or ""),
                "verdict": verdict,
            }
        )
    return Draft(
        "answer_check",
        {
            "title": title,
            "total": "",
            "ok": "",
            "mismatch": "",
            "unverifiable": "",
            "mismatches": [],
            "focus": out,
        },
        computations=computations,
    )


def _cite_stated(ctx: Context, item: dict[str, Any]) -> int | None:
    """Cite the sentence or table row on the item's page that states the checked figure."""
    page = int(item.get("page") or 0)
    stated = re.sub(r"[^\d.\-]", "", str(item.get("stated", "")))
    claim = str(item.get("claim", ""))
    if not page or not stated:
        return None
    query = re.sub(r"（[^）]*）", "", claim) or claim
    for q in (f"{query} {stated}", stated):
        for p in ctx.finder.search(q, doc_ids=[item["doc_id"]], k=8):
            if not (p.page <= page <= (p.end_page or p.page)):
                continue
            for sent in split_sentences(p.text):
                if stated in normalize_space(sent).replace(" ", "") and page_of(p, sent) == page:
                    return ctx.cites.add(p.doc_id, p.title, page, sent)
    return None


def _status(item: dict[str, Any]) -> str:
    s = str(item.get("status", "")).lower().replace(" ", "_").replace("-", "_")
    if s in ("ok", "mismatch"):
        return s
    return "cannot_verify"
