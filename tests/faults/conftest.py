"""Fixtures of the fault scenarios: a real index of the sample corpus (lite profile), the real
app served by uvicorn on loopback, and a fake LLM server on loopback (bench/fake_llm.py).

Every request goes through real HTTP with a client timeout, so a hung stream fails the
test instead of hanging it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.app import create_app
from assistant.auth import Role, mint_token
from assistant.settings import Settings
from assistant.wiring import build_runtime
from bench.fake_llm import FakeLLM, Pace
from bench.loopback import serving
from ingest.pipeline import run_ingest
from knowledge.wiring import Knowledge, open_knowledge
from tests.conftest import make_settings

SECRET = "f" * 48
# A question the sample FAQ answers, so that the generator is reached.
QUESTION = "Comment télécharger mon attestation de participation ?"
# Bounds every request: a stream that hangs longer than this fails the test.
CLIENT_TIMEOUT_S = 20


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Knowledge]:
    settings = make_settings(tmp_path_factory.mktemp("faults-index"))
    report = run_ingest(settings)
    assert not report.failed, report.failed
    knowledge = open_knowledge(settings.knowledge)
    yield knowledge
    knowledge.close()


@pytest.fixture(scope="session")
def fake_llm() -> Iterator[str]:
    # Fast pace: the tests wait for behaviours, not for a realistic speed.
    with serving(FakeLLM(Pace(first_token_s=0.01, tokens_per_s=500))) as url:
        yield url


def app_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"jwt_secret": SECRET, "rate_limit_per_minute": 10_000}
    values.update(overrides)
    return make_settings(data_dir, **values)


@dataclass(frozen=True, slots=True)
class Live:
    url: str
    settings: Settings

    def headers(self, role: Role = Role.LEARNER) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, 'learner-1', (), role)}"}

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=CLIENT_TIMEOUT_S)


@contextmanager
def live_app(settings: Settings, knowledge: Knowledge | None = None) -> Iterator[Live]:
    with serving(create_app(settings, build_runtime(settings, knowledge=knowledge))) as url:
        yield Live(url, settings)


def stream_events(live: Live, message: str = QUESTION) -> tuple[int, list[tuple[str, Any]]]:
    """POST /api/chat/stream and parse the whole event stream."""
    with (
        live.client() as client,
        client.stream(
            "POST", "/api/chat/stream", json={"message": message}, headers=live.headers()
        ) as response,
    ):
        body = response.read().decode()
    if not response.headers["content-type"].startswith("text/event-stream"):
        return response.status_code, [("problem", json.loads(body))]
    return response.status_code, sse_events(body)


def sse_events(body: str) -> list[tuple[str, Any]]:
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = None, []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").lstrip(" "))
        if name is not None:
            events.append((name, json.loads("\n".join(data))))
    return events
