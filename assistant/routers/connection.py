"""`GET /api/connection`: lets an LMS administrator check that the service accepts the
tokens their site signs (secret, audience, issuer), before any learner meets the widget."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.routers import PrincipalDep, RuntimeDep
from assistant.schemas import ConnectionOut, problem_responses

router = APIRouter(prefix="/api", tags=["health"])


@router.get(
    "/connection",
    response_model=ConnectionOut,
    summary="Vérifier un jeton du LMS",
    description="Répond 200 quand le jeton est accepté (signature, audience, émetteur), 401 "
    "sinon. Ne lit ni n'écrit aucune donnée.",
    responses=problem_responses(401),
)
async def connection(principal: PrincipalDep, runtime: RuntimeDep) -> ConnectionOut:
    return ConnectionOut(
        role=principal.role.value,
        sessions=len(principal.session_ids),
        issuer_checked=runtime.settings.service.jwt_issuer is not None,
    )
