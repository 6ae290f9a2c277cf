"""An eval run and its JSON form, the stable schema a baseline and a CI read back.

``{"run": {...}, "metrics": {name: value}, "counts": {name: items measured},
"by_tag": {tag: {...}}, "items": [...]}``, plus ``"gates"`` (each ``--fail-under``) and,
with ``--baseline``, ``"comparison"``, both added by the command. ``run.schema`` changes
only if a field changes meaning. A metric no item applies to is ``null``, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evals.scoring import ItemResult

SCHEMA = 1
_EXCERPT = 240


@dataclass
class EvalRun:
    info: dict[str, Any]
    k: int
    metrics: dict[str, float | None]
    counts: dict[str, int]
    tags: dict[str, dict[str, Any]]
    items: list[ItemResult]

    @property
    def failing(self) -> list[ItemResult]:
        return [result for result in self.items if result.failed]

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.info,
            "metrics": self.metrics,
            "counts": self.counts,
            "by_tag": self.tags,
            "items": [item_json(result) for result in self.items],
        }


def item_json(result: ItemResult) -> dict[str, Any]:
    item, seen = result.item, result.observation
    relevant = set(result.relevant_ranks)
    relevant_citations = set(result.relevant_citations)
    return {
        "id": item.id,
        "question": item.question,
        "tags": list(item.tags),
        "session_ids": list(item.session_ids),
        "should_refuse": item.should_refuse,
        "reviewed": item.reviewed,
        "expected_documents": list(item.expected_documents),
        "reference_contexts": list(item.reference_contexts),
        "reference_answer": item.reference_answer,
        "passed": not result.failed,
        "failures": [{"check": f.check, "message": f.message} for f in result.failures],
        "scores": result.scores,
        "refused": seen.refused,
        "confidence": seen.confidence,
        "escalation": seen.escalation,
        "answer": seen.text,
        "generator": seen.generator,
        "standalone_query": seen.standalone_query,
        "citations": [
            {
                "index": c.index,
                "document_id": c.document_id,
                "chunk_id": c.chunk_id,
                "title": c.title,
                "passage": c.passage,
                "relevant": c.index in relevant_citations,
            }
            for c in seen.citations
        ],
        "related": [{"document_id": c.document_id, "title": c.title} for c in seen.related],
        "evidence_documents": [passage.document_id for passage in seen.evidence],
        "retrieved": [
            {
                "rank": hit.rank,
                "document_id": hit.document_id,
                "chunk_id": hit.chunk_id,
                "title": hit.title,
                "score": round(hit.score, 6),
                "relevant": hit.rank in relevant,
                "excerpt": _excerpt(hit.text),
            }
            for hit in seen.retrieved
        ],
        "timings_ms": dict(seen.timings_ms),
        "flagged_by_service": list(seen.flagged),
        "judge": result.judgement.to_json() if result.judgement else None,
    }


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1] + "…"
