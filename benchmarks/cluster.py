"""Several processes on a shared store (#17). `python -m benchmarks.cluster`

A PostgreSQL server and a `chroma run` server (started as the tests start them, `tests/cluster.py`),
`jixiao serve --workers N` (JIXIAO_BENCH_CLUSTER_WORKERS, default 4) and `jixiao worker` processes
(JIXIAO_BENCH_CLUSTER_INGEST, default 2) sharing one data dir. The sample report and policy plus
JIXIAO_BENCH_CLUSTER_DOCS generated reports (default 6) are uploaded at once and timed until all
are `ok`; then 8 clients post sample questions to `/api/v1/chat` for JIXIAO_BENCH_HTTP_SECONDS
(default 20) after a warm-up of half that. Reports upload-to-indexed time, answers/s, p50/p95 and the resident memory of every
API worker and ingest worker. Compare with `benchmarks.http` (one worker, embedded store).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Rows, print_rows
from benchmarks.http import FIXTURES, _free_port, _percentile, _rss_mib, chat_load, wait_ready

TESTS = Path(__file__).resolve().parent.parent / "tests"
CLIENTS = 8
KEY = "bench-cluster-admin-key-3f9a"


def _api_workers(pid: int) -> list[int]:
    """uvicorn's worker processes (not multiprocessing's resource tracker)."""
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line.split()[0]) for line in out.stdout.splitlines() if "spawn_main" in line]


def run() -> Rows:
    import httpx

    sys.path.insert(0, str(TESTS))  # the servers are started exactly as the tests start them
    from cluster import start_chroma, start_postgres
    from pdfgen import make_chinese_pdf

    workers = int(os.environ.get("JIXIAO_BENCH_CLUSTER_WORKERS", "4"))
    ingesters = int(os.environ.get("JIXIAO_BENCH_CLUSTER_INGEST", "2"))
    extra_docs = int(os.environ.get("JIXIAO_BENCH_CLUSTER_DOCS", "6"))
    seconds = float(os.environ.get("JIXIAO_BENCH_HTTP_SECONDS", "20"))
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-cluster-") as tmp:
        root = Path(tmp)
        postgres = start_postgres()
        chroma = start_chroma(root / "chroma")
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
        env.update(
            JIXIAO_DATA_DIR=str(root / "shared"),
            JIXIAO_DATABASE_URL=postgres.url,
            JIXIAO_CHROMA_MODE="http",
            JIXIAO_CHROMA_HOST="127.0.0.1",
            JIXIAO_CHROMA_PORT=str(chroma.port),
            JIXIAO_ADMIN_KEYS=json.dumps([KEY]),
            JIXIAO_RATE_LIMIT_PER_MINUTE="100000000",
        )
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {KEY}"}
        try:
            cmd = [sys.executable, "-m", "service"]
            serve = subprocess.Popen(
                [*cmd, "serve", "--workers", str(workers), "--port", str(port), "--log-level", "warning"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(serve)
            for _ in range(ingesters):
                procs.append(
                    subprocess.Popen(
                        [*cmd, "worker", "--log-level", "warning"],
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            startup = wait_ready(url, serve)

            docs = [FIXTURES / "report_2020_8890.pdf", FIXTURES / "policy_sample.pdf"]
            for i in range(extra_docs):
                lines = [f"{j + 1}. 第{i + 1}个项目第{j + 1}项指标完成值为{60 + j}.{i}%。" for j in range(60)]
                title = f"2021年第{i + 1}个项目绩效评价报告"
                docs.append(make_chinese_pdf(root / f"gen{i}.pdf", title=title, paragraphs=lines))
            with httpx.Client(base_url=url, timeout=120, headers=headers) as client:
                t0 = time.perf_counter()
                files = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in docs]
                accepted = client.post("/api/v1/documents", files=files).json()["documents"]
                ids = {d["doc_id"] for d in accepted}
                while True:
                    states = [client.get(f"/api/v1/documents/{d}").json()["status"] for d in ids]
                    if all(s not in ("queued", "ingesting") for s in states):
                        break
                    time.sleep(0.5)
                ingest_wall = time.perf_counter() - t0
                assert all(s == "ok" for s in states), states
                chunks = sum(client.get(f"/api/v1/documents/{d}").json().get("chunks", 0) for d in ids)
            rss_ingest = sum(_rss_mib(p.pid)[1] for p in procs[1:])
            # warm-up: every worker loads the model and builds its indexes on its first questions
            chat_load(url, CLIENTS, max(10.0, seconds / 2), headers)
            latencies, errors, wall = chat_load(url, CLIENTS, seconds, headers)
            api_rss = [_rss_mib(pid)[0] for pid in _api_workers(serve.pid)]
            db_bytes, connections = _database_figures(postgres.url)
            chroma_bytes = sum(f.stat().st_size for f in (root / "chroma").rglob("*") if f.is_file())
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGINT)
            for proc in procs:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            chroma.stop()
            postgres.stop()
    samples = sorted(latencies)
    return [
        (
            "topology",
            f"serve --workers {workers}, {ingesters} × jixiao worker, PostgreSQL, chroma run server",
        ),
        ("start to ready", f"{startup:.1f} s"),
        (
            "upload to indexed",
            f"{len(docs)} documents, {chunks} chunks: {ingest_wall:.1f} s "
            f"({chunks / ingest_wall:.1f} chunks/s)",
        ),
        ("load", f"{CLIENTS} clients, {seconds:g} s, /api/v1/chat (deterministic answerer)"),
        ("requests/s", f"{len(samples) / wall:.2f}"),
        ("latency p50", f"{1000 * statistics.median(samples):.0f} ms" if samples else "-"),
        ("latency p95", f"{1000 * _percentile(samples, 0.95):.0f} ms" if samples else "-"),
        ("requests ok / errors", f"{len(samples)} / {errors}"),
        ("RSS per API worker", ", ".join(f"{r:.0f}" for r in api_rss) + " MiB"),
        ("RSS peak, ingest workers (sum)", f"{rss_ingest:.0f} MiB"),
        ("PostgreSQL connections after the load", str(connections)),
        (
            "PostgreSQL database size",
            f"{db_bytes / 1e6:.1f} MB ({db_bytes / max(chunks, 1) / 1e3:.1f} KB per chunk)",
        ),
        (
            "Chroma server data",
            f"{chroma_bytes / 1e6:.1f} MB ({chroma_bytes / max(chunks, 1) / 1e3:.1f} KB per chunk)",
        ),
    ]


def _database_figures(url: str) -> tuple[int, int]:
    """(bytes of the database, open connections to it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        count = conn.execute(
            text("SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()")
        ).scalar_one()
    engine.dispose()
    return int(size), int(count)


if __name__ == "__main__":
    print_rows("cluster", run())
