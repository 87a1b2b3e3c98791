"""The single writer: uploads and deletions run one at a time on one background thread.

Embedded Chroma is safe for one writing process only, and `ingest.index` holds the data dir's
writer lock while it writes; serialising here keeps HTTP requests from ever waiting on that lock.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.errors import JixiaoError
from ingest.models import DocumentRecord
from service.config import Settings

log = logging.getLogger("jixiao.api.ingest")

WRITER_WAIT_SECONDS = 120.0


@dataclass
class Job:
    """An upload on its way into the index."""

    doc_id: str
    filename: str
    path: Path  # where the writer puts the file for ingest: uploads/<name>, so a re-upload replaces
    staged: Path | None = None  # where the request left the bytes
    status: str = "queued"  # queued -> ingesting -> the record's status (ok, unchanged, failed, needs_ocr)
    message: str = ""
    queued_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    finished_at: str = ""
    record: DocumentRecord | None = None

    @property
    def done(self) -> bool:
        return self.status not in ("queued", "ingesting")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = (
            self.record.to_json() if self.record else {"doc_id": self.doc_id, "title": self.filename}
        )
        out.update(
            doc_id=self.doc_id,
            filename=self.filename,
            status=self.status,
            message=self.message or out.get("message", ""),
            queued_at=self.queued_at,
            finished_at=self.finished_at,
        )
        return out


_STOP = object()


class IngestQueue:
    def __init__(
        self,
        *,
        ingest: Callable[[list[Path]], list[DocumentRecord]],
        remove: Callable[[str], DocumentRecord],
        on_done: Callable[[Job], None] | None = None,
    ) -> None:
        self._ingest = ingest
        self._remove = remove
        self._on_done = on_done
        self._queue: queue.Queue[Any] = queue.Queue()
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pending = 0
        self._thread: threading.Thread | None = None

    @classmethod
    def for_store(
        cls, settings: Settings, store: Any, *, on_done: Callable[[Job], None] | None = None
    ) -> IngestQueue:
        """The real writer: `ingest.index` on the service's open Store, waiting for another writer
        (a `jixiao ingest` in a terminal) up to WRITER_WAIT_SECONDS."""
        from ingest.index import ingest_paths, remove_document

        return cls(
            ingest=lambda paths: ingest_paths(settings, paths, store=store, wait=WRITER_WAIT_SECONDS),
            remove=lambda doc_id: remove_document(settings, doc_id, store=store, wait=WRITER_WAIT_SECONDS),
            on_done=on_done,
        )

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="jixiao-ingest-writer", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._thread = None

    # ---- submit ---------------------------------------------------------------------------
    def submit(self, job: Job) -> Job:
        with self._lock:
            current = self._jobs.get(job.doc_id)
            if current is not None and not current.done:
                return current  # the same bytes are already on their way
            self._jobs[job.doc_id] = job
            self._pending += 1
        self._queue.put(("ingest", job))
        return job

    def remove(self, doc_id: str) -> Future[DocumentRecord]:
        future: Future[DocumentRecord] = Future()
        with self._lock:
            self._pending += 1
        self._queue.put(("remove", (doc_id, future)))
        return future

    # ---- read -----------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def job(self, doc_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(doc_id)

    def pending(self) -> int:
        with self._lock:
            return self._pending

    # ---- the writer thread ----------------------------------------------------------------
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            kind, payload = item
            try:
                if kind == "ingest":
                    self._do_ingest(payload)
                else:
                    self._do_remove(*payload)
            finally:
                with self._lock:
                    self._pending -= 1

    def _do_ingest(self, job: Job) -> None:
        job.status = "ingesting"
        try:
            if job.staged is not None:
                job.path.parent.mkdir(parents=True, exist_ok=True)
                os.replace(job.staged, job.path)
            records = self._ingest([job.path])
            record = records[0]
            job.record = record
            job.status = record.status
            job.message = record.message
        except JixiaoError as exc:
            job.status, job.message = "failed", str(exc)
        except Exception as exc:
            log.exception("ingest of %s failed", job.filename)
            job.status = "failed"
            job.message = (
                f"入库失败（内部错误：{type(exc).__name__}），请联系管理员 / ingest failed (internal error)"
            )
        job.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        log.info("ingested %s -> %s %s", job.filename, job.status, job.message)
        if self._on_done is not None:
            self._on_done(job)

    def _do_remove(self, doc_id: str, future: Future[DocumentRecord]) -> None:
        try:
            record = self._remove(doc_id)
        except BaseException as exc:
            future.set_exception(exc)
            return
        with self._lock:
            self._jobs.pop(record.doc_id, None)
        future.set_result(record)
