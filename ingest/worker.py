"""Ingest one file in a worker process that can be stopped: `python -m ingest.worker`.

The service never parses an uploaded PDF in its own process. `run_in_worker` starts this module
with the storage settings on stdin, at a lower CPU priority (`os.nice`) and with a bounded number
of threads, reads its progress lines, and kills it (SIGKILL, not a thread that cannot be stopped)
when the document's time budget runs out, when the job is cancelled, or never hears back from it
when it crashes. The child dies with its parent (PR_SET_PDEATHSIG), so a killed service leaves no
writer behind. Whatever a killed child wrote is an invisible `ingesting` row that the next
writer's garbage collection removes (`ingest.index`).

Protocol: stdin one JSON object {"settings", "path", "wait", "nice", "env"}; stdout JSON lines,
{"event": "stage"|"started", ...} while working, then {"event": "result", "record": {...}} or
{"event": "error", "code", "message"}. With "paths" (a list) instead of "path" the files are one
batch (`run_batch_in_worker`, the queue workers): {"event": "done", "path", "record"} as each file
is done, then {"event": "finished"}.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ingest.models import DocumentRecord
from ingest.settings import StorageSettings

POLL_SECONDS = 0.1
STARTUP_SECONDS = 120.0
_PR_SET_PDEATHSIG = 1


@dataclass
class WorkerOutcome:
    """A record when the worker finished; otherwise why not (`reason` in Chinese / English)."""

    record: DocumentRecord | None = None
    reason: str = ""
    cancelled: bool = False
    timed_out: bool = False


def timeout_message(seconds: float) -> str:
    return (
        f"处理超时：超过 {seconds:g} 秒仍未完成，已停止 / processing exceeded {seconds:g} s and was stopped"
    )


def _crash_message(returncode: int, detail: str) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        how = f"被信号 {name} 终止 / killed by {name}"
    else:
        how = f"退出码 {returncode} / exit code {returncode}"
    tail = f"：{detail}" if detail else ""
    return f"入库进程异常退出（{how}），该文件未能入库{tail} / the ingest worker crashed, the file was not ingested"


def worker_env(settings: StorageSettings) -> dict[str, str]:
    """The child's environment: the parent's (PYTHONPATH, test hooks), threads bounded."""
    threads = str(settings.ingest_threads)
    return {
        **os.environ,
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "OMP_WAIT_POLICY": "PASSIVE",
        "PYTHONUNBUFFERED": "1",
    }


def run_in_worker(
    settings: StorageSettings,
    path: Path,
    *,
    wait: float,
    cancel: threading.Event,
    progress: Callable[[dict[str, Any]], None] | None = None,
    command: Sequence[str] | None = None,
) -> WorkerOutcome:
    """Ingest `path` in a child process within `settings.ingest_timeout` seconds of processing
    (counted from when the child holds the writer lock, so waiting for another writer is not
    processing). Returns when the child is done, dead or killed; never raises for the file's sake."""
    batch = run_batch_in_worker(
        settings, [path], wait=wait, cancel=cancel, progress=progress, command=command, single=True
    )
    record = batch.records.get(str(path))
    return WorkerOutcome(record=record) if record is not None else batch.stopped


@dataclass
class BatchOutcome:
    """What a child ingesting several files reported: a record per finished file (by the path as
    given), and for the others why not (`stopped`: the file in progress was cancelled, timed out or
    crashed the child, or the whole run was refused, e.g. the writer lock never came free)."""

    records: dict[str, DocumentRecord]
    stopped: WorkerOutcome


def run_batch_in_worker(
    settings: StorageSettings,
    paths: Sequence[Path],
    *,
    wait: float,
    cancel: threading.Event,
    progress: Callable[[dict[str, Any]], None] | None = None,
    on_record: Callable[[str, DocumentRecord], None] | None = None,
    command: Sequence[str] | None = None,
    single: bool = False,
) -> BatchOutcome:
    """Ingest `paths` in one child process, in order, as `jixiao ingest` does a batch: the next
    file is read while the current one is embedded and written, and the child starts (imports, the
    embedding model) once. Each file has `settings.ingest_timeout` seconds of processing, counted
    from when the child holds the writer lock or finished the file before it; `on_record` hears of
    each file as it is done. `single`: the one-file protocol (`run_in_worker`)."""
    request: dict[str, Any] = {
        "settings": settings.model_dump(mode="json", include=set(StorageSettings.model_fields)),
        "wait": wait,
        "nice": settings.ingest_nice,
    }
    if single:
        request["path"] = str(paths[0])
    else:
        request["paths"] = [str(p) for p in paths]
    proc = subprocess.Popen(
        list(command or [sys.executable, "-m", "ingest.worker"]),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=worker_env(settings),
        text=True,
        encoding="utf-8",
    )
    lines: list[dict[str, Any]] = []
    started = threading.Event()
    stderr_tail: list[str] = []
    records: dict[str, DocumentRecord] = {}

    def read_stdout() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            if msg.get("event") == "started":
                started.set()
            elif msg.get("event") == "done":
                record = DocumentRecord(**msg["record"])
                records[str(msg["path"])] = record
                if on_record is not None:
                    on_record(str(msg["path"]), record)
            lines.append(msg)
            if progress is not None and msg.get("event") == "stage":
                progress(msg)

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            stderr_tail.append(line.rstrip())
            del stderr_tail[:-20]

    readers = [threading.Thread(target=f, daemon=True) for f in (read_stdout, read_stderr)]
    for t in readers:
        t.start()
    try:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(request))
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the child died at once: its return code says why

    # until the child holds the writer lock, it may wait `wait` s for it, plus time to start up
    deadline: float = time.monotonic() + wait + STARTUP_SECONDS + settings.ingest_timeout
    counting = False
    finished = 0  # files done so far: each one done starts the next one's budget
    outcome: WorkerOutcome | None = None
    while proc.poll() is None:
        if started.is_set() and not counting:
            counting, deadline = True, time.monotonic() + settings.ingest_timeout
        if counting and len(records) > finished:
            finished, deadline = len(records), time.monotonic() + settings.ingest_timeout
        if cancel.is_set():
            outcome = WorkerOutcome(cancelled=True, reason="已取消 / cancelled")
        elif time.monotonic() > deadline and counting:
            outcome = WorkerOutcome(timed_out=True, reason=timeout_message(settings.ingest_timeout))
        elif time.monotonic() > deadline:
            waited = wait + STARTUP_SECONDS + settings.ingest_timeout
            outcome = WorkerOutcome(
                timed_out=True,
                reason=f"处理超时：入库进程 {waited:g} 秒仍未开始处理，已停止 / "
                f"processing exceeded {waited:g} s: the ingest worker never started",
            )
        if outcome is not None:
            proc.kill()
            break
        time.sleep(POLL_SECONDS)
    proc.wait()
    for t in readers:
        t.join(5)
    if outcome is not None:
        return BatchOutcome(records, outcome)
    for msg in reversed(lines):
        if msg.get("event") == "result":
            records[str(paths[0])] = DocumentRecord(**msg["record"])
            return BatchOutcome(records, WorkerOutcome())
        if msg.get("event") == "error":
            return BatchOutcome(records, WorkerOutcome(reason=str(msg.get("message") or "")))
        if msg.get("event") == "finished" and len(records) == len(paths):
            return BatchOutcome(records, WorkerOutcome())
    detail = next((ln for ln in reversed(stderr_tail) if ln.strip()), "")[-200:]
    return BatchOutcome(records, WorkerOutcome(reason=_crash_message(proc.returncode, detail)))


# ---- the child -------------------------------------------------------------------------------
def _emit(msg: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(msg, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def main() -> int:
    parent = os.getppid()
    _die_with_parent(parent)
    request = json.loads(sys.stdin.read())
    if request.get("nice"):
        os.nice(int(request["nice"]))
    from ingest.errors import JixiaoError
    from ingest.index import IngestEvent, ingest_paths

    settings = StorageSettings.model_validate(request["settings"])

    def progress(event: IngestEvent) -> None:
        if event.kind == "batch":
            _emit({"event": "started"})
        elif event.kind == "stage":
            _emit({"event": "stage", "stage": event.stage, "done": event.done, "of": event.of})
        elif event.kind == "embed":
            _emit({"event": "stage", "stage": "向量化 / embedding", "done": event.done, "of": event.of})
        elif event.kind == "file_done" and event.record is not None and "paths" in request:
            _emit({"event": "done", "path": event.path, "record": asdict(event.record)})

    batch: list[str] | None = request.get("paths")
    try:
        if batch is None:
            [record] = ingest_paths(
                settings, [request["path"]], wait=float(request["wait"]), progress=progress
            )
        else:  # several queued files: one run, the next file read ahead (`ingest.index`)
            ingest_paths(settings, batch, wait=float(request["wait"]), progress=progress)
    except JixiaoError as err:
        _emit({"event": "error", "code": err.code, "message": err.message})
        return 0
    if batch is None:
        _emit({"event": "result", "record": asdict(record)})
    else:
        _emit({"event": "finished"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
