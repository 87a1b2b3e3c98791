"""The single-writer lock of a data dir: `fcntl.flock` on `settings.lock_path`.

Chroma's embedded mode is not safe for several writing processes, and an ingest must never
interleave with another ingest or a removal. The holder writes its PID into the lock file so a
second writer can say who holds it. The kernel drops the lock when the holder dies (even by
SIGKILL), so a stale lock file never blocks anyone.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.errors import StoreBusy

POLL_SECONDS = 0.2


def _holder_pid(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip() or "?"
    except (OSError, UnicodeDecodeError):
        return "?"


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
                    raise StoreBusy(
                        f"数据目录 {lock_path.parent} 正被另一个 jixiao 写入进程（PID {pid}）占用，请等它结束后再试"
                        f"（或用 --wait 秒数 等待）/ another jixiao writer (PID {pid}) holds {lock_path}",
                        hint="一个数据目录同一时间只允许一个写入进程 / one writer per data dir",
                    ) from None
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
