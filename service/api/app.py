"""The FastAPI app factory. Expensive clients (stores, embedding model, LLM) are built once, in the
lifespan, through `service.assistant.build_assistant(settings)`; tests inject their own Assistant.

    uvicorn --factory service.api.app:create_app     (what `jixiao serve` runs)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.routing import Route

from service.api.answering import AnswerRunner
from service.api.deps import AssistantLike, ready_assistant
from service.api.errors import install_error_handlers
from service.api.ingest_queue import IngestQueue, Job
from service.api.mcp import MCPEndpoint, build_mcp
from service.api.monitoring import ApiMetrics, MetricsMiddleware
from service.api.routes import audit, chat, documents, grids, health, openai, page_images, widget
from service.api.security import BodyLimitMiddleware, Guard
from service.api.shared_queue import SharedIngestQueue
from service.config import Settings, get_settings
from service.page_images import PageImages

log = logging.getLogger("jixiao.api")

DESCRIPTION = """
绩效 jixiao：绩效评价报告问答。每个数字都有出处（文档、页码）或计算公式。
Cited, computed answers over government performance-evaluation reports.

- `POST /api/v1/chat`：问答（JSON 或 SSE 流，Vercel AI SDK UI message stream v1）
- `/v1/models`, `/v1/chat/completions`：OpenAI 兼容接口（模型 `jixiao`）
- `/mcp`：MCP（streamable HTTP）只读工具
- `/api/v1/documents`：上传（管理员）、列表、删除、原文 PDF 与页面文字、报告自检

认证 / auth: `Authorization: Bearer <key>`（未配置密钥时为本机模式，无需认证 / not needed in local mode）。
"""


def create_app(settings: Settings | None = None, *, assistant: AssistantLike | None = None) -> FastAPI:
    settings = settings or get_settings()
    guard = Guard(settings)
    metrics = ApiMetrics()

    mcp_endpoint = MCPEndpoint(
        build_mcp(lambda: ready_assistant(app.state), lambda: app.state.answer_runner),
        guard,
        max_body_bytes=settings.max_body_bytes,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = assistant is None
        if owned:
            from service.assistant import build_assistant

            log.info("loading the index and models (data dir %s)…", settings.data_dir)
            app.state.assistant = await asyncio.to_thread(build_assistant, settings)
        else:
            app.state.assistant = assistant
        active = app.state.assistant
        log.info(
            "answerer: %s — %s",
            getattr(active.active_answerer, "name", active.active_answerer),
            active.llm_status,
        )

        def ingested(job: Job) -> None:
            metrics.ingest_jobs.labels(job.status).inc()
            app.state.ready_cache = None

        if active.store is not None:  # a scripted assistant without stores has no document writer
            app.state.ingest_queue = (
                SharedIngestQueue(settings, active.store)  # `jixiao worker` processes ingest
                if settings.shared_store
                else IngestQueue.for_store(settings, active.store, on_done=ingested)
            )
            app.state.ingest_queue.start()
        try:
            async with mcp_endpoint.session_manager.run():
                yield
        finally:
            if app.state.ingest_queue is not None:
                await asyncio.to_thread(app.state.ingest_queue.stop)
            app.state.answer_runner.close()
            if app.state.conversations.cache_info().currsize:  # the app opened its own: close it
                await asyncio.to_thread(app.state.conversations().close)
            if owned:
                close = getattr(active, "close", None) or getattr(active.store, "close", None)
                if close is not None:
                    await asyncio.to_thread(close)

    app = FastAPI(
        title="绩效 jixiao",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "chat", "description": "问答 / ask"},
            {"name": "openai", "description": "OpenAI 兼容 / OpenAI-compatible"},
            {"name": "documents", "description": "文档 / documents"},
            {"name": "operations", "description": "运维 / health and metrics"},
        ],
    )
    app.state.settings = settings
    app.state.guard = guard
    app.state.metrics = metrics
    app.state.assistant = None
    app.state.ingest_queue = None
    app.state.ready_cache = None
    app.state.answer_runner = AnswerRunner(settings, metrics)
    app.state.conversations = _conversation_store_factory(settings)
    app.state.page_images = PageImages()

    install_error_handlers(app)
    for module in (health, chat, openai, page_images, grids, documents, audit, widget):
        app.include_router(module.router)
    app.router.routes.append(Route("/mcp", endpoint=mcp_endpoint, include_in_schema=False))

    # outermost last: metrics see everything, CORS answers preflights and decorates errors
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.upload_max_bytes,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=guard.keys.cors_origins,
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept", "mcp-protocol-version", "mcp-session-id"],
        expose_headers=["Retry-After", "x-vercel-ai-ui-message-stream", "mcp-session-id"],
        max_age=600,
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _conversation_store_factory(settings: Settings) -> Any:
    """The ConversationStore for seeding OpenAI-style histories, opened on first use."""

    @cache
    def conversations() -> Any:
        from service.conversations import ConversationStore

        return ConversationStore(settings)

    return conversations
