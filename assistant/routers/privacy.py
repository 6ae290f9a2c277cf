"""`POST /api/privacy/erasure`: the LMS, processing a data deletion request, has the service
delete what one user left here (role support: the LMS signs this call itself)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from assistant.routers import RuntimeDep, SupportDep, note
from assistant.schemas import ErasureOut, ErasureRequest, problem_responses

router = APIRouter(prefix="/api/privacy", tags=["privacy"])


@router.post(
    "/erasure",
    response_model=ErasureOut,
    summary="Effacer les données d'un utilisateur",
    description="Supprime les conversations (questions, réponses) et les avis de "
    "l'utilisateur désigné par son identifiant de jeton.",
    responses=problem_responses(401, 403, 422),
)
async def erasure(
    body: ErasureRequest, request: Request, principal: SupportDep, runtime: RuntimeDep
) -> ErasureOut:
    erased = await run_in_threadpool(runtime.privacy.erase, body.user_id)
    note(request, erased=erased.conversations)
    return ErasureOut(
        conversations=erased.conversations, messages=erased.messages, feedback=erased.feedback
    )
