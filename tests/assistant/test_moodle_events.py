"""`/api/moodle/events` without a Moodle: what is refused, and that an accepted event for an
unreachable Moodle changes nothing. Events against a real Moodle are in tests/moodle/."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.auth import Role, mint_token
from assistant.settings import Settings
from assistant.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from knowledge.wiring import Knowledge
from tests.conftest import make_settings

SECRET = "moodle-events-secret-0123456789-abcdef"
BODY = json.dumps({"event": "\\core\\event\\course_module_updated", "courseid": 2, "cmid": 5})


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path / "app",
        jwt_secret=SECRET,
        moodle_url=f"http://127.0.0.1:{_closed_port()}",
        moodle_token="0123456789abcdef",
        moodle_event_coalesce_seconds=1.0,
    )


def signed(body: str, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if at is None else at
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body.encode()),
    }


def support(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, 'desk', (), Role.SUPPORT)}"}


def _wait_for_batches(client: TestClient, settings: Settings, count: int) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = client.get("/api/moodle/events", headers=support(settings)).json()
        if status["batches"] >= count:
            return dict(status)
        time.sleep(0.05)
    raise AssertionError("the event worker did not finish its batch")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Type": "application/json"}, id="unsigned"),
        pytest.param(signed(BODY, secret="another-secret-of-the-same-length-xyz"), id="forged"),
        pytest.param(signed(BODY, at=int(time.time()) - 3600), id="stale"),
        pytest.param(signed(BODY.replace('"cmid": 5', '"cmid": 6')), id="body-changed"),
    ],
)
def test_unsigned_forged_or_stale_events_are_401_and_queue_nothing(
    client: TestClient, app_settings: Settings, headers: dict[str, str]
) -> None:
    response = client.post("/api/moodle/events", content=BODY, headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    status = client.get("/api/moodle/events", headers=support(app_settings)).json()
    assert status["pending"] == 0 and status["batches"] == 0


def test_a_replayed_event_is_401(client: TestClient) -> None:
    headers = signed(BODY)

    first = client.post("/api/moodle/events", content=BODY, headers=headers)
    replay = client.post("/api/moodle/events", content=BODY, headers=headers)

    assert first.status_code == 202
    assert replay.status_code == 401


def test_an_event_for_an_unreachable_moodle_is_reported_and_deletes_nothing(
    client: TestClient, app_settings: Settings, sample_knowledge: Knowledge
) -> None:
    before = sample_knowledge.store.count()

    accepted = client.post("/api/moodle/events", content=BODY, headers=signed(BODY))
    status = _wait_for_batches(client, app_settings, 1)

    assert accepted.status_code == 202
    assert status["last_indexed"] == 0 and status["last_removed"] == 0
    [failure] = status["last_failures"]
    assert "moodle unreachable" in failure and "/course/2/" in failure
    assert sample_knowledge.store.count() == before


def test_the_status_is_for_the_support_team(client: TestClient, app_settings: Settings) -> None:
    learner = mint_token(app_settings, "learner", (), Role.LEARNER)

    response = client.get("/api/moodle/events", headers={"Authorization": f"Bearer {learner}"})

    assert response.status_code == 403


def test_a_burst_of_events_is_one_batch(client: TestClient, app_settings: Settings) -> None:
    bodies = [
        json.dumps({"event": "\\core\\event\\course_module_updated", "courseid": 3, "cmid": cmid})
        for cmid in range(1, 11)
    ]

    for body in bodies:
        assert (
            client.post("/api/moodle/events", content=body, headers=signed(body)).status_code == 202
        )
    status = _wait_for_batches(client, app_settings, 1)
    time.sleep(0.3)  # a second batch, if any, would have started by now

    assert client.get("/api/moodle/events", headers=support(app_settings)).json()["batches"] == 1
    assert len(status["last_failures"]) == 1  # one course, fetched once
