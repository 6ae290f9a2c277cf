"""The storage on both databases it supports: SQLite (default) and a real PostgreSQL server,
started here as a throwaway cluster when the server binaries are installed
(`scripts/install-postgres.sh`); plus the Alembic migration of a database written by the
sqlite3 storage that came before it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from assistant.storage import SECONDS_PER_DAY, Storage, TicketFilter
from assistant.storage.schema import MIGRATIONS
from assistant.types import Confidence, Turn
from tests.pgcluster import free_port, server_binary

PII = "Écrivez à jean.dupont@example.fr ou au 06 12 34 56 78"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL cluster of our own on a free port, removed afterwards."""
    initdb, pg_ctl = server_binary("initdb"), server_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        message = "PostgreSQL server binaries not found: run scripts/install-postgres.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # initdb refuses to run as root: the cluster then belongs to the postgres user.
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="mentor-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    data = folder / "data"
    port = free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=120)

    run(initdb, "-D", str(data), "-A", "trust", "-U", "mentor", "-E", "UTF8", "--locale=C")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        admin = sa.create_engine(
            f"postgresql+psycopg://mentor@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as db:
            db.execute(sa.text("CREATE DATABASE mentor_test"))
        admin.dispose()
        yield f"postgresql://mentor@127.0.0.1:{port}/mentor_test"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "sqlite":
        opened = Storage(tmp_path / "assistant.sqlite")
    else:
        opened = Storage(request.getfixturevalue("postgres_url"))
        # One database for the session: each test starts from empty tables.
        with opened.engine.begin() as db:
            db.execute(
                sa.text(
                    "TRUNCATE conversations, messages, feedback, triaged_requests, tickets "
                    "RESTART IDENTITY CASCADE"
                )
            )
    yield opened
    opened.close()


def test_conversations_are_redacted_and_owned(storage: Storage) -> None:
    conversation = storage.conversations.open(None, "alice")
    storage.conversations.record_exchange(
        conversation.conversation_id, "alice", PII, "Réponse.", None
    )
    question, answer = storage.conversations.open(conversation.conversation_id, "alice").history
    assert "jean.dupont@" not in question.content and "[courriel]" in question.content
    assert answer == Turn("assistant", "Réponse.")
    assert storage.conversations.open(conversation.conversation_id, "mallory").history == ()


def test_feedback_is_replaced_and_only_on_ones_own_answers(storage: Storage) -> None:
    answer_id = storage.conversations.record_exchange("c1", "alice", "Q", "R", None)
    assert storage.conversations.add_feedback(answer_id, "alice", "down", PII)
    assert storage.conversations.add_feedback(answer_id, "alice", "up", None)
    assert not storage.conversations.add_feedback(answer_id, "mallory", "down", None)
    with storage.engine.connect() as db:
        assert db.execute(sa.text("SELECT rating, comment FROM feedback")).all() == [("up", None)]


def test_tickets_are_numbered_filtered_and_updated(storage: Storage) -> None:
    answer_id = storage.conversations.record_exchange(
        "c1", "alice", PII, "Je ne sais pas.", "no_evidence"
    )
    exchange = storage.conversations.exchange(answer_id, "alice")
    assert exchange is not None and exchange.refused == "no_evidence"
    assert storage.conversations.exchange(answer_id, "mallory") is None
    first = storage.tickets.create("alice", "s1", exchange.question, exchange.turns, [], "raison")
    second = storage.tickets.create("alice", None, "Autre", (), [{"title": "t", "url": None}], None)
    assert (first.reference, second.reference) == ("MA-000001", "MA-000002")
    storage.tickets.set_triage(1, "attestation", "non communiquée", "high", {"id": "MA-000001"})
    assert storage.tickets.set_status(2, "resolu")
    assert not storage.tickets.set_status(99, "resolu")

    stored = storage.tickets.get(1)
    assert stored is not None and stored.triage == {"id": "MA-000001"}
    assert "06 12" not in stored.question + stored.conversation[0].content
    assert [t.number for t in storage.tickets.matching()] == [2, 1]
    assert [t.number for t in storage.tickets.matching(TicketFilter(urgency="high"))] == [1]
    assert [t.number for t in storage.tickets.matching(TicketFilter(status="resolu"))] == [2]
    assert storage.tickets.values("category") == ["attestation"]


def test_gap_questions_are_refusals_hedged_answers_and_thumbs_down(storage: Storage) -> None:
    record = storage.conversations.record_exchange
    record("c1", "u", "Sans réponse ?", "Non.", "no_evidence")
    record("c1", "u", "Injection", "Non.", "prompt_injection")
    rated = record("c2", "u", "Mal répondu", "Voici.", None, Confidence.HIGH)
    storage.conversations.add_feedback(rated, "u", "down", None)
    liked = record("c3", "u", "Bien répondu", "Voici.", None, Confidence.HIGH)
    storage.conversations.add_feedback(liked, "u", "up", None)
    record("c4", "u", "À moitié répondu", "Je ne suis pas certain…", None, Confidence.LOW)
    gaps = storage.conversations.gap_questions(time.time() - 60)
    assert [(g.text, g.refused, g.hedged, g.thumbs_down) for g in gaps] == [
        ("Sans réponse ?", "no_evidence", False, False),
        ("Mal répondu", None, False, True),
        ("À moitié répondu", None, True, False),
    ]
    with storage.engine.connect() as db:
        stored = db.execute(
            sa.text("SELECT confidence FROM messages WHERE role = 'assistant' ORDER BY id")
        ).scalars()
        assert list(stored) == [None, None, "high", "high", "low"]


def test_triaged_requests_and_purge(storage: Storage) -> None:
    storage.requests.record("r1", "compte", PII, [0.5, 0.25])
    storage.requests.record("r1", "attestation", "résumé", [1.0, 0.0])
    (request,) = storage.requests.recent(time.time() - 60)
    assert (request.category, request.vector) == ("attestation", (1.0, 0.0))
    storage.conversations.record_exchange("c1", "u", "Q", "R", None)
    with storage.engine.begin() as db:
        for table in ("conversations", "messages", "triaged_requests"):
            db.execute(
                sa.text(f"UPDATE {table} SET created = :old"),
                {"old": time.time() - 40 * SECONDS_PER_DAY},
            )
    purged = storage.purge(30)
    assert (purged.conversations, purged.messages, purged.requests) == (1, 2, 1)


OLD_SCHEMA = """
CREATE TABLE conversations (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL, answer_id TEXT UNIQUE, refused TEXT, created REAL NOT NULL
);
CREATE TABLE feedback (
    answer_id TEXT NOT NULL, user_id TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT,
    created REAL NOT NULL, PRIMARY KEY (answer_id, user_id)
);
"""


def test_a_database_of_the_sqlite3_storage_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO conversations VALUES ('c1', 'alice', ?)", (time.time(),))
        db.execute(
            "INSERT INTO messages(conversation_id, role, content, answer_id, created) "
            "VALUES ('c1', 'user', 'Q', NULL, ?), ('c1', 'assistant', 'R', 'a1', ?)",
            (time.time(), time.time()),
        )
    storage = Storage(path)
    try:
        assert [t.content for t in storage.conversations.open("c1", "alice").history] == ["Q", "R"]
        assert storage.conversations.add_feedback("a1", "alice", "up", None)
        assert storage.tickets.create("alice", None, "Q", (), [], None).number == 1
    finally:
        storage.close()
    with sqlite3.connect(path) as db:
        # At the newest revision, whichever migration that is.
        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
