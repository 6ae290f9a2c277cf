"""The one settings object. Built once at the edge (CLI, app factory) and passed down."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbeddingProfile(StrEnum):
    QUALITY = "quality"
    LITE = "lite"
    MISTRAL = "mistral"


def _default_models_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "mentor-assistant" / "models"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MENTOR_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    models_dir: Path = Field(default_factory=_default_models_dir)
    collection: str = "mentor"

    embedding_profile: EmbeddingProfile = EmbeddingProfile.QUALITY
    # A local sentence-transformers folder (multilingual-e5-base, bge-m3...) overrides the profile.
    embedding_model_path: Path | None = None
    embedding_batch_size: int = 16

    chunk_size: int = 1200
    chunk_overlap: int = 150

    # Weight of the lexical bonus in hybrid search; unset, each profile uses its measured
    # value (see knowledge/search.py).
    lexical_weight: float | None = None
    candidates: int = 40

    qdrant_url: str | None = Field(
        default=None, validation_alias=AliasChoices("QDRANT_URL", "MENTOR_QDRANT_URL")
    )
    qdrant_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("QDRANT_API_KEY", "MENTOR_QDRANT_API_KEY")
    )
    mistral_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("MISTRAL_API_KEY", "MENTOR_MISTRAL_API_KEY")
    )
    mistral_base_url: str = "https://api.mistral.ai"
    mistral_embed_model: str = "mistral-embed"

    # -- assistant service --------------------------------------------------------------
    # Demo mode (README main command): a random JWT secret is generated once and kept in
    # the data dir so `token` and `serve` agree. Outside demo mode a real secret is required.
    demo: bool = False
    jwt_secret: SecretStr = SecretStr("change-me")
    jwt_audience: str = "mentor-assistant"
    jwt_issuer: str | None = None
    token_ttl_seconds: int = 3600
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: list[str] = []
    rate_limit_per_minute: int = 20
    retention_days: int = 30
    # Folders the running service may re-index on request (`POST /api/admin/reindex`);
    # empty, only the bundled sample corpus.
    ingest_roots: list[Path] = []
    support_url: str = "https://mentor.gouv.fr/contact"
    generator: str = "auto"  # auto | extractive | mistral | openai
    mistral_model: str = "mistral-small-latest"
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    openai_model: str | None = None
    llm_timeout_seconds: float = 30.0
    llm_max_retries: int = 2
    # First retry delay; each further retry doubles it (with jitter). Retry-After wins.
    llm_backoff_seconds: float = 0.5
    # Minimum probability that the passages answer the question (assistant/evidence.py)
    # for an answer, hedged below the measured plain-answer level; below it, the
    # assistant refuses. Unset, each embedding model uses its measured values.
    min_evidence_score: float | None = None

    # Conversations, feedback and tickets; unset, SQLite at assistant_db_path. PostgreSQL in
    # production: postgresql://user:password@host/dbname (driver psycopg 3).
    database_url: str | None = None

    # -- support desk (assistant/triage) ------------------------------------------------
    # domain → entity YAML; unset, the table shipped in assistant/triage/data/domains.yaml.
    triage_domains_file: Path | None = None
    # Measured by `python -m bench.triage` (assistant/triage/README.md).
    triage_classifier: Literal["centroid", "logistic"] = "centroid"
    # Minimum evidence probability for a drafted reply; unset, the plain-answer level of
    # the answer service (assistant/evidence.py).
    triage_reply_min_score: float | None = None
    triage_similar_days: int = 14
    # Cosine above which two requests are "the same problem"; unset, the embedder's
    # measured value (assistant/triage/service.py).
    triage_similar_min_score: float | None = None
    # New tickets are POSTed there, signed with HMAC-SHA256 (assistant/webhook.py).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_timeout_seconds: float = 5.0
    webhook_attempts: int = 3
    webhook_backoff_seconds: float = 2.0

    max_file_bytes: int = 200 * 1024 * 1024
    max_archive_ratio: int = 100
    max_archive_bytes: int = 1024 * 1024 * 1024

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "qdrant"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "manifest.sqlite"

    @property
    def assistant_db_path(self) -> Path:
        return self.data_dir / "assistant.sqlite"
