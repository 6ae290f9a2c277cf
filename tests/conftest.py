"""Fixtures shared by every package's tests: settings on a temporary data dir, real data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from assistant.settings import Settings
from ingest.pipeline import run_ingest
from knowledge.models import model_path
from knowledge.optimized import MANIFEST, optimized_path
from knowledge.settings import EmbeddingProfile, _default_models_dir
from knowledge.wiring import Knowledge, open_knowledge

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real outside data not found at {SHARED_DATA} (../shared/data)")
    return SHARED_DATA


def _env_name(section: type[BaseSettings], field: str) -> str:
    prefix = str(section.model_config.get("env_prefix", ""))
    return (prefix + field).lower().removeprefix("mentor_")


def _by_section(overrides: dict[str, object]) -> dict[str, dict[str, object]]:
    """Overrides named like their environment variable without MENTOR_ (``jwt_secret``,
    ``triage_classifier``, ``webhook_url``), grouped by the settings section owning each."""
    owners: dict[str, tuple[str, str]] = {}
    for name, info in Settings.model_fields.items():
        section = info.annotation
        assert isinstance(section, type) and issubclass(section, BaseSettings)
        for field in section.model_fields:
            owners[_env_name(section, field)] = (name, field)
    grouped: dict[str, dict[str, object]] = {name: {} for name in Settings.model_fields}
    for key, value in overrides.items():
        if key not in owners:
            raise KeyError(f"no setting is named {key!r}")
        name, field = owners[key]
        grouped[name][field] = value
    return grouped


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the developer's .env file, on ``data_dir``; see _by_section."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "embedding_profile": EmbeddingProfile.LITE,
        "qdrant_url": None,
        "mistral_api_key": None,
    }
    values.update(overrides)
    sections = {
        name: Settings.model_fields[name].annotation(_env_file=None, **fields)  # type: ignore[misc]
        for name, fields in _by_section(values).items()
    }
    return Settings(**sections)


def with_overrides(settings: Settings, **overrides: object) -> Settings:
    """A copy of ``settings`` with overrides named as make_settings takes them."""
    update = {
        name: getattr(settings, name).model_copy(update=fields)
        for name, fields in _by_section(overrides).items()
        if fields
    }
    return settings.model_copy(update=update)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def quality_models_dir() -> Path:
    models_dir = _default_models_dir()
    made = (model_path(models_dir) / "model.safetensors", optimized_path(models_dir) / MANIFEST)
    if not all(path.is_file() for path in made):
        pytest.skip("EmbeddingGemma is not provisioned: run `mentor-assistant models fetch`")
    return models_dir


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("QDRANT_URL", "QDRANT_API_KEY", "MISTRAL_API_KEY", "MENTOR_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture(scope="session")
def quality_sample(
    quality_models_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Knowledge]:
    """The sample corpus indexed once with EmbeddingGemma, open for the whole session."""
    settings = make_settings(
        tmp_path_factory.mktemp("quality-sample"),
        embedding_profile=EmbeddingProfile.QUALITY,
        models_dir=quality_models_dir,
    )
    report = run_ingest(settings)
    assert not report.failed, report.failed
    knowledge = open_knowledge(settings.knowledge)
    yield knowledge
    knowledge.close()
