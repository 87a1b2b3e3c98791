"""Serves the widget: `/widget.js`, the demo portal page `/`, and `/widget/frame` for strict-CSP portals.

Everything the widget needs comes from this host: no CDN, no external request.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import StringConstraints

from service.api.deps import PrincipalDep, StoreDep
from service.api.errors import error_responses

WIDGET_DIR = Path(__file__).resolve().parent
router = APIRouter(tags=["widget"])


@lru_cache
def _asset(name: str) -> str:
    return (WIDGET_DIR / name).read_text(encoding="utf-8")


def _fill(template: str, **values: str) -> str:
    """One pass over the template: a value that itself contains "{{NAME}}" is never filled again."""
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values.get(m.group(1), m.group(0)), template)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/widget.js", include_in_schema=False)
def widget_js() -> Response:
    return Response(
        _asset("widget.js"),
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
def demo_page(request: Request) -> HTMLResponse:
    """A demo portal page embedding the widget exactly as a customer would."""
    settings = request.app.state.settings
    base = _base(request)
    site_key = next(iter(settings.site_keys), "")
    assistant = getattr(request.app.state, "assistant", None)
    items = ""
    if assistant is not None:
        docs = [d for d in assistant.store.list_documents() if d.status == "ok"]
        items = (
            "".join(f"<li>{html.escape(d.title or Path(d.path).name)}（{d.pages} 页）</li>" for d in docs)
            or "<li>尚未载入文档</li>"
        )
    snippet = (
        f'<script src="{base}/widget.js" data-api-base="{base}" '
        f'data-key="{site_key or "SITE_KEY"}" data-title="绩效问答" async></script>'
    )
    page = _fill(
        _asset("demo.html"),
        API_BASE=html.escape(base, quote=True),
        SITE_KEY=html.escape(site_key, quote=True),
        DOCUMENT_ITEMS=items,
        SNIPPET=html.escape(snippet),
    )
    return HTMLResponse(page)


@router.get("/widget/frame", include_in_schema=False, response_class=HTMLResponse)
def widget_frame(request: Request, key: str = "", title: str = "绩效问答") -> HTMLResponse:
    """The widget alone, inline, for portals whose CSP forbids third-party scripts: embed with
    <iframe src="https://HOST/widget/frame?key=SITE_KEY">."""
    settings = request.app.state.settings
    base = _base(request)
    ancestors = " ".join(settings.site_keys.get(key, [])) if key else ""
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src 'self'; frame-src 'self'; object-src 'self'; frame-ancestors 'self' {ancestors}".strip()
    )
    page = _fill(
        _asset("frame.html"),
        API_BASE=html.escape(base, quote=True),
        SITE_KEY=html.escape(key, quote=True),
        TITLE=html.escape(title[:40], quote=True),
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": csp})


@router.get(
    "/api/v1/suggestions",
    summary="建议问题 / suggested questions for a fresh conversation",
    responses=error_responses(401, 422, 429),
)
async def suggestions(
    _principal: PrincipalDep,
    store: StoreDep,
    document_ids: list[Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]] | None = Query(
        None, description="只针对这些文档（16 位编号）/ only for these documents (16-hex ids)"
    ),
) -> dict[str, list[str]]:
    """Questions the loaded documents can answer (from their tables, sections and policies)."""
    import asyncio

    from service.suggestions import suggest_questions

    return {"questions": await asyncio.to_thread(suggest_questions, store, doc_ids=document_ids)}
