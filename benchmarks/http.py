"""HTTP service throughput. `python -m benchmarks.http`

The sample report + policy ingested into a temp data dir, served by the real `jixiao serve`
(uvicorn, one worker, deterministic answerer) on a free localhost port; 4 concurrent clients post
sample questions to `/api/v1/chat` for 20 s (JIXIAO_BENCH_HTTP_SECONDS) after a warm-up. Reports
requests/s, p50/p95 latency, errors, and the server process's resident memory (now and peak).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import Rows, print_rows

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
CLIENTS = 4
QUESTIONS = [
    "8890项目2020年预算执行率是多少？",
    "商品和服务支出超预算多少，是否履行了调整程序？",
    "2018-2019年均单位人工成本是怎么算出来的？",
    "按管理办法，92.37分是什么等级？",
    "话务岗的工资福利支出是多少？",
    "存在的主要问题有哪些？",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of a process, MiB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _percentile(sorted_samples: list[float], q: float) -> float:
    return sorted_samples[min(len(sorted_samples) - 1, round(q * (len(sorted_samples) - 1)))]


def wait_ready(url: str, server: subprocess.Popen) -> float:
    """Seconds until `url`/readyz answers 200; RuntimeError when the server exits first."""
    import httpx

    started = time.perf_counter()
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"jixiao serve exited with {server.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=60).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            time.sleep(0.3)


def chat_load(
    url: str, clients: int, seconds: float, headers: dict[str, str] | None = None
) -> tuple[list[float], int, float]:
    """`clients` threads posting QUESTIONS to `url`/api/v1/chat for `seconds`: (latencies of the
    200 answers, other answers, wall seconds)."""
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        i = offset
        with httpx.Client(base_url=url, timeout=120, headers=headers) as c:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                r = c.post("/api/v1/chat", json={"message": QUESTIONS[i % len(QUESTIONS)]})
                elapsed = time.perf_counter() - t0
                with lock:
                    if r.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors += 1
                i += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - t0


def run() -> Rows:
    import httpx

    from ingest.index import ingest_paths
    from service.config import Settings

    seconds = float(os.environ.get("JIXIAO_BENCH_HTTP_SECONDS", "20"))
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-http-") as tmp:
        data_dir = Path(tmp) / "data"
        records = ingest_paths(
            Settings(data_dir=data_dir), [FIXTURES / "report_2020_8890.pdf", FIXTURES / "policy_sample.pdf"]
        )
        assert all(r.status == "ok" for r in records), [(r.path, r.message) for r in records]
        port = _free_port()
        env = {
            **os.environ,
            "JIXIAO_DATA_DIR": str(data_dir),
            "JIXIAO_RATE_LIMIT_PER_MINUTE": "100000000",
            "JIXIAO_API_KEYS": "[]",
            "JIXIAO_ADMIN_KEYS": "[]",
            "JIXIAO_LLM_BASE_URL": "",
            "JIXIAO_LLM_GGUF": "",
        }
        env = {k: v for k, v in env.items() if v != ""}
        server = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            startup = wait_ready(url, server)
            with httpx.Client(base_url=url, timeout=120) as client:
                for question in QUESTIONS:  # warm-up: lexicon, BM25 index, caches
                    client.post("/api/v1/chat", json={"message": question}).raise_for_status()
            rss_idle, _ = _rss_mib(server.pid)

            latencies, errors, wall = chat_load(url, CLIENTS, seconds)
            rss_now, rss_peak = _rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait(30)
    samples = sorted(latencies)
    return [
        ("load", f"{CLIENTS} concurrent clients, {seconds:g} s, /api/v1/chat (deterministic answerer, JSON)"),
        ("requests/s", f"{len(samples) / wall:.2f}"),
        ("latency p50", f"{1000 * statistics.median(samples):.0f} ms" if samples else "-"),
        ("latency p95", f"{1000 * _percentile(samples, 0.95):.0f} ms" if samples else "-"),
        ("requests ok / errors", f"{len(samples)} / {errors}"),
        ("server start to ready", f"{startup:.1f} s"),
        ("server RSS after warm-up", f"{rss_idle:.0f} MiB"),
        ("server RSS after load (peak)", f"{rss_now:.0f} MiB ({rss_peak:.0f} MiB)"),
    ]


if __name__ == "__main__":
    print_rows("http", run())
