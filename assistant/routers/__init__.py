"""What the routers share: the runtime the app's lifespan opened, the caller and its scope,
and the fields each request adds to its access-log line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.auth import Principal, scope_for, verify_token
from assistant.errors import AuthError
from assistant.lti.service import LtiService
from assistant.ratelimit import RateLimiter
from assistant.reindex import Reindexer
from assistant.service import AnswerService
from assistant.settings import Settings
from assistant.storage import Storage
from knowledge.types import Scope
from knowledge.wiring import Knowledge

# Key of the per-request dict, in the ASGI scope, that the access-log middleware writes out.
ACCESS_LOG_KEY = "mentor_assistant.access"


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    secret: str
    knowledge: Knowledge
    service: AnswerService
    storage: Storage
    limiter: RateLimiter
    reindexer: Reindexer
    lti: LtiService


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal
    scope: Scope


def note(request: Request, **fields: Any) -> None:
    """Add fields to this request's access-log line (never raw user text)."""
    request.scope.setdefault(ACCESS_LOG_KEY, {}).update(fields)


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="JWT HS256 signé par le LMS : sub, session_ids, role, exp, aud.",
)


async def authenticated(
    request: Request,
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise AuthError("Jeton d'accès manquant : ouvrez l'assistant depuis la plateforme Mentor.")
    principal = verify_token(credentials.credentials, runtime.secret, runtime.settings)
    note(request, user=principal.user_hash, role=principal.role.value)
    return principal


PrincipalDep = Annotated[Principal, Depends(authenticated)]


async def rate_limited_caller(principal: PrincipalDep, runtime: RuntimeDep) -> Caller:
    """The caller of a retrieval route, counted against its rate limit, with the scope
    derived from its token alone."""
    runtime.limiter.hit(principal.user_id)
    return Caller(principal, scope_for(principal, runtime.knowledge.catalog))


CallerDep = Annotated[Caller, Depends(rate_limited_caller)]
