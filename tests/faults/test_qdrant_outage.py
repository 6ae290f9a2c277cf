"""The Qdrant server (QDRANT_URL) is unreachable at start or mid-run: /api/health says so,
answers get a clear French error (problem JSON 503), nothing crashes, and the service
recovers by itself once the server is back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from assistant.replies import INDEX_UNAVAILABLE
from assistant.settings import Settings
from bench.loopback import free_port, serving
from ingest.pipeline import run_ingest
from knowledge.search import Searcher
from knowledge.stores.client import QdrantClientStore
from knowledge.wiring import (
    Knowledge,
    build_catalog,
    build_embedder,
    build_sparse_encoder,
    lexical_weight,
)
from tests.faults.conftest import QUESTION, Live, app_settings, live_app, stream_events
from tests.faults.fake_qdrant import fake_qdrant

pytestmark = pytest.mark.filterwarnings("ignore:Payload indexes have no effect")

UNAVAILABLE = INDEX_UNAVAILABLE


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[QdrantClient, Path]]:
    """The sample corpus indexed through QdrantClientStore into qdrant-client's local engine,
    and the data dir holding its catalog."""
    data_dir = tmp_path_factory.mktemp("qdrant-outage")
    settings = app_settings(data_dir)
    engine = QdrantClient(":memory:")
    embedder = build_embedder(settings.knowledge)
    store = QdrantClientStore(engine, settings.knowledge.collection)
    knowledge = Knowledge(
        settings.knowledge,
        build_catalog(settings.knowledge),
        store,
        Searcher(
            embedder,
            build_sparse_encoder(),
            store,
            lexical_weight(settings.knowledge),
            settings.knowledge.candidates,
        ),
    )
    report = run_ingest(settings, knowledge=knowledge)
    knowledge.catalog.close()
    assert not report.failed and report.chunks > 0
    yield engine, data_dir
    engine.close()


def qdrant_at(port: int, engine: QdrantClient) -> AbstractContextManager[str]:
    return serving(fake_qdrant(engine), port=port)


def service_settings(data_dir: Path, port: int) -> Settings:
    return app_settings(data_dir, qdrant_url=f"http://127.0.0.1:{port}")


def assert_unavailable(live: Live) -> None:
    with live.client() as client:
        health = client.get("/api/health")
        answer = client.post("/api/chat", json={"message": QUESTION}, headers=live.headers())
        search = client.get("/api/search", params={"q": QUESTION}, headers=live.headers())
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"
    assert health.json()["index"] == {"reachable": False, "chunks": None}
    for response in (answer, search):
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == UNAVAILABLE
    status, events = stream_events(live)
    assert status == 200 and [name for name, _ in events] == ["error"]
    assert events[0][1]["message"] == UNAVAILABLE


def assert_available(live: Live, chunks: int) -> None:
    with live.client() as client:
        # The first request after the server comes back may meet a pooled connection that
        # died with it; a few probes, as a load balancer does.
        deadline = time.monotonic() + 10
        while (health := client.get("/api/health")).status_code != 200:
            assert time.monotonic() < deadline, health.json()
            time.sleep(0.2)
        answer = client.post("/api/chat", json={"message": QUESTION}, headers=live.headers())
    assert health.json()["index"] == {"reachable": True, "chunks": chunks}
    assert answer.status_code == 200 and answer.json()["citations"]


def test_unreachable_at_start_then_back(tmp_path: Path, engine: tuple[QdrantClient, Path]) -> None:
    client, data_dir = engine
    port = free_port()
    with live_app(service_settings(data_dir, port)) as live:
        assert_unavailable(live)
        with qdrant_at(port, client):
            assert_available(live, QdrantClientStore(client, "mentor").count())


def test_lost_mid_run_then_back(engine: tuple[QdrantClient, Path]) -> None:
    client, data_dir = engine
    port = free_port()
    chunks = QdrantClientStore(client, "mentor").count()
    with live_app(service_settings(data_dir, port)) as live:
        with qdrant_at(port, client):
            assert_available(live, chunks)
        # The server went away under the running service.
        assert_unavailable(live)
        with qdrant_at(port, client):
            assert_available(live, chunks)
