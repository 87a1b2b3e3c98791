"""The SQL engine of the stores (SQLite or PostgreSQL) and how their tables are created: shared by
`ingest.store.Store`, `ingest.jobs.JobStore` and the service's conversation and rate-limit stores."""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, text

from ingest.settings import StorageSettings


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # write-ahead log: a reader never waits for a writer (`jixiao ingest` or a deletion next to a
    # serving process). In the default rollback journal a commit locks readers out, and SQLite's
    # busy handler retries in sleeps of 1, 2, 5, 10, 15, 20 … ms, so a query that met a commit
    # stalled for tens of ms. The mode is a property of the file; setting it again is a no-op
    with suppress(sqlite3.Error):  # a read-only file keeps its mode
        cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def sql_engine(settings: StorageSettings) -> Engine:
    """The engine for `settings.sql_url`, shared in shape by the Store and the conversation store:
    a SQLite file (its folder created; foreign keys on, 30 s busy timeout, usable from any thread)
    or any other URL with pre-ping."""
    url = settings.sql_url
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


DDL_LOCK_KEY = 0x6A69_7864  # "jixd": one process at a time creates or alters tables


def create_tables(engine: Engine, metadata: MetaData) -> None:
    """Create what is missing of `metadata`. On PostgreSQL under a transaction-scoped advisory
    lock: several processes starting at once (API workers, `jixiao worker`s) would otherwise race
    on `CREATE TABLE` and all but one fail."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DDL_LOCK_KEY})
        metadata.create_all(conn, checkfirst=True)
