"""Rate limits that hold across API processes and machines: the sliding one-minute window of
`security.RateLimiter`, kept in the shared database (table `rate_hits`) instead of in memory.

Used when the store is shared (`settings.shared_store`, `jixiao serve --workers N` or several
machines): N workers counting alone would each allow the whole budget. On PostgreSQL a
transaction-scoped advisory lock per bucket makes count-then-insert exact under concurrency.
On PostgreSQL hits are stamped with the database server's clock, so API machines need not agree on the time."""

from __future__ import annotations

import math
import random
import threading
import time
from typing import Any

from sqlalchemy import Column, Float, Index, MetaData, String, Table, delete, func, insert, select, text

from ingest.store import create_tables, sql_engine
from service.config import Settings
from service.errors import RateLimited

WINDOW_SECONDS = 60.0
SWEEP_CHANCE = 0.01  # a hit now and then deletes every bucket's expired rows

metadata = MetaData()
rate_hits = Table(
    "rate_hits",
    metadata,
    Column("bucket", String(200), nullable=False),
    Column("at", Float, nullable=False),  # epoch seconds, the database's clock
    Index("ix_rate_hits_bucket_at", "bucket", "at"),
)


def rate_limited(per_minute: int, retry_after: int) -> RateLimited:
    return RateLimited(
        f"请求太频繁：每分钟最多 {per_minute} 次，请 {retry_after} 秒后再试 / rate limit of "
        f"{per_minute} requests per minute reached, retry in {retry_after} s",
        retry_after=retry_after,
    )


class SharedRateLimiter:
    """Same contract as `RateLimiter.hit`; the engine is opened on first use."""

    def __init__(self, settings: Settings, per_minute: int) -> None:
        self.per_minute = per_minute
        self._settings = settings
        self._engine: Any = None
        self._open = threading.Lock()

    def _db(self) -> Any:
        with self._open:
            if self._engine is None:
                engine = sql_engine(self._settings)
                create_tables(engine, metadata)
                self._engine = engine
            return self._engine

    def hit(self, bucket: str, *, now: float | None = None) -> None:
        if self.per_minute <= 0:
            return
        engine = self._db()
        postgres = engine.dialect.name == "postgresql"
        with engine.begin() as conn:
            if postgres:  # one counter at a time per bucket, across every process
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:b))"), {"b": bucket})
            if now is None and postgres:
                now = float(conn.execute(text("SELECT extract(epoch from clock_timestamp())")).scalar_one())
            elif now is None:
                now = time.time()
            since = now - WINDOW_SECONDS
            conn.execute(delete(rate_hits).where(rate_hits.c.bucket == bucket, rate_hits.c.at <= since))
            count, oldest = conn.execute(
                select(func.count(), func.min(rate_hits.c.at)).where(rate_hits.c.bucket == bucket)
            ).one()
            if count >= self.per_minute:
                raise rate_limited(self.per_minute, max(1, math.ceil(WINDOW_SECONDS - (now - oldest))))
            conn.execute(insert(rate_hits).values(bucket=bucket, at=now))
            if random.random() < SWEEP_CHANCE:  # forget idle callers
                conn.execute(delete(rate_hits).where(rate_hits.c.at <= since))

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
