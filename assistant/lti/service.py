"""The LTI tool: login initiation, launch validation, dynamic registration.

Launch checks, in order (IMS Security Framework 5.1.3): the signed state and its cookie,
the registration it names, the signature against the platform's JWKS, ``iss``, ``aud`` and
``azp``, ``exp`` and ``iat`` with a small skew, the nonce (the state's, used once), then
the LTI claims (assistant/lti/claims.py). Any failure is a LaunchRefused; a launch that
passes gets one of our own tokens, never the id_token.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from assistant.auth import Principal, Role, mint_token
from assistant.lti.claims import Launch, read_launch
from assistant.lti.errors import LaunchRefused
from assistant.lti.jwks import PlatformKeys
from assistant.lti.keys import ToolKeys
from assistant.lti.registration import Registered, ToolUrls, origin, register
from assistant.lti.state import LoginState, new_state, read_state, sign_state
from assistant.settings import Settings
from assistant.storage import LtiPlatforms, Platform

# Clock skew tolerated on exp and iat; Moodle's id_tokens live 60 s.
LEEWAY_SECONDS = 30
ALGORITHMS = ["RS256"]


@dataclass(frozen=True, slots=True)
class LoginRedirect:
    url: str
    state: LoginState
    signed_state: str


@dataclass(frozen=True, slots=True)
class Launched:
    token: str
    session_id: str
    role: Role
    lang: str
    user_hash: str
    # The login's state cookie, spent: the router deletes it.
    state_cookie: str


class LtiService:
    def __init__(
        self,
        settings: Settings,
        secret: str,
        store: LtiPlatforms,
        keys: ToolKeys,
        platform_keys: PlatformKeys,
    ) -> None:
        self._settings = settings
        self._secret = secret
        self._store = store
        self.keys = keys
        self._platform_keys = platform_keys

    def login(self, params: Mapping[str, str], urls: ToolUrls) -> LoginRedirect:
        issuer = params.get("iss", "")
        login_hint = params.get("login_hint", "")
        if not issuer or not login_hint:
            raise LaunchRefused(
                "bad_login", "Demande de connexion LTI incomplète (iss, login_hint)."
            )
        platform = self._platform_for_login(issuer, params.get("client_id"))
        deployment = params.get("lti_deployment_id")
        if deployment and deployment not in self._store.deployments(issuer, platform.client_id):
            raise LaunchRefused(
                "wrong_deployment",
                "Ce déploiement de l'outil n'est pas enregistré auprès de l'assistant.",
                403,
            )
        target = params.get("target_link_uri", urls.launch)
        if origin(target) != origin(urls.base):
            raise LaunchRefused("foreign_target", "Adresse de lancement étrangère à l'assistant.")
        state = new_state(issuer, platform.client_id)
        signed = sign_state(state, self._secret)
        query = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": platform.client_id,
            "redirect_uri": urls.launch,
            "login_hint": login_hint,
            "state": signed,
            "nonce": state.nonce,
        }
        if params.get("lti_message_hint"):
            query["lti_message_hint"] = params["lti_message_hint"]
        separator = "&" if "?" in platform.auth_login_url else "?"
        url = f"{platform.auth_login_url}{separator}{urlencode(query)}"
        return LoginRedirect(url, state, signed)

    def launch(self, id_token: str, signed_state: str, cookies: Mapping[str, str]) -> Launched:
        if not signed_state:
            raise LaunchRefused("no_state", "Lancement LTI sans paramètre « state ».")
        state = read_state(signed_state, self._secret)
        cookie = cookies.get(state.cookie_name, "")
        if not hmac.compare_digest(cookie.encode(), signed_state.encode()):
            raise LaunchRefused(
                "no_state_cookie",
                "Votre navigateur n'a pas renvoyé le témoin de connexion de l'assistant "
                "(cookies bloqués dans les cadres ?). Relancez l'activité ; si cela se "
                "reproduit, demandez qu'elle s'ouvre dans une nouvelle fenêtre.",
                401,
            )
        if not id_token:
            raise LaunchRefused("no_id_token", "Lancement LTI sans jeton d'identité.")
        platform = self._store.platform(state.issuer, state.client_id)
        if platform is None:
            raise LaunchRefused("unknown_platform", "Plateforme LTI inconnue de l'assistant.", 403)
        claims = self._verified_claims(id_token, platform)
        if claims.get("nonce") != state.nonce:
            raise LaunchRefused("nonce_mismatch", "Jeton LTI émis pour une autre connexion.", 401)
        launch = read_launch(claims, self._store.deployments(platform.issuer, platform.client_id))
        if not self._store.use_nonce(platform.issuer, state.nonce, float(claims["exp"])):
            raise LaunchRefused("replayed", "Ce lancement a déjà servi : relancez l'activité.", 401)
        return self._launched(launch, state)

    def register(
        self,
        openid_configuration: str,
        registration_token: str,
        urls: ToolUrls,
        http: httpx.Client,
    ) -> Registered:
        registered = register(
            openid_configuration,
            registration_token,
            urls,
            self._settings.lti.platform_issuers,
            http,
        )
        self._store.save(registered.platform, (registered.deployment_id,))
        return registered

    def platform_origins(self) -> list[str]:
        """The registered platforms' origins: the pages allowed to frame the assistant."""
        return sorted({"://".join(origin(p.issuer)) for p in self._store.platforms()})

    def _platform_for_login(self, issuer: str, client_id: str | None) -> Platform:
        candidates = self._store.platforms(issuer)
        if client_id:
            candidates = [p for p in candidates if p.client_id == client_id]
        if len(candidates) != 1:
            # None, or several registrations of one issuer and no client_id to choose.
            raise LaunchRefused("unknown_platform", "Plateforme LTI inconnue de l'assistant.", 403)
        return candidates[0]

    def _verified_claims(self, id_token: str, platform: Platform) -> dict[str, Any]:
        key = self._platform_keys.signing_key(platform.jwks_url, id_token)
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=ALGORITHMS,
                audience=platform.client_id,
                issuer=platform.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "nonce", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise LaunchRefused("expired", "Jeton LTI expiré : relancez l'activité.", 401) from (
                error
            )
        except jwt.ImmatureSignatureError as error:
            raise LaunchRefused(
                "not_yet_valid", "Jeton LTI daté du futur : vérifiez l'horloge du serveur.", 401
            ) from error
        except jwt.InvalidAudienceError as error:
            raise LaunchRefused(
                "wrong_audience", "Jeton LTI destiné à un autre outil.", 401
            ) from error
        except jwt.InvalidIssuerError as error:
            raise LaunchRefused(
                "wrong_issuer", "Jeton LTI émis par une autre plateforme.", 401
            ) from error
        except jwt.InvalidSignatureError as error:
            raise LaunchRefused("bad_signature", "Signature du jeton LTI invalide.", 401) from error
        except jwt.PyJWTError as error:
            raise LaunchRefused("bad_token", "Jeton LTI invalide.", 401) from error
        audience = claims["aud"]
        # Several audiences: the authorized party must be us (OIDC Core 3.1.3.7).
        several = isinstance(audience, list) and len(audience) > 1
        if (several or "azp" in claims) and claims.get("azp") != platform.client_id:
            raise LaunchRefused("wrong_azp", "Jeton LTI destiné à un autre outil.", 401)
        return claims

    def _launched(self, launch: Launch, state: LoginState) -> Launched:
        token = mint_token(self._settings, launch.user_id, [launch.session_id], launch.role)
        principal = Principal(launch.user_id, launch.role, frozenset([launch.session_id]))
        return Launched(
            token=token,
            session_id=launch.session_id,
            role=launch.role,
            lang=launch.lang,
            user_hash=principal.user_hash,
            state_cookie=state.cookie_name,
        )
