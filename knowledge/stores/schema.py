"""What both Qdrant stores agree on, defined once: the vector names, the indexed payload
fields, a chunk's payload, a FAQ question's point, and the scope as a filter described as
data. Each store only turns these into its own client's types (``qdrant_edge`` or
``qdrant_client``); the congruence tests (tests/knowledge/test_stores.py) run every store
over the same data."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.types import Chunk, Hit, Scope

DENSE = "dense"
SPARSE = "sparse"
SESSIONS_FIELD = "session_ids"
LANGUAGE_FIELD = "language"
DOCUMENT_FIELD = "document_id"
# A chunk's place in its document (not indexed: a document's few chunks are filtered by id).
POSITION_FIELD = "position"
SCROLL_BATCH = 512
# A FAQ entry's question can have a point of its own in the dense space, with the entry's
# payload plus this field naming the entry: learners paraphrase the question, not the answer
# (for the models measured to gain from it, knowledge/calibration.py ``search_faq_questions``).
# A dense query finds the entry by its text or by its question, once, with the better cosine;
# counting and listing the chunks leave these points out. A question's point matches only
# questions in its own language when the search says which (short questions matched across
# languages mislead: with lite, "How do I renew my passport?" reached a French account entry's
# question at 0.47, its text at 0.30).
QUESTION_OF = "question_of"
# Keyword indexes: the scope filter, the catalog's deletions and the questions' points go
# through these fields.
INDEXED_FIELDS = ("kind", "collection", SESSIONS_FIELD, DOCUMENT_FIELD, QUESTION_OF, LANGUAGE_FIELD)
_QUESTION_POINTS = uuid.UUID("6f1d2c0e-3b7a-5f0e-9c41-2a8d7e5b9f13")


@dataclass(frozen=True, slots=True)
class ScopeFilter:
    """Chunks with no session (global knowledge), or with one of ``sessions``."""

    field: str
    # Sorted; empty means global knowledge only.
    sessions: tuple[str, ...]


def scope_filter(scope: Scope) -> ScopeFilter | None:
    """None means no restriction (support and designer roles)."""
    if scope.session_ids is None:
        return None
    return ScopeFilter(SESSIONS_FIELD, tuple(sorted(scope.session_ids)))


def payload(chunk: Chunk) -> dict[str, Any]:
    return chunk.to_payload()


def question_payload(chunk: Chunk) -> dict[str, Any]:
    return {**chunk.to_payload(), QUESTION_OF: chunk.chunk_id}


def question_point_id(chunk_id: str) -> str:
    return str(uuid.uuid5(_QUESTION_POINTS, chunk_id))


def point_ids(chunk_ids: Iterable[str]) -> list[str]:
    """Each chunk's point and its question's, whether it has one or not (deleting a missing
    point is no error)."""
    return [point for chunk_id in chunk_ids for point in (chunk_id, question_point_id(chunk_id))]


def best_per_chunk(hits: Sequence[Hit]) -> list[Hit]:
    """Hits by score, each chunk once: found by its text and by its question, the better one."""
    seen: set[str] = set()
    kept = []
    for hit in hits:
        if hit.chunk.chunk_id not in seen:
            seen.add(hit.chunk.chunk_id)
            kept.append(hit)
    return kept


def chunk_of(stored: dict[str, Any] | None) -> Chunk:
    assert stored is not None, "every request of the stores asks for the payload"
    return Chunk.from_payload(stored)
