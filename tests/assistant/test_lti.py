"""LTI 1.3 against the real endpoints: uvicorn on loopback, and a platform of the tests' own
(tests/assistant/lti_platform.py) whose real JWKS endpoint the service fetches. The tests
play the browser: they follow the login redirect, sign the id_token as the platform would,
and post it to /lti/launch with (or without) the state cookie.

Every attack is refused with a French page, a log line with its reason, no 500 and no
token anywhere in the response.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from assistant.app import create_app
from assistant.auth import Role, resolve_secret, verify_token
from assistant.lti.keys import KEYS_FOLDER, ToolKeys
from assistant.lti.roles import role_for
from assistant.lti.state import COOKIE_PREFIX
from assistant.settings import Settings
from assistant.storage import Platform as PlatformRecord
from assistant.wiring import build_runtime, build_storage
from knowledge.wiring import Knowledge
from tests.assistant.conftest import LAICITE, PARCOURS
from tests.assistant.lti_platform import ADMINISTRATOR, INSTRUCTOR, LEARNER, Platform
from tests.conftest import make_settings
from tests.loopback import Loopback

SECRET = "lti-tests-secret-0123456789-abcdefghijkl"


@dataclass
class Tool:
    url: str
    settings: Settings
    platform: Platform
    other: Platform
    unregistered_issuer: Platform

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)


@dataclass(frozen=True)
class Login:
    state: str
    nonce: str
    cookie: str
    cookie_name: str
    redirect: str


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory, sample_knowledge: Knowledge) -> Iterator[Tool]:
    platform = Platform("client-a", "1")
    other = Platform("client-b", "9")
    stranger = Platform("client-c", "3")
    settings = make_settings(
        tmp_path_factory.mktemp("lti"),
        jwt_secret=SECRET,
        lti_platform_issuers=[stranger.issuer],
    )
    # Manual registration of two platforms, as `mentor-assistant lti add-platform` does.
    storage = build_storage(settings)
    for registered in (platform, other):
        storage.lti_platforms.save(
            PlatformRecord(
                registered.issuer, registered.client_id, registered.auth_url, registered.jwks_url
            ),
            (registered.deployment_id,),
        )
    storage.close()
    app = create_app(settings, build_runtime(settings, knowledge=sample_knowledge))
    with Loopback().serving(app) as url:
        yield Tool(url, settings, platform, other, stranger)
    for each in (platform, other, stranger):
        each.close()


def login(client: httpx.Client, platform: Platform, **params: str) -> Login:
    query = {
        "iss": platform.issuer,
        "login_hint": "42",
        "target_link_uri": f"{str(client.base_url).rstrip('/')}/lti/launch",
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
        "lti_message_hint": '{"cmid":7}',
        **params,
    }
    response = client.post("/lti/login", data=query)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(platform.auth_url + "?")
    sent = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    assert sent["redirect_uri"] == f"{str(client.base_url).rstrip('/')}/lti/launch"
    assert sent["response_mode"] == "form_post" and sent["scope"] == "openid"
    assert sent["lti_message_hint"] == '{"cmid":7}'
    # Read by hand: http.cookies (before Python 3.14) drops a cookie marked Partitioned.
    pair, *attributes = response.headers["set-cookie"].split("; ")
    name, value = pair.split("=", 1)
    assert name.startswith(COOKIE_PREFIX) and value == sent["state"]
    assert {"Secure", "HttpOnly", "SameSite=None", "Partitioned"} <= set(attributes)
    return Login(sent["state"], sent["nonce"], value, name, location)


def launch(
    client: httpx.Client, id_token: str, state: str, cookie: tuple[str, str] | None
) -> httpx.Response:
    headers = {"Cookie": f"{cookie[0]}={cookie[1]}"} if cookie else {}
    return client.post("/lti/launch", data={"id_token": id_token, "state": state}, headers=headers)


def assert_refused(
    response: httpx.Response, caplog: pytest.LogCaptureFixture, reason: str, status: int
) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "Accès à l&#39;assistant refusé" in response.text
    assert "location" not in response.headers
    assert "token=" not in response.text and "eyJ" not in response.text
    assert f"refused: {reason}" in caplog.text, caplog.text


@pytest.fixture
def lti_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="mentor_assistant.lti")
    return caplog


def frame_fragment(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("../widget/frame#")
    fragment = urlsplit(location).fragment
    return {name: values[0] for name, values in parse_qs(fragment).items()}


def test_a_learner_launch_opens_the_frame_with_our_own_scoped_token(tool: Tool) -> None:
    with tool.client() as client:
        started = login(client, tool.platform)
        id_token = tool.platform.sign(tool.platform.claims(started.nonce))
        response = launch(client, id_token, started.state, (started.cookie_name, started.cookie))
        fragment = frame_fragment(response)
        assert fragment["session"] == LAICITE and fragment["lang"] == "fr"
        token = fragment["token"]
        assert token != id_token and id_token not in response.headers["location"]
        principal = verify_token(token, resolve_secret(tool.settings), tool.settings)
        assert principal.role is Role.LEARNER
        assert principal.session_ids == {LAICITE}
        # A pseudonym, never the platform's own user id ("42"): a hash of issuer and subject.
        assert re.fullmatch(r"lti-[0-9a-f]{32}", principal.user_id)
        # The spent state cookie is deleted.
        assert f"{started.cookie_name}=" in response.headers["set-cookie"]
        assert "Max-Age=0" in response.headers["set-cookie"]

        # The frame the launch opens may be framed by the platform's pages.
        frame = client.get("/widget/frame")
        assert tool.platform.issuer in frame.headers["content-security-policy"]

        # The token reaches the laicite course and global knowledge, never the other course.
        found = client.get(
            "/api/search",
            params={"q": "entretien professionnel annuel", "k": 10},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert found.status_code == 200, found.text
        hits = found.json()["hits"]
        assert hits
        for hit in hits:
            assert not hit["session_ids"] or LAICITE in hit["session_ids"], hit


def test_a_teacher_gets_the_designer_role_and_an_admin_the_support_role(tool: Tool) -> None:
    with tool.client() as client:
        for roles, expected in (
            ((INSTRUCTOR,), Role.DESIGNER),
            ((ADMINISTRATOR, INSTRUCTOR), Role.SUPPORT),
        ):
            started = login(client, tool.platform)
            claims = tool.platform.claims(started.nonce, roles=roles)
            response = launch(
                client,
                tool.platform.sign(claims),
                started.state,
                (started.cookie_name, started.cookie),
            )
            token = frame_fragment(response)["token"]
            assert (
                verify_token(token, resolve_secret(tool.settings), tool.settings).role is expected
            )


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([LEARNER], Role.LEARNER),
        ([], Role.LEARNER),
        (["Instructor"], Role.DESIGNER),
        (
            ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
            Role.DESIGNER,
        ),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"], Role.DESIGNER),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], Role.LEARNER),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], Role.SUPPORT),
        ([42, None, LEARNER], Role.LEARNER),
    ],
)
def test_lti_roles_map_to_ours(roles: list[Any], expected: Role) -> None:
    assert role_for(roles) is expected


def test_a_replayed_launch_is_refused(tool: Tool, lti_log: pytest.LogCaptureFixture) -> None:
    with tool.client() as client:
        started = login(client, tool.platform)
        id_token = tool.platform.sign(tool.platform.claims(started.nonce))
        cookie = (started.cookie_name, started.cookie)
        assert launch(client, id_token, started.state, cookie).status_code == 303
        assert_refused(launch(client, id_token, started.state, cookie), lti_log, "replayed", 401)


def test_a_launch_without_the_state_cookie_is_refused(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    with tool.client() as client:
        started = login(client, tool.platform)
        id_token = tool.platform.sign(tool.platform.claims(started.nonce))
        response = launch(client, id_token, started.state, None)
        assert_refused(response, lti_log, "no_state_cookie", 401)
        assert "nouvelle fenêtre" in response.text
        # Another login's cookie does not do either.
        other = login(client, tool.platform)
        response = launch(client, id_token, started.state, (started.cookie_name, other.cookie))
        assert_refused(response, lti_log, "no_state_cookie", 401)


def _attack(tool: Tool, claims_for: Any, sign: Any = None) -> httpx.Response:
    with tool.client() as client:
        started = login(client, tool.platform)
        claims = claims_for(started.nonce)
        id_token = sign(claims) if sign else tool.platform.sign(claims)
        return launch(client, id_token, started.state, (started.cookie_name, started.cookie))


def test_a_token_for_another_tool_is_refused(tool: Tool, lti_log: pytest.LogCaptureFixture) -> None:
    response = _attack(tool, lambda nonce: tool.platform.claims(nonce, aud="another-tool"))
    assert_refused(response, lti_log, "wrong_audience", 401)
    several = _attack(
        tool,
        lambda nonce: tool.platform.claims(
            nonce, aud=[tool.platform.client_id, "another-tool"], azp="another-tool"
        ),
    )
    assert_refused(several, lti_log, "wrong_azp", 401)


def test_a_wrong_deployment_is_refused(tool: Tool, lti_log: pytest.LogCaptureFixture) -> None:
    response = _attack(
        tool,
        lambda nonce: tool.platform.claims(
            nonce, **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "666"}
        ),
    )
    assert_refused(response, lti_log, "wrong_deployment", 403)
    with tool.client() as client:
        refused = client.post(
            "/lti/login",
            data={"iss": tool.platform.issuer, "login_hint": "42", "lti_deployment_id": "666"},
        )
    assert_refused(refused, lti_log, "wrong_deployment", 403)


def test_expired_and_future_dated_tokens_are_refused(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    now = int(time.time())
    expired = _attack(tool, lambda nonce: tool.platform.claims(nonce, iat=now - 600, exp=now - 120))
    assert_refused(expired, lti_log, "expired", 401)
    future = _attack(tool, lambda nonce: tool.platform.claims(nonce, iat=now + 300, exp=now + 360))
    assert_refused(future, lti_log, "not_yet_valid", 401)
    # Within the small skew, a slightly fast platform clock is fine.
    skewed = _attack(tool, lambda nonce: tool.platform.claims(nonce, iat=now + 10, exp=now + 70))
    assert skewed.status_code == 303


def test_an_unknown_key_id_is_refused(tool: Tool, lti_log: pytest.LogCaptureFixture) -> None:
    response = _attack(
        tool,
        lambda nonce: tool.platform.claims(nonce),
        lambda claims: tool.platform.sign(claims, kid="no-such-kid"),
    )
    assert_refused(response, lti_log, "unknown_kid", 401)


def test_a_token_signed_by_another_platform_is_refused(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    # Another registered platform's key, under the first platform's key id.
    forged = _attack(
        tool,
        lambda nonce: tool.platform.claims(nonce),
        lambda claims: tool.other.sign(claims, kid=tool.platform.keys[0].kid),
    )
    assert_refused(forged, lti_log, "bad_signature", 401)
    # The other platform's own token, posted with a login started for the first one.
    foreign = _attack(
        tool,
        lambda nonce: tool.other.claims(nonce),
        lambda claims: tool.other.sign(claims),
    )
    assert_refused(foreign, lti_log, "unknown_kid", 401)


def test_a_tampered_context_claim_is_refused(tool: Tool, lti_log: pytest.LogCaptureFixture) -> None:
    def tamper(claims: dict[str, Any]) -> str:
        header, _, signature = tool.platform.sign(claims).split(".")
        claims["https://purl.imsglobal.org/spec/lti/claim/custom"] = {"session_id": PARCOURS}
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{body}.{signature}"

    response = _attack(tool, lambda nonce: tool.platform.claims(nonce), tamper)
    assert_refused(response, lti_log, "bad_signature", 401)


def test_algorithm_confusion_and_unsigned_tokens_are_refused(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    kid = tool.platform.keys[0].kid
    unsigned = _attack(
        tool,
        lambda nonce: tool.platform.claims(nonce),
        lambda claims: jwt.encode(claims, None, algorithm="none", headers={"kid": kid}),
    )
    assert unsigned.status_code == 401 and "Accès à l&#39;assistant refusé" in unsigned.text
    hmac_signed = _attack(
        tool,
        lambda nonce: tool.platform.claims(nonce),
        lambda claims: jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": kid}),
    )
    assert hmac_signed.status_code == 401 and "eyJ" not in hmac_signed.text


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"https://purl.imsglobal.org/spec/lti/claim/version": "1.1"}, "wrong_version"),
        (
            {"https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingRequest"},
            "wrong_message_type",
        ),
        ({"https://purl.imsglobal.org/spec/lti/claim/custom": {}}, "no_session"),
        (
            {
                "https://purl.imsglobal.org/spec/lti/claim/custom": {
                    "session_id": "$Context.sourcedId"
                }
            },
            "no_session",
        ),
        ({"iss": "https://evil.example"}, "wrong_issuer"),
    ],
)
def test_malformed_launches_are_refused(
    tool: Tool, lti_log: pytest.LogCaptureFixture, overrides: dict[str, Any], reason: str
) -> None:
    response = _attack(tool, lambda nonce: tool.platform.claims(nonce, **overrides))
    assert response.status_code in (400, 401, 403)
    assert_refused(response, lti_log, reason, response.status_code)


def test_a_token_for_another_login_is_refused(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    response = _attack(tool, lambda nonce: tool.platform.claims("another-login"))
    assert_refused(response, lti_log, "nonce_mismatch", 401)


def test_a_forged_or_missing_state_is_refused(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    with tool.client() as client:
        started = login(client, tool.platform)
        id_token = tool.platform.sign(tool.platform.claims(started.nonce))
        header, body, _ = started.state.split(".")
        forged = f"{header}.{body}.{'A' * 43}"
        response = launch(client, id_token, forged, (started.cookie_name, forged))
        assert_refused(response, lti_log, "bad_state", 400)
        assert_refused(launch(client, id_token, "", None), lti_log, "no_state", 400)
        garbage = client.post(
            "/lti/launch",
            content=b"\xff\xfe=%%%",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert garbage.status_code == 400 and "Accès" in garbage.text


def test_an_unknown_platform_cannot_start_a_login(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    with tool.client() as client:
        response = client.post(
            "/lti/login", data={"iss": "https://evil.example", "login_hint": "1"}
        )
        assert_refused(response, lti_log, "unknown_platform", 403)
        foreign = client.post(
            "/lti/login",
            data={
                "iss": tool.platform.issuer,
                "login_hint": "1",
                "target_link_uri": "https://evil.example/steal",
            },
        )
        assert_refused(foreign, lti_log, "foreign_target", 400)


def test_the_platform_rotating_its_key_is_followed(tool: Tool) -> None:
    with tool.client() as client:
        started = login(client, tool.platform)
        first = launch(
            client,
            tool.platform.sign(tool.platform.claims(started.nonce)),
            started.state,
            (started.cookie_name, started.cookie),
        )
        assert first.status_code == 303
        new_key = tool.platform.rotate()
        time.sleep(2.1)  # the JWKS client's cool-down between forced refreshes
        started = login(client, tool.platform)
        rotated = launch(
            client,
            tool.platform.sign(tool.platform.claims(started.nonce), key=new_key),
            started.state,
            (started.cookie_name, started.cookie),
        )
        assert rotated.status_code == 303, rotated.text


def test_dynamic_registration_with_an_allowed_platform(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    stranger = tool.unregistered_issuer
    with tool.client() as client:
        response = client.get(
            "/lti/register",
            params={
                "openid_configuration": f"{stranger.issuer}/.well-known/openid-configuration",
                "registration_token": stranger.registration_token,
            },
        )
        assert response.status_code == 200, response.text
        assert "Assistant enregistré" in response.text and 'src="close.js"' in response.text
        (sent,) = stranger.registrations
        config = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
        assert sent["initiate_login_uri"] == f"{tool.url}/lti/login"
        assert sent["redirect_uris"] == [f"{tool.url}/lti/launch"]
        assert sent["jwks_uri"] == f"{tool.url}/lti/jwks"
        assert config["custom_parameters"] == {"session_id": "$Context.sourcedId"}
        assert config["domain"] == urlsplit(tool.url).netloc
        # The new registration launches.
        started = login(client, stranger)
        launched = launch(
            client,
            stranger.sign(stranger.claims(started.nonce, session=PARCOURS)),
            started.state,
            (started.cookie_name, started.cookie),
        )
        assert frame_fragment(launched)["session"] == PARCOURS
        assert "org.imsglobal.lti.close" in client.get("/lti/close.js").text

        # A bad registration token: the platform refuses, so do we, with a page.
        refused = client.get(
            "/lti/register",
            params={
                "openid_configuration": f"{stranger.issuer}/.well-known/openid-configuration",
                "registration_token": "wrong",
            },
        )
        assert refused.status_code == 502 and "Enregistrement refusé" in refused.text
        # A platform that is not allowed cannot register itself.
        denied = client.get(
            "/lti/register",
            params={
                "openid_configuration": f"{tool.other.issuer}/.well-known/openid-configuration",
                "registration_token": tool.other.registration_token,
            },
        )
        assert denied.status_code == 403 and "MENTOR_LTI_PLATFORM_ISSUERS" in denied.text
        assert not tool.other.registrations and tool.other.configuration_fetches == 0
        assert "registration refused: issuer_not_allowed" in lti_log.text
        assert client.get("/lti/register").status_code == 400
        # An allowed platform's configuration naming endpoints elsewhere is refused.
        stranger.foreign_endpoints = True
        try:
            foreign = client.get(
                "/lti/register",
                params={
                    "openid_configuration": f"{stranger.issuer}/.well-known/openid-configuration",
                    "registration_token": stranger.registration_token,
                },
            )
        finally:
            stranger.foreign_endpoints = False
        assert foreign.status_code == 400 and len(stranger.registrations) == 1
        assert "registration refused: foreign_endpoint" in lti_log.text


def test_a_platform_error_instead_of_a_token_is_refused(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    with tool.client() as client:
        response = client.post(
            "/lti/launch", data={"error": "access_denied\nforged log line", "state": "x"}
        )
    assert_refused(response, lti_log, "platform_access_deniedforgedlogline", 401)


def test_the_tool_jwks_publishes_its_owner_only_key(tool: Tool) -> None:
    with tool.client() as client:
        keys = client.get("/lti/jwks").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]  # public half only
    folder = tool.settings.knowledge.data_dir / KEYS_FOLDER
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_key_rotation_keeps_the_previous_key_published(tmp_path: Any) -> None:
    keys = ToolKeys(tmp_path / "keys")
    first = keys.current_kid()
    second = keys.rotate()
    assert [k["kid"] for k in keys.jwks()["keys"]] == [first, second]
    third = keys.rotate()
    assert [k["kid"] for k in keys.jwks()["keys"]] == [second, third]
    assert keys.current_kid() == third
    assert len(os.listdir(tmp_path / "keys")) == 2


def test_an_unreachable_platform_jwks_is_a_503_page(
    tool: Tool, lti_log: pytest.LogCaptureFixture
) -> None:
    # A platform registered by hand whose keyset URL answers nothing (port 9: discard).
    storage = build_storage(tool.settings)
    try:
        storage.lti_platforms.save(
            PlatformRecord("http://127.0.0.1:9", "down", "http://127.0.0.1:9/auth",
                           "http://127.0.0.1:9/jwks"),
            ("1",),
        )  # fmt: skip
    finally:
        storage.close()
    with tool.client() as client:
        # Login initiation by GET works as well as by POST.
        response = client.get("/lti/login", params={"iss": "http://127.0.0.1:9", "login_hint": "1"})
        assert response.status_code == 302
        pair = response.headers["set-cookie"].split("; ")[0]
        name, value = pair.split("=", 1)
        claims = tool.platform.claims("n", iss="http://127.0.0.1:9", aud="down")
        refused = launch(client, tool.platform.sign(claims), value, (name, value))
    assert_refused(refused, lti_log, "jwks_unreachable", 503)


def test_an_oversized_launch_is_refused(tool: Tool) -> None:
    with tool.client() as client:
        response = client.post("/lti/launch", data={"id_token": "x" * 100_000, "state": "s"})
    assert response.status_code == 413 and "trop volumineuse" in response.text
