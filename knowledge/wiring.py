"""Settings → backends. The only place that chooses implementations or imports extras."""

from __future__ import annotations

import os
from dataclasses import dataclass

from knowledge.calibration import calibration
from knowledge.catalog import Catalog
from knowledge.embedding_cache import CachedEmbedder, EmbeddingCache
from knowledge.errors import IndexMismatchError, KnowledgeError
from knowledge.models import EMBEDDING_GEMMA, USE_MULTILINGUAL, require_model
from knowledge.protocols import Described, Embedder, SparseEncoder, VectorStore
from knowledge.search import Searcher
from knowledge.settings import EmbeddingProfile, EmbeddingRuntime, KnowledgeSettings
from knowledge.sparse import FrenchSparseEncoder


def build_embedder(settings: KnowledgeSettings) -> Embedder:
    if settings.embedding_model_path is not None:
        from knowledge.embedders.sentence_transformer import SentenceTransformerEmbedder

        path = settings.embedding_model_path
        return SentenceTransformerEmbedder(
            path, f"local/{path.name}", settings.embedding_batch_size, embedding_threads(settings)
        )
    if settings.embedding_profile is EmbeddingProfile.QUALITY:
        weights = require_model(settings.models_dir)
        if settings.embedding_runtime is EmbeddingRuntime.OPENVINO:
            from knowledge.embedders.openvino import OpenVinoEmbedder
            from knowledge.optimized import require_optimized

            return OpenVinoEmbedder(
                weights,
                require_optimized(settings.models_dir),
                EMBEDDING_GEMMA.name,
                settings.embedding_batch_size,
                embedding_threads(settings),
            )
        from knowledge.embedders.sentence_transformer import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(
            weights,
            EMBEDDING_GEMMA.name,
            settings.embedding_batch_size,
            embedding_threads(settings),
        )
    if settings.embedding_profile is EmbeddingProfile.LITE:
        from knowledge.embedders.universal_sentence_encoder import (
            UniversalSentenceEncoderEmbedder,
        )

        return UniversalSentenceEncoderEmbedder()
    if settings.mistral_api_key is None:
        raise KnowledgeError("MENTOR_EMBEDDING_PROFILE=mistral needs MISTRAL_API_KEY to be set")
    from knowledge.embedders.mistral import MistralEmbedder

    return MistralEmbedder(
        settings.mistral_api_key.get_secret_value(),
        settings.mistral_base_url,
        settings.mistral_embed_model,
    )


def embedding_threads(settings: KnowledgeSettings) -> int:
    if settings.embedding_threads is not None:
        return settings.embedding_threads
    # The CPUs this process may use (a container's or taskset's share), not the host's.
    return len(os.sched_getaffinity(0))


def with_caches(embedder: Embedder, settings: KnowledgeSettings) -> tuple[Embedder, EmbeddingCache]:
    """``embedder`` behind the passage cache of the data dir and a query LRU."""
    if isinstance(embedder, CachedEmbedder):  # shared from another index: its model only
        embedder = embedder.inner
    cache = EmbeddingCache(settings.embedding_cache_path, settings.embedding_cache_entries)
    namespace = (
        (embedder.model_id, embedder.runtime, embedder.document_prompt)
        if isinstance(embedder, Described)
        else (embedder.model_id,)
    )
    return CachedEmbedder(embedder, cache, namespace, settings.query_cache_entries), cache


def lexical_weight(settings: KnowledgeSettings) -> float:
    if settings.lexical_weight is not None:
        return settings.lexical_weight
    return calibration(_model_id(settings)).search_lexical_weight


def _model_id(settings: KnowledgeSettings) -> str:
    """The id the profile's embedder reports, without loading it."""
    if settings.embedding_profile is EmbeddingProfile.LITE:
        return USE_MULTILINGUAL
    if settings.embedding_profile is EmbeddingProfile.MISTRAL:
        return f"mistral/{settings.mistral_embed_model}"
    return EMBEDDING_GEMMA.name


def build_sparse_encoder() -> SparseEncoder:
    return FrenchSparseEncoder()


def build_store(settings: KnowledgeSettings) -> VectorStore:
    if settings.qdrant_url:
        from knowledge.stores.client import QdrantClientStore

        api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return QdrantClientStore.connect(settings.qdrant_url, api_key, settings.collection)
    from knowledge.stores.edge import EdgeStore

    return EdgeStore(settings.store_dir, settings.collection)


def build_catalog(settings: KnowledgeSettings) -> Catalog:
    return Catalog(settings.manifest_path)


@dataclass
class Knowledge:
    """Everything a reader of the index needs, opened once and closed together."""

    settings: KnowledgeSettings
    catalog: Catalog
    store: VectorStore
    searcher: Searcher
    embedding_cache: EmbeddingCache | None = None

    def close(self) -> None:
        self.store.close()
        self.catalog.close()
        if self.embedding_cache is not None:
            self.embedding_cache.close()


INDEX_EMBEDDER_KEY = "embedder"


def check_index_embedder(catalog: Catalog, embedder: Embedder) -> None:
    indexed = catalog.get_meta(INDEX_EMBEDDER_KEY)
    if indexed is not None and indexed != embedder.model_id:
        raise IndexMismatchError(
            f"The index was built with the embedding model '{indexed}' but the settings select "
            f"'{embedder.model_id}'. Re-index with `mentor-assistant ingest --rebuild`, or point "
            "MENTOR_DATA_DIR at another folder."
        )


def open_knowledge(
    settings: KnowledgeSettings, verify_embedder: bool = True, embedder: Embedder | None = None
) -> Knowledge:
    """The index of ``settings``; ``embedder``, when given, is one this process already
    loaded for the same model (several indexes, one model in memory)."""
    catalog = build_catalog(settings)
    store: VectorStore | None = None
    try:
        # The store first: a locked index fails at once, not after seconds of model loading.
        store = build_store(settings)
        embedder = embedder or build_embedder(settings)
        if verify_embedder:
            check_index_embedder(catalog, embedder)
        embedder, cache = with_caches(embedder, settings)
    except BaseException:
        if store is not None:
            store.close()
        catalog.close()
        raise
    searcher = Searcher(
        embedder,
        build_sparse_encoder(),
        store,
        lexical_weight=lexical_weight(settings),
        candidates=settings.candidates,
    )
    return Knowledge(
        settings=settings, catalog=catalog, store=store, searcher=searcher, embedding_cache=cache
    )
