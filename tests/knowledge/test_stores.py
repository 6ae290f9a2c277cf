"""One suite for both VectorStores, so the embedded default and a Qdrant server behave alike.

qdrant-client's local mode stands in for the server; the vectors are small and handmade so
that every expected ranking can be worked out by hand.
"""

from __future__ import annotations

import dataclasses
import math
import os
import random
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from qdrant_client import QdrantClient

from knowledge.errors import IndexMismatchError, StoreLockedError, StoreUnavailableError
from knowledge.protocols import VectorStore
from knowledge.stores import schema
from knowledge.stores.client import QdrantClientStore
from knowledge.stores.edge import EdgeStore
from knowledge.types import Chunk, Hit, Kind, Scope, SparseVector

# Local mode warns that payload indexes do nothing there; creating them is still the point.
pytestmark = pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning")

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = "mentor"
DIM = 4


def make_chunk(name: str, *session_ids: str, **fields: Any) -> Chunk:
    chunk = Chunk(
        chunk_id=Chunk.make_id(f"doc-{name}", name, 0),
        document_id=f"doc-{name}",
        text=f"Texte de {name}",
        position=0,
        title=f"Titre {name}",
        source=f"{name}.md",
        kind=Kind.PAGE,
        collection="default",
        session_ids=session_ids,
    )
    return dataclasses.replace(chunk, **fields)


def sparse(weights: dict[int, float]) -> SparseVector:
    ordered = sorted(weights.items())
    return SparseVector(tuple(i for i, _ in ordered), tuple(v for _, v in ordered))


# name -> (chunk, dense, sparse). Term 10 is rare (one chunk), 13 and 14 appear twice.
DATA: dict[str, tuple[Chunk, list[float], SparseVector]] = {
    "global-faq": (
        make_chunk(
            "global-faq",
            kind=Kind.FAQ,
            heading_path=("Aide", "Inscription"),
            url="https://mentor.gouv.fr/faq",
        ),
        [1.0, 0.0, 0.0, 0.0],
        sparse({10: 1.0, 11: 1.0}),
    ),
    "global-page": (
        make_chunk("global-page", page=3, kind=Kind.COURSE, position=2),
        [0.8, 0.6, 0.0, 0.0],
        sparse({11: 1.0, 12: 1.0}),
    ),
    "session-a": (make_chunk("session-a", "A"), [0.6, 0.8, 0.0, 0.0], sparse({12: 1.0, 13: 2.0})),
    "session-b": (make_chunk("session-b", "B"), [0.0, 1.0, 0.0, 0.0], sparse({13: 1.0, 14: 1.0})),
    "sessions-ab": (make_chunk("sessions-ab", "A", "B"), [0.0, 0.0, 1.0, 0.0], sparse({14: 1.0})),
    "session-c": (
        make_chunk("session-c", "C", kind=Kind.KIT),
        [0.0, 0.0, 0.0, 1.0],
        sparse({15: 1}),
    ),
}
NAME_OF = {chunk.chunk_id: name for name, (chunk, _, _) in DATA.items()}


def upsert(store: VectorStore, *names: str) -> None:
    rows = [DATA[name] for name in names or DATA]
    store.upsert([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])


def names(hits: Sequence[Hit]) -> list[str]:
    return [NAME_OF[hit.chunk.chunk_id] for hit in hits]


def open_edge(path: Path) -> VectorStore:
    return EdgeStore(path / "edge", COLLECTION)


def open_client_local(path: Path) -> VectorStore:
    return QdrantClientStore(QdrantClient(path=str(path / "client-local")), COLLECTION)


OPENERS = {"edge": open_edge, "client-local": open_client_local}


@pytest.fixture(params=list(OPENERS))
def open_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], VectorStore]]:
    """Opens the parametrised store on the same folder each time (to test reopening)."""
    opened: list[VectorStore] = []

    def open_() -> VectorStore:
        store = OPENERS[request.param](tmp_path)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Callable[[], VectorStore]) -> VectorStore:
    """A filled store of its own, for tests that change it."""
    store = open_store()
    store.ensure_collection(DIM)
    upsert(store)
    return store


@pytest.fixture(scope="module", params=list(OPENERS))
def read_only_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VectorStore]:
    """A filled store that read-only tests share: creating a shard costs tenths of a second."""
    store = OPENERS[request.param](tmp_path_factory.mktemp(request.param))
    store.ensure_collection(DIM)
    upsert(store)
    yield store
    store.close()


def test_implements_the_protocol(read_only_store: VectorStore) -> None:
    assert isinstance(read_only_store, VectorStore)


def test_before_the_first_ingestion_everything_is_empty(
    open_store: Callable[[], VectorStore],
) -> None:
    store = open_store()
    assert store.count() == 0
    assert list(store.iter_chunks()) == []
    assert store.query_dense([1.0, 0.0, 0.0, 0.0], Scope.everything(), 5) == []
    assert store.query_sparse(sparse({10: 1.0}), Scope.everything(), 5) == []
    store.delete([DATA["global-faq"][0].chunk_id])


def test_ensure_collection_is_idempotent(store: VectorStore) -> None:
    store.ensure_collection(DIM)
    store.ensure_collection(DIM)
    assert store.count() == len(DATA)
    assert names(store.query_dense([1.0, 0.0, 0.0, 0.0], Scope.everything(), 1)) == ["global-faq"]


def test_another_dimension_is_refused_and_the_index_kept(
    open_store: Callable[[], VectorStore],
) -> None:
    store = open_store()
    store.ensure_collection(DIM)
    upsert(store)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        store.ensure_collection(DIM * 2)
    assert store.count() == len(DATA)
    store.close()

    reopened = open_store()
    with pytest.raises(IndexMismatchError, match=f"{DIM * 2}-dimension"):
        reopened.ensure_collection(DIM * 2)
    assert reopened.count() == len(DATA)


def test_drop_removes_the_collection_for_a_rebuild(store: VectorStore) -> None:
    store.drop()
    assert store.count() == 0
    assert store.query_dense([1.0, 0.0, 0.0, 0.0], Scope.everything(), 5) == []
    store.ensure_collection(DIM * 2)
    chunk, _, lexical = DATA["global-faq"]
    store.upsert([chunk], [[1.0] * DIM * 2], [lexical])
    assert list(store.iter_chunks()) == [chunk]


def test_upsert_and_count(open_store: Callable[[], VectorStore]) -> None:
    store = open_store()
    store.ensure_collection(DIM)
    upsert(store, "global-faq", "session-a")
    assert store.count() == 2
    upsert(store)
    assert store.count() == len(DATA)
    store.upsert([], [], [])
    assert store.count() == len(DATA)


def test_dense_query_ranks_by_cosine(read_only_store: VectorStore) -> None:
    hits = read_only_store.query_dense([2.0, 0.0, 0.0, 0.0], Scope.everything(), 3)
    assert names(hits) == ["global-faq", "global-page", "session-a"]
    assert [hit.score for hit in hits] == pytest.approx([1.0, 0.8, 0.6], abs=1e-5)
    assert all(hit.dense_score == hit.score and hit.sparse_score is None for hit in hits)


def test_sparse_query_weighs_terms_by_the_stores_idf(read_only_store: VectorStore) -> None:
    def idf(document_frequency: int) -> float:
        n = len(DATA)
        return math.log(1 + (n - document_frequency + 0.5) / (document_frequency + 0.5))

    hits = read_only_store.query_sparse(sparse({10: 1.0, 13: 1.0}), Scope.everything(), 5)
    # session-a's weight 2 on a common term beats a weight 1 on the rare term, which in
    # turn beats a weight 1 on the common term.
    assert names(hits) == ["session-a", "global-faq", "session-b"]
    expected = [2.0 * idf(2), idf(1), idf(2)]
    assert [hit.score for hit in hits] == pytest.approx(expected, rel=1e-4)
    assert all(hit.sparse_score == hit.score and hit.dense_score is None for hit in hits)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (Scope.global_only(), {"global-faq", "global-page"}),
        (Scope.sessions("A"), {"global-faq", "global-page", "session-a", "sessions-ab"}),
        (Scope.sessions("A", "B"), set(DATA) - {"session-c"}),
        (Scope.sessions("unknown"), {"global-faq", "global-page"}),
        (Scope.everything(), set(DATA)),
    ],
    ids=["global-only", "one-session", "two-sessions", "unknown-session", "everything"],
)
def test_scope_filter(read_only_store: VectorStore, scope: Scope, expected: set[str]) -> None:
    assert set(names(read_only_store.query_dense([1.0, 1.0, 1.0, 1.0], scope, 20))) == expected
    lexical = sparse({term: 1.0 for term in range(10, 16)})
    assert set(names(read_only_store.query_sparse(lexical, scope, 20))) == expected


def test_session_a_never_sees_session_b(read_only_store: VectorStore) -> None:
    scope = Scope.sessions("A")
    # Session B's own vectors: a leak would put it first.
    dense_hits = read_only_store.query_dense(DATA["session-b"][1], scope, 20)
    sparse_hits = read_only_store.query_sparse(DATA["session-b"][2], scope, 20)
    assert "session-b" not in names(dense_hits) + names(sparse_hits)
    assert all(scope.allows(hit.chunk.session_ids) for hit in dense_hits + sparse_hits)
    assert names(sparse_hits) == ["session-a", "sessions-ab"]


def test_chunk_at_finds_a_documents_chunk_by_position_within_the_scope(
    read_only_store: VectorStore,
) -> None:
    page = DATA["global-page"][0]
    session_b = DATA["session-b"][0]

    assert read_only_store.chunk_at(page.document_id, 2, Scope.global_only()) == page
    assert read_only_store.chunk_at(page.document_id, 3, Scope.everything()) is None
    assert read_only_store.chunk_at(session_b.document_id, 0, Scope.sessions("B")) == session_b
    assert read_only_store.chunk_at(session_b.document_id, 0, Scope.sessions("A")) is None


def test_delete(store: VectorStore) -> None:
    store.delete([DATA["session-a"][0].chunk_id, "00000000-0000-4000-8000-000000000000"])
    store.delete([])
    assert store.count() == len(DATA) - 1
    assert "session-a" not in {NAME_OF[chunk.chunk_id] for chunk in store.iter_chunks()}
    assert "session-a" not in names(store.query_dense([0.6, 0.8, 0.0, 0.0], Scope.everything(), 9))


def test_a_faq_question_finds_its_entry_once_within_the_scope(store: VectorStore) -> None:
    entry, _, _ = DATA["global-faq"]
    private, _, _ = DATA["session-b"]
    # The entry's text lies along the first axis, its question elsewhere.
    question = [0.0, 0.0, 0.6, 0.8]
    store.upsert_questions([entry, private], [question, [0.0, 0.0, 0.8, 0.6]])
    assert store.count() == len(DATA)
    assert set(store.iter_chunks()) == {chunk for chunk, _, _ in DATA.values()}

    hits = store.query_dense(question, Scope.everything(), 10)
    assert names(hits)[:3] == ["global-faq", "session-b", "session-c"]
    assert len(names(hits)) == len(set(names(hits)))
    assert hits[0].chunk == entry and hits[0].score == pytest.approx(1.0)
    [by_text] = store.query_dense([1.0, 0.0, 0.0, 0.0], Scope.everything(), 1)
    assert by_text.chunk == entry and by_text.score == pytest.approx(1.0)
    # Asked in another language, the (French) questions' points stay out.
    assert names(store.query_dense(question, Scope.everything(), 10, "fr"))[0] == "global-faq"
    in_english = store.query_dense(question, Scope.everything(), 10, "en")
    assert names(in_english)[:2] == ["session-c", "sessions-ab"]
    assert all(hit.score < 0.5 for hit in in_english if hit.chunk == entry)
    # A question point carries its entry's sessions: session A never sees session B's.
    assert "session-b" not in names(store.query_dense(question, Scope.sessions("A"), 10))

    store.delete([entry.chunk_id])
    assert "global-faq" not in names(store.query_dense(question, Scope.everything(), 10))
    assert store.count() == len(DATA) - 1


def test_iter_chunks_round_trips_every_field(read_only_store: VectorStore) -> None:
    chunks = list(read_only_store.iter_chunks())
    assert len(chunks) == len(DATA)
    assert set(chunks) == {chunk for chunk, _, _ in DATA.values()}
    faq = next(chunk for chunk in chunks if chunk.chunk_id == DATA["global-faq"][0].chunk_id)
    assert faq.heading_path == ("Aide", "Inscription")
    assert faq.kind is Kind.FAQ
    assert faq.page is None
    page = next(chunk for chunk in chunks if chunk.chunk_id == DATA["global-page"][0].chunk_id)
    assert (page.page, page.url, page.position) == (3, None, 2)
    assert DATA["sessions-ab"][0] in chunks


def test_iter_chunks_follows_the_scroll_over_several_pages(store: VectorStore) -> None:
    many = [make_chunk(f"page-{n}") for n in range(2 * schema.SCROLL_BATCH + 3)]
    store.upsert(many, [[0.0, 0.0, 0.0, 1.0]] * len(many), [sparse({20: 1.0})] * len(many))
    ids = [chunk.chunk_id for chunk in store.iter_chunks()]
    assert len(ids) == len(set(ids)) == len(many) + len(DATA)


def test_upsert_replaces_a_point_with_the_same_id(store: VectorStore) -> None:
    upsert(store)
    assert store.count() == len(DATA)
    old, _, lexical = DATA["session-a"]
    new = dataclasses.replace(old, text="Nouveau texte", kind=Kind.KIT, session_ids=())
    store.upsert([new], [[0.0, 0.0, 0.0, 1.0]], [lexical])
    assert store.count() == len(DATA)
    [hit] = store.query_dense([0.0, 0.0, 0.0, 1.0], Scope.global_only(), 1)
    assert hit.chunk == new


def test_data_survives_closing_and_reopening(open_store: Callable[[], VectorStore]) -> None:
    store = open_store()
    store.ensure_collection(DIM)
    upsert(store)
    store.delete([DATA["session-c"][0].chunk_id])
    store.flush()
    store.close()

    reopened = open_store()
    reopened.ensure_collection(DIM)
    assert reopened.count() == len(DATA) - 1
    assert set(reopened.iter_chunks()) == {c for n, (c, _, _) in DATA.items() if n != "session-c"}
    hits = reopened.query_sparse(sparse({10: 1.0}), Scope.global_only(), 5)
    assert names(hits) == ["global-faq"]


def test_both_stores_rank_alike(tmp_path: Path) -> None:
    rng = random.Random(7)
    dim, vocabulary = 16, range(1, 40)
    session_choices: list[tuple[str, ...]] = [(), ("A",), ("B",), ("A", "B")]
    chunks = [make_chunk(f"c{i}", *rng.choice(session_choices)) for i in range(60)]
    dense = [[rng.uniform(-1, 1) for _ in range(dim)] for _ in chunks]
    lexical = [
        sparse({term: rng.uniform(0.2, 2.0) for term in rng.sample(vocabulary, 5)}) for _ in chunks
    ]
    stores = [opener(tmp_path) for opener in OPENERS.values()]
    try:
        for store in stores:
            store.ensure_collection(dim)
            store.upsert(chunks, dense, lexical)
        for scope in (Scope.everything(), Scope.global_only(), Scope.sessions("A")):
            for _ in range(5):
                dense_query = [rng.uniform(-1, 1) for _ in range(dim)]
                sparse_query = sparse({term: 1.0 for term in rng.sample(vocabulary, 3)})
                edge, local = (s.query_dense(dense_query, scope, 10) for s in stores)
                assert [h.chunk.chunk_id for h in edge] == [h.chunk.chunk_id for h in local]
                assert [h.score for h in edge] == pytest.approx([h.score for h in local], abs=1e-4)
                edge, local = (s.query_sparse(sparse_query, scope, 10) for s in stores)
                assert edge, "each query shares terms with some chunk"
                assert [h.chunk.chunk_id for h in edge] == [h.chunk.chunk_id for h in local]
                assert [h.score for h in edge] == pytest.approx([h.score for h in local], rel=1e-4)
    finally:
        for store in stores:
            store.close()


OPEN_IN_ANOTHER_PROCESS = """
import sys
import threading
from pathlib import Path
from knowledge.errors import StoreLockedError
from knowledge.stores.edge import EdgeStore
try:
    EdgeStore(Path(sys.argv[1]), "mentor").close()
except StoreLockedError as exc:
    print(exc)
    sys.exit(3)
"""


def test_edge_folder_belongs_to_one_process(tmp_path: Path) -> None:
    store = EdgeStore(tmp_path, COLLECTION)
    try:
        store.ensure_collection(DIM)
        upsert(store)
        other = subprocess.run(
            [sys.executable, "-c", OPEN_IN_ANOTHER_PROCESS, str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.returncode == 3, other.stderr
        assert "in use by another mentor-assistant process" in other.stdout
        assert f"pid {os.getpid()}" in other.stdout
        with pytest.raises(StoreLockedError, match="serve"):
            EdgeStore(tmp_path, COLLECTION)
    finally:
        store.close()
    store.close()  # closing twice is harmless

    reopened = EdgeStore(tmp_path, COLLECTION)
    assert reopened.count() == len(DATA)
    reopened.close()


def test_unreachable_server_is_reported_not_raised_raw() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    store = QdrantClientStore.connect(url, None, COLLECTION)
    try:
        with pytest.raises(StoreUnavailableError, match=f"Cannot reach the Qdrant server at {url}"):
            store.count()
        with pytest.raises(StoreUnavailableError):
            store.query_dense([1.0, 0.0, 0.0, 0.0], Scope.everything(), 3)
        with pytest.raises(StoreUnavailableError):
            store.ensure_collection(DIM)
    finally:
        store.close()


def _searching(store: VectorStore, write: Callable[[], None]) -> tuple[list[int], list[Exception]]:
    """Runs ``write`` while another thread searches ``store`` without pause; returns the hit
    counts the searches saw and what they raised."""
    found: list[int] = []
    failures: list[Exception] = []
    done = threading.Event()

    def search() -> None:
        while not done.is_set():
            try:
                found.append(len(store.query_dense([1.0, 0.0, 0.0, 0.0], Scope.everything(), 9)))
            except Exception as error:  # what a search raised is what the test asserts on
                failures.append(error)
                return

    searcher = threading.Thread(target=search)
    searcher.start()
    try:
        write()
    finally:
        done.set()
        searcher.join()
    return found, failures


def test_searches_go_on_while_a_reopened_store_takes_its_first_write(
    open_store: Callable[[], VectorStore],
) -> None:
    # A service re-indexes (Moodle events, hand-offs) with the store it searches: the first
    # write of a reopened store checks the index against the model, under live searches.
    store = open_store()
    store.ensure_collection(DIM)
    upsert(store)
    store.close()
    for _ in range(5):
        reopened = open_store()

        def write(store: VectorStore = reopened) -> None:
            store.ensure_collection(DIM)
            upsert(store, "global-faq")

        found, failures = _searching(reopened, write)
        assert not failures, failures
        assert found and set(found) == {len(DATA)}
        reopened.close()
