"""The settings sections: every environment variable keeps its name, and lands in its stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings, environment_variables

# The variables the service read before the settings were split by stage: none may change.
ENVIRONMENT_VARIABLES = {
    *("MISTRAL_API_KEY", "QDRANT_API_KEY", "QDRANT_URL"),
    *(
        f"MENTOR_{name}"
        for name in (
            "CANDIDATES CHUNK_OVERLAP CHUNK_SIZE COLLECTION CORS_ORIGINS DATABASE_URL DATA_DIR "
            "DEMO EMBEDDING_BATCH_SIZE EMBEDDING_MODEL_PATH EMBEDDING_PROFILE GENERATOR HOST "
            "INGEST_ROOTS JWT_AUDIENCE JWT_ISSUER JWT_SECRET LEXICAL_WEIGHT LLM_BACKOFF_SECONDS "
            "LLM_MAX_RETRIES LLM_TIMEOUT_SECONDS LTI_PLATFORM_ISSUERS MAX_ARCHIVE_BYTES "
            "MAX_ARCHIVE_RATIO "
            "MAX_FILE_BYTES MIN_EVIDENCE_SCORE MISTRAL_API_KEY MISTRAL_BASE_URL "
            "MISTRAL_EMBED_MODEL MISTRAL_MODEL MODELS_DIR OPENAI_API_KEY OPENAI_BASE_URL "
            "OPENAI_MODEL PORT QDRANT_API_KEY QDRANT_URL RATE_LIMIT_PER_MINUTE RETENTION_DAYS "
            "SUPPORT_URL TOKEN_TTL_SECONDS TRIAGE_CLASSIFIER TRIAGE_DOMAINS_FILE "
            "TRIAGE_REPLY_MIN_SCORE TRIAGE_SIMILAR_DAYS TRIAGE_SIMILAR_MIN_SCORE "
            "WEBHOOK_ATTEMPTS WEBHOOK_BACKOFF_SECONDS WEBHOOK_SECRET WEBHOOK_TIMEOUT_SECONDS "
            "WEBHOOK_URL"
        ).split()
    ),
}


def test_every_environment_variable_keeps_its_name() -> None:
    read = environment_variables()
    assert len(read) == len(set(read)), "two sections read the same variable"
    # New variables may be added by later work; none of the earlier ones may go.
    assert set(read) >= ENVIRONMENT_VARIABLES


def test_each_variable_reaches_its_section(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name, value in {
        "MENTOR_DATA_DIR": str(tmp_path),
        "QDRANT_URL": "http://qdrant:6333",
        "MENTOR_MAX_FILE_BYTES": "7",
        "MENTOR_JWT_SECRET": "s" * 40,
        "MENTOR_GENERATOR": "openai",
        "MENTOR_TRIAGE_CLASSIFIER": "logistic",
        "MENTOR_WEBHOOK_URL": "https://desk.example/hook",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.knowledge.data_dir == tmp_path
    assert settings.knowledge.qdrant_url == "http://qdrant:6333"
    assert settings.limits.max_file_bytes == 7
    assert settings.service.jwt_secret.get_secret_value() == "s" * 40
    assert settings.llm.generator == "openai"
    assert settings.triage.classifier == "logistic"
    assert settings.webhook.url == "https://desk.example/hook"
    assert settings.assistant_db_path == tmp_path / "assistant.sqlite"


def test_the_knowledge_layer_names_no_stage_above_it() -> None:
    source = (Path(__file__).resolve().parents[2] / "knowledge" / "settings.py").read_text()
    for word in ("jwt", "cors", "webhook", "generator", "triage"):
        assert word not in source.lower(), word
