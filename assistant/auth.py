"""Signed tokens from the LMS: who asks, with which role, within which sessions.

The retrieval scope is derived from the verified token and from nothing else, so no request
body or query parameter can widen what a learner may read.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt

from assistant.errors import AuthError, ConfigurationError, ForbiddenError
from assistant.settings import Settings
from knowledge.catalog import Catalog
from knowledge.types import Scope

ALGORITHM = "HS256"
PLACEHOLDER_SECRET = "change-me"
MIN_SECRET_LENGTH = 32
DEMO_SECRET_FILE = "demo-secret"
MAX_CLAIM_LENGTH = 256


class Role(StrEnum):
    LEARNER = "learner"
    SUPPORT = "support"
    DESIGNER = "designer"


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    role: Role
    session_ids: frozenset[str]
    # The learner's ministry or entity, for the desk's routing: named by the LMS (`entity`),
    # or the domain of their e-mail address (`entity_domain`), never the address itself.
    entity: str | None = None
    entity_domain: str | None = None

    @property
    def user_hash(self) -> str:
        """Enough to correlate log lines of one user without writing the id itself."""
        return hashlib.sha256(self.user_id.encode()).hexdigest()[:16]


def resolve_secret(settings: Settings) -> str:
    """The HS256 secret, or ConfigurationError before anything accepts a request.

    A configured strong secret always wins; demo mode only replaces the placeholder, with a
    random secret kept in the data dir so that `token` and `serve` agree across processes.
    """
    configured = settings.service.jwt_secret.get_secret_value()
    if configured != PLACEHOLDER_SECRET and len(configured) >= MIN_SECRET_LENGTH:
        return configured
    if settings.service.demo:
        return _demo_secret(settings.knowledge.data_dir / DEMO_SECRET_FILE)
    raise ConfigurationError(
        "MENTOR_JWT_SECRET doit être un secret partagé avec le LMS d'au moins "
        f"{MIN_SECRET_LENGTH} caractères (la valeur « {PLACEHOLDER_SECRET} » est refusée). "
        "Pour une démonstration locale, définissez MENTOR_DEMO=1."
    )


def _demo_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            # link() fails if another process won the race: readers never see a partial file.
            os.link(staging, path)
        except FileExistsError:
            pass
        finally:
            staging.unlink()
    return path.read_text(encoding="ascii").strip()


def mint_token(
    settings: Settings,
    user_id: str,
    session_ids: Iterable[str],
    role: Role = Role.LEARNER,
    ttl: int | None = None,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user_id,
        "session_ids": sorted(set(session_ids)),
        "role": role.value,
        "aud": settings.service.jwt_audience,
        "iat": now,
        "exp": now + (settings.service.token_ttl_seconds if ttl is None else ttl),
    }
    if settings.service.jwt_issuer:
        claims["iss"] = settings.service.jwt_issuer
    return jwt.encode(claims, resolve_secret(settings), algorithm=ALGORITHM)


def verify_token(token: str, secret: str, settings: Settings) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            # One algorithm only: refuses alg=none and RS256/HS256 key confusion.
            algorithms=[ALGORITHM],
            audience=settings.service.jwt_audience,
            issuer=settings.service.jwt_issuer,
            options={"require": ["exp", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise AuthError("Votre session a expiré : rechargez la page du cours.") from error
    except jwt.PyJWTError as error:
        raise AuthError("Jeton d'accès invalide.") from error
    return _principal(claims)


def _principal(claims: dict[str, Any]) -> Principal:
    user_id = claims.get("sub")
    session_ids = claims.get("session_ids")
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise AuthError("Jeton d'accès invalide : rôle inconnu.") from None
    if not isinstance(user_id, str) or not 0 < len(user_id) <= MAX_CLAIM_LENGTH:
        raise AuthError("Jeton d'accès invalide : identifiant d'utilisateur absent.")
    if not isinstance(session_ids, list) or not all(
        isinstance(session, str) and 0 < len(session) <= MAX_CLAIM_LENGTH for session in session_ids
    ):
        raise AuthError("Jeton d'accès invalide : liste de sessions absente ou mal formée.")
    entity, entity_domain = (
        _optional_claim(claims, "entity"),
        _optional_claim(claims, "entity_domain"),
    )
    return Principal(
        user_id=user_id,
        role=role,
        session_ids=frozenset(session_ids),
        entity=entity,
        entity_domain=entity_domain,
    )


def _optional_claim(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CLAIM_LENGTH or "@" in value:
        raise AuthError(f"Jeton d'accès invalide : revendication « {name} » mal formée.")
    return value


def require_support(principal: Principal) -> Principal:
    """The support desk's routes and pages: the support role only."""
    if principal.role is not Role.SUPPORT:
        raise ForbiddenError("Réservé à l'équipe support.")
    return principal


def scope_for(principal: Principal, catalog: Catalog) -> Scope:
    """Global knowledge plus the token's sessions, with the sessions a parcours reuses;
    support and course designers see everything."""
    if principal.role is Role.LEARNER:
        return Scope(catalog.expand_sessions(principal.session_ids))
    return Scope.everything()
