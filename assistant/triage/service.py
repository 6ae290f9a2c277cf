"""Triage of one request: category, entity, urgency, redacted summary, a drafted reply with
its sources, and the similar requests the desk received lately."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.errors import GeneratorError
from assistant.evidence import EvidencePolicy
from assistant.privacy import redact
from assistant.service import AnswerService
from assistant.settings import Settings
from assistant.shorthand import without_hosts
from assistant.storage import SECONDS_PER_DAY, Storage
from assistant.triage.classifier import Method, TextClassifier, embed, trained_classifier
from assistant.triage.dataset import request_text
from assistant.triage.entities import DomainTable, Entity
from assistant.triage.summary import summarize
from assistant.triage.taxonomy import Category
from assistant.triage.urgency import UrgencyAssessment, assess
from assistant.types import Citation
from knowledge.calibration import calibration
from knowledge.language import detect_language
from knowledge.types import Scope
from knowledge.wiring import Knowledge

# Passages looked at for the draft's confidence and, below the threshold, shown instead.
_SOURCES_K = 5
_MAX_SOURCES = 3
_MAX_SIMILAR = 5
# The question handed to the answer service: long mails are cut, the subject leads.
_MAX_QUESTION_CHARS = 1000
# Two requests are on the same problem above the embedder's same_request_cosine
# (knowledge/calibration.py). Measured on the shipped requests, share of pairs above it,
# same category vs different categories: lite at 0.6, 0.9 % vs 0.04 % (median
# same-category pair 0.26); EmbeddingGemma at 0.7, 2.3 % vs 0.06 % (median 0.50). Only
# near-rewordings pass.


@dataclass(frozen=True, slots=True)
class TriageRequest:
    subject: str
    body: str
    email: str | None = None
    session_id: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class SimilarRequest:
    request_id: str
    category: str
    summary: str
    score: float
    created: float


@dataclass(frozen=True, slots=True)
class Triage:
    request_id: str
    category: Category
    confidence: float
    entity: Entity
    urgency: UrgencyAssessment
    summary: str
    # None below the confidence threshold: the citations are then only the sources to read.
    suggested_reply: str | None
    reply_confidence: float
    citations: tuple[Citation, ...]
    similar: tuple[SimilarRequest, ...]


class Triager:
    def __init__(
        self,
        knowledge: Knowledge,
        service: AnswerService,
        storage: Storage,
        settings: Settings,
        domains: DomainTable,
    ) -> None:
        self._knowledge = knowledge
        self._service = service
        self._storage = storage
        self._settings = settings
        self._domains = domains
        self._own_hosts = settings.platform_hosts()
        embedder = knowledge.searcher.embedder
        self._evidence = EvidencePolicy.for_embedder(
            embedder.model_id, settings.service.min_evidence_score
        )
        self._similar_min = (
            settings.triage.similar_min_score or calibration(embedder.model_id).same_request_cosine
        )
        self._classifier: TextClassifier | None = None
        self._training = threading.Lock()

    @property
    def domains(self) -> DomainTable:
        return self._domains

    def classifier(self) -> TextClassifier:
        """Trained on first use (seconds to a minute, then cached on disk), so that the
        service starts at once."""
        with self._training:
            if self._classifier is None:
                self._classifier = trained_classifier(
                    self._knowledge.searcher.embedder,
                    Method(self._settings.triage.classifier),
                    self._settings.knowledge.data_dir / "triage",
                )
            return self._classifier

    async def triage(self, request: TriageRequest, scope: Scope, record: bool = True) -> Triage:
        """``scope`` is the caller's (``assistant.auth.scope_for``); a request sent from a
        session narrows it to what that session's learners may read."""
        request_id = request.request_id or uuid.uuid4().hex[:12]
        text = request_text(request.subject, request.body)
        classifier = await asyncio.to_thread(self.classifier)
        vector = await asyncio.to_thread(embed, self._knowledge.searcher.embedder, [text])
        prediction = classifier.predict_embedded(vector, [text])[0]
        summary = summarize(request.subject, request.body)
        similar = self._similar(vector[0], request_id)
        if request.session_id:
            scope = scope.narrowed(self._knowledge.catalog.expand_sessions({request.session_id}))
        reply, reply_confidence, citations = await self._draft(request, scope)
        if record:
            self._storage.requests.record(
                request_id, prediction.category.value, summary, vector[0].tolist()
            )
        return Triage(
            request_id=request_id,
            category=prediction.category,
            confidence=round(prediction.confidence, 3),
            entity=self._domains.entity_for(request.email),
            urgency=assess(text),
            summary=summary,
            suggested_reply=reply,
            reply_confidence=round(reply_confidence, 3),
            citations=citations,
            similar=similar,
        )

    async def _draft(
        self, request: TriageRequest, scope: Scope
    ) -> tuple[str | None, float, tuple[Citation, ...]]:
        question = redact(f"{request.subject.strip()}. {request.body.strip()}")
        question = without_hosts(question, self._own_hosts)
        question = question[:_MAX_QUESTION_CHARS]
        hits = await asyncio.to_thread(self._knowledge.searcher.search, question, scope, _SOURCES_K)
        evidence = self._evidence.decide(question, hits, detect_language(question))
        confidence = round(evidence.probability, 3)
        sources = tuple(Citation.of(index, hit) for index, hit in enumerate(hits[:_MAX_SOURCES], 1))
        # A draft wherever the learner would get an answer (an agent reviews it anyway).
        threshold = self._settings.triage.reply_min_score or self._evidence.hedge_at
        if confidence < threshold:
            return None, confidence, sources
        try:
            answer = await self._service.answer(question, scope, language="fr")
        except GeneratorError:
            return None, confidence, sources
        if answer.refused or not answer.citations:
            return None, confidence, sources
        return answer.text, confidence, answer.citations

    def _similar(self, vector: np.ndarray, request_id: str) -> tuple[SimilarRequest, ...]:
        since = time.time() - self._settings.triage.similar_days * SECONDS_PER_DAY
        recent = [r for r in self._storage.requests.recent(since) if r.request_id != request_id]
        if not recent:
            return ()
        matrix = np.asarray([r.vector for r in recent], dtype=np.float64)
        scores = matrix @ vector / np.maximum(np.linalg.norm(matrix, axis=1), 1e-9)
        ranked = sorted(zip(scores.tolist(), recent, strict=True), key=lambda p: -p[0])
        return tuple(
            SimilarRequest(r.request_id, r.category, r.summary, round(score, 3), r.created)
            for score, r in ranked[:_MAX_SIMILAR]
            if score >= self._similar_min
        )


def triage_many(triager: Triager, requests: Sequence[TriageRequest], scope: Scope) -> list[Triage]:
    """In order, each one recorded before the next, so a batch finds its own duplicates."""

    async def run() -> list[Triage]:
        return [await triager.triage(request, scope) for request in requests]

    return asyncio.run(run())
