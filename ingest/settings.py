"""The ingestion job's settings: the knowledge section plus the limits on what it reads."""

from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.moodle.settings import MoodleSettings
from knowledge.settings import KnowledgeSettings


class IngestLimits(BaseSettings):
    """Bounds on one input, so a hostile or broken file fails alone and clearly."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_", env_file=".env", extra="ignore")

    max_file_bytes: int = 200 * 1024 * 1024
    max_archive_ratio: int = 100
    max_archive_bytes: int = 1024 * 1024 * 1024


class IngestSettings(BaseModel):
    """What an ingest run reads; the assistant's settings extend it (it re-indexes on request)."""

    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    limits: IngestLimits = Field(default_factory=IngestLimits)
    moodle: MoodleSettings = Field(default_factory=MoodleSettings)
