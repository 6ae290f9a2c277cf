"""`mistral-embed` over HTTP, used only when MISTRAL_API_KEY is set and the profile asks for it."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from knowledge.errors import KnowledgeError

# The API caps a request's batch; 64 short passages stays well under its token limit.
BATCH = 64


class MistralEmbedder:
    dimension = 1024

    def __init__(self, api_key: str, base_url: str, model: str, timeout: float = 30.0) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout,
        )
        self._model = model

    @property
    def model_id(self) -> str:
        return f"mistral/{self._model}"

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            vectors += self._embed(texts[start : start + BATCH])
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def _embed(self, texts: Sequence[str]) -> list[list[float]]:
        try:
            response = self._client.post(
                "/v1/embeddings", json={"model": self._model, "input": list(texts)}
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise KnowledgeError(f"Mistral embeddings request failed: {error}") from error
        data = sorted(response.json()["data"], key=lambda item: item["index"])
        return [item["embedding"] for item in data]
