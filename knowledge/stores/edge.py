"""The embedded default store: a Qdrant Edge shard inside this process, no server to run."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import qdrant_edge as qe

from knowledge.errors import IndexMismatchError, KnowledgeError, StoreLockedError
from knowledge.stores import schema
from knowledge.stores.schema import (
    DENSE,
    DOCUMENT_FIELD,
    INDEXED_FIELDS,
    LANGUAGE_FIELD,
    POSITION_FIELD,
    QUESTION_OF,
    SPARSE,
    best_per_chunk,
    chunk_of,
    payload,
    point_ids,
    question_payload,
    question_point_id,
)
from knowledge.types import Chunk, Hit, Scope, SparseVector

LOCK_FILE = ".lock"
# Written by EdgeShard.create: its presence is what tells an existing shard from a new one.
SHARD_CONFIG_FILE = "edge_config.json"


class EdgeStore:
    """One shard folder per collection under ``path``, owned by a single process."""

    def __init__(self, path: Path, collection: str) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._lock_fd: int | None = _lock_folder(path)
        self._shard_path = path / collection
        self._shard: qe.EdgeShard | None = None
        try:
            if (self._shard_path / SHARD_CONFIG_FILE).is_file():
                self._shard = qe.EdgeShard.load(str(self._shard_path))
        except BaseException:
            self.close()
            raise

    def ensure_collection(self, dense_dimension: int) -> None:
        if self._shard is None:
            self._shard = qe.EdgeShard.create(str(self._shard_path), _config(dense_dimension))
        else:
            self._check_dimension(dense_dimension)
        indexed = self._shard.info().payload_schema
        for field in INDEXED_FIELDS:
            if field not in indexed:
                self._shard.update(
                    qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Keyword)
                )

    def upsert(
        self,
        chunks: Sequence[Chunk],
        dense: Sequence[Sequence[float]],
        sparse: Sequence[SparseVector],
    ) -> None:
        points = [
            qe.Point(
                chunk.chunk_id,
                {DENSE: list(vector), SPARSE: _sparse(lexical)},
                payload(chunk),
            )
            for chunk, vector, lexical in zip(chunks, dense, sparse, strict=True)
        ]
        if points:
            self._require_shard().update(qe.UpdateOperation.upsert_points(points))

    def upsert_questions(
        self, chunks: Sequence[Chunk], questions: Sequence[Sequence[float]]
    ) -> None:
        points = [
            qe.Point(
                question_point_id(chunk.chunk_id), {DENSE: list(vector)}, question_payload(chunk)
            )
            for chunk, vector in zip(chunks, questions, strict=True)
        ]
        if points:
            self._require_shard().update(qe.UpdateOperation.upsert_points(points))

    def delete(self, chunk_ids: Iterable[str]) -> None:
        ids: list[qe.PointId] = list(point_ids(chunk_ids))
        if ids and self._shard is not None:
            self._shard.update(qe.UpdateOperation.delete_points(ids))

    def drop(self) -> None:
        if self._shard is not None:
            self._shard.close()
            self._shard = None
        if self._shard_path.exists():
            shutil.rmtree(self._shard_path)

    def query_dense(
        self, vector: Sequence[float], scope: Scope, limit: int, language: str | None = None
    ) -> list[Hit]:
        query = qe.Query.Nearest(list(vector), using=DENSE)
        points = self._query(query, scope, limit, _questions_in(language))
        return best_per_chunk(
            [Hit(chunk_of(p.payload), p.score, dense_score=p.score) for p in points]
        )

    def query_sparse(self, vector: SparseVector, scope: Scope, limit: int) -> list[Hit]:
        points = self._query(qe.Query.Nearest(_sparse(vector), using=SPARSE), scope, limit)
        return [Hit(chunk_of(p.payload), p.score, sparse_score=p.score) for p in points]

    def chunk_at(self, document_id: str, position: int, scope: Scope) -> Chunk | None:
        if self._shard is None:
            return None
        records, _ = self._shard.scroll(
            qe.ScrollRequest(
                limit=1,
                filter=_both(_scope_filter(scope), _at(document_id, position)),
                with_payload=True,
            )
        )
        return chunk_of(records[0].payload) if records else None

    def iter_chunks(self) -> Iterator[Chunk]:
        if self._shard is None:
            return
        offset: qe.PointId | None = None
        while True:
            records, offset = self._shard.scroll(
                qe.ScrollRequest(
                    offset=offset,
                    limit=schema.SCROLL_BATCH,
                    filter=_chunks_only(),
                    with_payload=True,
                )
            )
            for record in records:
                yield chunk_of(record.payload)
            if offset is None:
                return

    def count(self) -> int:
        if self._shard is None:
            return 0
        return self._shard.count(qe.CountRequest(exact=True, filter=_chunks_only()))

    def flush(self) -> None:
        # Qdrant Edge has no background optimizer: until optimize() runs, large segments get
        # no HNSW graph (every query is a brute-force scan) and deleted points are never
        # vacuumed. Ingestion calls flush once at its end, which is when that work belongs.
        if self._shard is not None:
            self._shard.optimize()
            self._shard.flush()

    def close(self) -> None:
        if self._shard is not None:
            self._shard.close()
            self._shard = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def _query(
        self, query: qe.Query, scope: Scope, limit: int, also: qe.Filter | None = None
    ) -> list[qe.ScoredPoint]:
        # Before the first ingestion there is no shard: nothing can match.
        if self._shard is None:
            return []
        request = qe.QueryRequest(
            limit=limit, query=query, filter=_both(_scope_filter(scope), also), with_payload=True
        )
        return self._shard.query(request)

    def _check_dimension(self, dense_dimension: int) -> None:
        # The engine checks a config against its segments only when loading a shard, and
        # reloading means closing the handle that live searches use ("Shard is not
        # initialized" in the middle of a re-index). The config the shard was created with
        # says the same without closing anything.
        stored = json.loads((self._shard_path / SHARD_CONFIG_FILE).read_text())
        size = stored["vectors"][DENSE]["size"]
        if size != dense_dimension:
            raise IndexMismatchError(
                f"The index in {self._shard_path} holds {size}-dimension vectors, not the "
                f"{dense_dimension}-dimension vectors of the configured embedding model. "
                "Re-index with `mentor-assistant ingest --rebuild`, or point MENTOR_DATA_DIR "
                "at another folder."
            )

    def _require_shard(self) -> qe.EdgeShard:
        if self._shard is None:
            raise KnowledgeError(f"No index in {self._shard_path}: call ensure_collection first")
        return self._shard


def _config(dense_dimension: int) -> qe.EdgeConfig:
    return qe.EdgeConfig(
        vectors={DENSE: qe.EdgeVectorParams(size=dense_dimension, distance=qe.Distance.Cosine)},
        sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
    )


def _chunks_only() -> qe.Filter:
    return qe.Filter(must=[qe.IsEmptyCondition(QUESTION_OF)])


def _at(document_id: str, position: int) -> qe.Filter:
    return qe.Filter(
        must=[
            qe.FieldCondition(DOCUMENT_FIELD, match=qe.MatchValue(document_id)),
            qe.FieldCondition(POSITION_FIELD, match=qe.MatchValue(position)),
        ]
    )


def _questions_in(language: str | None) -> qe.Filter | None:
    if language is None:
        return None
    return qe.Filter(
        should=[
            qe.IsEmptyCondition(QUESTION_OF),
            qe.FieldCondition(LANGUAGE_FIELD, match=qe.MatchValue(language)),
        ]
    )


def _both(first: qe.Filter | None, second: qe.Filter | None) -> qe.Filter | None:
    wanted: list[qe.ConditionType] = [f for f in (first, second) if f is not None]
    return qe.Filter(must=wanted) if len(wanted) > 1 else first or second


def _scope_filter(scope: Scope) -> qe.Filter | None:
    wanted = schema.scope_filter(scope)
    if wanted is None:
        return None
    conditions: list[qe.ConditionType] = [qe.IsEmptyCondition(wanted.field)]
    if wanted.sessions:
        conditions.append(qe.FieldCondition(wanted.field, match=qe.MatchAny(list(wanted.sessions))))
    return qe.Filter(should=conditions)


def _sparse(vector: SparseVector) -> qe.SparseVector:
    return qe.SparseVector(list(vector.indices), list(vector.values))


def _lock_folder(folder: Path) -> int:
    """Hold an exclusive flock on the folder for this process, or fail at once.

    The engine's own WAL lock also refuses a second opener, but only once a shard exists,
    and with an error that cannot be told from other failures.
    """
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        os.close(fd)
        owner = f" (pid {holder})" if holder else ""
        raise StoreLockedError(
            f"The index folder {folder} is in use by another mentor-assistant process{owner}, "
            "for example `mentor-assistant serve`. Stop that process and retry, or set "
            "QDRANT_URL to share a Qdrant server between processes."
        ) from None
    # The pid is only for the message above; the flock is what guards the folder.
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd
