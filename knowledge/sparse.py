"""BM25-style sparse vectors computed in our own code, so every store gets identical vectors.

Documents carry BM25's saturated term frequency; the store's IDF modifier supplies the
inverse document frequency, which is how Qdrant recommends doing BM25 with sparse vectors.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

from knowledge.text import tokens
from knowledge.types import SparseVector

K1 = 1.2
B = 0.75
# Chunks are capped in size, so a fixed average length is close enough for length
# normalisation and keeps each vector independent of the rest of the corpus.
AVERAGE_LENGTH = 120.0


def term_index(term: str) -> int:
    # 32-bit: Qdrant sparse indices are u32; collisions among a corpus's few 10k stems are rare.
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "big")


class FrenchSparseEncoder:
    model_id = f"fr-snowball-bm25-k{K1}-b{B}-avg{AVERAGE_LENGTH:g}"

    def encode_documents(self, texts: Sequence[str]) -> list[SparseVector]:
        return [self._encode_document(text) for text in texts]

    def encode_query(self, text: str) -> SparseVector:
        return _vector({term_index(term): 1.0 for term in set(tokens(text))})

    @staticmethod
    def _encode_document(text: str) -> SparseVector:
        terms = tokens(text)
        norm = K1 * (1 - B + B * len(terms) / AVERAGE_LENGTH)
        weights: dict[int, float] = {}
        for term, frequency in Counter(terms).items():
            index = term_index(term)
            weights[index] = weights.get(index, 0.0) + frequency * (K1 + 1) / (frequency + norm)
        return _vector(weights)


def _vector(weights: dict[int, float]) -> SparseVector:
    ordered = sorted(weights.items())
    return SparseVector(
        indices=tuple(index for index, _ in ordered), values=tuple(v for _, v in ordered)
    )
