"""FastAPI dependencies: typed aliases for what a route needs, all built once in the app lifespan
(`service.api.app`) and handed out from `app.state`; tests swap them with `create_app(assistant=...)`
or `app.dependency_overrides`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ingest.store import Store
from service.answer.models import Answer, ProgressEvent
from service.api.errors import NotReady
from service.api.ingest_queue import IngestQueue
from service.api.monitoring import ApiMetrics
from service.api.security import Guard, Principal, require_admin
from service.config import Settings


class AssistantLike(Protocol):
    """What the API needs of `service.assistant.Assistant` (the facade over answerers and stores)."""

    store: Any
    toolbox: Any
    settings: Any
    active_answerer: Any
    llm_status: str

    def ask(
        self,
        message: str,
        *,
        conversation_id: str | None = None,
        document_ids: list[str] | None = None,
        on_event: Callable[[ProgressEvent], None] | None = None,
    ) -> Answer: ...


def answerer_name(assistant: AssistantLike) -> str:
    """`active_answerer` may be the answerer object or its name."""
    active = assistant.active_answerer
    return str(getattr(active, "name", active) or "deterministic")


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def ready_assistant(state: Any) -> AssistantLike:
    """The app's Assistant (`app.state.assistant`), or NotReady (503) while the lifespan builds it."""
    assistant = state.assistant
    if assistant is None:
        raise NotReady(
            "服务正在启动（加载索引和模型），请稍后再试 / the service is still starting (loading the index and "
            "models), retry shortly",
        )
    return assistant


def _assistant(request: Request) -> AssistantLike:
    return ready_assistant(request.app.state)


def _store(request: Request) -> Store:
    return _assistant(request).store


def _ingest_queue(request: Request) -> IngestQueue:
    ingest_queue = request.app.state.ingest_queue
    if ingest_queue is None:
        raise NotReady(
            "文档写入队列尚未启动，请稍后再试 / the document writer is not running yet, retry shortly"
        )
    return ingest_queue


def _metrics(request: Request) -> ApiMetrics:
    return request.app.state.metrics


def _guard(request: Request) -> Guard:
    return request.app.state.guard


bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="APIKey",
    description="Authorization: Bearer <API 密钥 / API key>（未配置密钥的本机模式无需填写 / not needed when no key is configured）",
)


async def _principal(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> Principal:
    client = request.client.host if request.client else None
    return _guard(request).admit(request.headers, request.url.path, client)


async def _admin(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
    return require_admin(principal)


SettingsDep = Annotated[Settings, Depends(_settings)]
AssistantDep = Annotated[AssistantLike, Depends(_assistant)]
StoreDep = Annotated[Store, Depends(_store)]
IngestQueueDep = Annotated[IngestQueue, Depends(_ingest_queue)]
MetricsDep = Annotated[ApiMetrics, Depends(_metrics)]
GuardDep = Annotated[Guard, Depends(_guard)]
PrincipalDep = Annotated[Principal, Depends(_principal)]
AdminDep = Annotated[Principal, Depends(_admin)]
