"""The service's edge (issue 10): request bodies capped before any route parses them, the
headers every response carries, no page that loads scripts from a CDN."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.assistant.test_api import app_settings, assert_problem, bearer

__all__ = ["app_settings"]  # the fixture, shared with the API tests


def test_an_oversized_chat_body_is_refused_with_a_413_problem(
    client: TestClient, app_settings: Settings
) -> None:
    padding = "x" * (18 * 1024 * 1024)
    body = json.dumps({"message": "Où est mon attestation ?", "padding": padding})
    response = client.post(
        "/api/chat",
        content=body,
        headers={**bearer(app_settings), "Content-Type": "application/json"},
    )
    problem = assert_problem(response, 413)
    assert "octets au plus" in problem["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_chunked_body_is_counted_as_it_arrives(
    client: TestClient, app_settings: Settings
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"message": "Attestation ?", "padding": "'
        for _ in range(64):
            yield b"x" * 1024
        yield b'"}'

    response = client.post(
        "/api/chat",
        content=chunks(),
        headers={**bearer(app_settings), "Content-Type": "application/json"},
    )
    assert_problem(response, 413)


def test_a_chat_body_of_a_long_message_still_fits(
    client: TestClient, app_settings: Settings
) -> None:
    # 4,000 characters, every one escaped as \\uXXXX: the longest message the API accepts.
    message = "é" * 3980 + " attestation"
    body = json.dumps({"message": message})
    assert len(body) > 20_000
    response = client.post(
        "/api/chat",
        content=body,
        headers={**bearer(app_settings), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


def test_api_responses_are_not_sniffed_nor_cached(
    client: TestClient, app_settings: Settings
) -> None:
    headers = bearer(app_settings)
    answer = client.post("/api/chat", json={"message": "Où est mon attestation ?"}, headers=headers)
    stream = client.post(
        "/api/chat/stream", json={"message": "Où est mon attestation ?"}, headers=headers
    )
    problem = client.get("/api/search", params={"q": "x"})
    for response in (answer, stream, problem):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
    health = client.get("/api/health")
    assert health.headers["x-content-type-options"] == "nosniff"


def test_desk_pages_are_not_cached(client: TestClient) -> None:
    page = client.get("/desk/login")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_no_api_page_loads_scripts_from_a_cdn(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        response = client.get(path)
        assert response.status_code == 404
        assert "cdn.jsdelivr.net" not in response.text
    assert client.get("/openapi.json").status_code == 200
