"""`POST /api/tickets`: the learner asks the support desk for help after an answer."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response, status

from assistant.routers import RateLimitedDep, RuntimeDep, ScopeDep, note
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
    "support se font après la réponse. Un seul ticket par réponse : redemandé, le même ticket "
    "revient (200).",
    responses=problem_responses(401, 404, 422, 429),
)
async def create_ticket(
    body: TicketIn,
    request: Request,
    background: BackgroundTasks,
    response: Response,
    principal: RateLimitedDep,
    scope: ScopeDep,
    runtime: RuntimeDep,
) -> TicketCreated:
    sources = [source.model_dump() for source in body.sources]
    opened = runtime.tickets.create(principal, body.answer_id, body.session_id, sources)
    if opened is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Cette réponse est introuvable.")
    ticket, created = opened
    if created:
        # The draft is searched within the learner's own scope, as their answers are.
        background.add_task(
            runtime.tickets.process, ticket, scope, runtime.tickets.entity_of(principal)
        )
    else:
        response.status_code = status.HTTP_200_OK  # the same ticket, already on its way
    note(request, ticket=ticket.reference, ticket_created=created)
    return TicketCreated(
        ticket=ticket.reference,
        message=f"Votre demande a été transmise à l'équipe support de Mentor. Numéro de "
        f"ticket : {ticket.reference}. Rappelez-le si vous écrivez au support.",
    )
