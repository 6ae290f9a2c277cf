"""Escalations from the widget: `POST /api/tickets`, the stored ticket, its triage and the
signed webhook, against a real HTTP receiver."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.errors import ConfigurationError
from assistant.settings import Settings
from assistant.storage import Storage
from assistant.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify
from assistant.wiring import build_runtime
from knowledge.wiring import Knowledge
from tests.assistant.test_api import PII, PROBLEM, SECRET, bearer
from tests.conftest import make_settings

LAICITE = "laicite-2025"
WEBHOOK_SECRET = "w" * 32
QUESTION = (
    f"Je suis joignable au {PII['phone']} ou {PII['email']} : je ne trouve pas mon attestation "
    "de la formation laïcité, où la télécharger ?"
)


@dataclass
class Receiver:
    """A real HTTP endpoint standing for the desk's tool."""

    url: str
    status: int = 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers.items()), body))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/mentor"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def app_settings(tmp_path: Path, **overrides: object) -> Settings:
    return make_settings(tmp_path / "app", jwt_secret=SECRET, **overrides)


@pytest.fixture
def settings_with_hook(tmp_path: Path, receiver: Receiver) -> Settings:
    return app_settings(tmp_path, webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET)


def ask(client: TestClient, settings: Settings, user: str = "learner-1") -> dict[str, object]:
    response = client.post(
        "/api/chat", json={"message": QUESTION}, headers=bearer(settings, (LAICITE,), user=user)
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_escalation_creates_a_triaged_ticket_and_a_signed_webhook(
    settings_with_hook: Settings, sample_knowledge: Knowledge, receiver: Receiver
) -> None:
    settings = settings_with_hook
    with TestClient(
        create_app(settings, build_runtime(settings, knowledge=sample_knowledge))
    ) as client:
        answer = ask(client, settings)
        sources = [{"title": "Attestation", "url": "https://mentor.gouv.fr/faq#x"}]
        response = client.post(
            "/api/tickets",
            json={"answer_id": answer["answer_id"], "sources": sources, "session_id": "other"},
            headers=bearer(settings, (LAICITE,)),
        )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["ticket"] == "MA-000001"
    assert "MA-000001" in created["message"]

    storage = Storage(settings.assistant_db_path)
    try:
        ticket = storage.tickets.get(1)
    finally:
        storage.close()
    assert ticket is not None
    # The token's only session, not the one the page claimed.
    assert ticket.session_id == LAICITE
    assert ticket.sources == tuple(sources)
    assert ticket.reason
    assert ticket.status == "nouveau"
    stored = json.dumps([ticket.question, [t.content for t in ticket.conversation]])
    assert PII["phone"] not in stored and PII["email"] not in stored
    assert [t.role for t in ticket.conversation] == ["user", "assistant"]
    assert ticket.category == "attestation"
    assert ticket.triage is not None and ticket.triage["id"] == "MA-000001"

    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert headers["X-Mentor-Event"] == "ticket.created"
    assert verify(WEBHOOK_SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    payload = json.loads(body)
    assert payload["event"] == "ticket.created"
    assert payload["ticket"]["reference"] == "MA-000001"
    assert payload["ticket"]["triage"]["category"] == "attestation"
    assert PII["phone"] not in body.decode() and PII["email"] not in body.decode()


def test_a_failing_webhook_is_logged_and_does_not_block_the_learner(
    tmp_path: Path,
    sample_knowledge: Knowledge,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver.status = 503
    settings = app_settings(
        tmp_path,
        webhook_url=receiver.url,
        webhook_secret=WEBHOOK_SECRET,
        webhook_attempts=2,
        webhook_backoff_seconds=0.01,
    )
    with (
        caplog.at_level(logging.WARNING, logger="assistant.webhook"),
        TestClient(
            create_app(settings, build_runtime(settings, knowledge=sample_knowledge))
        ) as client,
    ):
        answer = ask(client, settings)
        response = client.post(
            "/api/tickets",
            json={"answer_id": answer["answer_id"]},
            headers=bearer(settings, (LAICITE,)),
        )
    assert response.status_code == 201
    assert len(receiver.received) == 2
    assert "MA-000001 not delivered" in caplog.text
    assert "HTTP 503" in caplog.text


def test_someone_elses_answer_cannot_be_escalated(
    tmp_path: Path, sample_knowledge: Knowledge
) -> None:
    settings = app_settings(tmp_path)
    with TestClient(
        create_app(settings, build_runtime(settings, knowledge=sample_knowledge))
    ) as client:
        answer = ask(client, settings, user="learner-1")
        response = client.post(
            "/api/tickets",
            json={"answer_id": answer["answer_id"]},
            headers=bearer(settings, (LAICITE,), user="learner-2"),
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        assert client.post("/api/tickets", json={"answer_id": "x"}).status_code == 401


def test_a_webhook_url_without_a_secret_stops_the_service(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="MENTOR_WEBHOOK_SECRET"):
        create_app(app_settings(tmp_path, webhook_url="http://127.0.0.1:9/hook"))


def test_signature_covers_timestamp_and_body() -> None:
    now = int(time.time())
    body = b'{"event": "ticket.created"}'
    signature = sign(WEBHOOK_SECRET, now, body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify(WEBHOOK_SECRET, str(now), body, signature)
    assert not verify(WEBHOOK_SECRET, str(now), body + b" ", signature)
    assert not verify("another secret entirely", str(now), body, signature)
    assert not verify(WEBHOOK_SECRET, str(now + 1), body, signature)
    old = now - 3600
    assert not verify(WEBHOOK_SECRET, str(old), body, sign(WEBHOOK_SECRET, old, body))
