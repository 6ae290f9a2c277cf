"""`POST /api/tickets`: the learner asks the support desk for help after an answer."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, status

from assistant.routers import RateLimitedDep, RuntimeDep, note
from assistant.schemas import problem_responses
from assistant.triage.schemas import TicketCreated, TicketIn

router = APIRouter(prefix="/api", tags=["support"])


@router.post(
    "/tickets",
    response_model=TicketCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Transmettre la conversation au support",
    description="Crée un ticket à partir d'une réponse de l'appelant : sa question, la "
    "conversation (données personnelles masquées), la session, les sources montrées et la "
    "raison pour laquelle l'assistant n'a pas pu répondre. Le tri et l'envoi au webhook du "
    "support se font après la réponse.",
    responses=problem_responses(401, 404, 422, 429),
)
async def create_ticket(
    body: TicketIn,
    request: Request,
    background: BackgroundTasks,
    principal: RateLimitedDep,
    runtime: RuntimeDep,
) -> TicketCreated:
    sources = [source.model_dump() for source in body.sources]
    ticket = runtime.tickets.create(principal, body.answer_id, body.session_id, sources)
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Cette réponse est introuvable.")
    background.add_task(runtime.tickets.process, ticket)
    note(request, ticket=ticket.reference)
    return TicketCreated(
        ticket=ticket.reference,
        message=f"Votre demande a été transmise à l'équipe support de Mentor. Numéro de "
        f"ticket : {ticket.reference}. Rappelez-le si vous écrivez au support.",
    )
