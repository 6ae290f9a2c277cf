"""The knowledge layer's settings: where the index lives, how text is embedded and searched.

Each stage owns its settings section; the stages above compose this one with theirs into the
object built at the edge (CLI command, app factory) and passed down. Every section reads the
``MENTOR_*`` environment variables and the ``.env`` file.
"""

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


class EmbeddingRuntime(StrEnum):
    OPENVINO = "openvino"
    FP32 = "fp32"


def _default_models_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "mentor-assistant" / "models"


class KnowledgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MENTOR_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    models_dir: Path = Field(default_factory=_default_models_dir)
    collection: str = "mentor"

    embedding_profile: EmbeddingProfile = EmbeddingProfile.QUALITY
    # A local sentence-transformers folder (multilingual-e5-base, bge-m3...) overrides the profile.
    embedding_model_path: Path | None = None
    embedding_batch_size: int = 16
    # The quality profile's runtime: OpenVINO, bf16 where the CPU has it (made from the
    # weights by `models fetch`), or the fp32 sentence-transformers model (bench/README.md).
    embedding_runtime: EmbeddingRuntime = EmbeddingRuntime.OPENVINO
    # Threads of the embedding model; unset, the CPUs this process may run on.
    embedding_threads: int | None = Field(default=None, ge=1)
    # Passage vectors kept in data_dir/embeddings.sqlite (3 KiB each), least recently used
    # dropped first; and query vectors kept in memory.
    embedding_cache_entries: int = Field(default=500_000, ge=0)
    query_cache_entries: int = Field(default=2048, ge=0)

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
    # One Mistral account: the stages above reuse this key and base URL for their calls.
    mistral_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("MISTRAL_API_KEY", "MENTOR_MISTRAL_API_KEY")
    )
    mistral_base_url: str = "https://api.mistral.ai"
    mistral_embed_model: str = "mistral-embed"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "qdrant"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "manifest.sqlite"

    @property
    def embedding_cache_path(self) -> Path:
        return self.data_dir / "embeddings.sqlite"
