"""The single-writer lock of a store.

- Embedded (a data dir with embedded Chroma, or SQLite): `fcntl.flock` on `settings.lock_path`.
  The holder writes its PID into the lock file so a second writer can say who holds it.
- Shared (`settings.shared_store`: a Chroma server and a PostgreSQL database, writers on several
  machines): a PostgreSQL session advisory lock, held on its own connection.

Either way an ingest never interleaves with another ingest or a removal, and the lock goes when
its holder dies (even by SIGKILL: the kernel drops the flock, the server the dead session's
advisory lock), so a stale lock never blocks anyone.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from ingest.errors import StoreBusy
from ingest.settings import StorageSettings

POLL_SECONDS = 0.2
ADVISORY_KEY = 0x6A69_7869  # "jixi": one writer per database, fits pg_locks.objid (classid 0)


def _holder_pid(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip() or "?"
    except (OSError, UnicodeDecodeError):
        return "?"


def _busy(where: str, what: str, pid: str) -> StoreBusy:
    return StoreBusy(
        f"{where} 正被另一个 jixiao 写入进程（PID {pid}）占用，请等它结束后再试"
        f"（或用 --wait 秒数 等待）/ another jixiao writer (PID {pid}) holds {what}",
        hint="同一时间只允许一个写入进程 / one writer at a time",
    )


@contextmanager
def writer_lock(
    lock_path: Path, *, wait: float = 0.0, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the data dir's writer lock. Waits up to `wait` seconds for another holder (calling
    `on_wait(pid)` once when it starts waiting), then raises `StoreBusy` naming the holder's PID."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pid = _holder_pid(lock_path)
                if time.monotonic() >= deadline:
                    raise _busy(f"数据目录 {lock_path.parent}", str(lock_path), pid) from None
                if not announced and on_wait is not None:
                    on_wait(pid)
                announced = True
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _advisory_lock(url: str, *, wait: float, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            deadline = time.monotonic() + max(wait, 0.0)
            announced = False
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar():
                holder = conn.execute(
                    text(
                        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                        "AND classid = 0 AND objid = :k LIMIT 1"
                    ),
                    {"k": ADVISORY_KEY},
                ).scalar()
                pid = f"{holder} @ database" if holder is not None else "?"
                if time.monotonic() >= deadline:
                    raise _busy("共享数据库的写入锁", "the shared database's writer lock", pid)
                if not announced and on_wait is not None:
                    on_wait(pid)
                announced = True
                time.sleep(POLL_SECONDS)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
    finally:
        engine.dispose()


def store_writer_lock(
    settings: StorageSettings, *, wait: float = 0.0, on_wait: Callable[[str], None] | None = None
) -> AbstractContextManager[None]:
    """The writer lock of the store `settings` describe (see the module doc)."""
    if settings.shared_store and settings.sql_url.startswith("postgresql"):
        return _advisory_lock(settings.sql_url, wait=wait, on_wait=on_wait)
    return writer_lock(settings.lock_path, wait=wait, on_wait=on_wait)
