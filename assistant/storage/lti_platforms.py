"""LTI 1.3 platform registrations, their deployments, and the launch nonces already used
(assistant/lti; schema: migration 0002_lti)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from assistant.storage.schema import lti_deployments, lti_nonces, lti_platforms


@dataclass(frozen=True, slots=True)
class Platform:
    """One registration of the tool on a platform: Moodle's "tool" with its client id."""

    issuer: str
    client_id: str
    auth_login_url: str
    jwks_url: str
    token_url: str | None = None


class LtiPlatforms:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, platform: Platform, deployment_ids: tuple[str, ...]) -> None:
        """Add or update a registration; its deployments are added to those it had."""
        key = {"issuer": platform.issuer, "client_id": platform.client_id}
        values = {
            "auth_login_url": platform.auth_login_url,
            "jwks_url": platform.jwks_url,
            "token_url": platform.token_url,
        }
        with self._engine.begin() as db:
            updated = db.execute(
                lti_platforms.update()
                .where(
                    lti_platforms.c.issuer == platform.issuer,
                    lti_platforms.c.client_id == platform.client_id,
                )
                .values(**values)
            )
            if updated.rowcount == 0:
                db.execute(lti_platforms.insert().values(**key, **values, created=time.time()))
            known = set(
                db.execute(
                    sa.select(lti_deployments.c.deployment_id).where(
                        lti_deployments.c.issuer == platform.issuer,
                        lti_deployments.c.client_id == platform.client_id,
                    )
                ).scalars()
            )
            for deployment_id in sorted(set(deployment_ids) - known):
                db.execute(lti_deployments.insert().values(**key, deployment_id=deployment_id))

    def platform(self, issuer: str, client_id: str) -> Platform | None:
        with self._engine.connect() as db:
            row = db.execute(
                sa.select(lti_platforms).where(
                    lti_platforms.c.issuer == issuer, lti_platforms.c.client_id == client_id
                )
            ).first()
        if row is None:
            return None
        return Platform(row.issuer, row.client_id, row.auth_login_url, row.jwks_url, row.token_url)

    def platforms(self, issuer: str | None = None) -> list[Platform]:
        query = sa.select(lti_platforms).order_by(lti_platforms.c.issuer, lti_platforms.c.client_id)
        if issuer is not None:
            query = query.where(lti_platforms.c.issuer == issuer)
        with self._engine.connect() as db:
            rows = db.execute(query).all()
        return [
            Platform(row.issuer, row.client_id, row.auth_login_url, row.jwks_url, row.token_url)
            for row in rows
        ]

    def deployments(self, issuer: str, client_id: str) -> frozenset[str]:
        with self._engine.connect() as db:
            found = db.execute(
                sa.select(lti_deployments.c.deployment_id).where(
                    lti_deployments.c.issuer == issuer, lti_deployments.c.client_id == client_id
                )
            ).scalars()
            return frozenset(found)

    def use_nonce(self, issuer: str, nonce: str, expires: float) -> bool:
        """Record a launch's nonce; False if it was already used (a replayed launch)."""
        now = time.time()
        with self._engine.begin() as db:
            # A nonce only matters while its token could still be accepted.
            db.execute(lti_nonces.delete().where(lti_nonces.c.expires < now))
            try:
                with db.begin_nested():
                    db.execute(
                        lti_nonces.insert().values(issuer=issuer, nonce=nonce, expires=expires)
                    )
            except IntegrityError:
                return False
        return True
