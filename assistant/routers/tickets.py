"""`POST /api/tickets`: the learner asks the support desk for help after an answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, Response, status

from assistant.auth import scope_for
from assistant.routers import PrincipalDep, RuntimeDep, note
from assistant.schemas import problem_responses
from assistant.triage.schemas import TicketCreated, TicketIn
from assistant.triage.tickets import TicketDesk

router = APIRouter(prefix="/api", tags=["support"])


def get_desk(request: Request) -> TicketDesk:
    desk: TicketDesk = request.app.state.tickets
    return desk


DeskDep = Annotated[TicketDesk, Depends(get_desk)]


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
    principal: PrincipalDep,
    runtime: RuntimeDep,
    desk: DeskDep,
) -> TicketCreated:
    runtime.limiter.hit(principal.user_id)
    exchange = runtime.storage.exchange(body.answer_id, principal.user_id)
    if exchange is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Cette réponse est introuvable.")
    # The session is display data from the page: kept only when the token covers it.
    session = body.session_id if body.session_id in principal.session_ids else None
    if session is None and len(principal.session_ids) == 1:
        (session,) = principal.session_ids
    sources = [source.model_dump() for source in body.sources]
    ticket, created = desk.open(body.answer_id, principal.user_id, session, exchange, sources)
    if created:
        background.add_task(desk.process, ticket, scope_for(principal, runtime.knowledge.catalog))
    else:
        response.status_code = status.HTTP_200_OK  # the same ticket, already on its way
    note(request, ticket=ticket.reference, ticket_created=created)
    return TicketCreated(
        ticket=ticket.reference,
        message=f"Votre demande a été transmise à l'équipe support de Mentor. Numéro de "
        f"ticket : {ticket.reference}. Rappelez-le si vous écrivez au support.",
    )
