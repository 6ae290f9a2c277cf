"""The assistant's SQL database, one module per aggregate: conversations (and feedback),
tickets, triaged requests, LTI platforms, retention; ``schema`` holds the tables and the engine."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from assistant.storage.conversations import (
    GAP_REFUSALS,
    Conversation,
    Conversations,
    Erased,
    Exchange,
    GapQuestion,
)
from assistant.storage.lti_platforms import LtiPlatforms, Platform
from assistant.storage.requests import Requests, TriagedRequest
from assistant.storage.retention import SECONDS_PER_DAY, Purged, purge
from assistant.storage.schema import database_url, migrate, open_engine
from assistant.storage.tickets import Ticket, TicketFilter, Tickets, ticket_reference

__all__ = [
    "GAP_REFUSALS",
    "SECONDS_PER_DAY",
    "Conversation",
    "Conversations",
    "Erased",
    "Exchange",
    "GapQuestion",
    "LtiPlatforms",
    "Platform",
    "Purged",
    "Requests",
    "Storage",
    "Ticket",
    "TicketFilter",
    "Tickets",
    "TriagedRequest",
    "database_url",
    "ticket_reference",
]


class Storage:
    """``target``: a SQLite file, or a database URL (``sqlite:///…``, ``postgresql://…``)."""

    def __init__(self, target: Path | str) -> None:
        self._engine = open_engine(target)
        migrate(self._engine)
        self.conversations = Conversations(self._engine)
        self.tickets = Tickets(self._engine)
        self.requests = Requests(self._engine)
        self.lti_platforms = LtiPlatforms(self._engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def purge(self, older_than_days: int) -> Purged:
        return purge(self._engine, older_than_days)

    def close(self) -> None:
        self._engine.dispose()
