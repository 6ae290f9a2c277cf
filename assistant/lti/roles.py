"""LTI roles → the assistant's roles.

Platform or institution administrators become ``support`` (the Mentor support staff run the
platforms); course staff who build or teach a course (Instructor, ContentDeveloper and
their sub-roles, TeachingAssistant included) become ``designer``; everyone else, learners
and mentors (the LIS "Mentor" is a learner's tutor or parent) included, is a ``learner``.
The most privileged role the platform sends wins.
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.auth import Role

_VOCABULARY = "http://purl.imsglobal.org/vocab/lis/v2/"
_ADMINISTRATORS = frozenset(
    {
        "system/person#Administrator",
        "system/person#SysAdmin",
        "institution/person#Administrator",
        "membership#Administrator",
    }
)
_DESIGNERS = frozenset({"membership#Instructor", "membership#ContentDeveloper"})


def role_for(lti_roles: Iterable[object]) -> Role:
    names = {_context_role(role) for role in lti_roles if isinstance(role, str)}
    if names & _ADMINISTRATORS:
        return Role.SUPPORT
    if names & _DESIGNERS:
        return Role.DESIGNER
    return Role.LEARNER


def _context_role(role: str) -> str:
    """``membership#Instructor`` for the full URI, a sub-role of it
    (``membership/Instructor#TeachingAssistant``) or the deprecated short name."""
    name = role.removeprefix(_VOCABULARY)
    if "/" not in name and "#" not in name:
        return f"membership#{name}"
    if name.startswith("membership/"):
        return "membership#" + name.removeprefix("membership/").split("#", 1)[0]
    return name
