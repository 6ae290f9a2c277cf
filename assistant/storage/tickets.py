"""Tickets: a learner's escalation to the support desk, with its triage once done."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assistant.privacy import redact
from assistant.storage.schema import tickets
from assistant.types import Turn

_FILTERABLE = {
    "category": tickets.c.category,
    "entity": tickets.c.entity,
    "urgency": tickets.c.urgency,
    "status": tickets.c.status,
}


@dataclass(frozen=True, slots=True)
class Ticket:
    number: int
    user_id: str
    session_id: str | None
    question: str
    conversation: tuple[Turn, ...]
    sources: tuple[Mapping[str, str | None], ...]
    reason: str | None
    status: str
    created: float
    category: str | None = None
    entity: str | None = None
    urgency: str | None = None
    # The triage as the desk's API shows it (JSON), once done.
    triage: Mapping[str, Any] | None = None

    @property
    def reference(self) -> str:
        return ticket_reference(self.number)


def ticket_reference(number: int) -> str:
    return f"MA-{number:06d}"


@dataclass(frozen=True, slots=True)
class TicketFilter:
    category: str | None = None
    entity: str | None = None
    urgency: str | None = None
    status: str | None = None


class Tickets:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open(
        self,
        answer_id: str,
        user_id: str,
        session_id: str | None,
        question: str,
        conversation: Sequence[Turn],
        sources: Sequence[Mapping[str, str | None]],
        reason: str | None,
    ) -> tuple[Ticket, bool]:
        """The ticket opened from ``answer_id``, and whether this call created it: asking
        again for the same answer (a second click, a retry) returns the first ticket."""
        existing = self.for_answer(answer_id)
        if existing is not None:
            return existing, False
        try:
            ticket = self.create(
                user_id, session_id, question, conversation, sources, reason, answer_id=answer_id
            )
        except sa.exc.IntegrityError:
            # Two requests for the same answer at once: the other one created it.
            raced = self.for_answer(answer_id)
            if raced is None:
                raise
            return raced, False
        return ticket, True

    def for_answer(self, answer_id: str) -> Ticket | None:
        with self._engine.connect() as db:
            row = db.execute(sa.select(tickets).where(tickets.c.answer_id == answer_id)).first()
        return _ticket(row._mapping) if row else None

    def create(
        self,
        user_id: str,
        session_id: str | None,
        question: str,
        conversation: Sequence[Turn],
        sources: Sequence[Mapping[str, str | None]],
        reason: str | None,
        *,
        answer_id: str | None = None,
    ) -> Ticket:
        now = time.time()
        turns = tuple(Turn(turn.role, redact(turn.content)) for turn in conversation)
        with self._engine.begin() as db:
            number = db.execute(
                tickets.insert()
                .values(
                    answer_id=answer_id,
                    user_id=user_id,
                    session_id=session_id,
                    question=redact(question),
                    conversation=json.dumps(
                        [{"role": t.role, "content": t.content} for t in turns], ensure_ascii=False
                    ),
                    sources=json.dumps(list(sources), ensure_ascii=False),
                    reason=reason,
                    status="nouveau",
                    created=now,
                )
                .returning(tickets.c.id)
            ).scalar_one()
        return Ticket(
            number, user_id, session_id, redact(question), turns, tuple(sources), reason,
            "nouveau", now,
        )  # fmt: skip

    def set_triage(
        self, number: int, category: str, entity: str, urgency: str, triage: Mapping[str, Any]
    ) -> None:
        with self._engine.begin() as db:
            db.execute(
                tickets.update()
                .where(tickets.c.id == number)
                .values(
                    category=category,
                    entity=entity,
                    urgency=urgency,
                    triage=json.dumps(triage, ensure_ascii=False),
                )
            )

    def set_status(self, number: int, status: str) -> bool:
        with self._engine.begin() as db:
            result = db.execute(
                tickets.update().where(tickets.c.id == number).values(status=status)
            )
        return result.rowcount == 1

    def get(self, number: int) -> Ticket | None:
        with self._engine.connect() as db:
            row = db.execute(sa.select(tickets).where(tickets.c.id == number)).first()
        return _ticket(row._mapping) if row else None

    def matching(self, where: TicketFilter = TicketFilter(), limit: int = 200) -> list[Ticket]:
        query = sa.select(tickets).order_by(tickets.c.id.desc()).limit(limit)
        for name, column in _FILTERABLE.items():
            value = getattr(where, name)
            if value:
                query = query.where(column == value)
        with self._engine.connect() as db:
            rows = db.execute(query).all()
        return [_ticket(row._mapping) for row in rows]

    def values(self, column: str) -> list[str]:
        """The values a ticket filter can take, from the tickets there are."""
        field = _FILTERABLE[column]
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(field).distinct().where(field.is_not(None)).order_by(field)
            ).all()
        return [value for (value,) in rows]


def _ticket(row: sa.RowMapping) -> Ticket:
    return Ticket(
        number=row["id"],
        user_id=row["user_id"],
        session_id=row["session_id"],
        question=row["question"],
        conversation=tuple(Turn(t["role"], t["content"]) for t in json.loads(row["conversation"])),
        sources=tuple(json.loads(row["sources"])),
        reason=row["reason"],
        status=row["status"],
        created=row["created"],
        category=row["category"],
        entity=row["entity"],
        urgency=row["urgency"],
        triage=json.loads(row["triage"]) if row["triage"] else None,
    )
