"""One real index of the sample corpus (lite profile) for the whole session, and its parts.

``sample_knowledge`` owns the index folder while the session runs (the embedded engine
locks it): pass it to whatever needs the index instead of opening ``sample_settings``
again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.generators.extractive import ExtractiveGenerator
from assistant.service import AnswerService
from assistant.settings import Settings
from assistant.wiring import build_runtime
from ingest.pipeline import run_ingest
from knowledge.wiring import Knowledge, open_knowledge
from tests.conftest import make_settings

LAICITE = "laicite-2025"
PARCOURS = "parcours-manager-2025"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Lite-profile settings whose data dir holds the indexed sample corpus."""
    settings = make_settings(tmp_path_factory.mktemp("sample-index"))
    report = run_ingest(settings)
    assert not report.failed, report.failed
    return settings


@pytest.fixture(scope="session")
def sample_knowledge(sample_settings: Settings) -> Iterator[Knowledge]:
    knowledge = open_knowledge(sample_settings.knowledge)
    yield knowledge
    knowledge.close()


@pytest.fixture(scope="session")
def extractive_service(sample_knowledge: Knowledge, sample_settings: Settings) -> AnswerService:
    return AnswerService(sample_knowledge, ExtractiveGenerator(), sample_settings)


@pytest.fixture
def client(app_settings: Settings, sample_knowledge: Knowledge) -> Iterator[TestClient]:
    """The app on the shared sample index, with the settings of the module's own
    ``app_settings`` fixture (its data dir holds the database and secrets)."""
    with TestClient(
        create_app(app_settings, build_runtime(app_settings, knowledge=sample_knowledge))
    ) as client:
        yield client
