"""Requests the desk triaged, kept with their vector to find the ones on the same problem."""

from __future__ import annotations

import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assistant.privacy import redact
from assistant.storage.schema import triaged_requests, upsert


@dataclass(frozen=True, slots=True)
class TriagedRequest:
    """A request the desk received, kept to find the ones on the same problem."""

    request_id: str
    category: str
    summary: str
    vector: tuple[float, ...]
    created: float


class Requests:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, request_id: str, category: str, summary: str, vector: Sequence[float]) -> None:
        """Keep a triaged request (a second triage of the same id replaces the first)."""
        insert = upsert(self._engine, triaged_requests).values(
            id=request_id,
            category=category,
            summary=redact(summary),
            vector=array("f", vector).tobytes(),
            created=time.time(),
        )
        with self._engine.begin() as db:
            db.execute(
                insert.on_conflict_do_update(
                    index_elements=["id"],
                    set_={
                        "category": insert.excluded.category,
                        "summary": insert.excluded.summary,
                        "vector": insert.excluded.vector,
                    },
                )
            )

    def recent(self, since: float) -> list[TriagedRequest]:
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(triaged_requests)
                .where(triaged_requests.c.created >= since)
                .order_by(triaged_requests.c.created.desc())
            ).all()
        return [
            TriagedRequest(
                row.id, row.category, row.summary, tuple(array("f", row.vector)), row.created
            )
            for row in rows
        ]
