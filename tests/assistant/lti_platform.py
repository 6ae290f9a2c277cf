"""An LTI 1.3 platform of the tests' own, on loopback: its RSA key pairs, a real JWKS
endpoint, an OpenID configuration and a dynamic-registration endpoint. It signs the
id_tokens the tests post to the service's real launch endpoint, as Moodle would."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from assistant.lti.claims import (
    CUSTOM,
    DEPLOYMENT_ID,
    LAUNCH_PRESENTATION,
    MESSAGE_TYPE,
    RESOURCE_LINK,
    ROLES,
    VERSION,
)

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"


@dataclass
class SigningKey:
    kid: str
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


class Platform:
    """Serves /jwks, /.well-known/openid-configuration and /register on 127.0.0.1."""

    def __init__(self, client_id: str = "client-a", deployment_id: str = "1") -> None:
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.keys = [SigningKey(f"kid-{secrets.token_hex(4)}")]
        self.registration_token = secrets.token_urlsafe(16)
        self.registrations: list[dict[str, Any]] = []
        self.jwks_fetches = 0
        self.configuration_fetches = 0
        # When set, the configuration names a registration endpoint on another host.
        self.foreign_endpoints = False
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/jwks":
                    platform.jwks_fetches += 1
                    self._json(200, {"keys": [k.public_jwk() for k in platform.keys]})
                elif self.path == "/.well-known/openid-configuration":
                    platform.configuration_fetches += 1
                    self._json(200, platform.openid_configuration())
                else:
                    self._json(404, {})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != "/register":
                    self._json(404, {})
                elif self.headers.get("Authorization") != f"Bearer {platform.registration_token}":
                    self._json(401, {"error": "invalid token"})
                else:
                    payload = json.loads(body)
                    platform.registrations.append(payload)
                    tool = payload["https://purl.imsglobal.org/spec/lti-tool-configuration"]
                    reply = {
                        **payload,
                        "client_id": platform.client_id,
                        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                            **tool,
                            "deployment_id": platform.deployment_id,
                        },
                    }
                    self._json(200, reply)

            def _json(self, status: int, body: Mapping[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    @property
    def auth_url(self) -> str:
        return f"{self.issuer}/auth"

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.auth_url,
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": self.jwks_url,
            "registration_endpoint": (
                "http://localhost:9/register"
                if self.foreign_endpoints
                else f"{self.issuer}/register"
            ),
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def rotate(self) -> SigningKey:
        self.keys.insert(0, SigningKey(f"kid-{secrets.token_hex(4)}"))
        return self.keys[0]

    def claims(
        self,
        nonce: str,
        session: str | None = "laicite-2025",
        roles: tuple[str, ...] = (LEARNER,),
        **overrides: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": "42",
            "iat": now,
            "exp": now + 60,
            "nonce": nonce,
            VERSION: "1.3.0",
            MESSAGE_TYPE: "LtiResourceLinkRequest",
            DEPLOYMENT_ID: self.deployment_id,
            RESOURCE_LINK: {"id": "7"},
            ROLES: list(roles),
            LAUNCH_PRESENTATION: {"locale": "fr", "document_target": "iframe"},
            CUSTOM: {} if session is None else {"session_id": session},
        }
        claims.update(overrides)
        return claims

    def sign(
        self, claims: Mapping[str, Any], key: SigningKey | None = None, kid: str | None = None
    ) -> str:
        signing = key or self.keys[0]
        return jwt.encode(
            dict(claims), signing.key, algorithm="RS256", headers={"kid": kid or signing.kid}
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
