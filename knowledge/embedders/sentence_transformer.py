"""Any sentence-transformers model from a local folder (EmbeddingGemma by default)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.errors import KnowledgeError

# Transformer cost grows with sequence length; chunks are ~1200 characters (~350 tokens),
# so a longer window only burns CPU on the rare oversized passage.
MAX_SEQUENCE_TOKENS = 512


class SentenceTransformerEmbedder:
    def __init__(self, path: Path, model_id: str, batch_size: int, threads: int) -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # Process-wide in torch; explicit, so that it is the process's CPUs, not the host's.
        torch.set_num_threads(threads)

        # Its per-tensor loading bar would interleave with the ingestion progress bar.
        transformers_logging.disable_progress_bar()
        self._model: Any = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._model.max_seq_length = min(self._model.max_seq_length or 512, MAX_SEQUENCE_TOKENS)
        prompts = self._model.prompts or {}
        # Asymmetric models (EmbeddingGemma, e5) expect task prompts; others get none.
        self._query_prompt = prompts.get("query") or prompts.get("Retrieval-query")
        self._document_prompt = prompts.get("document") or prompts.get("Retrieval-document")
        self._model_id = model_id
        self._batch_size = batch_size
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise KnowledgeError(f"{path} does not declare its embedding dimension")
        self._dimension = int(dimension)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def runtime(self) -> str:
        return "sentence-transformers-fp32"

    @property
    def document_prompt(self) -> str:
        return self._document_prompt or ""

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            list(texts),
            prompt=self._document_prompt,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        vector = self._model.encode(
            [text], prompt=self._query_prompt, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vector[0], dtype=np.float32).tolist()
