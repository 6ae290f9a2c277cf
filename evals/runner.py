"""Run a question set through the service's full pipeline on the currently indexed data.

Each item is asked as a learner holding a token for its ``scope.session_ids`` would ask it:
the scope comes from ``assistant.auth.scope_for`` (global knowledge plus those sessions
and, through the catalog, the sessions a parcours reuses), and the question goes through
``AnswerService.stream``, the very pipeline behind ``answer`` and the HTTP API (guard,
condensation, retrieval, evidence check and refusals, generation, post-check). The stream
is read rather than ``answer`` because its ``citations`` event holds the passages the
generator was given: the evidence that ``answer.faithfulness`` is measured against.

Retrieval metrics need a ranking deeper than what the service keeps (it cites a few
passages, and only those the answer uses), so each item is also searched separately with
the service's own standalone query and scope, ``max(k, 10)`` deep. The service ranks with
the same ``Searcher`` and no reranker, so the head of this ranking is what it saw. An item
refused before retrieval (injection, out of scope) is still searched: if it was answerable,
that refusal shows in ``refusal.false``, not as a retrieval miss.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.auth import Principal, Role, scope_for
from assistant.protocols import Generator
from assistant.service import AnswerService
from assistant.settings import Settings
from assistant.types import CitationsEvent, DoneEvent, ErrorEvent
from assistant.wiring import build_answer_service
from evals.dataset import Dataset, EvalItem, load_dataset
from evals.judge import MistralJudge
from evals.metrics import MRR_DEPTH, SUPPORT_THRESHOLD, Passage
from evals.results import SCHEMA, EvalRun
from evals.scoring import (
    ITEM_PASS,
    Cited,
    ItemResult,
    Observation,
    Retrieved,
    aggregate,
    by_tag,
    score_item,
)
from knowledge.wiring import Knowledge, lexical_weight, open_knowledge

Progress = Callable[[int, int], None]
# What an item records when the pipeline produced no answer at all (the learner sees an
# error message): for the metrics it is a refusal.
GENERATION_FAILED = "generation_failed"


def run_eval(
    settings: Settings,
    dataset_path: Path,
    k: int = 5,
    generator: Generator | None = None,
    *,
    judge: MistralJudge | None = None,
    progress: Progress | None = None,
) -> EvalRun:
    """``generator`` replaces the one the settings choose (``MENTOR_GENERATOR``)."""
    dataset = load_dataset(dataset_path)
    knowledge = open_knowledge(settings.knowledge)
    try:
        if generator is None:
            service = build_answer_service(settings, knowledge)
        else:
            service = AnswerService(knowledge, generator, settings)
        return asyncio.run(_run(settings, knowledge, service, dataset, k, judge, progress))
    finally:
        knowledge.close()


async def _run(
    settings: Settings,
    knowledge: Knowledge,
    service: AnswerService,
    dataset: Dataset,
    k: int,
    judge: MistralJudge | None,
    progress: Progress | None,
) -> EvalRun:
    started = time.perf_counter()
    results: list[ItemResult] = []
    try:
        for done, item in enumerate(dataset.items, 1):
            seen = await _observe(knowledge, service, item, max(k, MRR_DEPTH))
            judgement = None
            if judge is not None and seen.refused is None:
                reference = None if item.should_refuse else item.reference_answer
                evidence = [passage.text for passage in seen.evidence]
                judgement = await judge.judge(item.question, seen.text, evidence, reference)
            results.append(score_item(item, seen, k, judgement))
            if progress is not None:
                progress(done, len(dataset.items))
    finally:
        if judge is not None:
            await judge.aclose()
    values, counts = aggregate(results, k)
    info = _info(settings, knowledge, service, dataset, k, judge, results)
    info["duration_s"] = round(time.perf_counter() - started, 1)
    return EvalRun(info, k, values, counts, by_tag(results, k), results)


async def _observe(
    knowledge: Knowledge, service: AnswerService, item: EvalItem, depth: int
) -> Observation:
    scope = scope_for(
        Principal("eval", Role.LEARNER, frozenset(item.session_ids)), knowledge.catalog
    )
    evidence: tuple[Passage, ...] | None = None
    answer = None
    error = ""
    # Drained to the end: the stream closes itself after its `done` or `error` event.
    async for event in service.stream(item.question, scope):
        if isinstance(event, CitationsEvent) and evidence is None:
            evidence = tuple(Passage(c.document_id, c.passage) for c in event.citations)
        elif isinstance(event, DoneEvent):
            answer = event.answer
        elif isinstance(event, ErrorEvent):
            error = event.message
    query = answer.standalone_query if answer and answer.standalone_query else item.question
    hits = await asyncio.to_thread(knowledge.searcher.search, query, scope, depth)
    retrieved = tuple(
        Retrieved(
            rank,
            hit.chunk.document_id,
            hit.chunk.chunk_id,
            hit.chunk.title,
            hit.chunk.text,
            hit.score,
        )
        for rank, hit in enumerate(hits, 1)
    )
    if answer is None:
        return Observation(
            error, GENERATION_FAILED, True, "", query, (), evidence or (), retrieved, {}
        )
    return Observation(
        text=answer.text,
        refused=answer.refused.value if answer.refused else None,
        escalation=answer.escalation,
        generator=answer.generator,
        standalone_query=query,
        citations=tuple(
            Cited(c.index, c.document_id, c.chunk_id, c.title, c.passage) for c in answer.citations
        ),
        evidence=evidence or (),
        retrieved=retrieved,
        timings_ms=dict(answer.timings_ms),
        flagged=answer.unsupported_sentences,
        confidence=answer.confidence.value if answer.confidence else None,
        own_words=answer.own_words,
        related=tuple(
            Cited(c.index, c.document_id, c.chunk_id, c.title, c.passage) for c in answer.related
        ),
    )


def _info(
    settings: Settings,
    knowledge: Knowledge,
    service: AnswerService,
    dataset: Dataset,
    k: int,
    judge: MistralJudge | None,
    results: list[ItemResult],
) -> dict[str, Any]:
    searcher = knowledge.searcher
    return {
        "schema": SCHEMA,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": {
            "path": str(dataset.path),
            "sha256": dataset.sha256,
            "items": len(dataset.items),
            "unreviewed": dataset.unreviewed,
        },
        "k": k,
        "answer_measure": f"judge:{judge.model}" if judge else "lexical",
        "models": {
            "embedder": searcher.embedder.model_id,
            "sparse": searcher.sparse_encoder.model_id,
            "generator": service.generator_name,
            # A remote generator falls back to extractive: how often it did shows here.
            "answered_by": dict(Counter(r.observation.generator for r in results)),
            "judge": judge.describe() if judge else None,
        },
        "settings": {
            "embedding_profile": settings.knowledge.embedding_profile.value,
            "embedding_model_path": _text(settings.knowledge.embedding_model_path),
            "lexical_weight": lexical_weight(settings.knowledge),
            "candidates": settings.knowledge.candidates,
            "chunk_size": settings.knowledge.chunk_size,
            "chunk_overlap": settings.knowledge.chunk_overlap,
            "collection": settings.knowledge.collection,
            "store": "qdrant-server" if settings.knowledge.qdrant_url else "embedded",
            "data_dir": str(settings.knowledge.data_dir),
            "generator": settings.llm.generator,
            "mistral_model": settings.llm.mistral_model,
            "openai_model": settings.llm.openai_model,
            "min_evidence_score": settings.service.min_evidence_score,
        },
        "scoring": {
            "support_threshold": SUPPORT_THRESHOLD,
            "item_pass": ITEM_PASS,
            "retrieval_depth": max(k, MRR_DEPTH),
        },
        "corpus": _corpus(knowledge),
    }


def _corpus(knowledge: Knowledge) -> dict[str, Any]:
    documents: dict[str, set[str]] = {}
    chunks = 0
    sessions: set[str] = set()
    for chunk in knowledge.store.iter_chunks():
        chunks += 1
        documents.setdefault(chunk.kind.value, set()).add(chunk.document_id)
        sessions.update(chunk.session_ids)
    return {
        "chunks": chunks,
        "documents": sum(len(ids) for ids in documents.values()),
        "documents_by_kind": {kind: len(ids) for kind, ids in sorted(documents.items())},
        "sessions": sorted(sessions),
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)
