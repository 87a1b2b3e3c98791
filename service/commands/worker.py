"""`jixiao worker`: drain the shared ingest queue (uploads accepted by `jixiao serve`).

Run any number of them, on any machine that reaches the database, the Chroma server and the upload
folder (`JIXIAO_DATA_DIR` on shared storage). Each claims what is queued, up to `--batch` jobs, and
ingests them in one child process, reading the next file while the current one is embedded (as
`jixiao ingest` does a batch); a worker that dies mid-document loses its leases and another one
takes the jobs over (`ingest.drain`). SIGTERM/Ctrl-C stops after putting the unfinished documents
back in the queue.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from service.commands._options import DataDirOpt, error_exit, load_settings
from service.errors import ConfigError

if TYPE_CHECKING:
    from ingest.store import JobStore

log = logging.getLogger("jixiao.worker")


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        data_dir: DataDirOpt = None,
        lease: Annotated[
            float,
            typer.Option(
                "--lease",
                min=3.0,
                help="租约秒数：进程失联这么久后，其任务由其他进程接手 / seconds after which a silent "
                "worker's job is taken over",
            ),
        ] = 30.0,
        batch: Annotated[
            int,
            typer.Option(
                "--batch",
                min=1,
                help="一次领取并在同一入库进程中处理的任务数（读下一份文件与当前文件的向量化并行）/ queued jobs "
                "claimed together and ingested in one child, the next file read while the current one is embedded",
            ),
        ] = 4,
        once: Annotated[
            bool, typer.Option("--once", help="队列清空后退出 / exit when the queue is empty")
        ] = False,
        log_level: Annotated[str, typer.Option("--log-level", help="debug|info|warning")] = "info",
    ) -> None:
        """处理上传队列：从共享数据库领取入库任务（可在多台机器上运行多个）/ drain the shared ingest queue."""
        settings = load_settings(data_dir)
        if not settings.shared_store:
            raise error_exit(
                ConfigError(
                    "jixiao worker 需要共享存储：Chroma 服务器和 PostgreSQL 数据库 / jixiao worker needs a "
                    "shared store: a Chroma server and a PostgreSQL database",
                    hint="设置 JIXIAO_CHROMA_MODE=http、JIXIAO_CHROMA_HOST/PORT 和 JIXIAO_DATABASE_URL=postgresql+"
                    "psycopg://…；单机部署时 jixiao serve 自己处理上传 / set them; on one machine `jixiao "
                    "serve` ingests uploads itself",
                ),
                2,
            )
        logging.basicConfig(
            level=getattr(logging, log_level.upper(), logging.INFO),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        from ingest.drain import QueueWorker
        from ingest.store import JobStore, Store

        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        with Store.open(settings) as store:
            drain = QueueWorker(settings, store, lease=lease, batch=batch)
            if once:
                jobs = JobStore(store.engine)
                threading.Thread(target=_stop_when_empty, args=(jobs, stop), name="once", daemon=True).start()
            done = drain.run(stop)
        log.info("worker stopped after %d job(s)", done)


def _stop_when_empty(jobs: JobStore, stop: threading.Event) -> None:
    """--once: stop when no job is left, none running either (so nothing is put back)."""
    while not stop.wait(1.0):
        if not jobs.pending():
            stop.set()
