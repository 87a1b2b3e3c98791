"""The shared store's coordination on a real PostgreSQL server (session fixture): job claims skip
rows another transaction holds (`FOR UPDATE SKIP LOCKED`) and never hand one job to two workers; a
lease that runs out lets another worker take the job over and the late owner finds it lost; a
removal drops a queued job and asks a running one to stop; the writer lock is database-wide; two
API processes share one rate-limit budget; an old SQLite queue table gets the lease columns."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from ingest import _schema as S
from ingest.errors import StoreBusy
from ingest.lock import store_writer_lock
from ingest.store import JobRow, JobStore
from service.api.shared_limits import SharedRateLimiter
from service.config import Settings
from service.errors import RateLimited


@pytest.fixture
def pg_url(postgres) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield postgres.url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def _jobs(url: str, n: int) -> JobStore:
    jobs = JobStore(create_engine(url))
    for i in range(n):
        jobs.add(
            JobRow(f"doc{i:03d}", f"f{i}.pdf", f"/up/f{i}.pdf", "", "queued", 0, f"2026-12-02T00:00:{i:02d}")
        )
    return jobs


def test_claim_skips_a_row_another_transaction_holds(pg_url: str) -> None:
    jobs = _jobs(pg_url, 2)
    holder = jobs.engine.connect()
    tx = holder.begin()
    holder.execute(text("SELECT doc_id FROM ingest_jobs WHERE doc_id = 'doc000' FOR UPDATE"))
    claimed: list[JobRow | None] = []
    claimer = threading.Thread(target=lambda: claimed.append(jobs.claim("w2", 30)))
    claimer.start()
    claimer.join(5)
    waited = claimer.is_alive()  # a plain FOR UPDATE would wait for the holder
    tx.rollback()
    holder.close()
    claimer.join(5)
    assert not waited and claimed and claimed[0] is not None
    assert claimed[0].doc_id == "doc001" and claimed[0].owner == "w2" and claimed[0].attempts == 1


def test_concurrent_claims_take_each_job_once(pg_url: str) -> None:
    jobs = _jobs(pg_url, 24)

    def drain(worker: int) -> list[str]:
        mine = []
        while (row := jobs.claim(f"w{worker}", 30)) is not None:
            mine.append(row.doc_id)
        return mine

    with ThreadPoolExecutor(6) as pool:
        taken = [d for got in pool.map(drain, range(6)) for d in got]
    assert sorted(taken) == [f"doc{i:03d}" for i in range(24)]  # every job, none twice


def test_an_expired_lease_is_taken_over_and_the_late_owner_has_lost_it(pg_url: str) -> None:
    jobs = _jobs(pg_url, 1)
    first = jobs.claim("dead", 0.3)
    assert first is not None and jobs.claim("alive", 30) is None  # leased: not free
    assert jobs.heartbeat("doc000", "dead", 0.3) == "ok"
    time.sleep(0.5)
    second = jobs.claim("alive", 30)
    assert second is not None and second.doc_id == "doc000" and second.attempts == 2
    assert jobs.heartbeat("doc000", "dead", 30) == "lost"
    jobs.finish("doc000", "dead")  # a late owner's finish does not end the new owner's run
    assert jobs.get("doc000") is not None
    jobs.finish("doc000", "alive")
    assert jobs.pending() == []


def test_removal_drops_a_queued_job_and_cancels_a_running_one(pg_url: str) -> None:
    jobs = _jobs(pg_url, 2)
    running = jobs.claim("w", 30)
    assert running is not None and running.doc_id == "doc000"
    assert jobs.cancel("doc001") == "dropped" and jobs.get("doc001") is None
    assert jobs.cancel("doc000") == "cancelling"
    assert jobs.heartbeat("doc000", "w", 30) == "cancel"
    assert jobs.cancel("nope") is None


def test_the_writer_lock_is_database_wide(pg_url: str, tmp_path: Path) -> None:
    one, two = (
        Settings(data_dir=tmp_path / d, database_url=pg_url, chroma_mode="http") for d in ("m1", "m2")
    )  # two machines: no file in common
    with store_writer_lock(one, wait=0), pytest.raises(StoreBusy) as busy, store_writer_lock(two, wait=0.3):
        pass
    assert "共享数据库" in busy.value.message
    with store_writer_lock(two, wait=0):  # released with its holder
        pass


def test_api_processes_share_one_rate_limit_budget(pg_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=pg_url, chroma_mode="http")
    processes = [SharedRateLimiter(settings, 10) for _ in range(3)]  # as three API workers would

    def hit(i: int) -> bool:
        try:
            processes[i % 3].hit("key:abc")
            return True
        except RateLimited as err:
            assert 1 <= err.retry_after <= 60
            return False

    with ThreadPoolExecutor(6) as pool:
        admitted = list(pool.map(hit, range(25)))
    assert admitted.count(True) == 10
    processes[0].hit("key:other")  # another caller has its own budget
    for limiter in processes:
        limiter.close()


def test_an_old_sqlite_queue_table_gets_the_lease_columns(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE ingest_jobs (doc_id VARCHAR(64) PRIMARY KEY, filename TEXT NOT NULL, path TEXT NOT "
                "NULL, staged TEXT NOT NULL, status VARCHAR(16) NOT NULL, attempts INTEGER NOT NULL, "
                "queued_at VARCHAR(40) NOT NULL)"
            )
        )
        conn.execute(text("INSERT INTO ingest_jobs VALUES ('old', 'a.pdf', '/a.pdf', '', 'queued', 0, 'x')"))
    jobs = JobStore(engine)
    claimed = jobs.claim("w", 30)
    assert claimed is not None and claimed.doc_id == "old" and claimed.owner == "w"
    assert {c.name for c in S.ingest_jobs.columns} <= set(claimed.__dict__)


def test_jixiao_worker_refuses_an_embedded_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from service.cli import app as cli

    monkeypatch.setenv("JIXIAO_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["worker", "--once"])
    assert result.exit_code == 2 and "共享存储" in result.output and "JIXIAO_DATABASE_URL" in result.output
