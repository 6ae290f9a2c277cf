from __future__ import annotations

from collections.abc import Iterator

import pytest

from knowledge.chunking import Chunker
from knowledge.search import Searcher
from knowledge.types import Chunk, Document, Hit, Scope, Section
from knowledge.wiring import build_embedder, build_sparse_encoder, build_store, lexical_weight
from tests.conftest import make_settings

# Our words: one help page cut into three chunks, and the same page in session B.
_STEPS = " ".join(f"Étape {n} : ouvrez le menu {n} puis validez votre choix." for n in range(9))


def _chunks(document_id: str, *session_ids: str) -> list[Chunk]:
    page = Document(
        document_id=document_id,
        source=f"{document_id}.md",
        title="Aide",
        sections=(Section(_STEPS),),
        session_ids=session_ids,
    )
    return Chunker(chunk_size=200, chunk_overlap=40).split(page)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searcher]:
    settings = make_settings(tmp_path_factory.mktemp("continued")).knowledge
    embedder = build_embedder(settings)
    store = build_store(settings)
    store.ensure_collection(embedder.dimension)
    chunks = _chunks("aide") + _chunks("aide-b", "B")
    encoder = build_sparse_encoder()
    texts = [chunk.text for chunk in chunks]
    store.upsert(chunks, embedder.embed_documents(texts), encoder.encode_documents(texts))
    yield Searcher(embedder, encoder, store, lexical_weight(settings), settings.candidates)
    store.close()


def _hit(chunk: Chunk) -> Hit:
    return Hit(chunk=chunk, score=0.5, dense_score=0.5)


def test_a_cited_passage_is_read_on_into_the_next_chunk(searcher: Searcher) -> None:
    first, second, third = _chunks("aide")[:3]

    (continued,) = searcher.continued([_hit(first)], Scope.global_only())

    assert continued.chunk.chunk_id == first.chunk_id
    assert continued.chunk.text.startswith(first.text)
    assert continued.chunk.text.endswith(second.text)
    assert third.text not in continued.chunk.text


def test_a_cited_chunk_that_follows_another_is_cited_once_inside_it(searcher: Searcher) -> None:
    first, second, third = _chunks("aide")[:3]

    cited = searcher.continued([_hit(second), _hit(first)], Scope.global_only())

    # The second is read on into the third; the first stays alone, the second already shown.
    assert [hit.chunk.chunk_id for hit in cited] == [second.chunk_id, first.chunk_id]
    assert cited[0].chunk.text.endswith(third.text)
    assert cited[1].chunk.text == first.text

    (both,) = searcher.continued([_hit(first), _hit(second)], Scope.global_only())
    assert both.chunk.text.endswith(second.text)


def test_the_next_chunk_is_read_only_within_the_scope(searcher: Searcher) -> None:
    first = _chunks("aide-b", "B")[0]

    (outside,) = searcher.continued([_hit(first)], Scope.sessions("A"))
    (inside,) = searcher.continued([_hit(first)], Scope.sessions("B"))

    assert outside.chunk.text == first.text
    assert len(inside.chunk.text) > len(first.text)
