"""`jixiao serve`: the HTTP service (chat API, OpenAI-compatible API, MCP, documents, widget) on uvicorn.

One worker by default: embedded Chroma is safe for one writing process only and the upload queue
is per process. `--workers N` needs a Chroma server and a shared SQL database; then uploads are
queued in the database for `jixiao worker` processes, and rate limits and conversations live in the
database, so they hold across workers and machines (docs/deploy.md). With no API key configured the
service is the local user's alone and binds to 127.0.0.1 only.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Annotated

import typer

from service.commands._options import DataDirOpt, error_exit, load_settings
from service.config import Settings
from service.errors import ConfigError

log = logging.getLogger("jixiao.serve")


@dataclass
class ServePlan:
    host: str
    port: int
    workers: int
    notes: list[str] = field(default_factory=list)


def plan_serve(
    settings: Settings, *, host: str | None = None, port: int | None = None, workers: int = 1
) -> ServePlan:
    """Decide how to serve, or refuse with a ConfigError that says why and what to change."""
    host = host or settings.host
    port = settings.port if port is None else port
    if workers < 1:
        raise ConfigError("--workers 至少为 1 / --workers must be at least 1")
    if workers > 1 and not (settings.chroma_mode == "http" and settings.database_url):
        raise ConfigError(
            f"不能以 {workers} 个工作进程运行：嵌入式 Chroma 和 SQLite 只允许一个写入进程，上传队列也只在单个进程内串行。"
            f" / refusing --workers {workers}: embedded Chroma and SQLite are safe for one writing process only, "
            "and the upload queue serialises writes within one process.",
            hint="请配置 Chroma 服务器（JIXIAO_CHROMA_MODE=http、JIXIAO_CHROMA_HOST/PORT）和共享数据库"
            "（JIXIAO_DATABASE_URL=postgresql://…），或去掉 --workers / set JIXIAO_CHROMA_MODE=http and "
            "JIXIAO_DATABASE_URL, or drop --workers",
        )
    from service.api.security import is_loopback  # the API's own notion of "this machine"

    notes: list[str] = []
    if not (settings.api_keys or settings.admin_keys):
        if not is_loopback(host):
            raise ConfigError(
                f"未配置 API 密钥，拒绝监听 {host}：任何能访问该地址的人都能提问、上传和删除文档。"
                f" / refusing to bind {host} without API keys: anyone who can reach it could ask, upload and delete.",
                hint="请设置 JIXIAO_API_KEYS 和 JIXIAO_ADMIN_KEYS（长随机字符串），或使用 --host 127.0.0.1 / "
                "set JIXIAO_API_KEYS and JIXIAO_ADMIN_KEYS (long random strings), or bind 127.0.0.1",
            )
        notes.append(
            f"未配置 API 密钥：仅监听本机 {host}，本机任何程序都可以不带密钥调用 / no API key configured: "
            f"listening on {host} only, any local program may call without a key"
        )
    if settings.shared_store:
        notes.append(
            "共享存储：上传文件排入数据库队列，由 `jixiao worker` 进程入库，请至少启动一个 / shared store: "
            "uploads are queued in the database and ingested by `jixiao worker` processes; run at least one"
        )
    return ServePlan(host=host, port=port, workers=workers, notes=notes)


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[
            str | None, typer.Option("--host", help="监听地址（默认 JIXIAO_HOST=127.0.0.1）/ bind address")
        ] = None,
        port: Annotated[
            int | None, typer.Option("--port", help="端口（默认 JIXIAO_PORT=8000）/ port")
        ] = None,
        workers: Annotated[
            int,
            typer.Option(
                "--workers", help="工作进程数；>1 需要 Chroma 服务器和共享数据库 / worker processes", min=1
            ),
        ] = 1,
        data_dir: DataDirOpt = None,
        log_level: Annotated[str, typer.Option("--log-level", help="debug|info|warning")] = "info",
    ) -> None:
        """启动 HTTP 服务：问答 API、OpenAI 兼容接口、MCP、文档管理和问答挂件 / serve the HTTP API."""
        if data_dir is not None:
            os.environ["JIXIAO_DATA_DIR"] = str(data_dir)  # the workers read settings from the environment
        settings = load_settings()
        try:
            plan = plan_serve(settings, host=host, port=port, workers=workers)
        except ConfigError as err:
            raise error_exit(err, 2) from err

        import uvicorn

        logging.basicConfig(
            level=getattr(logging, log_level.upper(), logging.INFO),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        for note in plan.notes:
            log.warning(note)
        log.info("jixiao 服务地址 / serving on http://%s:%d  (docs: /docs)", plan.host, plan.port)
        uvicorn.run(
            "service.api.app:create_app",
            factory=True,
            host=plan.host,
            port=plan.port,
            workers=plan.workers,
            log_level=log_level.lower(),
            timeout_graceful_shutdown=10,
        )
