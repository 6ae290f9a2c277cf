"""What the index holds, beside the vectors: per-source hashes and chunk ids, index metadata
and the parcours → session links declared at ingestion.

SQLite in WAL mode: the service reads while the ingestion job writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    uri TEXT PRIMARY KEY,
    content_hash TEXT,
    chunk_ids TEXT NOT NULL DEFAULT '[]',
    -- Ids written to the store before this row was committed: if the job dies in between,
    -- the next run knows exactly which points may be orphans.
    pending_ids TEXT NOT NULL DEFAULT '[]',
    documents INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS session_links (
    session_id TEXT PRIMARY KEY,
    reuses TEXT NOT NULL,
    source_uri TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class SourceRecord:
    uri: str
    content_hash: str | None
    chunk_ids: frozenset[str]
    pending_ids: frozenset[str]
    documents: int


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- index metadata ---------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- sources ----------------------------------------------------------------------

    def source(self, uri: str) -> SourceRecord | None:
        row = self._db.execute(
            "SELECT uri, content_hash, chunk_ids, pending_ids, documents FROM sources "
            "WHERE uri = ?",
            (uri,),
        ).fetchone()
        return None if row is None else _record(row)

    def sources(self) -> Iterator[SourceRecord]:
        with closing(
            self._db.execute(
                "SELECT uri, content_hash, chunk_ids, pending_ids, documents FROM sources"
            )
        ) as cursor:
            for row in cursor:
                yield _record(row)

    def begin_source(self, uri: str, pending_ids: Iterable[str]) -> None:
        """Record the ids about to be written, before writing them (write-ahead)."""
        pending = json.dumps(sorted(pending_ids))
        self._db.execute(
            "INSERT INTO sources(uri, pending_ids) VALUES (?, ?) "
            "ON CONFLICT(uri) DO UPDATE SET pending_ids = excluded.pending_ids",
            (uri, pending),
        )

    def commit_source(
        self, uri: str, content_hash: str, chunk_ids: Iterable[str], documents: int
    ) -> None:
        self._db.execute(
            "INSERT INTO sources(uri, content_hash, chunk_ids, pending_ids, documents, updated_at)"
            " VALUES (?, ?, ?, '[]', ?, CURRENT_TIMESTAMP) ON CONFLICT(uri) DO UPDATE SET"
            " content_hash = excluded.content_hash, chunk_ids = excluded.chunk_ids,"
            " pending_ids = '[]', documents = excluded.documents, updated_at = CURRENT_TIMESTAMP",
            (uri, content_hash, json.dumps(sorted(chunk_ids)), documents),
        )

    def remove_source(self, uri: str) -> None:
        self._db.execute("DELETE FROM sources WHERE uri = ?", (uri,))
        self._db.execute("DELETE FROM session_links WHERE source_uri = ?", (uri,))

    def known_chunk_ids(self) -> set[str]:
        known: set[str] = set()
        for record in self.sources():
            known |= record.chunk_ids | record.pending_ids
        return known

    # -- parcours links -----------------------------------------------------------------

    def link_session(self, session_id: str, reuses: Iterable[str], source_uri: str) -> None:
        self._db.execute(
            "INSERT INTO session_links(session_id, reuses, source_uri) VALUES (?, ?, ?) "
            "ON CONFLICT(session_id) DO UPDATE SET reuses = excluded.reuses, "
            "source_uri = excluded.source_uri",
            (session_id, json.dumps(sorted(set(reuses))), source_uri),
        )

    def expand_sessions(self, session_ids: Iterable[str]) -> frozenset[str]:
        """The sessions plus, transitively, every session whose modules they reuse."""
        # Called for every learner's request, on the event loop: read the links of the
        # sessions reached, one layer at a time, not the whole catalogue's (with 1 000
        # parcours linked, 6.3 ms per request for the whole table, 51 µs this way).
        reached: set[str] = set()
        frontier = set(session_ids)
        while frontier:
            reached |= frontier
            marks = ", ".join("?" * len(frontier))
            rows = self._db.execute(
                f"SELECT reuses FROM session_links WHERE session_id IN ({marks})",
                sorted(frontier),
            )
            frontier = {str(reused) for (reuses,) in rows for reused in json.loads(reuses)}
            frontier -= reached
        return frozenset(reached)


def _record(row: tuple[str, str | None, str, str, int]) -> SourceRecord:
    return SourceRecord(
        uri=row[0],
        content_hash=row[1],
        chunk_ids=frozenset(json.loads(row[2])),
        pending_ids=frozenset(json.loads(row[3])),
        documents=int(row[4]),
    )
