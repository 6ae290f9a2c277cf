"""LTI registrations and used nonces on both databases the storage supports (SQLite and a
real PostgreSQL cluster, see test_storage_sql.py), through the Alembic migration."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.storage import LtiPlatforms, Platform, Storage
from tests.assistant.test_storage_sql import postgres_url  # noqa: F401  (the cluster fixture)

MOODLE = Platform(
    "https://moodle.example",
    "abc123",
    "https://moodle.example/auth",
    "https://moodle.example/certs",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LtiPlatforms]:
    if request.param == "sqlite":
        storage = Storage(tmp_path / "assistant.sqlite")
    else:
        storage = Storage(request.getfixturevalue("postgres_url"))
        with storage.engine.begin() as db:
            db.execute(sa.text("TRUNCATE lti_nonces, lti_deployments, lti_platforms CASCADE"))
    yield storage.lti_platforms
    storage.close()


def test_a_registration_is_kept_updated_and_its_deployments_added(store: LtiPlatforms) -> None:
    store.save(MOODLE, ("1",))
    assert store.platform(MOODLE.issuer, MOODLE.client_id) == MOODLE
    moved = Platform(
        MOODLE.issuer, MOODLE.client_id, MOODLE.auth_login_url, "https://moodle.example/jwks"
    )
    store.save(moved, ("2", "1"))
    assert store.platforms() == [moved]
    assert store.platforms("https://other.example") == []
    assert store.deployments(MOODLE.issuer, MOODLE.client_id) == {"1", "2"}
    assert store.platform(MOODLE.issuer, "another-client") is None


def test_a_nonce_is_used_once(store: LtiPlatforms) -> None:
    expires = time.time() + 60
    assert store.use_nonce(MOODLE.issuer, "n1", expires)
    assert not store.use_nonce(MOODLE.issuer, "n1", expires)
    # Same nonce from another platform: another launch.
    assert store.use_nonce("https://other.example", "n1", expires)
    # An expired nonce is forgotten: its token can no longer pass the exp check anyway.
    assert store.use_nonce(MOODLE.issuer, "old", time.time() - 1)
    assert store.use_nonce(MOODLE.issuer, "n2", expires)
    assert store.use_nonce(MOODLE.issuer, "old", expires)
