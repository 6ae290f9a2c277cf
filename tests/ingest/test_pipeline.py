"""The ingestion job end to end: real loaders, the real lite embedder, embedded Qdrant."""

from __future__ import annotations

import io
import signal
import time
import zipfile
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.settings import Settings
from ingest.pipeline import Status, run_ingest
from knowledge.errors import IndexMismatchError
from knowledge.settings import EmbeddingProfile
from knowledge.types import Scope
from knowledge.wiring import build_store, open_knowledge
from tests.conftest import make_settings, with_overrides
from tests.ingest.job import committed_sources, start_ingest_job


def indexed_ids(settings: Settings) -> set[str]:
    store = build_store(settings.knowledge)
    try:
        return {chunk.chunk_id for chunk in store.iter_chunks()}
    finally:
        store.close()


def write_corpus(folder: Path, pages: int = 3) -> Path:
    (folder / "faq").mkdir(parents=True, exist_ok=True)
    (folder / "faq" / "entries.yaml").write_text(
        "entries:\n"
        "  - id: faq-mot-de-passe\n"
        "    question: J'ai oublié mon mot de passe, que faire ?\n"
        "    answer: Utilisez le lien « Mot de passe oublié » de la page de connexion.\n"
        "  - id: faq-attestation\n"
        "    question: Où trouver mon attestation de participation ?\n"
        "    answer: Elle se télécharge depuis la page de la session une fois celle-ci achevée.\n",
        encoding="utf-8",
    )
    for number in range(pages):
        (folder / f"page-{number}.md").write_text(
            f"# Fiche {number}\n\n## Contexte\n\nLa fiche numéro {number} décrit une procédure.\n"
            f"\n## Étapes\n\nOuvrez le tableau de bord puis suivez l'étape {number}.\n",
            encoding="utf-8",
        )
    return folder


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


def test_sample_corpus_is_indexed_with_scopes_and_parcours_links(settings: Settings) -> None:
    report = run_ingest(settings)

    assert not report.failed, report.failed
    assert report.count(Status.INDEXED) >= 10
    knowledge = open_knowledge(settings.knowledge)
    try:
        chunks = list(knowledge.store.iter_chunks())
        kinds = {chunk.kind.value for chunk in chunks}
        assert {"faq", "kit", "course"} <= kinds
        assert all(not c.session_ids for c in chunks if c.kind.value in {"faq", "kit"})
        sessions = {s for chunk in chunks for s in chunk.session_ids}
        assert {"laicite-2025", "parcours-manager-2025"} <= sessions
        assert knowledge.catalog.expand_sessions(["parcours-manager-2025"]) == {
            "parcours-manager-2025",
            "laicite-2025",
        }
        assert knowledge.catalog.expand_sessions(["laicite-2025"]) == {"laicite-2025"}
        hits = knowledge.searcher.search(
            "Comment télécharger mon attestation ?", Scope.global_only(), 5
        )
        assert hits and hits[0].chunk.kind.value == "faq"
        assert "attestation" in hits[0].chunk.text.lower()
    finally:
        knowledge.close()


def test_rerun_on_unchanged_sources_changes_nothing(settings: Settings, corpus: Path) -> None:
    first = run_ingest(settings, [corpus])
    before = indexed_ids(settings)

    second = run_ingest(settings, [corpus])

    assert first.count(Status.INDEXED) == 4
    assert second.count(Status.UNCHANGED) == 4
    assert second.count(Status.INDEXED) == 0
    assert indexed_ids(settings) == before


def test_a_new_way_of_indexing_reindexes_unchanged_bytes(settings: Settings, corpus: Path) -> None:
    # Sources are skipped on a hash of their bytes and of how they are indexed (extraction
    # revision, models, chunking): a change in the latter must redo them.
    run_ingest(settings, [corpus])
    overlap = settings.knowledge.chunk_overlap + 1

    report = run_ingest(with_overrides(settings, chunk_overlap=overlap), [corpus])

    assert report.count(Status.INDEXED) == 4


def test_changed_source_is_reindexed_and_its_old_chunks_disappear(
    settings: Settings, corpus: Path
) -> None:
    run_ingest(settings, [corpus])
    before = indexed_ids(settings)
    (corpus / "page-1.md").write_text("# Fiche 1\n\nUne toute nouvelle procédure.\n", "utf-8")

    report = run_ingest(settings, [corpus])

    assert report.count(Status.INDEXED) == 1
    after = indexed_ids(settings)
    assert len(after - before) == 1
    assert len(before - after) == 2
    knowledge = open_knowledge(settings.knowledge)
    try:
        texts = [c.text for c in knowledge.store.iter_chunks() if c.title == "Fiche 1"]
        assert texts == ["Une toute nouvelle procédure."]
    finally:
        knowledge.close()


def test_removed_source_disappears_from_the_index(settings: Settings, corpus: Path) -> None:
    run_ingest(settings, [corpus])
    (corpus / "page-2.md").unlink()

    report = run_ingest(settings, [corpus])

    assert report.count(Status.REMOVED) == 1
    titles = {chunk.title for chunk in build_and_list(settings)}
    assert "Fiche 2" not in titles
    assert "Fiche 0" in titles


def test_lite_gives_each_faq_question_a_point_of_its_own(settings: Settings, corpus: Path) -> None:
    question = "J'ai oublié mon mot de passe, que faire ?"
    run_ingest(settings, [corpus])
    assert run_ingest(settings, [corpus]).count(Status.UNCHANGED) == 4
    knowledge = open_knowledge(settings.knowledge)
    try:
        store, embedder = knowledge.store, knowledge.searcher.embedder
        vector = embedder.embed_documents([question])[0]
        [hit] = store.query_dense(vector, Scope.everything(), 1)
        # The question's own point (the entry's text, question and answer, is farther).
        assert hit.chunk.title == question and hit.score == pytest.approx(1.0, abs=1e-3)
        # Counting and listing the chunks leave the questions' points out.
        chunks = list(store.iter_chunks())
        assert store.count() == len(chunks) == len(knowledge.catalog.known_chunk_ids()) == 8
    finally:
        knowledge.close()

    (corpus / "faq" / "entries.yaml").unlink()
    run_ingest(settings, [corpus])
    knowledge = open_knowledge(settings.knowledge)
    try:
        hits = knowledge.store.query_dense(vector, Scope.everything(), 10)
        assert hits and all(hit.chunk.title != question for hit in hits)
    finally:
        knowledge.close()


def build_and_list(settings: Settings) -> list:
    store = build_store(settings.knowledge)
    try:
        return list(store.iter_chunks())
    finally:
        store.close()


def test_index_equals_a_clean_build_after_a_kill_mid_run(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", pages=60)
    killed = make_settings(tmp_path / "killed")
    job = start_ingest_job(killed, corpus)
    deadline = time.monotonic() + 120
    committed = 0
    while committed < 5 and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        committed = committed_sources(killed)
    job.send_signal(signal.SIGKILL)
    job.wait()
    assert committed >= 5, "the job should have been killed mid-run"

    resumed = run_ingest(killed, [corpus])
    clean = make_settings(tmp_path / "clean")
    run_ingest(clean, [corpus])

    assert not resumed.failed
    assert resumed.count(Status.UNCHANGED) >= 1
    assert indexed_ids(killed) == indexed_ids(clean)


def test_bad_inputs_are_reported_and_the_rest_is_indexed(settings: Settings, corpus: Path) -> None:
    (corpus / "vide.md").write_bytes(b"")
    (corpus / "casse.pdf").write_bytes(b"%PDF-1.4\n garbage that is not a pdf")
    (corpus / "programme.exe").write_bytes(b"MZ\x90\x00")
    traversal = io.BytesIO()
    with zipfile.ZipFile(traversal, "w") as archive:
        archive.writestr("../../evil.md", "# Évasion\n\nNe doit jamais sortir.")
    (corpus / "evasion.zip").write_bytes(traversal.getvalue())

    report = run_ingest(settings, [corpus])

    reasons = {Path(o.uri).name: o.reason for o in report.failed}
    assert reasons == {
        "vide.md": "empty",
        "casse.pdf": "corrupt",
        "programme.exe": "unsupported type",
        "evasion.zip": "unsafe archive",
    }
    assert report.count(Status.INDEXED) == 4


def test_a_failing_source_keeps_its_previous_content(settings: Settings, corpus: Path) -> None:
    run_ingest(settings, [corpus])
    before = indexed_ids(settings)
    (corpus / "page-0.md").write_bytes(b"")

    report = run_ingest(settings, [corpus])

    assert [Path(o.uri).name for o in report.failed] == ["page-0.md"]
    assert indexed_ids(settings) == before


def test_a_model_change_needs_an_explicit_rebuild(settings: Settings, corpus: Path) -> None:
    run_ingest(settings, [corpus])
    other = with_overrides(
        settings, embedding_profile=EmbeddingProfile.MISTRAL, mistral_api_key=SecretStr("x")
    )

    with pytest.raises(IndexMismatchError, match="--rebuild"):
        run_ingest(other, [corpus])
    report = run_ingest(settings, [corpus], rebuild=True)
    assert report.count(Status.INDEXED) == 4


def test_session_flag_scopes_documents(settings: Settings, corpus: Path) -> None:
    run_ingest(settings, [corpus], session="session-a")

    knowledge = open_knowledge(settings.knowledge)
    try:
        assert knowledge.searcher.search("procédure fiche", Scope.global_only(), 5) == []
        hits = knowledge.searcher.search("procédure fiche", Scope.sessions("session-a"), 5)
        assert hits and all(hit.chunk.session_ids == ("session-a",) for hit in hits)
    finally:
        knowledge.close()


def test_an_index_held_open_by_the_service_can_be_updated_through_it(
    settings: Settings, corpus: Path
) -> None:
    run_ingest(settings, [corpus])
    serving = open_knowledge(settings.knowledge)
    try:
        (corpus / "nouvelle.md").write_text("# Nouveauté\n\nLa visioconférence arrive.", "utf-8")

        report = run_ingest(settings, [corpus], knowledge=serving)

        assert report.count(Status.INDEXED) == 1
        hits = serving.searcher.search("visioconférence", Scope.global_only(), 3)
        assert hits[0].chunk.title == "Nouveauté"
    finally:
        serving.close()
