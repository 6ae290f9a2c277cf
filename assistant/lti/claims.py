"""What a verified id_token must say to be a launch of the assistant, and what it becomes.

The signature, ``iss``, ``aud``, ``exp`` and ``iat`` are checked by PyJWT before this runs
(assistant/lti/service.py); this checks the LTI claims and maps the course to a session.

Mapping rule (README, "Add the assistant to a course by LTI"): the session is the custom
parameter ``session_id``. Dynamic registration sets it to ``$Context.sourcedId``, which
Moodle replaces with the course's ID number — the identifier the Moodle plugin uses by
default too — and an administrator's value wins over a teacher's in Moodle, so a teacher
cannot point a course at another course's session. Another platform maps it with its own
substitution variable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from assistant.auth import MAX_CLAIM_LENGTH, Role
from assistant.lti.errors import LaunchRefused
from assistant.lti.roles import role_for

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
RESOURCE_LINK = CLAIM + "resource_link"
ROLES = CLAIM + "roles"
CUSTOM = CLAIM + "custom"
LAUNCH_PRESENTATION = CLAIM + "launch_presentation"

LTI_VERSION = "1.3.0"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
SESSION_PARAMETER = "session_id"
# What dynamic registration asks Moodle to send as SESSION_PARAMETER: the course ID number.
SESSION_SUBSTITUTION = "$Context.sourcedId"
LOCALES = ("fr", "en")


@dataclass(frozen=True, slots=True)
class Launch:
    issuer: str
    subject: str
    deployment_id: str
    session_id: str
    role: Role
    lang: str

    @property
    def user_id(self) -> str:
        """Pseudonymous and stable per platform account; the platform's id never leaves here."""
        digest = hashlib.sha256(f"{self.issuer}\n{self.subject}".encode()).hexdigest()
        return f"lti-{digest[:32]}"


def read_launch(claims: Mapping[str, Any], deployments: Collection[str]) -> Launch:
    if claims.get(VERSION) != LTI_VERSION:
        raise LaunchRefused("wrong_version", "Version LTI non prise en charge (1.3.0 attendue).")
    if claims.get(MESSAGE_TYPE) != RESOURCE_LINK_REQUEST:
        raise LaunchRefused(
            "wrong_message_type",
            "Ce type de lancement LTI n'est pas pris en charge : ajoutez l'assistant au cours "
            "comme activité « Outil externe ».",
        )
    deployment = claims.get(DEPLOYMENT_ID)
    if not isinstance(deployment, str) or deployment not in deployments:
        raise LaunchRefused(
            "wrong_deployment",
            "Ce déploiement de l'outil n'est pas enregistré auprès de l'assistant.",
            403,
        )
    link = claims.get(RESOURCE_LINK)
    if not isinstance(link, Mapping) or not isinstance(link.get("id"), str):
        raise LaunchRefused("no_resource_link", "Lien de ressource LTI absent.")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_CLAIM_LENGTH:
        raise LaunchRefused(
            "anonymous", "L'assistant a besoin d'un utilisateur connecté à la plateforme.", 403
        )
    roles = claims.get(ROLES, [])
    if not isinstance(roles, list):
        raise LaunchRefused("bad_roles", "Lancement LTI incomplet : rôles mal formés.")
    return Launch(
        issuer=str(claims["iss"]),
        subject=subject,
        deployment_id=deployment,
        session_id=_session(claims.get(CUSTOM)),
        role=role_for(roles),
        lang=_lang(claims.get(LAUNCH_PRESENTATION)),
    )


def _session(custom: object) -> str:
    value = custom.get(SESSION_PARAMETER) if isinstance(custom, Mapping) else None
    if not isinstance(value, str) or not value.strip() or value.startswith("$"):
        # Absent, empty (a course without ID number) or left unsubstituted by the platform.
        raise LaunchRefused(
            "no_session",
            "Ce cours n'est pas relié à une session de l'assistant : renseignez son numéro "
            "d'identification (paramètres du cours), ou le paramètre personnalisé "
            f"« {SESSION_PARAMETER} » de l'outil.",
        )
    session = value.strip()
    if len(session) > MAX_CLAIM_LENGTH:
        raise LaunchRefused("bad_session", "Identifiant de session trop long.")
    return session


def _lang(presentation: object) -> str:
    locale = presentation.get("locale") if isinstance(presentation, Mapping) else None
    language = str(locale or "").lower().replace("_", "-").split("-", 1)[0]
    return language if language in LOCALES else LOCALES[0]
