"""The support desk's pages: tickets to work on, and the questions the knowledge base missed."""

from __future__ import annotations

import asyncio
import time

from assistant.storage import SECONDS_PER_DAY, Ticket, TicketFilter, Tickets
from assistant.storage.conversations import Conversations
from assistant.triage.gaps import GapCluster, cluster_gaps
from knowledge.protocols import Embedder


class DeskService:
    def __init__(
        self,
        tickets: Tickets,
        conversations: Conversations,
        embedder: Embedder,
        retention_days: int,
    ) -> None:
        self._tickets = tickets
        self._conversations = conversations
        self._embedder = embedder
        self.retention_days = retention_days

    def tickets(self, where: TicketFilter) -> list[Ticket]:
        return self._tickets.matching(where)

    def entities(self) -> list[str]:
        return self._tickets.values("entity")

    def set_status(self, number: int, status: str) -> bool:
        return self._tickets.set_status(number, status)

    async def gaps(self, days: int) -> list[GapCluster]:
        # Embedding the period's questions takes a while with EmbeddingGemma: off the loop.
        return await asyncio.to_thread(self._gaps, days)

    def _gaps(self, days: int) -> list[GapCluster]:
        questions = self._conversations.gap_questions(time.time() - days * SECONDS_PER_DAY)
        return cluster_gaps(questions, self._embedder)
