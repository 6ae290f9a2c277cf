"""Search: retrieval only, within the caller's scope."""

from __future__ import annotations

import asyncio

from knowledge.search import Searcher
from knowledge.types import Hit, Scope


class SearchService:
    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher

    async def search(self, query: str, scope: Scope, k: int) -> list[Hit]:
        # Embedding the query is CPU work: keep it off the event loop.
        return await asyncio.to_thread(self._searcher.search, query, scope, k)
