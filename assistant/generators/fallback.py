"""A remote generator backed by the extractive one, so a learner never gets a 500.

* The primary fails before its first piece of text (timeout, 429/5xx after its retries,
  bad key): the fallback's answer is streamed instead, seamlessly. The stream's
  ``answered_by`` then names the fallback, and the service records it in ``Answer.generator``.
* The primary fails after some text was streamed: the error is raised, not papered over.
  Splicing another backend's answer onto half a sentence would read as one confused
  answer. The service catches it and ends the stream with a ``done`` event whose answer is
  the extractive one, introduced by a note saying the first answer was interrupted; the
  ``done`` answer replaces the streamed text on the client, as it always does.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Sequence

from assistant.errors import GeneratorError
from assistant.protocols import Generator
from assistant.types import Citation, Turn

logger = logging.getLogger(__name__)


class FallbackGenerator:
    def __init__(self, primary: Generator, fallback: Generator) -> None:
        self.primary = primary
        self.fallback = fallback

    @property
    def name(self) -> str:
        return self.primary.name

    def stream(
        self, question: str, citations: Sequence[Citation], history: Sequence[Turn], language: str
    ) -> FallbackStream:
        return FallbackStream(self, question, citations, history, language)

    async def aclose(self) -> None:
        try:
            await self.primary.aclose()
        finally:
            await self.fallback.aclose()


class FallbackStream(AsyncIterator[str]):
    """The pieces of one answer, and which backend wrote them."""

    def __init__(
        self,
        generator: FallbackGenerator,
        question: str,
        citations: Sequence[Citation],
        history: Sequence[Turn],
        language: str,
    ) -> None:
        self.answered_by = generator.primary.name
        self._pieces = self._run(generator, question, citations, history, language)

    async def __anext__(self) -> str:
        return await self._pieces.__anext__()

    async def aclose(self) -> None:
        await self._pieces.aclose()

    async def _run(
        self,
        generator: FallbackGenerator,
        question: str,
        citations: Sequence[Citation],
        history: Sequence[Turn],
        language: str,
    ) -> AsyncGenerator[str, None]:
        primary = generator.primary.stream(question, citations, history, language)
        started = False
        try:
            async for piece in primary:
                started = True
                yield piece
            return
        except GeneratorError as error:
            if started:
                raise
            logger.warning(
                "%s failed (%s); answering with %s",
                self.answered_by,
                error,
                generator.fallback.name,
            )
        finally:
            await close(primary)
        self.answered_by = generator.fallback.name
        async for piece in generator.fallback.stream(question, citations, history, language):
            yield piece


async def close(pieces: AsyncIterator[str]) -> None:
    """Close an iterator that holds resources (an HTTP stream); plain iterators hold none."""
    aclose = getattr(pieces, "aclose", None)
    if aclose is not None:
        await aclose()
