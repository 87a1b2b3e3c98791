"""Several processes on a shared store, for real (#17): a `chroma run` server and a PostgreSQL
server started by the session fixtures, `jixiao serve --workers 4` and two `jixiao worker`
processes against both, sharing one upload folder. Concurrent uploads from several clients are each
ingested once; eval cases (a follow-up among them, so the conversation crosses API workers) pass
through it; a rate limit holds across the four workers; an API worker killed mid-request is
replaced while the others answer; an ingest worker killed mid-document has its job taken over
by the other one, and the document ends indexed once with no half-written vectors left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from api_server import free_port
from pdfgen import make_chinese_pdf

from evals.runner import evaluate
from evals.schema import load_cases
from ingest.store import JobStore, Store
from service.config import Settings

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
ADMIN_KEY = "admin-key-cluster-7d1c9e3a"
API_KEY = "api-key-cluster-4b8f2e6d"
RATE_KEY = "api-key-cluster-rate-9a5c"
PER_MINUTE = 120
LEASE = 5.0
API_WORKERS = 4


@dataclass
class Cluster:
    url: str
    settings: Settings
    env: dict[str, str]
    serve: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)
    logs: Path = Path()

    def client(self, key: str = ADMIN_KEY) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, headers={"Authorization": f"Bearer {key}"})

    def start_worker(self, name: str) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "service", "worker", "--lease", str(LEASE)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.workers.append(proc)
        return proc

    def log(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("*.log")))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def cluster(postgres, chroma_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    logs = root / "logs"
    logs.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    env.update(
        PYTHONUNBUFFERED="1",
        JIXIAO_DATA_DIR=str(root / "shared"),  # the upload folder every process shares
        JIXIAO_DATABASE_URL=postgres.url,
        JIXIAO_CHROMA_MODE="http",
        JIXIAO_CHROMA_HOST="127.0.0.1",
        JIXIAO_CHROMA_PORT=str(chroma_server.port),
        JIXIAO_ADMIN_KEYS=json.dumps([ADMIN_KEY]),
        JIXIAO_API_KEYS=json.dumps([API_KEY, RATE_KEY]),
        JIXIAO_RATE_LIMIT_PER_MINUTE=str(PER_MINUTE),
        JIXIAO_EMBEDDING_BATCH_SIZE="8",
        JIXIAO_TEST_SLOW_EMBED="0.3",  # a document takes seconds: long enough to kill a worker inside it
    )
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--workers", str(API_WORKERS), "--port", str(port)],
        env=env, stdout=(logs / "serve.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    running = Cluster(f"http://127.0.0.1:{port}", Settings(_env_file=None, **_settings(env)), env, serve)
    running.logs = logs
    for name in ("worker-a", "worker-b"):
        running.start_worker(name)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert serve.poll() is None, running.log()
            try:
                if httpx.get(f"{running.url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"jixiao serve --workers 4 did not come up\n{running.log()}"
            time.sleep(0.5)
        assert all(w.poll() is None for w in running.workers), running.log()
        yield running
    finally:
        for proc in [serve, *running.workers]:
            _stop(proc)


def _settings(env: dict[str, str]) -> dict[str, object]:
    return {
        "data_dir": Path(env["JIXIAO_DATA_DIR"]),
        "database_url": env["JIXIAO_DATABASE_URL"],
        "chroma_mode": "http",
        "chroma_host": "127.0.0.1",
        "chroma_port": int(env["JIXIAO_CHROMA_PORT"]),
    }


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True)
    return [
        int(line.split()[0])
        for line in out.stdout.splitlines()
        if "multiprocessing.spawn" in line or "spawn_main" in line
    ]


def _wait_done(
    cluster: Cluster, client: httpx.Client, doc_ids: set[str], timeout: float = 240
) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while True:
        states = {d: client.get(f"/api/v1/documents/{d}").json() for d in doc_ids}
        if all(s.get("status") not in ("queued", "ingesting", None) for s in states.values()):
            return states
        assert time.monotonic() < deadline, (states, cluster.log())
        time.sleep(1.0)


def _paragraphs(tag: str, n: int) -> list[str]:
    items = ["项目资金到位率", "预算执行率", "培训覆盖人数", "设备完好率", "群众满意度", "验收合格率"]
    return [
        f"{i + 1}. {tag}：{items[i % len(items)]}为{80 + i % 17}.{i:02d}%，第{i + 1}项说明。"
        for i in range(n)
    ]


def test_concurrent_uploads_from_several_clients_are_ingested_once(cluster: Cluster, tmp_path: Path) -> None:
    extra = make_chinese_pdf(tmp_path / "其他项目绩效评价报告.pdf", title="2022年其他项目绩效评价报告",
                             paragraphs=_paragraphs("其他项目", 30))  # fmt: skip
    uploads = [FIXTURES / "report_2020_8890.pdf", FIXTURES / "report_2020_8890.pdf",
               FIXTURES / "policy_sample.pdf", extra]  # fmt: skip

    def upload(path: Path) -> dict:
        with cluster.client() as client:  # its own connection: one client each
            r = client.post(
                "/api/v1/documents", files={"files": (path.name, path.read_bytes(), "application/pdf")}
            )
            assert r.status_code == 202, r.text
            return r.json()["documents"][0]

    with ThreadPoolExecutor(len(uploads)) as pool:
        accepted = list(pool.map(upload, uploads))
    doc_ids = {d["doc_id"] for d in accepted}
    assert len(doc_ids) == 3  # the same bytes twice are one document
    with cluster.client() as client:
        states = _wait_done(cluster, client, doc_ids)
    assert {s["status"] for s in states.values()} == {"ok"}, (states, cluster.log())

    with Store.open(cluster.settings) as store:
        for doc_id in doc_ids:
            record = store.get_document(doc_id)
            # once: as many vectors on the Chroma server as the manifest has chunks, no copies
            assert store.vector_count(doc_id) == record.chunks > 0
        assert len([d for d in store.list_documents() if d.doc_id in doc_ids]) == 3
        assert JobStore(store.engine).pending() == []
    logs = cluster.log()
    assert "worker-a" in logs and logs.count("ingested ") >= 3


def test_eval_cases_through_four_api_workers(cluster: Cluster) -> None:
    wanted = {"lookup-exec-rate-2020", "fu-exec-rate-goods", "unans-2021-exec-rate"}
    cases = [c for c in load_cases() if c.id in wanted]
    assert len(cases) == 3
    result = evaluate(cases, endpoint=cluster.url, progress=False, api_key=API_KEY)
    by_id = {r["id"]: r for r in result.results}
    assert result.summary["errors"] == 0, by_id
    # the follow-up's second turn was resolved against the first, whichever worker answered it
    assert all(r["passed"] for r in by_id.values()), json.dumps(by_id, ensure_ascii=False)[:3000]


def test_rate_limit_holds_across_workers(cluster: Cluster) -> None:
    def hit(_: int) -> int:
        with cluster.client(RATE_KEY) as client:
            return client.get("/api/v1/documents").status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(hit, range(PER_MINUTE + 30)))
    # four workers counting alone would each allow PER_MINUTE
    assert codes.count(200) == PER_MINUTE and codes.count(429) == 30, codes


def test_api_worker_killed_mid_request_is_replaced(cluster: Cluster) -> None:
    workers = _children(cluster.serve.pid)
    assert len(workers) == API_WORKERS, workers

    def ask(i: int) -> int | str:
        try:
            with cluster.client(API_KEY) as client:
                return client.post(
                    "/api/v1/chat", json={"message": f"2020年预算执行率是多少？（{i}）"}
                ).status_code
        except httpx.TransportError as err:  # the request the killed worker was serving
            return type(err).__name__

    with ThreadPoolExecutor(8) as pool:
        asked = [pool.submit(ask, i) for i in range(8)]
        time.sleep(0.5)
        os.kill(workers[0], signal.SIGKILL)
        outcomes = [f.result() for f in asked]
    assert all(o == 200 or isinstance(o, str) for o in outcomes), outcomes
    deadline = time.monotonic() + 120
    while len(replaced := _children(cluster.serve.pid)) < API_WORKERS or workers[0] in replaced:
        assert time.monotonic() < deadline, (replaced, cluster.log())
        time.sleep(0.5)
    assert cluster.serve.poll() is None
    with ThreadPoolExecutor(4) as pool:  # every worker answers again, the new one included
        after = list(pool.map(ask, range(12)))
    assert after == [200] * 12, after


def test_ingest_worker_killed_mid_document_is_taken_over(cluster: Cluster, tmp_path: Path) -> None:
    pdf = make_chinese_pdf(tmp_path / "被中断的项目报告.pdf", title="2023年被中断项目绩效评价报告",
                           paragraphs=_paragraphs("中断项目", 90))  # fmt: skip
    with cluster.client() as client:
        r = client.post("/api/v1/documents", files={"files": (pdf.name, pdf.read_bytes(), "application/pdf")})
        assert r.status_code == 202, r.text
        doc_id = r.json()["documents"][0]["doc_id"]
        pids = {p.pid: p for p in cluster.workers if p.poll() is None}
        with Store.open(cluster.settings) as store:
            jobs = JobStore(store.engine)
            deadline = time.monotonic() + 120
            while True:  # until the owner has written some of the document's vectors
                row = jobs.get(doc_id)
                if row is not None and row.owner and store.vector_count(doc_id) > 0:
                    break
                assert time.monotonic() < deadline, (row, cluster.log())
                time.sleep(0.1)
            owner_pid = int(row.owner.split(":")[1])
            assert owner_pid in pids
            os.kill(owner_pid, signal.SIGKILL)
            killed_at = time.monotonic()
            state = _wait_done(cluster, client, {doc_id})[doc_id]
            assert state["status"] == "ok", (state, cluster.log())
            assert time.monotonic() - killed_at >= LEASE * 0.5  # taken over after the lease, not at once
            record = store.get_document(doc_id)
            assert store.vector_count(doc_id) == record.chunks  # the dead run's vectors are gone
            assert JobStore(store.engine).pending() == []
    survivor = next(p for pid, p in pids.items() if pid != owner_pid)
    assert survivor.poll() is None
    # the killed worker's ingest child died with it (no second writer left behind)
    left = subprocess.run(["pgrep", "-P", str(owner_pid)], capture_output=True, text=True).stdout
    assert not left.strip()
