"""The OIDC ``state`` of a login: signed by the service (HS256, its own secret), so nothing
is kept server-side between the login and the launch, and bound to the browser by a cookie.

The state names the platform registration and carries the nonce sent to the platform; its
``jti`` names the cookie that must come back with the launch (one cookie per login, so two
launches in two tabs do not overwrite each other's).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import jwt

from assistant.lti.errors import LaunchRefused

# Distinct from the access tokens' audience: a state is never accepted as a token.
STATE_AUDIENCE = "mentor-assistant/lti-state"
ALGORITHM = "HS256"
# Long enough for a platform's login page in between; a launch then takes seconds.
STATE_TTL_SECONDS = 600
COOKIE_PREFIX = "mentor_lti_"
BAD_STATE = "Paramètre « state » invalide : relancez l'activité."


@dataclass(frozen=True, slots=True)
class LoginState:
    issuer: str
    client_id: str
    nonce: str
    jti: str

    @property
    def cookie_name(self) -> str:
        return COOKIE_PREFIX + self.jti


def new_state(issuer: str, client_id: str) -> LoginState:
    return LoginState(issuer, client_id, secrets.token_urlsafe(24), secrets.token_hex(8))


def sign_state(state: LoginState, secret: str) -> str:
    now = int(time.time())
    claims = {
        "aud": STATE_AUDIENCE,
        "iss": state.issuer,
        "client_id": state.client_id,
        "nonce": state.nonce,
        "jti": state.jti,
        "iat": now,
        "exp": now + STATE_TTL_SECONDS,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_state(signed: str, secret: str) -> LoginState:
    try:
        claims = jwt.decode(
            signed,
            secret,
            algorithms=[ALGORITHM],
            audience=STATE_AUDIENCE,
            options={"require": ["exp", "iss", "client_id", "nonce", "jti"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise LaunchRefused(
            "state_expired", "La connexion a pris trop de temps : relancez l'activité."
        ) from error
    except jwt.PyJWTError as error:
        raise LaunchRefused("bad_state", BAD_STATE) from error
    fields = [claims[name] for name in ("iss", "client_id", "nonce", "jti")]
    if not all(isinstance(value, str) for value in fields):
        raise LaunchRefused("bad_state", BAD_STATE)
    return LoginState(*fields)
