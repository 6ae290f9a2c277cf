"""Dynamic registration (IMS LTI Dynamic Registration 1.0), the tool's side.

The platform's administrator gives the platform one URL, ``/lti/register``; the platform
opens it with ``openid_configuration`` (its own configuration URL) and
``registration_token``. The tool reads that configuration, posts its own (below) to the
platform's registration endpoint with the token, and keeps the client id and deployment id
it gets back. Only platforms whose issuer is listed in MENTOR_LTI_PLATFORM_ISSUERS may
register: a registered platform vouches for the sessions its users reach.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from assistant.lti.claims import RESOURCE_LINK_REQUEST, SESSION_PARAMETER, SESSION_SUBSTITUTION
from assistant.lti.errors import RegistrationFailed
from assistant.storage import Platform

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_NAME = "Assistant Mentor"
TOOL_DESCRIPTION = "Réponses sourcées aux questions des apprenants sur le contenu du cours."
HTTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class ToolUrls:
    """Where the platform reaches the tool, from the public base URL it was reached at."""

    base: str

    @property
    def login(self) -> str:
        return f"{self.base}/lti/login"

    @property
    def launch(self) -> str:
        return f"{self.base}/lti/launch"

    @property
    def jwks(self) -> str:
        return f"{self.base}/lti/jwks"

    @property
    def domain(self) -> str:
        return urlsplit(self.base).netloc


@dataclass(frozen=True, slots=True)
class Registered:
    platform: Platform
    deployment_id: str


def tool_configuration(urls: ToolUrls) -> dict[str, Any]:
    """The client registration the tool posts (also what manual registration copies)."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login,
        "redirect_uris": [urls.launch],
        "client_name": TOOL_NAME,
        "jwks_uri": urls.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        # No grade, roster or settings service: the assistant reads none of them.
        "scope": "",
        TOOL_CONFIGURATION: {
            "domain": urls.domain,
            "target_link_uri": urls.launch,
            "description": TOOL_DESCRIPTION,
            "custom_parameters": {SESSION_PARAMETER: SESSION_SUBSTITUTION},
            # Neither name nor e-mail: the assistant keeps a pseudonym of `sub` only.
            "claims": ["iss", "sub"],
            "messages": [
                {"type": RESOURCE_LINK_REQUEST, "target_link_uri": urls.launch, "label": TOOL_NAME}
            ],
        },
    }


def register(
    openid_configuration: str,
    registration_token: str,
    urls: ToolUrls,
    allowed_issuers: Collection[str],
    http: httpx.Client,
) -> Registered:
    allowed = {issuer.rstrip("/") for issuer in allowed_issuers}
    # Checked before anything is fetched: the service never requests a URL a stranger
    # chose (no server-side request forgery through this endpoint).
    if origin(openid_configuration) not in {origin(issuer) for issuer in allowed}:
        raise _not_allowed()
    config = _json(_get(http, openid_configuration), "configuration")
    issuer = config.get("issuer")
    if not isinstance(issuer, str) or issuer.rstrip("/") not in allowed:
        raise _not_allowed()
    # The configuration and its endpoints must be the issuer's own: a listed issuer's name
    # served from elsewhere proves nothing.
    endpoints = {
        name: config.get(name)
        for name in ("registration_endpoint", "authorization_endpoint", "jwks_uri")
    }
    for url in (openid_configuration, *endpoints.values()):
        if not isinstance(url, str) or origin(url) != origin(issuer):
            raise RegistrationFailed(
                "foreign_endpoint",
                "La configuration de la plateforme désigne des adresses hors de son domaine.",
            )
    token_url = config.get("token_endpoint")
    response = _post(http, str(endpoints["registration_endpoint"]), registration_token, urls)
    registered = _json(response, "registration")
    client_id = registered.get("client_id")
    tool = registered.get(TOOL_CONFIGURATION)
    deployment_id = tool.get("deployment_id") if isinstance(tool, Mapping) else None
    if not isinstance(client_id, str) or not client_id or not isinstance(deployment_id, str):
        raise RegistrationFailed(
            "bad_registration", "La plateforme n'a pas renvoyé d'identifiant client."
        )
    platform = Platform(
        issuer=issuer,
        client_id=client_id,
        auth_login_url=str(endpoints["authorization_endpoint"]),
        jwks_url=str(endpoints["jwks_uri"]),
        token_url=token_url if isinstance(token_url, str) else None,
    )
    return Registered(platform, deployment_id)


def _not_allowed() -> RegistrationFailed:
    return RegistrationFailed(
        "issuer_not_allowed",
        "Cette plateforme n'est pas autorisée à enregistrer l'assistant : ajoutez son "
        "adresse à MENTOR_LTI_PLATFORM_ISSUERS.",
        403,
    )


def origin(url: str) -> tuple[str, str]:
    """(scheme, host[:port]): what same-origin compares."""
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _get(http: httpx.Client, url: str) -> httpx.Response:
    if urlsplit(url).scheme not in ("http", "https"):
        raise RegistrationFailed("bad_configuration_url", "Adresse de configuration invalide.")
    try:
        return http.get(url, timeout=HTTP_TIMEOUT_SECONDS)
    except httpx.HTTPError as error:
        raise RegistrationFailed(
            "platform_unreachable", "La plateforme est injoignable depuis l'assistant.", 502
        ) from error


def _post(http: httpx.Client, url: str, token: str, urls: ToolUrls) -> httpx.Response:
    try:
        return http.post(
            url,
            json=tool_configuration(urls),
            headers={"Authorization": f"Bearer {token}"},
            timeout=HTTP_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as error:
        raise RegistrationFailed(
            "platform_unreachable", "La plateforme est injoignable depuis l'assistant.", 502
        ) from error


def _json(response: httpx.Response, what: str) -> Mapping[str, Any]:
    if response.status_code != 200:
        raise RegistrationFailed(
            f"{what}_refused",
            f"La plateforme a refusé l'enregistrement (HTTP {response.status_code}) : "
            "relancez-le depuis la page d'administration des outils.",
            502,
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise RegistrationFailed(f"{what}_unreadable", "Réponse illisible de la plateforme.", 502)
    return body
