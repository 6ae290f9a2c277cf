"""Why a launch, a login or a registration was refused. The router shows ``message`` (French,
safe for anyone) on a page and logs ``reason`` (a short code, never a token)."""

from __future__ import annotations


class LtiError(Exception):
    def __init__(self, reason: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status = status


class LaunchRefused(LtiError):
    pass


class RegistrationFailed(LtiError):
    pass
