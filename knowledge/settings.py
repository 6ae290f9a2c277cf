"""The one settings object. Built once at the edge (CLI, app factory) and passed down."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

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

    # Weighted fusion of dense and lexical scores; see knowledge/search.py for how it was chosen.
    dense_weight: float = 0.7
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

    max_file_bytes: int = 200 * 1024 * 1024
    max_archive_ratio: int = 100
    max_archive_bytes: int = 1024 * 1024 * 1024

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "qdrant"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "manifest.sqlite"
