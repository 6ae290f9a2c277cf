"""The assistant service's settings: its sections composed over the ingest job's.

The service re-indexes on request (``assistant/reindex.py``), so its settings are the ingest
job's plus its own sections. Field names are the environment variables' names without their
prefix: ``MENTOR_JWT_SECRET`` is ``settings.service.jwt_secret``, ``MENTOR_TRIAGE_CLASSIFIER``
is ``settings.triage.classifier``, ``MENTOR_WEBHOOK_URL`` is ``settings.webhook.url``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.settings import IngestSettings


class ServiceSettings(BaseSettings):
    """The HTTP service: tokens, browsers, limits, storage, retention."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_", env_file=".env", extra="ignore")

    # Demo mode (README main command): a random JWT secret is generated once and kept in
    # the data dir so `token` and `serve` agree. Outside demo mode a real secret is required.
    demo: bool = False
    jwt_secret: SecretStr = SecretStr("change-me")
    jwt_audience: str = "mentor-assistant"
    jwt_issuer: str | None = None
    token_ttl_seconds: int = 3600
    host: str = "127.0.0.1"
    port: int = 8000
    # Where browsers reach the service (https://assistant.example.gouv.fr behind a proxy);
    # the desk accepts forms only from this origin. Unset: http://MENTOR_HOST:MENTOR_PORT.
    public_url: str | None = None
    cors_origins: list[str] = []
    rate_limit_per_minute: int = 20
    retention_days: int = 30
    # Folders the running service may re-index on request (`POST /api/admin/reindex`);
    # empty, only the bundled sample corpus.
    ingest_roots: list[Path] = []
    support_url: str = "https://mentor.gouv.fr/contact"
    # Minimum probability that the passages answer the question (assistant/evidence.py)
    # for an answer, hedged below the measured plain-answer level; below it, the
    # assistant refuses. Unset, each embedding model uses its measured values.
    min_evidence_score: float | None = None
    # Conversations, feedback and tickets; unset, SQLite at Settings.assistant_db_path.
    # PostgreSQL in production: postgresql://user:password@host/dbname (driver psycopg 3).
    database_url: str | None = None


class LLMSettings(BaseSettings):
    """Which generator writes the answers, and how its endpoint is called."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_", env_file=".env", extra="ignore")

    generator: str = "auto"  # auto | extractive | mistral | openai
    # The Mistral key and base URL are the knowledge section's (one account).
    mistral_model: str = "mistral-small-latest"
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    openai_model: str | None = None
    llm_timeout_seconds: float = 30.0
    llm_max_retries: int = 2
    # First retry delay; each further retry doubles it (with jitter). Retry-After wins.
    llm_backoff_seconds: float = 0.5


class LtiSettings(BaseSettings):
    """The LTI 1.3 tool (assistant/lti): ``MENTOR_LTI_*``."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_LTI_", env_file=".env", extra="ignore")

    # Issuers (platform base URLs, e.g. https://mentor.gouv.fr) allowed to register the tool
    # by dynamic registration; empty, only `mentor-assistant lti add-platform` registers.
    platform_issuers: list[str] = []


class TriageSettings(BaseSettings):
    """The support desk (assistant/triage): ``MENTOR_TRIAGE_*``."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_TRIAGE_", env_file=".env", extra="ignore")

    # domain → entity YAML; unset, the table shipped in assistant/triage/data/domains.yaml.
    domains_file: Path | None = None
    # Measured by `python -m bench.triage` (assistant/triage/README.md).
    classifier: Literal["centroid", "logistic"] = "centroid"
    # Minimum evidence probability for a drafted reply; unset, the level from which the
    # answer service answers (assistant/evidence.py).
    reply_min_score: float | None = None
    similar_days: int = 14
    # Cosine above which two requests are "the same problem"; unset, the embedder's
    # measured value (assistant/triage/service.py).
    similar_min_score: float | None = None


class WebhookSettings(BaseSettings):
    """New tickets are POSTed to ``url``, signed with HMAC-SHA256 (assistant/webhook.py)."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_WEBHOOK_", env_file=".env", extra="ignore")

    url: str | None = None
    secret: SecretStr | None = None
    timeout_seconds: float = 5.0
    attempts: int = 3
    backoff_seconds: float = 2.0


class Settings(IngestSettings):
    """The service process's one settings object, built at the edge and passed down."""

    service: ServiceSettings = Field(default_factory=ServiceSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    lti: LtiSettings = Field(default_factory=LtiSettings)
    triage: TriageSettings = Field(default_factory=TriageSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)

    @property
    def assistant_db_path(self) -> Path:
        return self.knowledge.data_dir / "assistant.sqlite"

    def platform_hosts(self) -> frozenset[str]:
        """The hosts of the platform itself (its support page, the LTI platforms, this
        service): a learner who names them is not asking about another service."""
        urls = [self.service.support_url, self.service.public_url, *self.lti.platform_issuers]
        hosts = (urlsplit(url).hostname for url in urls if url)
        return frozenset(host.removeprefix("www.") for host in hosts if host)


def environment_variables() -> list[str]:
    """Every variable the service reads, section by section (``serve --help`` lists them)."""
    names: list[str] = []
    for info in Settings.model_fields.values():
        section = info.annotation
        assert isinstance(section, type) and issubclass(section, BaseSettings)
        prefix = str(section.model_config.get("env_prefix", "")).upper()
        for field, spec in section.model_fields.items():
            alias = spec.validation_alias
            if isinstance(alias, AliasChoices):
                names.extend(str(choice) for choice in alias.choices)
            else:
                names.append(prefix + field.upper())
    return names
