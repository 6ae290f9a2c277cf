"""Fixtures shared by every package's tests: settings on a temporary data dir, real data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import run_ingest
from knowledge.models import model_path
from knowledge.settings import EmbeddingProfile, Settings, _default_models_dir
from knowledge.wiring import Knowledge, open_knowledge

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real outside data not found at {SHARED_DATA} (../shared/data)")
    return SHARED_DATA


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the developer's environment and .env file."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "embedding_profile": EmbeddingProfile.LITE,
        "qdrant_url": None,
        "mistral_api_key": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def quality_models_dir() -> Path:
    models_dir = _default_models_dir()
    if not (model_path(models_dir) / "model.safetensors").is_file():
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
    knowledge = open_knowledge(settings)
    yield knowledge
    knowledge.close()
