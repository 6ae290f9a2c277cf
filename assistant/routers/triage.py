"""`POST /api/triage`: triage one incoming request for the support desk (role support)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from assistant.routers import RuntimeDep, ScopeDep, SupportDep, note
from assistant.schemas import problem_responses
from assistant.triage.schemas import TriageIn, TriageOut

router = APIRouter(prefix="/api", tags=["support"])


@router.post(
    "/triage",
    response_model=TriageOut,
    summary="Trier une demande adressée au support",
    responses=problem_responses(401, 403, 422),
)
async def triage(
    body: TriageIn, request: Request, principal: SupportDep, scope: ScopeDep, runtime: RuntimeDep
) -> TriageOut:
    result = await runtime.triager.triage(body.to_request(), scope)
    note(
        request,
        category=result.category.value,
        urgency=result.urgency.level.value,
        drafted=result.suggested_reply is not None,
    )
    return TriageOut.of(result)
