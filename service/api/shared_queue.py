"""The upload queue of an API process on a shared store (`settings.shared_store`: a Chroma server
and PostgreSQL), where several API workers answer and `jixiao worker` processes ingest.

Same interface as `IngestQueue`, but holding nothing in memory: a job is its `ingest_jobs` row
(`ingest.store.JobStore`), so any API worker answers for an upload another one accepted, and a
restart of every API process loses nothing. The API never ingests here; the drain loop
(`ingest.drain`) does. A removal drops a queued job at once, and asks a running one's worker to stop
(it sees the request at its next lease renewal)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from ingest.drain import LEASE_SECONDS, withdraw, withdraw_if_present
from ingest.models import DocumentRecord
from ingest.store import JobRow, JobStore
from service.api.ingest_queue import DELETE_WAIT_SECONDS, Job
from service.config import Settings

log = logging.getLogger("jixiao.api.ingest")

CANCEL_WAIT_SECONDS = LEASE_SECONDS + 30.0  # a heartbeat sees the request, then the worker cleans up


def _job(row: JobRow) -> Job:
    job = Job(
        doc_id=row.doc_id,
        filename=row.filename,
        path=Path(row.path),
        staged=Path(row.staged) if row.staged else None,
        status="queued" if row.status == "queued" else "ingesting",
        queued_at=row.queued_at,
        attempts=row.attempts,
    )
    if row.status == "cancelling":
        job.message = "正在取消 / cancelling"
    return job


class SharedIngestQueue:
    def __init__(self, settings: Settings, store: Any) -> None:
        self._settings = settings
        self._store = store
        self._db = JobStore(store.engine)

    def start(self) -> None:
        log.info("uploads are queued in the database and ingested by `jixiao worker` processes")

    def stop(self, timeout: float = 30.0) -> None:
        return None

    def submit(self, job: Job) -> Job:
        """Record the job durably (a worker picks it up); the same bytes already queued or being
        ingested are not queued twice. Blocking (a SQL write)."""
        current = self._db.get(job.doc_id)
        if current is not None:
            if job.staged is not None and str(job.staged) != current.staged:
                job.staged.unlink(missing_ok=True)
            return _job(current)
        self._db.add(job.queued_row())
        return job

    def remove(self, doc_ref: str) -> DocumentRecord:
        """Delete a document in any state (see the module doc). Blocking. Raises NotFound."""
        row = self._db.get(doc_ref)
        state = self._db.cancel(doc_ref) if row is not None else None
        if row is None or state is None:
            return withdraw(self._settings, self._store, doc_ref, wait=DELETE_WAIT_SECONDS)
        if state == "dropped":
            if row.staged:
                Path(row.staged).unlink(missing_ok=True)
        else:
            deadline = time.monotonic() + CANCEL_WAIT_SECONDS
            while self._db.get(doc_ref) is not None and time.monotonic() < deadline:
                time.sleep(0.5)
        # the run may have finished before its worker saw the request: what it indexed goes too
        withdraw_if_present(self._settings, self._store, doc_ref, wait=DELETE_WAIT_SECONDS)
        return DocumentRecord(doc_id=doc_ref, sha256="", path=row.path, title=row.filename, status="removed")

    def jobs(self) -> list[Job]:
        return [_job(row) for row in self._db.pending()]

    def job(self, doc_id: str) -> Job | None:
        row = self._db.get(doc_id)
        return _job(row) if row is not None else None

    def pending(self) -> int:
        return len(self._db.pending())
