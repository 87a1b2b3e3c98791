"""The durable ingest queue: one row per accepted upload, written before the API answers 202 and
deleted once the upload's outcome (`ok`, `failed`, `needs_ocr`) is in the manifest.

A restart finds here what a crash interrupted and resumes it (`service.api.ingest_queue`), so an
accepted upload always ends `ok` or `failed` and never vanishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from ingest import _schema as S

JobStatus = str  # queued | ingesting


@dataclass
class JobRow:
    doc_id: str
    filename: str
    path: str
    staged: str
    status: JobStatus
    attempts: int
    queued_at: str


class JobStore:
    """SQL rows of `ingest_jobs` on the Store's engine (the table is created with the others)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        S.ingest_jobs.create(engine, checkfirst=True)

    def add(self, row: JobRow) -> None:
        """Record an accepted upload (replacing a finished or stale row of the same id)."""
        values: dict[str, Any] = {**row.__dict__}
        with self.engine.begin() as conn:
            conn.execute(delete(S.ingest_jobs).where(S.ingest_jobs.c.doc_id == row.doc_id))
            conn.execute(insert(S.ingest_jobs).values(**values))

    def started(self, doc_id: str) -> int:
        """Mark a job `ingesting`; returns its attempt number (1 for the first run)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(S.ingest_jobs)
                .where(S.ingest_jobs.c.doc_id == doc_id)
                .values(status="ingesting", attempts=S.ingest_jobs.c.attempts + 1)
            )
            attempts = conn.execute(
                select(S.ingest_jobs.c.attempts).where(S.ingest_jobs.c.doc_id == doc_id)
            ).scalar()
        return int(attempts or 0)

    def moved(self, doc_id: str) -> None:
        """The staged bytes are now at the job's path."""
        with self.engine.begin() as conn:
            conn.execute(update(S.ingest_jobs).where(S.ingest_jobs.c.doc_id == doc_id).values(staged=""))

    def requeue(self, doc_id: str) -> None:
        """A run stopped by a shutdown, not by the file: queued again, the attempt not counted."""
        with self.engine.begin() as conn:
            conn.execute(
                update(S.ingest_jobs)
                .where(S.ingest_jobs.c.doc_id == doc_id)
                .values(status="queued", attempts=S.ingest_jobs.c.attempts - 1)
            )

    def finish(self, doc_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(S.ingest_jobs).where(S.ingest_jobs.c.doc_id == doc_id))

    def pending(self) -> list[JobRow]:
        """Every unfinished job, oldest first."""
        q = select(S.ingest_jobs).order_by(S.ingest_jobs.c.queued_at, S.ingest_jobs.c.doc_id)
        with self.engine.connect() as conn:
            return [JobRow(**dict(r._mapping)) for r in conn.execute(q)]
