"""Real servers for the multi-process tests: a PostgreSQL cluster (`initdb` into a temp dir, run as
an unprivileged user on a free port) and a Chroma server (`chroma run`, installed by chromadb).
Started once per test session by `conftest.py` and stopped at its end; nothing is mocked."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from api_server import free_port

STARTUP_SECONDS = 60.0


def _pg_bindir() -> Path:
    """Debian puts the server binaries in /usr/lib/postgresql/<major>/bin (not on PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError("PostgreSQL is not installed: run `make sysdeps` (Debian package postgresql)")


def _as_unprivileged() -> tuple[list[str], str | None]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user Debian creates."""
    if os.geteuid() != 0:
        return [], None
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"], "postgres"


@dataclass
class Postgres:
    root: Path
    port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://jixiao@127.0.0.1:{self.port}/jixiao"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown: roll back, close sessions
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> Postgres:
    """A new cluster in its own temp dir (not pytest's: that is private to root, and the server
    runs as another user); `stop` removes it."""
    bindir = _pg_bindir()
    prefix, user = _as_unprivileged()
    root = Path(tempfile.mkdtemp(prefix="jixiao-pg-"))
    data, sockets = root / "pgdata", root / "sock"
    sockets.mkdir(exist_ok=True)
    if user is not None:
        shutil.chown(root, user)
        shutil.chown(sockets, user)
    done = subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "jixiao", "--auth=trust", "-E", "UTF8",
         "--locale=C.UTF-8", "--no-sync"],
        capture_output=True, text=True, cwd="/",
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed: {done.stderr or done.stdout}")
    port = free_port()
    log = (root / "postgres.log").open("w")
    proc = subprocess.Popen(
        [*prefix, str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1",
         "-k", str(sockets), "-c", "fsync=off", "-c", "max_connections=200"],
        stdout=log, stderr=subprocess.STDOUT, cwd="/",
    )  # fmt: skip
    server = Postgres(root, port, proc)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        ready = subprocess.run(
            [*prefix, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "jixiao", "jixiao"],
            capture_output=True, text=True, cwd="/",
        )  # fmt: skip
        if ready.returncode == 0:
            return server
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(
                f"PostgreSQL did not start: {ready.stderr}\n{(root / 'postgres.log').read_text()}"
            )
        time.sleep(0.2)


@dataclass
class ChromaServer:
    port: int
    proc: subprocess.Popen

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_chroma(root: Path) -> ChromaServer:
    chroma = Path(sys.executable).parent / "chroma"
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    log = (root / "chroma.log").open("w")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(root / "chroma"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )  # fmt: skip
    server = ChromaServer(port, proc)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"chroma run did not start: {(root / 'chroma.log').read_text()}")
        time.sleep(0.2)
