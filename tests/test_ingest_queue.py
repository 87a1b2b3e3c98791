"""The per-document budget in the reader and the durable, stoppable ingest queue, in process: a
shared-stream bomb refused by its decompressed content, too many pages refused, a worker that
crashes ends `failed` with the reason, a job a restart found `ingesting` twice is failed with the
reason, orphaned upload files are removed at start-up."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from pdfgen import make_chinese_pdf, make_shared_stream_pdf, numbered_paragraphs

from ingest.budget import ContentBudget
from ingest.errors import OverBudget
from ingest.index import file_identity, ingest_paths
from ingest.pdf import read_pdf
from ingest.store import JobRow, JobStore, Store
from service.api.ingest_queue import IngestQueue, Job
from service.config import Settings


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_shared_stream_pdf(
        tmp_path_factory.mktemp("bomb") / "bomb.pdf", pages=200, stream_bytes=400_000
    )


def test_the_reader_stops_at_the_content_budget(bomb: Path) -> None:
    assert bomb.stat().st_size < 50_000  # small on disk, 80 MB of page content to parse
    started = time.monotonic()
    with pytest.raises(OverBudget) as refused:
        read_pdf(bomb, budget=ContentBudget(max_pages=2000, max_content_bytes=1_000_000, name=bomb.name))
    assert time.monotonic() - started < 15
    assert "解压后超过 1 MB" in refused.value.message and "inflates beyond 1 MB" in refused.value.message
    assert "第 3 页" in refused.value.message


def test_the_reader_refuses_a_page_over_the_page_limit_before_parsing_it(bomb: Path) -> None:
    budget = ContentBudget(max_pages=2000, max_content_bytes=10**12, max_page_bytes=300_000, name=bomb.name)
    started = time.monotonic()
    with pytest.raises(OverBudget) as refused:
        read_pdf(bomb, budget=budget)
    assert time.monotonic() - started < 2  # page 1 (0.4 MB of operators) is never parsed
    assert "第 1 页" in refused.value.message and "单页上限" in refused.value.message


def test_the_reader_refuses_too_many_pages(bomb: Path) -> None:
    with pytest.raises(OverBudget) as refused:
        read_pdf(bomb, budget=ContentBudget(max_pages=50, max_content_bytes=10**12, name=bomb.name))
    assert "200 页" in refused.value.message and "50 页" in refused.value.message


def test_ingest_records_the_budget_failure(bomb: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", ingest_max_content_bytes=1_000_000)
    [record] = ingest_paths(settings, [bomb])
    assert record.status == "failed" and "解压后超过" in record.message
    with Store.open(settings) as store:
        assert store.get_document(record.doc_id).status == "failed"


def _queue(settings: Settings, store: Store, **kwargs) -> IngestQueue:
    queue = IngestQueue(settings, store, writer_wait=10, **kwargs)
    queue.start()
    return queue


def _wait(job: Job, timeout: float = 60) -> Job:
    assert job.finished.wait(timeout), f"{job.filename} still {job.status}"
    return job


def test_a_crashing_worker_fails_the_job_with_the_reason(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    uploads = settings.data_dir / "uploads"
    segfault = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]
    with Store.open(settings) as store:
        queue = _queue(settings, store, worker_command=segfault)
        try:
            staged = make_chinese_pdf(
                uploads / ".staging" / "crash.pdf",
                title="2021年测试报告",
                paragraphs=numbered_paragraphs("崩溃", 3),
            )
            doc_id = file_identity(staged)[0]
            job = Job(doc_id=doc_id, filename="crash.pdf", path=uploads / "crash.pdf", staged=staged)
            _wait(queue.submit(job))
        finally:
            queue.stop()
        assert job.status == "failed"
        assert "入库进程异常退出" in job.message and "SIGSEGV" in job.message, job.message
        # the outcome is in the manifest (it survives a restart), the job row is gone
        assert store.get_document(doc_id).status == "failed"
        assert "SIGSEGV" in store.get_document(doc_id).message
        assert JobStore(store.engine).pending() == []


def test_restart_fails_a_job_interrupted_twice_and_sweeps_orphans(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    uploads = settings.data_dir / "uploads"
    pdf = make_chinese_pdf(
        uploads / "twice.pdf", title="2021年测试报告", paragraphs=numbered_paragraphs("两次", 3)
    )
    doc_id = file_identity(pdf)[0]
    orphans = [uploads / ".staging" / "0123456789abcdef.pdf", uploads / "stray.pdf"]
    for orphan in orphans:
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"%PDF-1.4 left by a crash")
        os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    fresh = uploads / ".staging" / "fedcba9876543210.pdf"  # being staged by a request right now
    fresh.write_bytes(b"%PDF-1.4 staged a moment ago")
    with Store.open(settings) as store:
        JobStore(store.engine).add(
            JobRow(doc_id, "twice.pdf", str(pdf), "", "ingesting", 2, "2026-12-02T10:00:00.000000+00:00")
        )
        queue = IngestQueue(settings, store, writer_wait=10)
        queue.start()
        try:
            job = queue.job(doc_id)
            assert job is not None  # known at once: GET answers while the writer catches up
            _wait(job)
        finally:
            queue.stop()
        assert job.status == "failed" and "中断 2 次" in job.message, job.message
        assert store.get_document(doc_id).status == "failed"
        assert JobStore(store.engine).pending() == []
    assert not any(o.exists() for o in orphans)
    assert fresh.exists()
    assert pdf.exists()  # the failed document's file is referenced by its record


def test_a_worker_that_hangs_before_starting_is_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.worker

    monkeypatch.setattr(ingest.worker, "STARTUP_SECONDS", 1.0)
    settings = Settings(data_dir=tmp_path / "data", ingest_timeout=1)
    uploads = settings.data_dir / "uploads"
    hang = [sys.executable, "-c", "import time; time.sleep(120)"]
    with Store.open(settings) as store:
        queue = IngestQueue(settings, store, writer_wait=0, worker_command=hang)
        queue.start()
        try:
            pdf = make_chinese_pdf(
                uploads / "hang.pdf", title="2021年测试报告", paragraphs=numbered_paragraphs("卡住", 3)
            )
            started = time.monotonic()
            job = _wait(
                queue.submit(Job(doc_id=file_identity(pdf)[0], filename="hang.pdf", path=pdf)), timeout=30
            )
        finally:
            queue.stop()
        assert time.monotonic() - started < 15
        assert job.status == "failed" and "处理超时" in job.message and "never started" in job.message, (
            job.message
        )


def test_the_reported_file_is_refused_in_seconds_with_the_defaults(tmp_path: Path) -> None:
    # the file of issue #15: 200 pages sharing one stream that inflates to 58 MB
    pdf = make_shared_stream_pdf(tmp_path / "reported.pdf", pages=200, stream_bytes=58_000_000)
    assert pdf.stat().st_size < 500_000
    started = time.monotonic()
    [record] = ingest_paths(Settings(data_dir=tmp_path / "data"), [pdf])
    assert time.monotonic() - started < 30
    assert record.status == "failed" and "单页上限 16 MB" in record.message, record.message


def test_a_shutdown_requeues_the_running_job_without_counting_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", ingest_timeout=300)
    uploads = settings.data_dir / "uploads"
    with Store.open(settings) as store:
        queue = _queue(settings, store)
        bomb = make_shared_stream_pdf(uploads / "long.pdf", pages=30, stream_bytes=1_000_000)
        job = queue.submit(Job(doc_id=file_identity(bomb)[0], filename="long.pdf", path=bomb))
        deadline = time.monotonic() + 10
        while job.status != "ingesting":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.5)
        started = time.monotonic()
        queue.stop()
        assert time.monotonic() - started < 10
        [row] = JobStore(store.engine).pending()
        assert (row.doc_id, row.status, row.attempts) == (job.doc_id, "queued", 0)
        assert store.leftovers() == [] and store.raw_status(job.doc_id) is None
    assert bomb.exists()


def test_a_queue_worker_ingests_the_queued_jobs_in_one_child_reading_ahead(tmp_path: Path) -> None:
    """`jixiao worker` claims what is queued (up to its batch) and ingests it in one child process
    as `jixiao ingest` does a batch: the next file is read while the current one is embedded, the
    child and its embedding model start once. Each job is finished as its file is done; a job
    claimed beyond the batch waits for the next child."""
    import threading

    from ingest.drain import QueueWorker

    settings = Settings(data_dir=tmp_path / "data")
    uploads = settings.data_dir / "uploads"
    launches = tmp_path / "launches.txt"
    counting = [
        sys.executable, "-c",
        f"import runpy, sys; open({str(launches)!r}, 'a').write('x\\n'); "
        "sys.argv = ['ingest.worker']; runpy.run_module('ingest.worker', run_name='__main__')",
    ]  # fmt: skip
    paths = [
        make_chinese_pdf(
            uploads / f"批量{i}.pdf", title=f"批量文档{i}", paragraphs=numbered_paragraphs(f"批{i}", 3)
        )
        for i in range(3)
    ]
    with Store.open(settings) as store:
        jobs = JobStore(store.engine)
        for i, p in enumerate(paths):
            doc_id = file_identity(p)[0]
            jobs.add(JobRow(doc_id, p.name, str(p), "", "queued", 0, f"2026-12-03T00:00:0{i}"))
        outcomes = []
        stop = threading.Event()

        def record(outcome) -> None:
            outcomes.append(outcome)
            if len(outcomes) == len(paths):
                stop.set()

        worker = QueueWorker(settings, store, command=counting, on_outcome=record, batch=2, poll=0.2)
        runner = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        runner.start()
        runner.join(600)  # a hang guard
        assert not runner.is_alive()
        assert [(o.doc_id, o.status) for o in outcomes] == [(file_identity(p)[0], "ok") for p in paths]
        assert launches.read_text().count("x") == 2  # two jobs in the first child, one in the second
        assert jobs.pending() == []
        assert {d.title for d in store.list_documents()} == {f"批量文档{i}" for i in range(3)}
        assert all(store.get_chunks([o.doc_id]) for o in outcomes)


def test_when_a_batch_s_child_crashes_the_file_in_progress_fails_and_the_rest_is_queued_again(
    tmp_path: Path,
) -> None:
    """A crash is blamed on the file the child was working on; the jobs behind it in the batch are
    not at fault: queued again, their attempt not counted."""
    from ingest.drain import QueueWorker

    settings = Settings(data_dir=tmp_path / "data")
    uploads = settings.data_dir / "uploads"
    segfault = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]
    paths = [
        make_chinese_pdf(
            uploads / f"崩溃{i}.pdf", title=f"崩溃文档{i}", paragraphs=numbered_paragraphs(f"崩{i}", 3)
        )
        for i in range(2)
    ]
    with Store.open(settings) as store:
        jobs = JobStore(store.engine)
        for i, p in enumerate(paths):
            jobs.add(JobRow(file_identity(p)[0], p.name, str(p), "", "queued", 0, f"2026-12-03T00:00:0{i}"))
        worker = QueueWorker(settings, store, command=segfault, batch=2)
        rows = [jobs.claim(worker.owner, 30.0), jobs.claim(worker.owner, 30.0)]
        first, second = worker.process_batch([r for r in rows if r is not None])
        assert (first.status, second.status) == ("failed", "queued")
        assert "SIGSEGV" in first.message
        assert store.get_document(first.doc_id).status == "failed"
        assert store.raw_status(second.doc_id) is None
        [again] = jobs.pending()
        assert (again.doc_id, again.status, again.attempts) == (second.doc_id, "queued", 0)
