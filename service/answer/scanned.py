"""Answers that use text read by OCR say so: each citation marker [n] whose page was read from a
scanned image gets "（扫描件识别）" after it, and a note says the figure should be checked against
the original. Runs after the grounding check, on every answer (deterministic or LLM)."""

from __future__ import annotations

from typing import Any

from service.answer.models import Answer

SCANNED_MARK = "（扫描件识别）"


def scanned_pages(store: Any, doc_ids: list[str]) -> dict[tuple[str, int], float]:
    """(doc_id, page) -> OCR confidence, for the pages of `doc_ids` that were read by OCR."""
    if not doc_ids or not hasattr(store, "ocr_regions"):
        return {}
    return {(r["doc_id"], r["page"]): r["confidence"] for r in store.ocr_regions(doc_ids, kind="page")}


def mark_scanned(answer: Answer, store: Any) -> Answer:
    """Put `SCANNED_MARK` after each citation marker of an OCR'd page (once per marker)."""
    scanned = scanned_pages(store, sorted({c.doc_id for c in answer.citations}))
    hits = [c for c in answer.citations if (c.doc_id, c.page) in scanned]
    if not hits:
        return answer
    text = answer.answer
    for c in hits:
        marker = f"[{c.n}]"
        if marker in text and f"{marker}{SCANNED_MARK}" not in text:
            text = text.replace(marker, f"{marker}{SCANNED_MARK}")
    answer.answer = text
    answer.notes.append(
        "引用的第 "
        + "、".join(f"{c.page}" for c in hits)
        + " 页为扫描件，文字和数字由 OCR 识别，可能有误读，请对照原件核实 / cited pages were read by OCR from a scan"
    )
    return answer


def ocr_check_note(
    item: dict[str, Any], scanned: dict[tuple[str, int], float], doc_id: str
) -> dict[str, Any]:
    """A `jixiao check` item on an OCR'd page: a mismatch may be a misread digit, and says so."""
    if item.get("status") == "mismatch" and (doc_id, item.get("page")) in scanned:
        item["why"] = (
            f"{item.get('why', '')}（该页为扫描件，由 OCR 识别：不符可能是识别错误，请对照原件 / "
            "this page was read by OCR: the mismatch may be a misread digit）"
        )
        item["ocr"] = True
    return item
