"""Checking one ingested report against its own figures: the store-reading adapter shared by
`jixiao check`, the `check_report` tool (agent, HTTP, MCP) and `GET /api/v1/documents/{id}/check`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.store import Store

if TYPE_CHECKING:
    from service.metrics.vocabulary import CheckVocabulary


def check_document(store: Store, doc: str, *, policy: str | None = None) -> dict[str, Any]:
    """Re-check report `doc` (id, file name or title); grade bands from the ingested policy
    document `policy` when given, else the default bands. Raises NotFound, or MetricError when the
    policy states no grade bands."""
    from service.metrics.check import check_report, grade_rule_from_policy, grade_rule_summary, summarize

    record = store.resolve_document(doc)
    bands = None
    if policy is not None:
        rule_doc = store.resolve_document(policy)
        bands = grade_rule_from_policy(
            store.get_pages(rule_doc.doc_id), title=rule_doc.title, doc_id=rule_doc.doc_id
        )
    items = check_report(
        store.get_tables(record.doc_id),
        store.get_pages(record.doc_id),
        doc_id=record.doc_id,
        grade_bands=bands,
        vocabulary=check_vocabulary(),
    )
    from service.answer.scanned import ocr_check_note, scanned_pages

    scanned = scanned_pages(store, [record.doc_id])
    return {
        "doc_id": record.doc_id,
        "title": record.title,
        "grade_rule": grade_rule_summary(bands),
        "summary": summarize(items),
        "items": [ocr_check_note(item.to_dict(), scanned, record.doc_id) for item in items],
        "forms": check_forms_of(store, record.doc_id, bands),
    }


def check_forms_of(store: Store, doc_id: str, bands: Any = None) -> list[dict[str, Any]]:
    """The 自评表/得分表 of an ingested document, each checked (`service.metrics._check_forms`)."""
    from service.metrics._check_forms import check_form

    out = []
    for form in store.get_forms([doc_id]):
        result = check_form(form, grade_bands=bands)
        out.append({"id": form["id"], "kind": form.get("kind"), "title": form.get("title"),
                    "year": form.get("year"), "sheet": form.get("sheet"), **result})  # fmt: skip
    return out


def check_vocabulary() -> CheckVocabulary:
    """The checker's rates, from the glossary (`service.metrics` reads no YAML: it is given them)."""
    from ingest.glossary import load_glossary
    from service.metrics.vocabulary import CheckVocabulary

    return CheckVocabulary.from_concepts(load_glossary().concepts.values())
