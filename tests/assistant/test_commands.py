"""The `token`, `ask`, `purge` and `serve` sub-commands, through the real console script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app import create_app
from assistant.auth import Role, verify_token
from assistant.settings import environment_variables
from assistant.storage import Storage
from assistant.wiring import build_runtime
from ingest.pipeline import run_ingest
from knowledge import service_link
from knowledge.cli import EXIT_ERROR, build_app
from knowledge.types import Scope
from knowledge.wiring import Knowledge
from tests.assistant.test_api import index_sharing_the_model
from tests.conftest import make_settings
from tests.loopback import Loopback

SECRET = "c" * 48


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_env: None) -> Path:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("MENTOR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MENTOR_EMBEDDING_PROFILE", "lite")
    monkeypatch.setenv("MENTOR_JWT_SECRET", SECRET)
    monkeypatch.delenv("MENTOR_DEMO", raising=False)
    return data_dir


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), list(args))
    return result.exit_code, result.output


def test_token_prints_a_verifiable_token_on_its_last_line(env: Path) -> None:
    code, output = run("token", "--session", "laicite-2025", "--role", "support", "--ttl", "60")
    assert code == 0, output
    token = output.strip().splitlines()[-1]
    principal = verify_token(token, SECRET, make_settings(env, jwt_secret=SECRET))
    assert principal.role is Role.SUPPORT
    assert principal.session_ids == {"laicite-2025"}
    assert principal.user_id == "demo"


def test_demo_mode_token_and_serve_share_a_generated_secret(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MENTOR_JWT_SECRET")
    code, output = run("token")
    assert code == EXIT_ERROR
    assert "MENTOR_JWT_SECRET" in output
    monkeypatch.setenv("MENTOR_DEMO", "1")
    code, output = run("token")
    assert code == 0, output
    demo_secret = (env / "demo-secret").read_text().strip()
    settings = make_settings(env)
    verify_token(output.strip().splitlines()[-1], demo_secret, settings)


def test_serve_refuses_a_placeholder_secret(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTOR_JWT_SECRET", "change-me")
    code, output = run("serve")
    assert code == EXIT_ERROR
    assert "MENTOR_JWT_SECRET" in output


def test_purge_applies_the_retention(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = Storage(env / "assistant.sqlite")
    conversation = storage.conversations.open(None, "u").conversation_id
    storage.conversations.record_exchange(conversation, "u", "question", "réponse", None)
    storage.close()
    monkeypatch.setenv("MENTOR_RETENTION_DAYS", "0")
    code, output = run("purge")
    assert code == 0, output
    assert "1 conversations, 2 messages, 0 avis" in output


def test_ask_runs_the_pipeline_within_the_given_sessions(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_knowledge: Knowledge
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "badges.md").write_text(
        "# Les badges numériques\n\nÀ la fin de la session, un badge numérique Zéphyr est "
        "délivré aux apprenants qui ont validé les trois modules du parcours Zéphyr.\n",
        encoding="utf-8",
    )
    settings = make_settings(env)
    with index_sharing_the_model(settings, sample_knowledge) as knowledge:
        assert not run_ingest(settings, [course], session="sess-z", knowledge=knowledge).failed
    question = "Quand le badge numérique Zéphyr est-il délivré ?"

    code, output = run("ask", question, "--session", "sess-z", "--json")
    assert code == 0, output
    answer = json.loads(output)
    assert answer["refused"] is None
    assert "Zéphyr" in answer["answer"]
    assert answer["citations"][0]["title"] == "Les badges numériques"

    code, output = run("ask", question)
    assert code == 0, output
    assert "Zéphyr est délivré" not in output
    assert "Sources" not in output


def test_ingest_while_serve_owns_the_index_is_handed_to_the_service(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_knowledge: Knowledge
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "accueil.md").write_text(
        "# Accueil\n\nBienvenue dans la session Orphée.\n", encoding="utf-8"
    )
    settings = make_settings(env, jwt_secret=SECRET, ingest_roots=[course])
    with index_sharing_the_model(settings, sample_knowledge) as knowledge:
        assert not run_ingest(settings, [course], session="sess-o", knowledge=knowledge).failed
        port = Loopback()
        runtime = build_runtime(settings, knowledge=knowledge)
        with port.serving(create_app(settings, runtime, advertise_url=port.url)):
            (course / "badge.md").write_text(
                "# Le badge Orphée\n\nLe badge numérique Orphée est délivré après le "
                "troisième module.\n",
                encoding="utf-8",
            )
            code, output = run("ingest", str(course), "--session", "sess-o")
            assert code == 0, output
            assert "Réindexé par le service" in output
            assert "1 indexées, 1 inchangées" in output
            hits = knowledge.searcher.search("badge numérique Orphée", Scope({"sess-o"}), k=1)
            assert hits[0].chunk.title == "Le badge Orphée"

            code, output = run("ingest", "/etc/hostname")
            assert code == EXIT_ERROR
            assert "racine autorisée" in output
        assert service_link.find(settings.knowledge) is None, "the link is withdrawn at shutdown"


def test_ingest_without_a_running_service_reports_the_lock(
    env: Path, monkeypatch: pytest.MonkeyPatch, sample_knowledge: Knowledge
) -> None:
    with index_sharing_the_model(make_settings(env), sample_knowledge):
        code, output = run("ingest")
    assert code == EXIT_ERROR
    assert "in use by another mentor-assistant process" in output


def test_serve_help_lists_its_options_and_every_variable_it_reads() -> None:
    code, output = run("serve", "--help")
    assert code == 0, output
    flat = " ".join(output.split())
    assert "--host" in flat and "--port" in flat
    for name in environment_variables():
        assert name in flat, name
