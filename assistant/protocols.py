"""The swappable answer generator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol, runtime_checkable

from assistant.types import Citation, Turn


@runtime_checkable
class Generator(Protocol):
    @property
    def name(self) -> str: ...

    def stream(
        self, question: str, citations: Sequence[Citation], history: Sequence[Turn], language: str
    ) -> AsyncIterator[str]:
        """Answer text in pieces, citing sources as [n] (``Citation.index``), grounded only
        in ``citations``. Raises ``assistant.errors.GeneratorError`` when the backend fails."""
        ...

    async def aclose(self) -> None:
        """Release what the backend holds open (its HTTP connections), at shutdown."""
        ...
