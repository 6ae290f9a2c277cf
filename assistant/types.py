"""What flows through the answer pipeline and out of the service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from knowledge.types import Hit


class RefusalReason(StrEnum):
    NO_EVIDENCE = "no_evidence"
    OUT_OF_SCOPE = "out_of_scope"
    GRADED_ANSWERS = "graded_answers"
    PROMPT_INJECTION = "prompt_injection"
    EMPTY_QUESTION = "empty_question"


class Confidence(StrEnum):
    """How sure an answer is. Low: given with a hedge, the source cited, support offered."""

    HIGH = "high"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source: ``[n]`` in the answer text refers to ``index == n``."""

    index: int
    document_id: str
    chunk_id: str
    title: str
    passage: str
    source: str
    kind: str
    url: str | None = None
    page: int | None = None
    # The section headings above the passage, outermost first.
    headings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """What names the source to a reader: its title, or its file when it has none."""
        return self.title or self.source

    @classmethod
    def of(cls, index: int, hit: Hit) -> Citation:
        chunk = hit.chunk
        return cls(
            index=index,
            document_id=chunk.document_id,
            chunk_id=chunk.chunk_id,
            title=chunk.title,
            passage=chunk.text,
            source=chunk.source,
            kind=chunk.kind.value,
            url=chunk.url,
            page=chunk.page,
            headings=chunk.heading_path,
        )


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    citations: tuple[Citation, ...]
    language: str = "fr"
    refused: RefusalReason | None = None
    escalation: bool = False
    # None for a refusal.
    confidence: Confidence | None = None
    # The assistant's own sentences around a hedged answer (the doubt, the support offer),
    # as they appear in ``text``: they quote no source.
    own_words: tuple[str, ...] = ()
    standalone_query: str = ""
    generator: str = ""
    # Sentences the post-check could not tie to any cited passage.
    unsupported_sentences: tuple[str, ...] = ()
    # FAQ entries the generator was given and the answer does not quote: nearly as close to
    # the question as the one answered, so questions the learner may have meant.
    related: tuple[Citation, ...] = ()
    timings_ms: Mapping[str, float] = field(default_factory=dict)


# -- streaming events: `citations`, then `token`…, then `done` (or a terminal `error`) ---------


@dataclass(frozen=True, slots=True)
class CitationsEvent:
    """The numbered passages the generator is given; ``[n]`` in tokens refers to them."""

    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class TokenEvent:
    text: str


@dataclass(frozen=True, slots=True)
class DoneEvent:
    """The authoritative answer. The post-check keeps only the cited sources and renumbers
    them, so its text and citations replace what the tokens and the citations event showed."""

    answer: Answer


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """Terminal: nothing could be answered. ``message`` is French and safe to show."""

    message: str


StreamEvent = CitationsEvent | TokenEvent | DoneEvent | ErrorEvent
