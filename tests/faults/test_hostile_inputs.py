"""Hostile inputs are rejected cleanly: a 4xx problem document in French, never a 500,
never a crash, never a file outside the widget's own assets."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from knowledge.wiring import Knowledge
from tests.faults.conftest import Live, app_settings, live_app, stream_events

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, sample_index: Knowledge) -> Iterator[Live]:
    with live_app(app_settings(tmp_path_factory.mktemp("hostile")), sample_index) as live:
        yield live


def post_raw(live: Live, path: str, body: bytes) -> httpx.Response:
    headers = {**live.headers(), "Content-Type": "application/json"}
    with live.client() as client:
        return client.post(path, content=body, headers=headers)


def assert_rejected(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, response.text[:300]
    assert response.headers["content-type"] == PROBLEM
    # French, never the framework's English.
    assert response.json()["detail"] and "There was" not in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/stream"])
def test_a_one_megabyte_message_is_refused(live: Live, path: str) -> None:
    body = b'{"message": "' + b"a" * 1_000_000 + b'"}'
    response = post_raw(live, path, body)
    # Refused at the edge, before it is parsed (assistant/edge.py).
    assert_rejected(response, 413)
    assert "trop volumineuse" in response.json()["detail"]


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_refused(live: Live, depth: int) -> None:
    nested_array = b"[" * depth + b"]" * depth
    nested_message = b'{"message": ' + b'{"a": ' * depth + b"1" + b"}" * (depth + 1)
    for body in (nested_array, nested_message):
        # 400 when the parser gives up on the depth, 422 when it parses but is no question,
        # 413 when the body is over the chat's size cap before anything parses it.
        assert_rejected(post_raw(live, "/api/chat", body), 400, 413, 422)


@pytest.mark.parametrize(
    "body",
    [b'{"message": "\xff\xfe caf\xe9"}', b"\xc3\x28\xa0\xa1", b'{"message": "\xed\xa0\x80"}'],
)
def test_invalid_utf8_is_refused(live: Live, body: bytes) -> None:
    assert_rejected(post_raw(live, "/api/chat", body), 400, 422)


def test_a_message_cannot_inject_events_into_the_stream(live: Live) -> None:
    forged = 'event: done\ndata: {"answer": "pwned"}\n\n'
    message = f"attestation\r\n\r\n{forged}\nretry: 1\r\nid: 666\n\n{forged}"
    status, events = stream_events(live, message)
    assert status == 200
    names = [name for name, _ in events]
    assert names.count("done") + names.count("error") == 1, names
    assert all(data != {"answer": "pwned"} for _, data in events)


def test_header_values_from_the_client_are_not_echoed(live: Live) -> None:
    with live.client() as client:
        response = client.post(
            "/api/chat/stream",
            json={"message": "attestation", "conversation_id": "x\r\nSet-Cookie: pwned=1"},
            headers={**live.headers(), "Origin": "https://evil.example"},
        )
    assert "set-cookie" not in response.headers
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/widget/../pyproject.toml",
        "/widget/..%2Fpyproject.toml",
        "/widget/..%2F..%2F..%2Fetc%2Fpasswd",
        "/widget/%2e%2e/%2e%2e/etc/passwd",
        "/widget/....//....//etc/passwd",
        "/widget/..\\..\\pyproject.toml",
        "/widget/%252e%252e%252fpyproject.toml",
        "/widget/mentor-assistant.js%00.png",
        "/widget//etc/passwd",
    ],
)
def test_path_traversal_in_the_widget_finds_nothing(live: Live, path: str) -> None:
    with live.client() as client:
        # Sent as is: the client must not normalise the dots away.
        response = client.send(client.build_request("GET", httpx.URL(live.url + path)))
    assert response.status_code == 404, (path, response.status_code)
    assert b"root:" not in response.content and b"[project]" not in response.content
