"""The platforms' signing keys, fetched from their JWKS and cached (PyJWKClient).

A key id missing from the cached set makes the client fetch the set again, so a platform
that rotates its key is followed at its first launch with the new key; the cool-down
bounds how often a flood of made-up key ids can make us fetch.
"""

from __future__ import annotations

import threading

import jwt
from jwt import PyJWK, PyJWKClient

from assistant.lti.errors import LaunchRefused

JWKS_CACHE_SECONDS = 300
REFRESH_COOLDOWN_SECONDS = 2
FETCH_TIMEOUT_SECONDS = 10


class PlatformKeys:
    def __init__(self) -> None:
        self._clients: dict[str, PyJWKClient] = {}
        self._lock = threading.Lock()

    def signing_key(self, jwks_url: str, id_token: str) -> PyJWK:
        try:
            return self._client(jwks_url).get_signing_key_from_jwt(id_token)
        except jwt.PyJWKClientConnectionError as error:
            raise LaunchRefused(
                "jwks_unreachable",
                "Les clés de la plateforme sont injoignables pour le moment : réessayez dans "
                "un instant.",
                503,
            ) from error
        except jwt.PyJWKClientError as error:
            raise LaunchRefused(
                "unknown_kid", "Jeton LTI signé par une clé inconnue de la plateforme.", 401
            ) from error
        except jwt.PyJWTError as error:
            raise LaunchRefused("bad_token", "Jeton LTI illisible.", 401) from error

    def _client(self, jwks_url: str) -> PyJWKClient:
        with self._lock:
            client = self._clients.get(jwks_url)
            if client is None:
                client = PyJWKClient(
                    jwks_url,
                    lifespan=JWKS_CACHE_SECONDS,
                    cooldown_duration=REFRESH_COOLDOWN_SECONDS,
                    timeout=FETCH_TIMEOUT_SECONDS,
                )
                self._clients[jwks_url] = client
            return client
