"""What both Qdrant stores agree on, defined once: the vector names, the indexed payload
fields, a chunk's payload, and the scope as a filter described as data. Each store only
turns these into its own client's types (``qdrant_edge`` or ``qdrant_client``); the
congruence tests (tests/knowledge/test_stores.py) run every store over the same data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge.types import Chunk, Scope

DENSE = "dense"
SPARSE = "sparse"
SESSIONS_FIELD = "session_ids"
# Keyword indexes: the scope filter and the catalog's deletions go through these fields.
INDEXED_FIELDS = ("kind", "collection", SESSIONS_FIELD, "document_id")
SCROLL_BATCH = 512


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


def chunk_of(stored: dict[str, Any] | None) -> Chunk:
    assert stored is not None, "every request of the stores asks for the payload"
    return Chunk.from_payload(stored)
