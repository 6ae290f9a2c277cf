"""Fixtures shared by every package's tests: settings on a temporary data dir, real data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.models import model_path
from knowledge.settings import EmbeddingProfile, Settings, _default_models_dir

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
