"""The passage cache and the query LRU: each text embedded once, across runs and rebuilds.

The real lite model embeds; a counting embedder in front of it (another part handed to the
cache, not a patch) records what reaches the model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from assistant.settings import Settings
from ingest.pipeline import Status, run_ingest
from knowledge.embedding_cache import CachedEmbedder, EmbeddingCache
from knowledge.protocols import Embedder
from knowledge.search import Searcher
from knowledge.settings import KnowledgeSettings
from knowledge.wiring import (
    Knowledge,
    build_catalog,
    build_embedder,
    build_sparse_encoder,
    build_store,
    lexical_weight,
)
from tests.conftest import make_settings
from tests.ingest.test_pipeline import write_corpus


class Counting:
    """Passes texts to the real embedder and keeps what it was asked."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.documents: list[str] = []
        self.queries: list[str] = []

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.documents += texts
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def lite() -> Embedder:
    return build_embedder(make_settings(Path("unused")).knowledge)


@pytest.fixture
def counting(lite: Embedder) -> Counting:
    return Counting(lite)


def cached(counting: Counting, path: Path, entries: int = 100, queries: int = 8) -> CachedEmbedder:
    namespace = (counting.model_id, "numpy", "title: none | text: ")
    return CachedEmbedder(counting, EmbeddingCache(path, entries), namespace, queries)


def test_each_distinct_passage_is_embedded_once_across_batches_and_reopenings(
    counting: Counting, tmp_path: Path
) -> None:
    path = tmp_path / "embeddings.sqlite"
    embedder = cached(counting, path)
    boilerplate = "Pour toute question, contactez le support de Mentor."
    first = embedder.embed_documents([boilerplate, "Réinitialiser son mot de passe", boilerplate])
    assert counting.documents == [boilerplate, "Réinitialiser son mot de passe"]
    assert first[0] == first[2]
    assert first[0] == pytest.approx(counting.inner.embed_documents([boilerplate])[0], abs=1e-6)

    reopened = cached(counting, path)
    again = reopened.embed_documents(["Réinitialiser son mot de passe", boilerplate, "Nouveau"])
    assert counting.documents[2:] == ["Nouveau"]
    assert again[:2] == [first[1], first[0]]


def test_the_key_holds_the_model_runtime_and_prompt(counting: Counting, tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    cached(counting, path).embed_documents(["Attestation de suivi"])
    for namespace in [
        (counting.model_id, "numpy", "autre invite: "),
        (counting.model_id, "openvino-bf16", "title: none | text: "),
        ("another-model", "numpy", "title: none | text: "),
    ]:
        cache = EmbeddingCache(path, 100)
        CachedEmbedder(counting, cache, namespace, 8).embed_documents(["Attestation de suivi"])
    assert counting.documents == ["Attestation de suivi"] * 4


def test_the_cache_is_bounded_least_recently_used_first(counting: Counting, tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    embedder = cached(counting, path, entries=2)
    embedder.embed_documents(["un"])
    embedder.embed_documents(["deux"])
    embedder.embed_documents(["un"])  # used again: "deux" is now the oldest
    embedder.embed_documents(["trois"])
    assert len(EmbeddingCache(path, 2)) == 2
    counting.documents.clear()
    embedder.embed_documents(["un", "deux", "trois"])
    assert counting.documents == ["deux"]


def test_recent_queries_are_served_from_memory(counting: Counting, tmp_path: Path) -> None:
    embedder = cached(counting, tmp_path / "embeddings.sqlite", queries=2)
    vector = embedder.embed_query("Comment obtenir mon attestation ?")
    assert embedder.embed_query("Comment obtenir mon attestation ?") == vector
    embedder.embed_query("Où est mon certificat ?")
    embedder.embed_query("Qui contacter ?")  # the first question leaves the LRU
    embedder.embed_query("Comment obtenir mon attestation ?")
    assert counting.queries == [
        "Comment obtenir mon attestation ?",
        "Où est mon certificat ?",
        "Qui contacter ?",
        "Comment obtenir mon attestation ?",
    ]


def open_counted(settings: KnowledgeSettings, counting: Counting) -> Knowledge:
    cache = EmbeddingCache(settings.embedding_cache_path, settings.embedding_cache_entries)
    embedder = CachedEmbedder(counting, cache, (counting.model_id,), settings.query_cache_entries)
    store = build_store(settings)
    searcher = Searcher(embedder, build_sparse_encoder(), store, lexical_weight(settings), 40)
    return Knowledge(settings, build_catalog(settings), store, searcher, cache)


@pytest.fixture
def counted(tmp_path: Path, counting: Counting) -> Iterator[tuple[Settings, Knowledge]]:
    settings = make_settings(tmp_path / "data")
    knowledge = open_counted(settings.knowledge, counting)
    yield settings, knowledge
    knowledge.close()


def test_a_rebuild_or_an_edit_re_embeds_only_changed_texts(
    counted: tuple[Settings, Knowledge], counting: Counting, tmp_path: Path
) -> None:
    settings, knowledge = counted
    corpus = write_corpus(tmp_path / "corpus")
    first = run_ingest(settings, [corpus], knowledge=knowledge)
    # Each chunk's text, and the two FAQ entries' questions (lite gives them points).
    assert first.chunks > 0 and len(counting.documents) == first.chunks + 2

    counting.documents.clear()
    rebuilt = run_ingest(settings, [corpus], rebuild=True, knowledge=knowledge)
    assert rebuilt.count(Status.INDEXED) == first.count(Status.INDEXED)
    assert counting.documents == []
    assert knowledge.store.count() == first.chunks

    page = corpus / "page-1.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", "utf-8")
    edited = run_ingest(settings, [corpus], knowledge=knowledge)
    assert edited.count(Status.INDEXED) == 1
    # Only the edited section's chunk changed; the page's other chunks come from the cache.
    assert len(counting.documents) == 1
    assert "Une phrase de plus." in counting.documents[0]
