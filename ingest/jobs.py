"""The durable ingest queue: rows of `ingest_jobs`, claimed by workers with leases."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, inspect, or_, select, text, update

from ingest import _schema as S
from ingest._sql import DDL_LOCK_KEY, create_tables


@dataclass
class JobRow:
    doc_id: str
    filename: str
    path: str
    staged: str
    status: str  # queued | ingesting | cancelling (a removal asked the owner to stop)
    attempts: int
    queued_at: str
    owner: str = ""
    lease_until: float = 0.0


class JobStore:
    """Rows of `ingest_jobs` on the Store's engine.

    One process (`service.api.ingest_queue` on an embedded store) drives rows by doc_id; several
    (`jixiao worker`, `ingest.drain`) `claim` them: on PostgreSQL with `SELECT … FOR UPDATE SKIP
    LOCKED`, so two workers never wait on or take the same row; every claim is also a
    compare-and-set on (status, owner, lease), which keeps SQLite correct too. A claim holds a
    lease that its worker renews (`heartbeat`); a row whose lease ran out is claimable again."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine, S.metadata)
        self._add_lease_columns()
        self._skip_locked = engine.dialect.name == "postgresql"

    def _add_lease_columns(self) -> None:
        """A database made before leases existed gets their columns (defaults fill old rows)."""
        added = {
            "owner": "VARCHAR(128) NOT NULL DEFAULT ''",
            "lease_until": "FLOAT NOT NULL DEFAULT 0",
        }
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DDL_LOCK_KEY})
            have = {c["name"] for c in inspect(conn).get_columns("ingest_jobs")}
            for name, ddl in added.items():
                if name not in have:
                    conn.execute(text(f"ALTER TABLE ingest_jobs ADD COLUMN {name} {ddl}"))

    @staticmethod
    def _row(r: Any) -> JobRow:
        return JobRow(**dict(r._mapping))

    def add(self, row: JobRow) -> None:
        """Record an accepted upload (replacing a finished or stale row of the same id). Two uploads
        of the same bytes at once (the id is the content's hash) race here: the one that loses finds
        the other's row, which already queues this very document, and leaves it."""
        from sqlalchemy.exc import IntegrityError

        values: dict[str, Any] = {**row.__dict__}
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(S.ingest_jobs).where(S.ingest_jobs.c.doc_id == row.doc_id))
                conn.execute(insert(S.ingest_jobs).values(**values))
        except IntegrityError:
            if self.get(row.doc_id) is None:
                raise  # no concurrent row: a real constraint error

    def get(self, doc_id: str) -> JobRow | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(S.ingest_jobs).where(S.ingest_jobs.c.doc_id == doc_id)).first()
        return self._row(r) if r is not None else None

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

    def claim(self, owner: str, lease: float, *, now: float | None = None) -> JobRow | None:
        """The oldest job that is queued or whose owner's lease ran out, now `ingesting` under
        `owner` until now + `lease` seconds (its attempt counted); None when there is none."""
        jobs = S.ingest_jobs.c
        for _ in range(10):  # another claimer won the compare-and-set: take the next row
            moment = time.time() if now is None else now
            free = or_(
                jobs.status == "queued",
                and_(jobs.status.in_(("ingesting", "cancelling")), jobs.lease_until < moment),
            )
            q = select(S.ingest_jobs).where(free).order_by(jobs.queued_at, jobs.doc_id).limit(1)
            if self._skip_locked:
                q = q.with_for_update(skip_locked=True)
            with self.engine.begin() as conn:
                r = conn.execute(q).first()
                if r is None:
                    return None
                row = self._row(r)
                taken = "cancelling" if row.status == "cancelling" else "ingesting"
                won = conn.execute(
                    update(S.ingest_jobs)
                    .where(
                        jobs.doc_id == row.doc_id,
                        jobs.status == row.status,
                        jobs.owner == row.owner,
                        jobs.lease_until == row.lease_until,
                    )
                    .values(status=taken, owner=owner, lease_until=moment + lease, attempts=jobs.attempts + 1)
                ).rowcount
            if won == 1:
                row.status = taken
                row.owner, row.lease_until, row.attempts = owner, moment + lease, row.attempts + 1
                return row
        return None

    def heartbeat(self, doc_id: str, owner: str, lease: float) -> str:
        """Renew `owner`'s lease: "ok", "cancel" (a removal asked it to stop) or "lost" (the row
        is gone or another worker took it over)."""
        jobs = S.ingest_jobs.c
        with self.engine.begin() as conn:
            renewed = conn.execute(
                update(S.ingest_jobs)
                .where(jobs.doc_id == doc_id, jobs.owner == owner)
                .values(lease_until=time.time() + lease)
            ).rowcount
            if not renewed:
                return "lost"
            status = conn.execute(select(jobs.status).where(jobs.doc_id == doc_id)).scalar()
        return "cancel" if status == "cancelling" else "ok"

    def cancel(self, doc_id: str) -> str | None:
        """A removal: a queued job is deleted ("dropped"), a running one is asked to stop
        ("cancelling": its worker sees it at the next heartbeat); None when there is no job."""
        jobs = S.ingest_jobs.c
        with self.engine.begin() as conn:
            q = select(jobs.status).where(jobs.doc_id == doc_id)
            status = conn.execute(q.with_for_update() if self._skip_locked else q).scalar()
            if status is None:
                return None
            if status == "queued":
                conn.execute(delete(S.ingest_jobs).where(jobs.doc_id == doc_id, jobs.status == "queued"))
                return "dropped"
            conn.execute(update(S.ingest_jobs).where(jobs.doc_id == doc_id).values(status="cancelling"))
        return "cancelling"

    def moved(self, doc_id: str) -> None:
        """The staged bytes are now at the job's path."""
        with self.engine.begin() as conn:
            conn.execute(update(S.ingest_jobs).where(S.ingest_jobs.c.doc_id == doc_id).values(staged=""))

    def requeue(self, doc_id: str, owner: str | None = None) -> None:
        """A run stopped by a shutdown, not by the file: queued again, the attempt not counted."""
        jobs = S.ingest_jobs.c
        mine = jobs.doc_id == doc_id if owner is None else and_(jobs.doc_id == doc_id, jobs.owner == owner)
        with self.engine.begin() as conn:
            conn.execute(
                update(S.ingest_jobs)
                .where(mine)
                .values(status="queued", attempts=jobs.attempts - 1, owner="", lease_until=0.0)
            )

    def finish(self, doc_id: str, owner: str | None = None) -> None:
        """The job's outcome is in the manifest (`owner`: only while that worker still owns it)."""
        jobs = S.ingest_jobs.c
        mine = jobs.doc_id == doc_id if owner is None else and_(jobs.doc_id == doc_id, jobs.owner == owner)
        with self.engine.begin() as conn:
            conn.execute(delete(S.ingest_jobs).where(mine))

    def pending(self) -> list[JobRow]:
        """Every unfinished job, oldest first."""
        q = select(S.ingest_jobs).order_by(S.ingest_jobs.c.queued_at, S.ingest_jobs.c.doc_id)
        with self.engine.connect() as conn:
            return [self._row(r) for r in conn.execute(q)]
