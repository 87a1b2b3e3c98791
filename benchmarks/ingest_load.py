"""Answering while a large upload ingests (#15). `python -m benchmarks.ingest_load`

The sample report + policy ingested into a temp data dir, served by the real `jixiao serve` (one
worker, deterministic answerer) on a free localhost port. 16 concurrent clients post sample
questions to `/api/v1/chat` for 15 s with nothing else running (idle), then a generated
long report (400 pages, JIXIAO_BENCH_LOAD_PAGES) is uploaded and the same clients ask for 30 s
while it ingests (JIXIAO_BENCH_LOAD_SECONDS) in the niced worker process; the upload is then
deleted (the running job is cancelled). Reports p50/p95 of both phases, their ratio (the target
is under 2×) and how far the ingest got meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Rows, print_rows
from benchmarks.http import FIXTURES, QUESTIONS, _free_port, _percentile, chat_load, wait_ready

CLIENTS = 16


def long_report(path: Path, pages: int) -> Path:
    """A text report of `pages` pages (reportlab's built-in CJK font), 20 distinct lines a page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    c.setTitle("2023年某市长篇项目支出绩效评价报告")
    topics = ["预算执行率", "项目完成率", "群众满意度", "资金到位率", "工单办结率", "人员经费支出"]
    for page in range(pages):
        c.setFont("STSong-Light", 11)
        for line in range(20):
            n = page * 20 + line
            c.drawString(
                60,
                790 - 36 * line,
                f"第{page + 1}页第{line + 1}条：{topics[n % 6]}为{80 + n % 20}.{n % 100:02d}%，说明{n}。",
            )
        c.showPage()
    c.save()
    return path


def _ask(url: str, seconds: float) -> tuple[list[float], int]:

    latencies, errors, _ = chat_load(url, CLIENTS, seconds)
    return sorted(latencies), errors


def _ms(samples: list[float], q: float) -> str:
    return f"{1000 * _percentile(samples, q):.0f} ms" if samples else "-"


def run() -> Rows:
    import httpx

    from ingest.index import ingest_paths
    from service.config import Settings

    idle_seconds = float(os.environ.get("JIXIAO_BENCH_IDLE_SECONDS", "15"))
    load_seconds = float(os.environ.get("JIXIAO_BENCH_LOAD_SECONDS", "30"))
    pages = int(os.environ.get("JIXIAO_BENCH_LOAD_PAGES", "400"))
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-load-") as tmp:
        data_dir = Path(tmp) / "data"
        records = ingest_paths(
            Settings(data_dir=data_dir), [FIXTURES / "report_2020_8890.pdf", FIXTURES / "policy_sample.pdf"]
        )
        assert all(r.status == "ok" for r in records), [(r.path, r.message) for r in records]
        big = long_report(Path(tmp) / "long-report.pdf", pages)
        port = _free_port()
        env = {
            **os.environ,
            "JIXIAO_DATA_DIR": str(data_dir),
            "JIXIAO_RATE_LIMIT_PER_MINUTE": "100000000",
            "JIXIAO_API_KEYS": "[]",
            "JIXIAO_ADMIN_KEYS": "[]",
        }
        for key in ("JIXIAO_LLM_BASE_URL", "JIXIAO_LLM_GGUF"):
            env.pop(key, None)
        server = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, server)
            with httpx.Client(base_url=url, timeout=180) as admin:
                for question in QUESTIONS:  # warm-up: lexicon, BM25 index, caches
                    admin.post("/api/v1/chat", json={"message": question}).raise_for_status()
                idle, idle_errors = _ask(url, idle_seconds)

                r = admin.post(
                    "/api/v1/documents", files=[("files", (big.name, big.read_bytes(), "application/pdf"))]
                )
                r.raise_for_status()
                doc_id = r.json()["documents"][0]["doc_id"]
                while admin.get(f"/api/v1/documents/{doc_id}").json()["status"] == "queued":
                    time.sleep(0.2)
                loaded, load_errors = _ask(url, load_seconds)
                during = admin.get(f"/api/v1/documents/{doc_id}").json()
                admin.delete(f"/api/v1/documents/{doc_id}").raise_for_status()
        finally:
            server.terminate()
            server.wait(30)
    ratio = _percentile(loaded, 0.95) / _percentile(idle, 0.95) if idle and loaded else float("nan")
    return [
        ("load", f"{CLIENTS} concurrent clients, /api/v1/chat (deterministic answerer, JSON)"),
        (
            "idle: requests, p50, p95",
            f"{len(idle)} in {idle_seconds:g} s, {_ms(idle, 0.5)}, {_ms(idle, 0.95)}",
        ),
        (
            f"ingesting a {pages}-page upload: requests, p50, p95",
            f"{len(loaded)} in {load_seconds:g} s, {_ms(loaded, 0.5)}, {_ms(loaded, 0.95)}",
        ),
        ("p95 under ingest / idle p95 (target < 2)", f"{ratio:.2f}"),
        ("errors idle / under ingest", f"{idle_errors} / {load_errors}"),
        ("ingest meanwhile", f"{during['status']} {during.get('progress', '')}".strip()),
    ]


if __name__ == "__main__":
    print_rows("ingest_load", run())
