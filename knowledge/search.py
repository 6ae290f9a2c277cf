"""Hybrid search: dense and French lexical candidates from the same store, fused by weight.

Plain reciprocal-rank fusion of BM25 with EmbeddingGemma *lost* to EmbeddingGemma alone on
the CNIL development set (0.89 / 0.63 against 0.96 / 0.88 hit@5 / MRR@10): rank fusion gives
a weak lexical list as much say as a strong dense one. Fusing normalised scores with a
dense-leaning weight keeps the dense ranking and lets exact French terms (a form name, an
acronym) break its ties. bench/retrieval.py measures the weight; the README has the figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.protocols import Embedder, SparseEncoder, VectorStore
from knowledge.types import Hit, Scope


class Searcher:
    def __init__(
        self,
        embedder: Embedder,
        sparse_encoder: SparseEncoder,
        store: VectorStore,
        dense_weight: float,
        candidates: int,
    ) -> None:
        self.embedder = embedder
        self.sparse_encoder = sparse_encoder
        self.store = store
        self._dense_weight = dense_weight
        self._candidates = candidates

    def search(self, query: str, scope: Scope, k: int = 5) -> list[Hit]:
        limit = max(k, self._candidates)
        dense = self.store.query_dense(self.embedder.embed_query(query), scope, limit)
        sparse = self.store.query_sparse(self.sparse_encoder.encode_query(query), scope, limit)
        return fuse(dense, sparse, self._dense_weight)[:k]


def fuse(dense: Sequence[Hit], sparse: Sequence[Hit], dense_weight: float) -> list[Hit]:
    """Convex combination of min-max normalised scores; a list's missing hit counts as 0."""
    dense_norm = _normalised(dense)
    sparse_norm = _normalised(sparse)
    by_id = {hit.chunk.chunk_id: hit for hit in (*sparse, *dense)}
    dense_raw = {hit.chunk.chunk_id: hit.score for hit in dense}
    sparse_raw = {hit.chunk.chunk_id: hit.score for hit in sparse}
    fused = [
        Hit(
            chunk=hit.chunk,
            score=dense_weight * dense_norm.get(chunk_id, 0.0)
            + (1 - dense_weight) * sparse_norm.get(chunk_id, 0.0),
            dense_score=dense_raw.get(chunk_id),
            sparse_score=sparse_raw.get(chunk_id),
        )
        for chunk_id, hit in by_id.items()
    ]
    return sorted(fused, key=lambda hit: hit.score, reverse=True)


def _normalised(hits: Sequence[Hit]) -> dict[str, float]:
    if not hits:
        return {}
    scores = [hit.score for hit in hits]
    low, high = min(scores), max(scores)
    span = high - low
    return {hit.chunk.chunk_id: (hit.score - low) / span if span > 0 else 1.0 for hit in hits}
