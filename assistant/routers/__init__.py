"""What the routers share: the runtime the app runs, and the caller as each route needs it
(authenticated, rate-limited, its scope, the support role), each computed once per request,
plus the fields each request adds to its access-log line."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.auth import Principal, require_support, scope_for, verify_token
from assistant.errors import AuthError
from assistant.wiring import Runtime
from knowledge.types import Scope

# Key of the per-request dict, in the ASGI scope, that the access-log middleware writes out.
ACCESS_LOG_KEY = "mentor_assistant.access"


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


async def rate_limited(principal: PrincipalDep, runtime: RuntimeDep) -> Principal:
    """The caller, counted against its rate limit (routes that cost a search or a ticket)."""
    runtime.limiter.hit(principal.user_id)
    return principal


RateLimitedDep = Annotated[Principal, Depends(rate_limited)]


async def caller_scope(principal: PrincipalDep, runtime: RuntimeDep) -> Scope:
    """What the caller may read, derived from its token alone."""
    return scope_for(principal, runtime.knowledge.catalog)


ScopeDep = Annotated[Scope, Depends(caller_scope)]


async def support(principal: PrincipalDep) -> Principal:
    return require_support(principal)


SupportDep = Annotated[Principal, Depends(support)]
