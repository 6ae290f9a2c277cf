"""`POST /api/triage`: triage one incoming request for the support desk (role support)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status

from assistant.auth import Principal, Role
from assistant.routers import PrincipalDep, note
from assistant.schemas import problem_responses
from assistant.triage.schemas import TriageIn, TriageOut
from assistant.triage.service import Triager

router = APIRouter(prefix="/api", tags=["support"])


def get_triager(request: Request) -> Triager:
    triager: Triager = request.app.state.triager
    return triager


TriagerDep = Annotated[Triager, Depends(get_triager)]


def require_support(principal: PrincipalDep) -> Principal:
    if principal.role is not Role.SUPPORT:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Réservé à l'équipe support.")
    return principal


SupportDep = Annotated[Principal, Depends(require_support)]


@router.post(
    "/triage",
    response_model=TriageOut,
    summary="Trier une demande adressée au support",
    responses=problem_responses(401, 403, 422),
)
async def triage(
    body: TriageIn, request: Request, principal: SupportDep, triager: TriagerDep
) -> TriageOut:
    result = await triager.triage(body.to_request())
    note(
        request,
        category=result.category.value,
        urgency=result.urgency.level.value,
        drafted=result.suggested_reply is not None,
    )
    return TriageOut.of(result)
