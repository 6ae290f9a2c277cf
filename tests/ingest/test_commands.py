"""`mentor-assistant ingest`, `status` and `search` as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from knowledge.cli import EXIT_ERROR, EXIT_FAILURES, build_app
from knowledge.stores.edge import EdgeStore

Invoke = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, clean_env: None) -> Invoke:
    runner = CliRunner()
    env = {"MENTOR_DATA_DIR": str(tmp_path / "data"), "MENTOR_EMBEDDING_PROFILE": "lite"}

    def invoke(*args: str) -> Result:
        return runner.invoke(build_app(), list(args), env=env)

    return invoke


@pytest.fixture
def indexed(run: Invoke) -> Invoke:
    result = run("ingest")
    assert result.exit_code == 0, result.output
    return run


def test_ingest_prints_a_summary_and_status_counts_what_is_indexed(indexed: Invoke) -> None:
    status = json.loads(indexed("status", "--json").stdout)

    assert status["documents"] >= 50
    assert status["chunks"] >= status["documents"]
    assert set(status["by_kind"]) == {"faq", "kit", "course"}
    assert {"global", "laicite-2025", "parcours-manager-2025"} <= set(status["by_session"])
    assert status["by_kind"]["faq"]["documents"] == 44


def test_search_json_lists_hits_with_citation_fields(indexed: Invoke) -> None:
    result = indexed("search", "mot de passe oublié", "--k", "3", "--json")

    hits = json.loads(result.stdout)
    assert len(hits) == 3
    expected = {"document_id", "chunk_id", "title", "url", "text", "score", "kind", "session_ids"}
    assert expected <= set(hits[0])
    assert "mot de passe" in (hits[0]["title"] + hits[0]["text"]).lower()


def test_search_reaches_a_session_only_when_asked(indexed: Invoke) -> None:
    query = ("search", "neutralité de l'agent public laïcité", "--k", "10", "--json")

    global_only = json.loads(indexed(*query).stdout)
    in_parcours = json.loads(indexed(*query, "--session", "parcours-manager-2025").stdout)

    assert all(not hit["session_ids"] for hit in global_only)
    assert any("laicite-2025" in hit["session_ids"] for hit in in_parcours)


def test_failed_sources_set_the_exit_code(run: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ok.md").write_text("# Titre\n\nUn contenu utile.", encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n")

    result = run("ingest", str(folder))

    assert result.exit_code == EXIT_FAILURES
    assert "image.png" in result.output
    assert "unsupported type" in result.output


def test_a_second_process_on_the_same_data_dir_gets_a_clear_error(
    indexed: Invoke, tmp_path: Path
) -> None:
    holder = EdgeStore(tmp_path / "data" / "qdrant", "mentor")
    try:
        result = indexed("status")
    finally:
        holder.close()

    assert result.exit_code == EXIT_ERROR
    assert "in use by another mentor-assistant process" in result.output
