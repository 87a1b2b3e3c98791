"""Questions about a self-evaluation form's header (项目名称, 主管部门, 实施单位), answered from the
form records ingest/forms.py stores, each cell cited."""

from __future__ import annotations

import re
from typing import Any

from service.answer.deterministic.render import CitationSet, Draft

# the form header fields a question can ask for, by glossary concept -> the form record's header key
_HEADER_KEYS = {
    "project_name": "project",
    "competent_department": "agency",
    "implementing_unit": "implementer",
}
_ASKS_NAME = re.compile(r"是什么|叫什么|哪个|哪家|哪一个|是谁|谁|分别是|名称|名字")
_PROJECT_ASKED = re.compile(r"(?:哪个|什么|哪一个)项目|项目(?:叫什么|名字|的名称)")


def form_fields(text: str, glossary: Any) -> list[str]:
    """The header fields a question asks for ("主管部门和实施单位分别是哪家" -> both), in order."""
    if not _ASKS_NAME.search(text):
        return []
    found = [c for c in glossary.concepts_in(text) if c in _HEADER_KEYS]
    if _PROJECT_ASKED.search(text) and "project_name" not in found:
        found.insert(0, "project_name")
    return found


def form_header(owner: Any, fields: list[str], document_ids: list[str] | None) -> Draft | None:
    """ "这个项目的主管部门和实施单位分别是哪家？": the header cells of the one self-evaluation
    form in scope (a form read by ingest/forms.py), each cited. None when no form, or several
    forms that say different things, are in scope."""
    store = getattr(owner.toolbox, "store", None)
    if store is None:
        return None
    try:
        forms = store.get_forms(document_ids)
    except Exception:
        return None
    titles = {i.fact.doc_id: i.title for i in owner.index.items(document_ids)}
    cites = CitationSet()
    figures = []
    for concept in fields:
        key = _HEADER_KEYS[concept]
        said = {(f["doc_id"], (f.get("header") or {}).get(key, {}).get("text", "")) for f in forms}
        said = {(d, t) for d, t in said if t}
        if len({t for _, t in said}) != 1:
            return None  # no form states it, or forms in scope disagree: not this path's to pick
        form = next(f for f in forms if f["header"].get(key, {}).get("text"))
        cell = form["header"][key]
        label = owner.glossary.concept(concept).label
        n = cites.add(
            form["doc_id"], titles.get(form["doc_id"], form.get("title", "")), int(cell["where"].get("page") or 1),
            cell["text"],
        )  # fmt: skip
        figures.append({"subject": label, "display": f"“{cell['text']}”", "n": n})
    draft = Draft(
        "answer_lookup",
        {"figures": figures, "missing": [], "check": None},
        meta={"path": "facts", "fact_op": "form"},
    )
    draft.cites = cites
    return draft
