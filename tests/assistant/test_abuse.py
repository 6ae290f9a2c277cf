"""Abuse of the learner and desk routes (issue 10): one ticket per answer, rate limits on
feedback and tickets, desk forms only from the desk's own public address, and no live
link on the desk for an address that is not a web or mail one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.auth import Role, mint_token
from assistant.settings import Settings
from assistant.storage import Storage
from assistant.wiring import build_runtime
from knowledge.wiring import Knowledge
from tests.assistant.test_api import SECRET, assert_problem, bearer
from tests.conftest import make_settings

LAICITE = "laicite-2025"
QUESTION = "Je ne trouve pas mon attestation de la formation laïcité"


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"jwt_secret": SECRET, "public_url": "http://testserver"}
    return make_settings(tmp_path / "app", **{**values, **overrides})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


@pytest.fixture
def client(settings: Settings, sample_knowledge: Knowledge) -> Iterator[TestClient]:
    with TestClient(
        create_app(settings, build_runtime(settings, knowledge=sample_knowledge))
    ) as client:
        yield client


def answer_id(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/api/chat", json={"message": QUESTION}, headers=headers)
    assert response.status_code == 200, response.text
    found: str = response.json()["answer_id"]
    return found


def tickets_in(settings: Settings) -> int:
    storage = Storage(settings.assistant_db_path)
    try:
        return len(storage.tickets.matching())
    finally:
        storage.close()


# -- tickets and feedback ----------------------------------------------------------------------


def test_one_answer_opens_one_ticket_however_often_it_is_asked(
    client: TestClient, settings: Settings
) -> None:
    headers = bearer(settings, (LAICITE,))
    answer = answer_id(client, headers)

    first = client.post("/api/tickets", json={"answer_id": answer}, headers=headers)
    again = [
        client.post("/api/tickets", json={"answer_id": answer}, headers=headers) for _ in range(5)
    ]

    assert first.status_code == 201
    assert {response.status_code for response in again} == {200}
    assert {response.json()["ticket"] for response in again} == {first.json()["ticket"]}
    assert tickets_in(settings) == 1


def test_feedback_is_rate_limited(tmp_path: Path, sample_knowledge: Knowledge) -> None:
    settings = settings_for(tmp_path, rate_limit_per_minute=3)
    headers = bearer(settings)
    with TestClient(
        create_app(settings, build_runtime(settings, knowledge=sample_knowledge))
    ) as client:
        answer = answer_id(client, headers)
        statuses = [
            client.post(
                "/api/feedback", json={"answer_id": answer, "rating": "down"}, headers=headers
            ).status_code
            for _ in range(4)
        ]
        limited = client.post(
            "/api/feedback", json={"answer_id": answer, "rating": "up"}, headers=headers
        )
    assert statuses == [204, 204, 429, 429]
    assert_problem(limited, 429)
    assert limited.headers["retry-after"]


def test_tickets_are_rate_limited(tmp_path: Path, sample_knowledge: Knowledge) -> None:
    settings = settings_for(tmp_path, rate_limit_per_minute=4)
    headers = bearer(settings, (LAICITE,))
    with TestClient(
        create_app(settings, build_runtime(settings, knowledge=sample_knowledge))
    ) as client:
        answers = [answer_id(client, headers) for _ in range(2)]
        statuses = [
            client.post("/api/tickets", json={"answer_id": a}, headers=headers).status_code
            for a in answers
        ]
        over = client.post("/api/tickets", json={"answer_id": answers[0]}, headers=headers)
    assert statuses == [201, 201]
    assert_problem(over, 429)


# -- the desk ----------------------------------------------------------------------------------


def desk_login(client: TestClient, settings: Settings, origin: str | None) -> int:
    token = mint_token(settings, "agent-1", (), Role.SUPPORT)
    headers = {"Origin": origin} if origin else {}
    return client.post(
        "/desk/login", data={"token": token}, headers=headers, follow_redirects=False
    ).status_code


def test_unsafe_addresses_are_plain_text_on_the_desk(
    client: TestClient, settings: Settings
) -> None:
    headers = bearer(settings, (LAICITE,))
    shown = [
        {"title": "Montrée", "url": "javascript:alert('montree')"},
        {"title": "Fiable", "url": "https://mentor.gouv.fr/faq"},
    ]
    created = client.post(
        "/api/tickets",
        json={"answer_id": answer_id(client, headers), "sources": shown},
        headers=headers,
    )
    assert created.status_code == 201
    # As an index built before ingestion refused such addresses would give them.
    storage = Storage(settings.assistant_db_path)
    try:
        citations = [
            {"index": 1, "title": "Piège", "url": " JavaScript:alert('proche')", "source": "x",
             "passage": "x", "document_id": "x", "page": None, "kind": "page"},
        ]  # fmt: skip
        storage.tickets.set_triage(
            1, "attestation", "x", "normale", {"suggested_reply": None, "citations": citations}
        )
    finally:
        storage.close()
    assert desk_login(client, settings, "http://testserver") == 303

    page = client.get("/desk/tickets").text

    assert 'href="javascript' not in page.lower()
    assert 'href=" javascript' not in page.lower()
    assert "Piège" in page and "Montrée" in page
    assert 'href="https://mentor.gouv.fr/faq"' in page


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, False),  # no Origin, no Referer: a script or a careless client
        ({"Origin": "null"}, False),
        ({"Origin": "https://evil.example"}, False),
        ({"Origin": "http://testserver.evil.example"}, False),
        ({"Referer": "https://evil.example/desk/tickets"}, False),
        ({"Origin": "http://testserver"}, True),
        ({"Origin": "HTTP://TESTSERVER:80"}, True),
        ({"Referer": "http://testserver/desk/tickets?status=nouveau"}, True),
    ],
)
def test_desk_forms_must_come_from_the_public_address(
    client: TestClient, settings: Settings, headers: dict[str, str], allowed: bool
) -> None:
    token = mint_token(settings, "agent-1", (), Role.SUPPORT)
    response = client.post(
        "/desk/login", data={"token": token}, headers=headers, follow_redirects=False
    )
    assert response.status_code == (303 if allowed else 403)


def test_the_host_header_does_not_make_an_origin_trusted(
    tmp_path: Path, sample_knowledge: Knowledge
) -> None:
    # The service is published at https://desk.example; a forged request names itself.
    settings = settings_for(tmp_path, public_url="https://desk.example")
    with TestClient(
        create_app(settings, build_runtime(settings, knowledge=sample_knowledge)),
        base_url="http://evil.example",
    ) as client:
        assert desk_login(client, settings, "http://evil.example") == 403
        assert desk_login(client, settings, "https://desk.example") == 303
        status = client.post(
            "/desk/tickets/1/status",
            data={"status": "resolu"},
            headers={"Origin": "http://evil.example"},
            follow_redirects=False,
        )
        assert status.status_code == 403
