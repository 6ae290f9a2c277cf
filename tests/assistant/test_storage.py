from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from assistant.storage import SECONDS_PER_DAY, Storage
from assistant.types import Turn

PII = "Je suis jean.dupont@example.fr, tél. 06 12 34 56 78, NIR 1 85 05 78 006 084 36"


def test_history_is_redacted_and_belongs_to_its_user(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "assistant.sqlite")
    conversation = storage.conversations.open(None, "alice")
    assert conversation.history == ()
    storage.conversations.record_exchange(
        conversation.conversation_id, "alice", PII, "Réponse.", None
    )

    again = storage.conversations.open(conversation.conversation_id, "alice")
    assert again.conversation_id == conversation.conversation_id
    question, answer = again.history
    assert answer == Turn("assistant", "Réponse.")
    assert question.role == "user"
    for secret in ("jean.dupont@example.fr", "06 12 34 56 78", "1 85 05 78 006 084 36"):
        assert secret not in question.content
    assert "[courriel]" in question.content

    # Someone else's conversation id, or an unknown one, starts a new, empty conversation.
    stolen = storage.conversations.open(conversation.conversation_id, "mallory")
    unknown = storage.conversations.open("0" * 32, "mallory")
    assert stolen.conversation_id != conversation.conversation_id
    assert stolen.history == unknown.history == ()
    storage.close()


def test_feedback_only_on_ones_own_answers(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "assistant.sqlite")
    conversation = storage.conversations.open(None, "alice")
    answer_id = storage.conversations.record_exchange(
        conversation.conversation_id, "alice", "Q", "R", None
    )
    assert storage.conversations.add_feedback(answer_id, "alice", "down", f"Faux. {PII}")
    assert storage.conversations.add_feedback(
        answer_id, "alice", "up", None
    )  # replaces the first rating
    assert not storage.conversations.add_feedback(answer_id, "mallory", "down", None)
    assert not storage.conversations.add_feedback("unknown", "alice", "up", None)
    storage.close()
    with sqlite3.connect(tmp_path / "assistant.sqlite") as db:
        assert db.execute("SELECT rating, comment FROM feedback").fetchall() == [("up", None)]


def test_purge_deletes_what_is_older_than_the_retention(tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite"
    storage = Storage(path)
    old = storage.conversations.open(None, "alice").conversation_id
    old_answer = storage.conversations.record_exchange(old, "alice", "ancienne", "R", None)
    storage.conversations.add_feedback(old_answer, "alice", "up", None)
    recent = storage.conversations.open(None, "alice").conversation_id
    storage.conversations.record_exchange(recent, "alice", "récente", "R", "out_of_scope")
    forty_days_ago = time.time() - 40 * SECONDS_PER_DAY
    with sqlite3.connect(path) as db:
        db.execute("UPDATE conversations SET created = ? WHERE id = ?", (forty_days_ago, old))
        db.execute(
            "UPDATE messages SET created = ? WHERE conversation_id = ?", (forty_days_ago, old)
        )
        db.execute("UPDATE feedback SET created = ?", (forty_days_ago,))

    purged = storage.purge(30)

    assert (purged.conversations, purged.messages, purged.feedback) == (1, 2, 1)
    assert storage.conversations.open(old, "alice").conversation_id != old
    assert [t.content for t in storage.conversations.open(recent, "alice").history] == [
        "récente",
        "R",
    ]
    assert storage.purge(30).messages == 0
    storage.close()
