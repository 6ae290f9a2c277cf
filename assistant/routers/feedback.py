"""`POST /api/feedback`: thumbs up or down on one of the caller's own answers."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from assistant.routers import RateLimitedDep, RuntimeDep, note
from assistant.schemas import FeedbackRequest, problem_responses

router = APIRouter(prefix="/api", tags=["feedback"])


@router.post(
    "/feedback",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Donner son avis sur une réponse",
    responses=problem_responses(401, 404, 422, 429),
)
async def feedback(
    # Rate-limited: each call writes a row, like a question or a ticket.
    body: FeedbackRequest,
    request: Request,
    principal: RateLimitedDep,
    runtime: RuntimeDep,
) -> None:
    if not runtime.feedback.rate(principal.user_id, body.answer_id, body.rating, body.comment):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Cette réponse est introuvable.")
    note(request, rating=body.rating)
