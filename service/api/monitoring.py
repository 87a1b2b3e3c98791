"""Prometheus figures of one app instance (its own registry, so several apps can live in one
process, as in tests) and the ASGI middleware that counts requests."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "jixiao_http_requests_total",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "jixiao_http_request_seconds",
            "time to the end of the response, by route template",
            ["route"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.answers = Counter(
            "jixiao_answers_total",
            "answers given, by answerer and grounding result",
            ["answerer", "grounded"],
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "jixiao_answer_seconds",
            "time to produce an answer",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.answer_errors = Counter(
            "jixiao_answer_errors_total",
            "answers that failed, by error code",
            ["code"],
            registry=self.registry,
        )
        self.ingest_jobs = Counter(
            "jixiao_ingest_jobs_total",
            "finished ingest jobs by resulting status",
            ["status"],
            registry=self.registry,
        )
        self.ingest_queue = Gauge(
            "jixiao_ingest_queue_length", "uploads waiting to be ingested", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts every HTTP request by its route template (not the raw path: ids would explode labels)."""

    def __init__(self, app: ASGIApp, *, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = getattr(scope.get("route"), "path", None) or (
                "/mcp" if scope["path"].startswith("/mcp") else "other"
            )
            method = scope["method"] if scope["method"] in HTTP_METHODS else "OTHER"  # labels stay bounded
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - start)
