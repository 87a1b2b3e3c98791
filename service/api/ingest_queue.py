"""The durable ingest queue: uploads run one at a time, each in a worker process that can be killed.

- Durable: `submit` records the job in the database (`ingest.store.JobStore`) before the API answers 202;
  `start` reloads unfinished jobs after a crash or restart and removes orphaned upload files, so
  an accepted upload always ends `ok` or `failed`, never vanishes.
- Bounded: each document runs in `ingest.worker` (lower CPU priority, bounded threads) and is
  killed when its time budget runs out or when the worker crashes; it ends `failed` with the
  reason and the queue moves on.
- Cancellable: `remove` works in every state: a queued job is dropped, a running one is killed,
  an indexed document is hidden at once and purged as soon as the writer lock is free.

Embedded Chroma is safe for one writing process only: the worker holds the data dir's writer lock
(`ingest.lock`) while it writes, and this queue starts one worker at a time.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.drain import MAX_ATTEMPTS, failed_record, interrupted_message
from ingest.errors import NotFound
from ingest.index import collect_leftovers, settle_stopped, withdraw_document
from ingest.models import DocumentRecord
from ingest.store import JobRow, JobStore
from ingest.worker import run_in_worker
from service.config import Settings

log = logging.getLogger("jixiao.api.ingest")

WRITER_WAIT_SECONDS = 120.0  # for another writer (a `jixiao ingest` in a terminal)
DELETE_WAIT_SECONDS = 5.0  # a deletion purges now if the lock is free this soon, else later
CANCEL_WAIT_SECONDS = 60.0
ORPHAN_AGE_SECONDS = 600.0  # an unreferenced upload file older than this is an orphan


def _now(spec: str = "seconds") -> str:
    return datetime.now(UTC).isoformat(timespec=spec)


@dataclass
class Job:
    """An upload on its way into the index."""

    doc_id: str
    filename: str
    path: Path  # where the writer puts the file for ingest: uploads/<name>, so a re-upload replaces
    staged: Path | None = None  # where the request left the bytes
    status: str = "queued"  # queued -> ingesting -> the record's status (ok, unchanged, failed, needs_ocr)
    message: str = ""
    progress: str = ""
    queued_at: str = field(default_factory=_now)
    finished_at: str = ""
    attempts: int = 0  # runs started before this one (restarts interrupted them)
    record: DocumentRecord | None = None
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def done(self) -> bool:
        return self.status not in ("queued", "ingesting")

    def queued_row(self) -> JobRow:
        """The job's row in the durable queue as it is accepted."""
        return JobRow(
            doc_id=self.doc_id,
            filename=self.filename,
            path=str(self.path),
            staged=str(self.staged or ""),
            status="queued",
            attempts=0,
            queued_at=_now("microseconds"),
        )

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
        if self.progress and not self.done:
            out["progress"] = self.progress
        return out


class IngestQueue:
    def __init__(
        self,
        settings: Settings,
        store: Any,
        *,
        on_done: Callable[[Job], None] | None = None,
        worker_command: Sequence[str] | None = None,
        writer_wait: float = WRITER_WAIT_SECONDS,
    ) -> None:
        self._settings = settings
        self._store = store
        self._db = JobStore(store.engine)
        self._on_done = on_done
        self._command = worker_command
        self._writer_wait = writer_wait
        self._uploads = settings.data_dir / "uploads"
        self._waiting: deque[Job] = deque()
        self._running: Job | None = None
        self._jobs: dict[str, Job] = {}
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    @classmethod
    def for_store(
        cls, settings: Settings, store: Any, *, on_done: Callable[[Job], None] | None = None
    ) -> IngestQueue:
        return cls(settings, store, on_done=on_done)

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Reload the unfinished jobs a crash or restart left (so their status answers at once),
        remove upload files that no job or document refers to, start the writer thread."""
        if self._thread is not None:
            return
        for row in self._db.pending():
            job = Job(
                doc_id=row.doc_id,
                filename=row.filename,
                path=Path(row.path),
                staged=Path(row.staged) if row.staged else None,
                queued_at=row.queued_at,
                attempts=row.attempts,
            )
            if row.status == "ingesting":
                job.message = "服务重启，等待继续处理 / the service restarted, ingest resumes"
            self._jobs[job.doc_id] = job
            self._waiting.append(job)
            log.info("resuming ingest of %s (%s, %d earlier runs)", row.filename, row.status, row.attempts)
        self._sweep_orphans()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="jixiao-ingest-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the writer; a running worker is killed and its job stays in the database,
        queued, for the next start."""
        if self._thread is None:
            return
        with self._cond:
            self._stopping = True
            if self._running is not None:
                self._running.cancel.set()
            self._cond.notify_all()
        self._thread.join(timeout)
        self._thread = None

    # ---- submit ---------------------------------------------------------------------------
    def submit(self, job: Job) -> Job:
        """Record the job durably, then queue it; the same bytes already on their way are not
        queued twice. Blocking (a SQL write): call it off the event loop."""
        with self._cond:
            current = self._jobs.get(job.doc_id)
            if current is not None and not current.done:
                if current.staged != job.staged and job.staged is not None:
                    job.staged.unlink(missing_ok=True)
                return current
            self._db.add(job.queued_row())
            self._jobs[job.doc_id] = job
            self._waiting.append(job)
            self._cond.notify_all()
        return job

    def remove(self, doc_ref: str) -> DocumentRecord:
        """Delete a document in any state: a queued job is dropped, a running one is stopped (its
        worker killed, its partial writes removed), an indexed document is deleted. Blocking.
        Raises NotFound."""
        with self._cond:
            job = self._jobs.get(doc_ref)
            if job is not None and job.done:
                job = None
            queued = job is not None and job in self._waiting
            if job is not None and queued:
                self._waiting.remove(job)
                self._forget(job, "cancelled")
            elif job is not None:
                job.cancel.set()
        if job is None:
            record = withdraw_document(self._settings, doc_ref, store=self._store, wait=self._purge_wait())
            self._drop_upload(Path(record.path), record.doc_id)
            self._discard(record.doc_id)
            return record
        if queued:
            self._db.finish(job.doc_id)
            if job.staged is not None:
                job.staged.unlink(missing_ok=True)
            with suppress(NotFound):  # an earlier attempt's failed record under the same id goes too
                withdraw_document(self._settings, job.doc_id, store=self._store, wait=self._purge_wait())
            job.finished.set()
        elif not job.finished.wait(CANCEL_WAIT_SECONDS):
            log.warning("cancelling %s took longer than %.0f s", job.filename, CANCEL_WAIT_SECONDS)
        elif job.status != "cancelled":  # it finished before the worker could be stopped
            with suppress(NotFound):
                withdraw_document(self._settings, job.doc_id, store=self._store, wait=DELETE_WAIT_SECONDS)
            self._drop_upload(job.path, job.doc_id)
            self._discard(job.doc_id)
        return DocumentRecord(
            doc_id=job.doc_id, sha256="", path=str(job.path), title=job.filename, status="removed"
        )

    def _purge_wait(self) -> float:
        """A running worker holds the writer lock for its whole document: then a deletion hides
        at once and leaves the purge to the writer thread after the job."""
        with self._cond:
            return 0.0 if self._running is not None else DELETE_WAIT_SECONDS

    # ---- read -----------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        with self._cond:
            return list(self._jobs.values())

    def job(self, doc_id: str) -> Job | None:
        with self._cond:
            return self._jobs.get(doc_id)

    def pending(self) -> int:
        with self._cond:
            return len(self._waiting) + (self._running is not None)

    # ---- the writer thread ----------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                job = self._running = self._waiting.popleft()
                job.status = "ingesting"
            try:
                self._ingest(job)
            except Exception:
                log.exception("the ingest queue failed on %s", job.filename)
                job.status = "failed"
                job.message = (
                    f"入库失败（内部错误），请联系管理员 / ingest failed (internal error) ({job.filename})"
                )
                job.finished_at = _now()
                with suppress(Exception):
                    self._fail(job, job.message)
            finally:
                with self._cond:
                    self._running = None
                job.finished.set()
                if self._on_done is not None and job.done:
                    self._on_done(job)
            try:  # deletions that came while the worker held the writer lock
                collect_leftovers(self._settings, store=self._store, wait=DELETE_WAIT_SECONDS)
            except Exception:
                log.exception("cleaning up deleted documents failed")

    def _ingest(self, job: Job) -> None:
        if job.attempts >= MAX_ATTEMPTS:
            self._fail(job, interrupted_message(job.attempts))
            return
        job.attempts = self._db.started(job.doc_id)
        if job.staged is not None and job.staged.exists():
            job.path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(job.staged, job.path)
            self._db.moved(job.doc_id)
        if not job.path.is_file():
            self._fail(job, "上传的文件已丢失，请重新上传 / the uploaded file is gone, upload it again")
            return

        def progress(msg: dict[str, Any]) -> None:
            done, of = msg.get("done") or 0, msg.get("of") or 0
            job.progress = f"{msg.get('stage', '')} {done}/{of}" if of else str(msg.get("stage", ""))

        outcome = run_in_worker(
            self._settings,
            job.path,
            wait=self._writer_wait,
            cancel=job.cancel,
            progress=progress,
            command=self._command,
        )
        if outcome.cancelled and self._stopping:  # shutdown: resume at the next start
            collect_leftovers(self._settings, store=self._store, wait=self._writer_wait)
            self._db.requeue(job.doc_id)
            job.status = "queued"
            return
        if outcome.cancelled:
            settle_stopped(self._settings, job.doc_id, store=self._store, wait=self._writer_wait, failed=None)
            self._db.finish(job.doc_id)
            with self._cond:
                self._forget(job, "cancelled")
            self._drop_upload(job.path, job.doc_id)
            log.info("cancelled ingest of %s", job.filename)
            return
        if outcome.record is None:
            self._fail(job, outcome.reason)
            return
        job.record = outcome.record
        job.status, job.message = outcome.record.status, outcome.record.message
        job.finished_at = _now()
        self._db.finish(job.doc_id)
        log.info("ingested %s -> %s %s", job.filename, job.status, job.message)

    def _fail(self, job: Job, reason: str) -> None:
        """The job ends `failed` with `reason`, recorded in the manifest (so it survives a restart)."""
        record = failed_record(job.doc_id, job.path, reason)
        settle_stopped(self._settings, job.doc_id, store=self._store, wait=self._writer_wait, failed=record)
        self._db.finish(job.doc_id)
        job.record, job.status, job.message = record, "failed", reason
        job.finished_at = _now()
        log.warning("ingest of %s failed: %s", job.filename, reason)

    def _discard(self, doc_id: str) -> None:
        """A deleted document's finished job no longer answers for it."""
        with self._cond:
            job = self._jobs.get(doc_id)
            if job is not None and job.done:
                del self._jobs[doc_id]

    def _forget(self, job: Job, status: str) -> None:
        """Lock held: the job is no longer the service's business."""
        job.status = status
        job.finished_at = _now()
        if self._jobs.get(job.doc_id) is job:
            del self._jobs[job.doc_id]

    # ---- upload files ---------------------------------------------------------------------
    def _referenced(self, path: Path, except_doc: str = "") -> bool:
        resolved = str(path.resolve())
        if any(d.doc_id != except_doc for d in self._store.documents_at_path(resolved)):
            return True
        with self._cond:
            return any(
                j.doc_id != except_doc
                and not j.done
                and resolved in {str(p.resolve()) for p in (j.path, j.staged) if p}
                for j in self._jobs.values()
            )

    def _drop_upload(self, path: Path, doc_id: str) -> None:
        """Delete an upload file that no other document or job needs (never outside uploads/)."""
        try:
            inside = path.resolve().is_relative_to(self._uploads.resolve())
        except OSError:
            return
        if inside and path.is_file() and not self._referenced(path, doc_id):
            path.unlink(missing_ok=True)

    def _sweep_orphans(self) -> None:
        """Files under uploads/ that no job and no manifest row refers to: a crash between
        staging the bytes and recording the job, or a deletion before this version."""
        if not self._uploads.is_dir():
            return
        settled = time.time() - ORPHAN_AGE_SECONDS  # never a file a concurrent upload is staging
        for path in self._uploads.rglob("*"):
            if path.is_file() and path.stat().st_mtime < settled and not self._referenced(path):
                log.info("removing orphaned upload %s", path)
                path.unlink(missing_ok=True)
