"""The one settings object (`JIXIAO_` variables). Embedded defaults need none.

It extends the storage settings owned by `ingest`, so a single object configures everything.
Hand it out through `get_settings()` (a FastAPI dependency too), never as an import-time global.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator

from ingest.settings import StorageSettings

INSECURE_KEYS = {"changethis", "change-me", "secret", "password", "admin", "test"}


class Settings(StorageSettings):
    # --- LLM (unset: the deterministic answerer) ---
    llm_base_url: str | None = Field(None, description="OpenAI-compatible /v1 base URL (vLLM, Ollama, ...)")
    llm_api_key: str | None = None
    llm_model: str = "default"
    llm_gguf: Path | None = Field(None, description="a GGUF file to serve in-process through xllamacpp")
    llm_timeout: float = Field(60.0, gt=0, description="seconds per model call")
    llm_max_steps: int = Field(8, ge=1, le=50, description="cap on model + tool calls per question")
    llm_temperature: float = 0.0

    # --- service ---
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: list[str] = Field(default_factory=list, description="Bearer keys for the API and MCP")
    admin_keys: list[str] = Field(default_factory=list, description="keys allowed to upload/delete documents")
    site_keys: dict[str, list[str]] = Field(
        default_factory=dict,
        description='widget site keys -> allowed origins, e.g. {"k1": ["https://portal.gov.cn"]}',
    )
    cors_origins: list[str] = Field(default_factory=list)
    dev: bool = Field(False, description="allow insecure demo defaults")

    # --- limits ---
    max_body_bytes: int = 1_000_000
    rate_limit_per_minute: int = Field(
        60,
        ge=0,
        description="requests per minute per API/admin key and per visitor of a site key, counted "
        "across chat, OpenAI and MCP; 0: no limit",
    )
    local_rate_limit_per_minute: int = Field(
        0,
        ge=0,
        description="requests per minute in local mode (no keys configured, served on 127.0.0.1 to "
        "its one user); 0: no limit",
    )
    answer_timeout: float = Field(90.0, gt=0)
    upload_max_bytes: int = 50_000_000
    upload_max_pages: int = 2000
    max_question_chars: int = 2000

    @model_validator(mode="after")
    def _refuse_insecure(self) -> Settings:
        if not self.dev:
            weak = [
                k for k in [*self.api_keys, *self.admin_keys, *self.site_keys] if k.lower() in INSECURE_KEYS
            ]
            if weak:
                raise ValueError(
                    f"refusing insecure key(s) {weak}: choose long random keys (or set JIXIAO_DEV=1)"
                )
        return self

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.llm_gguf)


@lru_cache
def get_settings() -> Settings:
    return Settings()
