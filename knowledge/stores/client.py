"""A Qdrant server through qdrant-client, for deployments that set QDRANT_URL.

The server serialises writers itself, so unlike the embedded store several processes
(`serve` and an ingestion job) may share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from knowledge.errors import IndexMismatchError, StoreUnavailableError
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

# Keeps each request far below the server's 32 MiB body limit with 1k-dimension vectors.
UPSERT_BATCH = 256


class QdrantClientStore:
    def __init__(self, client: QdrantClient, collection: str) -> None:
        self._client = client
        self._collection = collection
        # Remembered once true, so queries cost no extra round trip after the first ingestion.
        self._exists = False

    @classmethod
    def connect(cls, url: str, api_key: str | None, collection: str) -> QdrantClientStore:
        # No compatibility probe: connecting stays offline, and an unreachable server
        # surfaces on first use as StoreUnavailableError rather than as a warning here.
        return cls(QdrantClient(url=url, api_key=api_key, check_compatibility=False), collection)

    def ensure_collection(self, dense_dimension: int) -> None:
        with self._translated_errors():
            if not self._client.collection_exists(self._collection):
                self._client.create_collection(
                    self._collection,
                    vectors_config={
                        DENSE: models.VectorParams(
                            size=dense_dimension, distance=models.Distance.COSINE
                        )
                    },
                    sparse_vectors_config={
                        SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)
                    },
                )
            info = self._client.get_collection(self._collection)
            vectors = info.config.params.vectors
            stored = vectors.get(DENSE) if isinstance(vectors, dict) else None
            if stored is None or stored.size != dense_dimension:
                raise IndexMismatchError(
                    f"The Qdrant collection '{self._collection}' does not hold "
                    f"{dense_dimension}-dimension '{DENSE}' vectors as the configured embedding "
                    f"model needs (it has {vectors}). Re-index with "
                    "`mentor-assistant ingest --rebuild`, or set MENTOR_COLLECTION to another name."
                )
            for field in INDEXED_FIELDS:
                if field not in info.payload_schema:
                    self._client.create_payload_index(
                        self._collection, field, models.PayloadSchemaType.KEYWORD
                    )
        self._exists = True

    def upsert(
        self,
        chunks: Sequence[Chunk],
        dense: Sequence[Sequence[float]],
        sparse: Sequence[SparseVector],
    ) -> None:
        points = [
            models.PointStruct(
                id=chunk.chunk_id,
                vector={DENSE: list(vector), SPARSE: _sparse(lexical)},
                payload=payload(chunk),
            )
            for chunk, vector, lexical in zip(chunks, dense, sparse, strict=True)
        ]
        with self._translated_errors():
            for start in range(0, len(points), UPSERT_BATCH):
                self._client.upsert(
                    self._collection, points[start : start + UPSERT_BATCH], wait=True
                )

    def upsert_questions(
        self, chunks: Sequence[Chunk], questions: Sequence[Sequence[float]]
    ) -> None:
        points = [
            models.PointStruct(
                id=question_point_id(chunk.chunk_id),
                vector={DENSE: list(vector)},
                payload=question_payload(chunk),
            )
            for chunk, vector in zip(chunks, questions, strict=True)
        ]
        with self._translated_errors():
            for start in range(0, len(points), UPSERT_BATCH):
                self._client.upsert(
                    self._collection, points[start : start + UPSERT_BATCH], wait=True
                )

    def delete(self, chunk_ids: Iterable[str]) -> None:
        ids: list[models.ExtendedPointId] = list(point_ids(chunk_ids))
        with self._translated_errors():
            if ids and self._collection_exists():
                self._client.delete(self._collection, models.PointIdsList(points=ids), wait=True)

    def drop(self) -> None:
        with self._translated_errors():
            self._client.delete_collection(self._collection)
        self._exists = False

    def query_dense(
        self, vector: Sequence[float], scope: Scope, limit: int, language: str | None = None
    ) -> list[Hit]:
        points = self._query(list(vector), DENSE, scope, limit, _questions_in(language))
        return best_per_chunk(
            [Hit(chunk_of(p.payload), p.score, dense_score=p.score) for p in points]
        )

    def query_sparse(self, vector: SparseVector, scope: Scope, limit: int) -> list[Hit]:
        points = self._query(_sparse(vector), SPARSE, scope, limit)
        return [Hit(chunk_of(p.payload), p.score, sparse_score=p.score) for p in points]

    def chunk_at(self, document_id: str, position: int, scope: Scope) -> Chunk | None:
        with self._translated_errors():
            if not self._collection_exists():
                return None
            records, _ = self._client.scroll(
                self._collection,
                scroll_filter=_both(_scope_filter(scope), _at(document_id, position)),
                limit=1,
                with_payload=True,
            )
        return chunk_of(records[0].payload) if records else None

    def iter_chunks(self) -> Iterator[Chunk]:
        with self._translated_errors():
            if not self._collection_exists():
                return
            offset: models.ExtendedPointId | None = None
            while True:
                records, offset = self._client.scroll(
                    self._collection,
                    scroll_filter=_chunks_only(),
                    limit=schema.SCROLL_BATCH,
                    offset=offset,
                    with_payload=True,
                )
                for record in records:
                    yield chunk_of(record.payload)
                if offset is None:
                    return

    def count(self) -> int:
        with self._translated_errors():
            if not self._collection_exists():
                return 0
            return self._client.count(
                self._collection, count_filter=_chunks_only(), exact=True
            ).count

    def flush(self) -> None:
        """Nothing to do: the server persists each acknowledged write on its own."""

    def close(self) -> None:
        self._client.close()

    def _query(
        self,
        query: list[float] | models.SparseVector,
        using: str,
        scope: Scope,
        limit: int,
        also: models.Filter | None = None,
    ) -> list[models.ScoredPoint]:
        with self._translated_errors():
            if not self._collection_exists():
                return []
            return self._client.query_points(
                self._collection,
                query=query,
                using=using,
                query_filter=_both(_scope_filter(scope), also),
                limit=limit,
                with_payload=True,
            ).points

    def _collection_exists(self) -> bool:
        if not self._exists:
            self._exists = self._client.collection_exists(self._collection)
        return self._exists

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except ResponseHandlingException as exc:
            raise StoreUnavailableError(
                f"Cannot reach the Qdrant server at {self._client.init_options.get('url')} "
                f"({exc}). Start it, fix QDRANT_URL, or unset QDRANT_URL to use the embedded "
                "store in MENTOR_DATA_DIR."
            ) from exc
        except UnexpectedResponse as exc:
            if exc.status_code not in (401, 403):
                raise
            raise StoreUnavailableError(
                "The Qdrant server refused the API key: check QDRANT_API_KEY."
            ) from exc


def _chunks_only() -> models.Filter:
    return models.Filter(
        must=[models.IsEmptyCondition(is_empty=models.PayloadField(key=QUESTION_OF))]
    )


def _at(document_id: str, position: int) -> models.Filter:
    return models.Filter(
        must=[
            models.FieldCondition(key=DOCUMENT_FIELD, match=models.MatchValue(value=document_id)),
            models.FieldCondition(key=POSITION_FIELD, match=models.MatchValue(value=position)),
        ]
    )


def _questions_in(language: str | None) -> models.Filter | None:
    if language is None:
        return None
    return models.Filter(
        should=[
            models.IsEmptyCondition(is_empty=models.PayloadField(key=QUESTION_OF)),
            models.FieldCondition(key=LANGUAGE_FIELD, match=models.MatchValue(value=language)),
        ]
    )


def _both(first: models.Filter | None, second: models.Filter | None) -> models.Filter | None:
    wanted: list[models.Condition] = [f for f in (first, second) if f is not None]
    return models.Filter(must=wanted) if len(wanted) > 1 else first or second


def _scope_filter(scope: Scope) -> models.Filter | None:
    wanted = schema.scope_filter(scope)
    if wanted is None:
        return None
    conditions: list[models.Condition] = [
        models.IsEmptyCondition(is_empty=models.PayloadField(key=wanted.field))
    ]
    if wanted.sessions:
        conditions.append(
            models.FieldCondition(
                key=wanted.field, match=models.MatchAny(any=list(wanted.sessions))
            )
        )
    return models.Filter(should=conditions)


def _sparse(vector: SparseVector) -> models.SparseVector:
    return models.SparseVector(indices=list(vector.indices), values=list(vector.values))
