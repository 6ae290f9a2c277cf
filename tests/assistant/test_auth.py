from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import jwt
import pytest

from assistant.auth import (
    DEMO_SECRET_FILE,
    Role,
    mint_token,
    resolve_secret,
    scope_for,
    verify_token,
)
from assistant.errors import AuthError, ConfigurationError
from knowledge.catalog import Catalog
from tests.conftest import make_settings

SECRET = "s" * 40


def test_a_placeholder_or_short_secret_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="MENTOR_JWT_SECRET"):
        resolve_secret(make_settings(tmp_path))
    with pytest.raises(ConfigurationError):
        resolve_secret(make_settings(tmp_path, jwt_secret="short"))
    assert resolve_secret(make_settings(tmp_path, jwt_secret=SECRET)) == SECRET


def test_demo_mode_generates_one_private_secret_that_every_process_shares(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, demo=True)
    first = resolve_secret(settings)
    assert len(first) >= 32
    assert resolve_secret(make_settings(tmp_path, demo=True)) == first
    mode = stat.S_IMODE(os.stat(tmp_path / DEMO_SECRET_FILE).st_mode)
    assert mode == 0o600
    # A real secret still wins over the demo one.
    assert resolve_secret(make_settings(tmp_path, demo=True, jwt_secret=SECRET)) == SECRET


def test_a_minted_token_verifies_into_its_principal(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, jwt_secret=SECRET, jwt_issuer="https://lms.example")
    token = mint_token(settings, "u-42", ["b", "a"], Role.SUPPORT, ttl=60)
    principal = verify_token(token, SECRET, settings)
    assert (principal.user_id, principal.role, principal.session_ids) == (
        "u-42",
        Role.SUPPORT,
        frozenset({"a", "b"}),
    )
    assert "u-42" not in principal.user_hash


def _claims(**overrides: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "sub": "u-1",
        "session_ids": ["s1"],
        "role": "learner",
        "aud": "mentor-assistant",
        "exp": int(time.time()) + 60,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


@pytest.mark.parametrize(
    "claims",
    [
        _claims(role="admin"),
        _claims(session_ids="s1"),
        _claims(session_ids=[1]),
        _claims(sub=""),
        _claims(iss="https://other.example"),
        _claims(aud="another-service"),
    ],
    ids=["role", "sessions-not-a-list", "session-not-a-string", "empty-sub", "issuer", "aud"],
)
def test_malformed_claims_are_refused(tmp_path: Path, claims: dict[str, object]) -> None:
    settings = make_settings(tmp_path, jwt_secret=SECRET, jwt_issuer="https://lms.example")
    claims.setdefault("iss", "https://lms.example")
    with pytest.raises(AuthError):
        verify_token(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET, settings)


def test_a_learner_scope_reaches_reused_sessions_only(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "manifest.sqlite")
    catalog.link_session("parcours", ["module"], "sample:courses/parcours/course.yaml")
    settings = make_settings(tmp_path, jwt_secret=SECRET)
    learner = verify_token(mint_token(settings, "u", ["parcours"]), SECRET, settings)
    support = verify_token(mint_token(settings, "u", [], Role.SUPPORT), SECRET, settings)
    assert scope_for(learner, catalog).session_ids == {"parcours", "module"}
    assert scope_for(support, catalog).session_ids is None
    catalog.close()
