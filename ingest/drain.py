"""Drain the durable ingest queue from any number of processes on any number of machines
(`jixiao worker`), all sharing one database, one Chroma server and one upload folder.

Each `QueueWorker` claims the oldest free job (`JobStore.claim`: `FOR UPDATE SKIP LOCKED` on
PostgreSQL), renews its lease while the document runs (`heartbeat`), ingests it in a child process
(`ingest.worker`, killed on cancel or timeout, dying with its parent) and deletes the job once the
outcome is in the manifest. When several jobs are queued it claims up to `BATCH` of them and
ingests them in one child, in order, the next file read while the current one is embedded (the
read-ahead of `jixiao ingest`; the child and its embedding model start once), each job finished as
its file is done; a job of the batch that was not at fault when the child stopped (a sibling's
cancellation, a shutdown, a sibling that crashed or timed out) is queued again, its attempt not
counted. A worker killed mid-document stops renewing: when its lease runs out
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
from ingest.store import JobRow, JobStore, Store, public_id
from ingest.worker import run_batch_in_worker

log = logging.getLogger("jixiao.drain")

LEASE_SECONDS = 30.0  # a killed worker's job is claimed again this long after its last heartbeat
MAX_ATTEMPTS = 2  # runs of one job that may be interrupted (killed workers) before it is failed
BATCH = 4  # queued jobs one worker claims together and ingests in one child (the next one read ahead)


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
        batch: int = BATCH,
    ) -> None:
        self.settings = settings
        self.store = store
        self.jobs = JobStore(store.engine)
        self.owner = worker_id()
        self.lease = lease
        self.poll = poll
        self.command = command
        self.on_outcome = on_outcome
        self.batch = max(1, batch)

    def run(self, stop: threading.Event) -> int:
        """Claim and ingest jobs until `stop`; returns how many were processed."""
        done = 0
        log.info("worker %s draining the ingest queue", self.owner)
        while not stop.is_set():
            row = self.jobs.claim(self.owner, self.lease)
            if row is None:
                stop.wait(self.poll)
                continue
            rows = [row]
            while len(rows) < self.batch and (more := self.jobs.claim(self.owner, self.lease)) is not None:
                rows.append(more)
            for outcome in self.process_batch(rows, stop):
                done += 1
                if self.on_outcome is not None:
                    self.on_outcome(outcome)
        return done

    def process(self, row: JobRow, stop: threading.Event | None = None) -> Outcome:
        [outcome] = self.process_batch([row], stop)
        return outcome

    def process_batch(self, rows: list[JobRow], stop: threading.Event | None = None) -> list[Outcome]:
        """Ingest the claimed jobs `rows` in one child process (the next file read while the
        current one is embedded, as `jixiao ingest` does), renewing every lease until its file is
        done; one outcome per job, in order."""
        outcomes: dict[str, Outcome] = {}
        ready: list[JobRow] = []
        for row in rows:  # cancelled, failed too often, file gone: settled without a child
            early = self._settle_early(row)
            if early is None:
                ready.append(row)
            else:
                outcomes[row.doc_id] = early
        if ready:
            outcomes.update(self._run_batch(ready, stop))
        return [outcomes[row.doc_id] for row in rows]

    def _settle_early(self, row: JobRow) -> Outcome | None:
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
        return None

    def _run_batch(self, rows: list[JobRow], stop: threading.Event | None) -> dict[str, Outcome]:
        cancel = threading.Event()
        verdicts: dict[str, str] = {}  # doc_id -> "cancel" | "lost" | "shutdown"
        running = {row.doc_id: row for row in rows}  # leases still renewed
        lock = threading.Lock()
        beating = threading.Event()
        by_path = {str(Path(row.path)): row for row in rows}
        outcomes: dict[str, Outcome] = {}

        def heartbeat() -> None:
            while not beating.wait(self.lease / 3):
                with lock:
                    ids = list(running)
                for doc_id in ids:
                    state = self.jobs.heartbeat(doc_id, self.owner, self.lease)
                    if state != "ok" or (stop is not None and stop.is_set()):
                        verdicts[doc_id] = "shutdown" if state == "ok" else state
                        cancel.set()
                        return

        def finished(path: str, record: DocumentRecord) -> None:
            row = by_path.get(path)
            if row is None:
                return
            with lock:
                running.pop(row.doc_id, None)
            self.jobs.finish(row.doc_id, self.owner)
            log.info("ingested %s -> %s %s", row.filename, record.status, record.message)
            outcomes[row.doc_id] = Outcome(row.doc_id, record.status, record.message)

        beat = threading.Thread(target=heartbeat, name=f"lease-{rows[0].doc_id}", daemon=True)
        beat.start()
        for row in rows:
            log.info("ingesting %s (%s, attempt %d)", row.filename, row.doc_id, row.attempts)
        try:
            batch = run_batch_in_worker(
                self.settings,
                [Path(row.path) for row in rows],
                wait=self.settings.ingest_timeout,  # other workers' documents come first: waiting is normal
                cancel=cancel,
                on_record=finished,
                command=self.command,
                single=len(rows) == 1,
            )
        finally:
            beating.set()
            beat.join(5)
        if len(rows) == 1 and rows[0].doc_id not in outcomes and batch.records:
            finished(str(Path(rows[0].path)), next(iter(batch.records.values())))
        stopped, current = batch.stopped, True
        leftovers_collected = False
        for row in rows:
            if row.doc_id in outcomes:
                continue
            path = Path(row.path)
            verdict = verdicts.get(row.doc_id)
            if stopped.cancelled and verdict == "lost":  # another worker owns the job now
                log.warning("lost the lease on %s; another worker continues it", row.filename)
                outcomes[row.doc_id] = Outcome(row.doc_id, "lost")
            elif stopped.cancelled and verdict == "cancel":
                outcomes[row.doc_id] = self._cancelled(row, path)
            elif stopped.cancelled or not current:
                # stopped for a shutdown or for another job of the batch: this one is not at fault
                if not leftovers_collected:
                    collect_leftovers(self.settings, store=self.store, wait=self.settings.ingest_timeout)
                    leftovers_collected = True
                self.jobs.requeue(row.doc_id, self.owner)
                outcomes[row.doc_id] = Outcome(row.doc_id, "queued", "shutdown" if verdict else "requeued")
            else:  # the file in progress when the child timed out, crashed or was refused
                outcomes[row.doc_id] = self._fail(row, path, stopped.reason)
            current = False
        return outcomes

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
    if any(public_id(d.doc_id) != doc_id for d in store.documents_at_path(resolved)):
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
