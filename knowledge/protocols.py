"""The swappable backends of the knowledge layer. One implementation per module."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

from knowledge.types import Chunk, Hit, Scope, SparseVector


@runtime_checkable
class Embedder(Protocol):
    """Dense text embeddings, normalised so that the dot product is the cosine."""

    @property
    def model_id(self) -> str:
        """Stable identifier of the weights; the index records it to detect a model change."""
        ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@runtime_checkable
class Described(Protocol):
    """An embedder that says how it computes: both are part of the passage cache's key.

    ``model_id`` names the weights (the index records it; runtimes of the same weights
    agree to a cosine of 0.9999 and share an index); ``runtime`` names the code and the
    precision that ran them; ``document_prompt`` goes before each passage.
    """

    @property
    def runtime(self) -> str: ...

    @property
    def document_prompt(self) -> str: ...


@runtime_checkable
class SparseEncoder(Protocol):
    """Lexical vectors; the store applies IDF, the encoder gives term weights."""

    @property
    def model_id(self) -> str: ...

    def encode_documents(self, texts: Sequence[str]) -> list[SparseVector]: ...

    def encode_query(self, text: str) -> SparseVector: ...


@runtime_checkable
class VectorStore(Protocol):
    """A Qdrant collection with a named dense vector and a named sparse vector (IDF)."""

    def ensure_collection(self, dense_dimension: int) -> None:
        """Create the collection and its payload indexes if missing; idempotent."""
        ...

    def upsert(
        self,
        chunks: Sequence[Chunk],
        dense: Sequence[Sequence[float]],
        sparse: Sequence[SparseVector],
    ) -> None: ...

    def upsert_questions(
        self, chunks: Sequence[Chunk], questions: Sequence[Sequence[float]]
    ) -> None:
        """A point of its own for each FAQ entry's question (``knowledge.stores.schema``):
        dense queries then find the entry by either, once."""
        ...

    def delete(self, chunk_ids: Iterable[str]) -> None:
        """The chunks' points and their questions'."""
        ...

    def drop(self) -> None:
        """Remove the whole collection (rebuild after a change of embedding model)."""
        ...

    def query_dense(
        self, vector: Sequence[float], scope: Scope, limit: int, language: str | None = None
    ) -> list[Hit]:
        """Each chunk once, by its text or its FAQ question's point; ``language``: those
        points match only a question in their own language (None: any)."""
        ...

    def query_sparse(self, vector: SparseVector, scope: Scope, limit: int) -> list[Hit]: ...

    def chunk_at(self, document_id: str, position: int, scope: Scope) -> Chunk | None:
        """The chunk of ``document_id`` at ``position``, if there is one that ``scope`` reaches."""
        ...

    def iter_chunks(self) -> Iterator[Chunk]:
        """Every stored chunk (payload only), for status and reconciliation."""
        ...

    def count(self) -> int: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...
