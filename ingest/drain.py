"""Drain the durable ingest queue from any number of processes on any number of machines
(`jixiao worker`), all sharing one database, one Chroma server and one upload folder.

Each `QueueWorker` claims the oldest free job (`JobStore.claim`: `FOR UPDATE SKIP LOCKED` on
PostgreSQL), renews its lease while the document runs (`heartbeat`), ingests it in a child process
(`ingest.worker`, killed on cancel or timeout, dying with its parent) and deletes the job once the
outcome is in the manifest. A worker killed mid-document stops renewing: when its lease runs out
another worker claims the job again, the writer lock's garbage collection removes what the dead one
half-wrote, and the document is ingested once (a document already `ok` under its content hash is
`unchanged`, never written twice). A job whose runs were interrupted more than `MAX_ATTEMPTS` times
ends `failed` instead of killing workers forever.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.errors import NotFound
from ingest.index import collect_leftovers, file_identity, settle_stopped, withdraw_document
from ingest.models import DocumentRecord
from ingest.settings import StorageSettings
from ingest.store import JobRow, JobStore, Store
from ingest.worker import run_in_worker

log = logging.getLogger("jixiao.drain")

LEASE_SECONDS = 30.0  # a killed worker's job is claimed again this long after its last heartbeat
MAX_ATTEMPTS = 2  # runs of one job that may be interrupted (killed workers) before it is failed


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def failed_record(doc_id: str, path: Path, reason: str) -> DocumentRecord:
    """The manifest row of a job that ends `failed` with `reason` (survives restarts)."""
    sha = file_identity(path)[1] if path.is_file() else ""
    return DocumentRecord(
        doc_id=doc_id,
        sha256=sha,
        path=str(path.resolve()),
        title=path.stem,
        status="failed",
        message=reason,
        ingested_at=_now(),
    )


def interrupted_message(attempts: int) -> str:
    return (
        f"入库过程中处理进程已中断 {attempts} 次，不再重试，请检查文件后重新上传 / ingest was interrupted "
        f"{attempts} times (restart or killed worker), not retried again; check the file and upload it again"
    )


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Outcome:
    doc_id: str
    status: str  # ok | unchanged | failed | needs_ocr | cancelled | lost
    message: str = ""


class QueueWorker:
    """One draining loop. `run` returns when `stop` is set (after the running document)."""

    def __init__(
        self,
        settings: StorageSettings,
        store: Store,
        *,
        lease: float = LEASE_SECONDS,
        poll: float = 1.0,
        command: Sequence[str] | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.jobs = JobStore(store.engine)
        self.owner = worker_id()
        self.lease = lease
        self.poll = poll
        self.command = command
        self.on_outcome = on_outcome

    def run(self, stop: threading.Event) -> int:
        """Claim and ingest jobs until `stop`; returns how many were processed."""
        done = 0
        log.info("worker %s draining the ingest queue", self.owner)
        while not stop.is_set():
            row = self.jobs.claim(self.owner, self.lease)
            if row is None:
                stop.wait(self.poll)
                continue
            outcome = self.process(row, stop)
            done += 1
            if self.on_outcome is not None:
                self.on_outcome(outcome)
        return done

    def process(self, row: JobRow, stop: threading.Event | None = None) -> Outcome:
        cancel = threading.Event()
        verdict = {"state": "ok"}
        beating = threading.Event()

        def heartbeat() -> None:
            while not beating.wait(self.lease / 3):
                state = self.jobs.heartbeat(row.doc_id, self.owner, self.lease)
                if state != "ok" or (stop is not None and stop.is_set()):
                    verdict["state"] = "shutdown" if state == "ok" else state
                    cancel.set()
                    return

        beat = threading.Thread(target=heartbeat, name=f"lease-{row.doc_id}", daemon=True)
        beat.start()
        try:
            return self._ingest(row, cancel, verdict)
        finally:
            beating.set()
            beat.join(5)

    def _ingest(self, row: JobRow, cancel: threading.Event, verdict: dict[str, str]) -> Outcome:
        path = Path(row.path)
        if row.status == "cancelling":
            return self._cancelled(row, path)
        if row.attempts > MAX_ATTEMPTS:
            return self._fail(row, path, interrupted_message(row.attempts - 1))
        staged = Path(row.staged) if row.staged else None
        if staged is not None and staged.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, path)
            self.jobs.moved(row.doc_id)
        if not path.is_file():
            return self._fail(
                row, path, "上传的文件已丢失，请重新上传 / the uploaded file is gone, upload it again"
            )
        log.info("ingesting %s (%s, attempt %d)", row.filename, row.doc_id, row.attempts)
        outcome = run_in_worker(
            self.settings,
            path,
            wait=self.settings.ingest_timeout,  # other workers' documents come first: waiting is normal
            cancel=cancel,
            command=self.command,
        )
        state = verdict["state"]
        if outcome.cancelled and state == "lost":  # another worker owns the job now
            log.warning("lost the lease on %s; another worker continues it", row.filename)
            return Outcome(row.doc_id, "lost")
        if outcome.cancelled and state == "shutdown":
            collect_leftovers(self.settings, store=self.store, wait=self.settings.ingest_timeout)
            self.jobs.requeue(row.doc_id, self.owner)
            return Outcome(row.doc_id, "queued", "shutdown")
        if outcome.cancelled:
            return self._cancelled(row, path)
        if outcome.record is None:
            return self._fail(row, path, outcome.reason)
        self.jobs.finish(row.doc_id, self.owner)
        record = outcome.record
        log.info("ingested %s -> %s %s", row.filename, record.status, record.message)
        return Outcome(row.doc_id, record.status, record.message)

    def _cancelled(self, row: JobRow, path: Path) -> Outcome:
        settle_stopped(
            self.settings, row.doc_id, store=self.store, wait=self.settings.ingest_timeout, failed=None
        )
        self.jobs.finish(row.doc_id)
        drop_upload(self.store, path, row.doc_id, self.settings.data_dir / "uploads")
        log.info("cancelled ingest of %s", row.filename)
        return Outcome(row.doc_id, "cancelled")

    def _fail(self, row: JobRow, path: Path, reason: str) -> Outcome:
        settle_stopped(
            self.settings,
            row.doc_id,
            store=self.store,
            wait=self.settings.ingest_timeout,
            failed=failed_record(row.doc_id, path, reason),
        )
        self.jobs.finish(row.doc_id, self.owner)
        log.warning("ingest of %s failed: %s", row.filename, reason)
        return Outcome(row.doc_id, "failed", reason)


def drop_upload(store: Store, path: Path, doc_id: str, uploads: Path) -> None:
    """Delete an upload file no other document or job needs (never anything outside uploads/)."""
    try:
        inside = path.resolve().is_relative_to(uploads.resolve())
    except OSError:
        return
    if not inside or not path.is_file():
        return
    resolved = str(path.resolve())
    if any(d.doc_id != doc_id for d in store.documents_at_path(resolved)):
        return
    if any(j.doc_id != doc_id and j.path == str(path) for j in JobStore(store.engine).pending()):
        return
    path.unlink(missing_ok=True)


def withdraw(settings: StorageSettings, store: Store, doc_ref: str, *, wait: float) -> DocumentRecord:
    """Delete an indexed (or failed) document and its upload file; NotFound when unknown."""
    record = withdraw_document(settings, doc_ref, store=store, wait=wait)
    drop_upload(store, Path(record.path), record.doc_id, settings.data_dir / "uploads")
    return record


def withdraw_if_present(settings: StorageSettings, store: Store, doc_id: str, *, wait: float) -> None:
    """Withdraw `doc_id` if the store has it (a dropped job's earlier failed record, a run that finished
    before its cancellation was seen)."""
    with suppress(NotFound):
        withdraw_document(settings, doc_id, store=store, wait=wait)
