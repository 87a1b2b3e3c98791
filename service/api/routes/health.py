"""Operations: /healthz (alive), /readyz (can answer: store, embedding model, LLM), /metrics."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from service.api.deps import MetricsDep, answerer_name

log = logging.getLogger("jixiao.api.health")
router = APIRouter(tags=["operations"])
READY_CACHE_SECONDS = 15.0
CHECK_TIMEOUT = 30.0


@router.get("/healthz", summary="进程存活 / liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _check_store(store: Any) -> dict[str, Any]:
    records = store.list_documents()
    ok_docs = [r for r in records if r.status in ("ok", "unchanged")]
    return {"ok": True, "documents": len(ok_docs), "failed_documents": len(records) - len(ok_docs)}


def _check_embedding(store: Any) -> dict[str, Any]:
    started = time.perf_counter()
    store.vector_search("预算执行率", k=1)
    return {"ok": True, "seconds": round(time.perf_counter() - started, 3)}


async def _run_check(fn: Any, store: Any) -> dict[str, Any]:
    try:
        return await asyncio.wait_for(asyncio.to_thread(fn, store), CHECK_TIMEOUT)
    except TimeoutError:
        return {
            "ok": False,
            "error": f"超过 {CHECK_TIMEOUT:g} 秒无响应 / no answer within {CHECK_TIMEOUT:g} s",
        }
    except Exception as exc:  # /readyz needs no key: the details (paths, hosts) go to the log only
        log.warning("readiness check %s failed: %s", getattr(fn, "__name__", fn), exc, exc_info=True)
        return {
            "ok": False,
            "error": f"检查失败（{type(exc).__name__}），详见服务日志 / check failed, see the server log",
        }


@router.get(
    "/readyz",
    summary="可以回答问题 / readiness: store, embedding model, LLM",
    responses={503: {"description": "未就绪：检查结果同 200 / not ready: the same checks as 200"}},
)
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    cached = state.ready_cache
    if cached is not None and time.monotonic() - cached[0] < READY_CACHE_SECONDS:
        return JSONResponse(cached[1], status_code=cached[2])
    assistant = state.assistant
    settings = state.settings
    if assistant is None:
        body = {"status": "starting", "message": "正在加载索引和模型 / loading the index and models"}
        return JSONResponse(body, status_code=503)
    store_check = await _run_check(_check_store, assistant.store)
    embedding_check = (
        await _run_check(_check_embedding, assistant.store) if store_check["ok"] else {"ok": False}
    )
    active = answerer_name(assistant)
    llm = {
        "configured": settings.llm_configured,
        "ok": (active == "llm") if settings.llm_configured else None,
        "status": assistant.llm_status,
    }
    llm_status = getattr(getattr(assistant, "llm", None), "status", None)
    if callable(llm_status):  # the active agent's start-up probe: verdict and message
        llm["probe"] = llm_status().get("probe")
    ready = store_check["ok"] and embedding_check["ok"]
    status = "ok" if ready and llm["ok"] is not False else ("degraded" if ready else "not_ready")
    body = {
        "status": status,
        "answerer": active,
        "checks": {"store": store_check, "embedding": embedding_check, "llm": llm},
        "ingest_queue": state.ingest_queue.pending() if state.ingest_queue else None,
    }
    code = 200 if ready else 503
    state.ready_cache = (time.monotonic(), body, code)
    return JSONResponse(body, status_code=code)


@router.get("/metrics", summary="Prometheus 指标 / Prometheus metrics", response_class=Response)
async def metrics(request: Request, api_metrics: MetricsDep) -> Response:
    queue = request.app.state.ingest_queue
    if queue is not None:
        api_metrics.ingest_queue.set(queue.pending())
    return Response(api_metrics.render(), media_type=CONTENT_TYPE_LATEST)
