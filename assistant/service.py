"""The answer pipeline: guard, condense, retrieve, check the evidence, generate, post-check.

One implementation, two shapes: ``stream`` yields events for SSE (``citations``, then
``token``…, then ``done``), ``answer`` drains the same stream for JSON and the CLI, so both
always agree. Refusals are streamed like answers, so a client has one path to render.

Retrieved passages are data. They reach the extractive generator, which only quotes
them, or the LLM prompt, which fences them and says they are not instructions; the
decisions (refuse, what to cite) are made from the learner's words and from scores, never
from text a document contains.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing

from assistant import replies
from assistant.coalesce import coalesce
from assistant.condense import standalone_query
from assistant.errors import GeneratorError
from assistant.evidence import EvidencePolicy
from assistant.generators.extractive import ExtractiveGenerator
from assistant.generators.fallback import FallbackStream
from assistant.guard import Verdict, classify, reply_language
from assistant.postcheck import check
from assistant.protocols import Generator
from assistant.settings import Settings
from assistant.shorthand import spelled_out, without_hosts
from assistant.types import (
    Answer,
    Citation,
    CitationsEvent,
    Confidence,
    DoneEvent,
    ErrorEvent,
    RefusalReason,
    StreamEvent,
    TokenEvent,
    Turn,
)
from knowledge.language import detect_language
from knowledge.types import Hit, Kind, Scope
from knowledge.wiring import Knowledge

logger = logging.getLogger(__name__)

# Candidates looked at by the evidence check; the policy keeps the few worth citing.
_RETRIEVE_K = 8
_REFUSED_BY = "refusal"
# The pieces a generator streams within this long after an event go out as one event
# (assistant/coalesce.py): 20 updates a second at most, which reads as fluid.
_TOKEN_WINDOW_S = 0.05
_UPFRONT = {
    Verdict.EMPTY: RefusalReason.EMPTY_QUESTION,
    Verdict.INJECTION: RefusalReason.PROMPT_INJECTION,
    Verdict.OUT_OF_SCOPE: RefusalReason.OUT_OF_SCOPE,
}


class AnswerService:
    def __init__(self, knowledge: Knowledge, generator: Generator, settings: Settings) -> None:
        self._knowledge = knowledge
        self._generator = generator
        self._settings = settings
        self._extractive = ExtractiveGenerator()
        self._own_hosts = settings.platform_hosts()
        self._evidence = EvidencePolicy.for_embedder(
            knowledge.searcher.embedder.model_id, settings.service.min_evidence_score
        )

    @property
    def generator_name(self) -> str:
        return self._generator.name

    async def answer(
        self,
        question: str,
        scope: Scope,
        history: Sequence[Turn] = (),
        language: str | None = None,
    ) -> Answer:
        """The whole answer at once. Raises ``GeneratorError`` only if nothing could answer."""
        async with aclosing(self.stream(question, scope, history, language)) as events:
            async for event in events:
                if isinstance(event, DoneEvent):
                    return event.answer
                if isinstance(event, ErrorEvent):
                    raise GeneratorError(event.message)
        raise GeneratorError(replies.GENERATION_FAILED)

    async def stream(
        self,
        question: str,
        scope: Scope,
        history: Sequence[Turn] = (),
        language: str | None = None,
    ) -> AsyncGenerator[StreamEvent, None]:
        """``scope`` is already expanded (a parcours reaches the sessions it reuses)."""
        lang = reply_language(question, language)
        # The lexical evidence needs the question's own language, whatever the reply's.
        asked_in = detect_language(question)
        verdict = classify(question)
        if verdict in _UPFRONT:
            for event in self._refusal(_UPFRONT[verdict], lang, question):
                yield event
            return

        query = standalone_query(spelled_out(without_hosts(question, self._own_hosts)), history)
        started = time.perf_counter()
        hits = await asyncio.to_thread(self._knowledge.searcher.search, query, scope, _RETRIEVE_K)
        timings = {"retrieve": _ms_since(started)}
        if verdict is Verdict.GRADED:
            for event in self._graded_refusal(hits, lang, asked_in, query, timings):
                yield event
            return
        evidence = self._evidence.decide(query, hits, asked_in)
        if evidence.refused:
            suggested = tuple(Citation.of(n, hit) for n, hit in enumerate(evidence.suggested, 1))
            for event in self._refusal(RefusalReason.NO_EVIDENCE, lang, query, timings, suggested):
                yield event
            return

        cited = await asyncio.to_thread(self._knowledge.searcher.continued, evidence.hits, scope)
        citations = tuple(Citation.of(index, hit) for index, hit in enumerate(cited, 1))
        yield CitationsEvent(citations)
        hedged = evidence.confidence is Confidence.LOW
        lead_in = replies.hedge_lead_in(citations[0].kind, lang) if hedged else ""
        if lead_in:
            yield TokenEvent(f"{lead_in}\n\n")
        started = time.perf_counter()
        pieces: list[str] = []
        stream = self._generator.stream(query, citations, history, lang)
        shown = coalesce(stream, _TOKEN_WINDOW_S)
        try:
            async for piece in shown:
                pieces.append(piece)
                yield TokenEvent(piece)
        except GeneratorError as error:
            if not pieces:
                logger.error("generation failed before any text: %s", error)
                yield ErrorEvent(replies.GENERATION_FAILED)
                return
            logger.warning("generation broke mid-answer, answering extractively: %s", error)
            note = replies.INTERRUPTED[lang]
            body = await _collect(self._extractive.stream(query, citations, history, lang))
            pieces, answered_by = [note, "\n\n", body], self._extractive.name
        else:
            answered_by = (
                stream.answered_by if isinstance(stream, FallbackStream) else self._generator.name
            )
        finally:
            # Closes ``stream`` too, once its reader has stopped.
            await shown.aclose()
        timings["generate"] = _ms_since(started)
        checked = check("".join(pieces).strip(), citations)
        text = checked.text
        support = ""
        if hedged:
            # Our own words around the quoted answer: outside the post-check, which judges
            # what the sources support.
            support = replies.hedge_support(lang, self._settings.service.support_url)
            yield TokenEvent(f"\n\n{support}")
            text = f"{lead_in}\n\n{text}\n\n{support}"
        yield DoneEvent(
            Answer(
                text=text,
                citations=checked.citations,
                language=lang,
                escalation=hedged,
                confidence=evidence.confidence,
                own_words=(lead_in, support) if hedged else (),
                standalone_query=query,
                generator=answered_by,
                unsupported_sentences=checked.unsupported_sentences,
                related=checked.related,
                timings_ms=timings,
            )
        )

    def _refusal(
        self,
        reason: RefusalReason,
        language: str,
        query: str,
        timings: dict[str, float] | None = None,
        citations: tuple[Citation, ...] = (),
        text: str | None = None,
    ) -> list[StreamEvent]:
        escalation = reason is RefusalReason.NO_EVIDENCE
        text = text or replies.refusal(
            reason,
            language,
            self._settings.service.support_url,
            escalation,
            [citation.label for citation in citations],
        )
        answer = Answer(
            text=text,
            citations=citations,
            language=language,
            refused=reason,
            escalation=escalation,
            standalone_query=query,
            generator=_REFUSED_BY,
            timings_ms=timings or {},
        )
        return [CitationsEvent(citations), *map(TokenEvent, _words(text)), DoneEvent(answer)]

    def _graded_refusal(
        self,
        hits: Sequence[Hit],
        language: str,
        asked_in: str,
        query: str,
        timings: dict[str, float],
    ) -> list[StreamEvent]:
        """No graded answers, but the course section that teaches the notion, cited."""
        evidence = self._evidence.select(query, hits, asked_in)
        course = next((hit for hit in evidence if hit.chunk.kind is Kind.COURSE), None)
        citations = (Citation.of(1, course),) if course else ()
        text = replies.graded_refusal(course.chunk.title if course else None, language)
        return self._refusal(
            RefusalReason.GRADED_ANSWERS, language, query, timings, citations, text
        )


async def _collect(pieces: AsyncIterator[str]) -> str:
    return "".join([piece async for piece in pieces])


def _words(text: str) -> list[str]:
    words = text.split(" ")
    return [word + " " for word in words[:-1]] + words[-1:]


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
