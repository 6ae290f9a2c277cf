"""Escalations from the widget become tickets: stored at once (the learner gets its number),
then triaged and pushed to the desk's tool after the response."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from assistant.auth import Principal
from assistant.storage import Storage, Ticket
from assistant.triage.entities import Entity
from assistant.triage.schemas import TriageOut
from assistant.triage.service import Triager, TriageRequest
from assistant.types import RefusalReason
from assistant.webhook import TICKET_CREATED, Webhook
from knowledge.types import Scope

logger = logging.getLogger(__name__)

UNKNOWN_ENTITY = "non communiquée"
# Only the learner's turns are triaged: the assistant's refusal text would pull every
# ticket towards the same category.
_MAX_TURNS = 6


class TicketStatus(StrEnum):
    NEW = "nouveau"
    IN_PROGRESS = "en_cours"
    RESOLVED = "resolu"

    @property
    def label(self) -> str:
        return {"nouveau": "Nouveau", "en_cours": "En cours", "resolu": "Résolu"}[self.value]


REASONS = {
    RefusalReason.NO_EVIDENCE: "Aucune source suffisante dans la base de connaissances.",
    RefusalReason.OUT_OF_SCOPE: "Question hors du périmètre de l'assistant.",
    RefusalReason.GRADED_ANSWERS: "Réponses d'évaluation, que l'assistant ne donne pas.",
    RefusalReason.PROMPT_INJECTION: "Message refusé par le filtre de sécurité.",
    RefusalReason.EMPTY_QUESTION: "Question vide.",
}
ANSWERED = "Une réponse a été donnée, mais l'apprenant demande l'aide du support."


def reason_text(refused: str | None) -> str:
    return REASONS.get(RefusalReason(refused), ANSWERED) if refused else ANSWERED


class TicketDesk:
    def __init__(self, storage: Storage, triager: Triager, webhook: Webhook | None) -> None:
        self._storage = storage
        self._triager = triager
        self._webhook = webhook

    def create(
        self,
        principal: Principal,
        answer_id: str,
        session_id: str | None,
        sources: Sequence[Mapping[str, str | None]],
    ) -> tuple[Ticket, bool] | None:
        """The ticket on one of the caller's own answers, and whether it is new (only a new
        one is triaged and sent); None when the answer is unknown, purged or someone else's.
        One ticket per answer: asked again, the first one comes back."""
        exchange = self._storage.conversations.exchange(answer_id, principal.user_id)
        if exchange is None:
            return None
        # The session is display data from the page: kept only when the token covers it.
        session = session_id if session_id in principal.session_ids else None
        if session is None and len(principal.session_ids) == 1:
            (session,) = principal.session_ids
        return self._storage.tickets.open(
            answer_id,
            principal.user_id,
            session,
            exchange.question,
            exchange.turns[-2 * _MAX_TURNS :],
            sources,
            reason_text(exchange.refused),
        )

    def entity_of(self, principal: Principal) -> Entity:
        """The learner's entity from their token: named by the LMS, or looked up from their
        e-mail domain like a triaged request; unknown when the token says nothing."""
        if principal.entity:
            return Entity(principal.entity, None, in_scope=True)
        if principal.entity_domain:
            return self._triager.domains.entity_for_domain(principal.entity_domain)
        return Entity(UNKNOWN_ENTITY, None, in_scope=True)

    async def process(self, ticket: Ticket, scope: Scope, entity: Entity) -> None:
        """Triage and push; runs after the response, so it logs rather than raises.
        ``scope`` is the learner's, as for their answers: the drafted reply, shown to an
        agent who may send it on, quotes nothing the learner could not read."""
        try:
            asked = [turn.content for turn in ticket.conversation if turn.role == "user"]
            triage = await self._triager.triage(
                TriageRequest(
                    "",
                    "\n".join(asked[-_MAX_TURNS:]) or ticket.question,
                    session_id=ticket.session_id,
                    request_id=ticket.reference,
                ),
                scope,
            )
            triaged = TriageOut.of(triage).model_dump(mode="json")
            # From the token, not from the text: the triage saw no e-mail address.
            triaged["entity"] = {
                "name": entity.label,
                "domain": entity.domain,
                "in_scope": entity.in_scope,
            }
            self._storage.tickets.set_triage(
                ticket.number,
                triage.category.value,
                entity.label,
                triage.urgency.level.value,
                triaged,
            )
        except Exception:
            logger.exception("triage of ticket %s failed", ticket.reference)
            triaged = None
        if self._webhook is None:
            return
        await self._webhook.send(
            TICKET_CREATED, {"ticket": ticket_payload(ticket, triaged)}, ticket.reference
        )


def ticket_payload(ticket: Ticket, triage: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        "reference": ticket.reference,
        "number": ticket.number,
        "created": ticket.created,
        "status": ticket.status,
        "session_id": ticket.session_id,
        "question": ticket.question,
        "conversation": [{"role": t.role, "content": t.content} for t in ticket.conversation],
        "sources": list(ticket.sources),
        "reason": ticket.reason,
        "triage": triage,
    }
