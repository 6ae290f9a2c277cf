"""Conversations and feedback in SQLite under the data dir, redacted, kept for a while.

Every text is redacted here, on the way in, so no caller can store personal data by
forgetting to. A conversation belongs to one user: asking for someone else's conversation
behaves exactly like asking for an unknown one, so ids cannot be probed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.privacy import redact
from assistant.types import Turn

# Messages (user and assistant) fed back to the condensation of a follow-up question.
HISTORY_MESSAGES = 6
SECONDS_PER_DAY = 86_400

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    answer_id TEXT UNIQUE,
    refused TEXT,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id);
CREATE INDEX IF NOT EXISTS messages_by_age ON messages(created);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT,
    created REAL NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
CREATE INDEX IF NOT EXISTS feedback_by_age ON feedback(created);
"""


@dataclass(frozen=True, slots=True)
class Conversation:
    conversation_id: str
    history: tuple[Turn, ...]


@dataclass(frozen=True, slots=True)
class Purged:
    conversations: int
    messages: int
    feedback: int


class Storage:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # Route handlers and the purge may run on different threads.
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def conversation(self, conversation_id: str | None, user_id: str) -> Conversation:
        """The user's conversation with its recent history, or a fresh one."""
        if conversation_id is None:
            return Conversation(uuid.uuid4().hex, ())
        with self._lock:
            owned = self._db.execute(
                "SELECT 1 FROM conversations WHERE id = ? AND user_id = ?",
                (conversation_id, user_id),
            ).fetchone()
            if not owned:
                return Conversation(uuid.uuid4().hex, ())
            rows = self._db.execute(
                "SELECT role, content FROM messages WHERE conversation_id = ? "
                "ORDER BY id DESC LIMIT ?",
                (conversation_id, HISTORY_MESSAGES),
            ).fetchall()
        return Conversation(conversation_id, tuple(Turn(role, text) for role, text in rows[::-1]))

    def record_exchange(
        self,
        conversation_id: str,
        user_id: str,
        question: str,
        answer: str,
        refused: str | None,
    ) -> str:
        """Store the question and its answer; returns the answer id that feedback refers to."""
        answer_id = uuid.uuid4().hex
        now = time.time()
        with self._lock, self._transaction():
            self._db.execute(
                "INSERT INTO conversations(id, user_id, created) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO NOTHING",
                (conversation_id, user_id, now),
            )
            self._db.executemany(
                "INSERT INTO messages(conversation_id, role, content, answer_id, refused, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (conversation_id, "user", redact(question), None, None, now),
                    (conversation_id, "assistant", redact(answer), answer_id, refused, now),
                ],
            )
        return answer_id

    def add_feedback(
        self,
        answer_id: str,
        user_id: str,
        rating: Literal["up", "down"],
        comment: str | None,
    ) -> bool:
        """Rate one of the user's own answers (a second rating replaces the first).

        False when the answer is unknown, purged or someone else's.
        """
        with self._lock:
            owned = self._db.execute(
                "SELECT 1 FROM messages JOIN conversations ON conversations.id = conversation_id "
                "WHERE answer_id = ? AND user_id = ?",
                (answer_id, user_id),
            ).fetchone()
            if not owned:
                return False
            self._db.execute(
                "INSERT INTO feedback(answer_id, user_id, rating, comment, created) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(answer_id, user_id) DO UPDATE SET "
                "rating = excluded.rating, comment = excluded.comment, created = excluded.created",
                (answer_id, user_id, rating, redact(comment) if comment else None, time.time()),
            )
        return True

    def purge(self, older_than_days: int) -> Purged:
        """Delete what is older than the retention period."""
        cutoff = time.time() - older_than_days * SECONDS_PER_DAY
        with self._lock, self._transaction():
            messages = self._db.execute("DELETE FROM messages WHERE created < ?", (cutoff,))
            feedback = self._db.execute("DELETE FROM feedback WHERE created < ?", (cutoff,))
            conversations = self._db.execute(
                "DELETE FROM conversations WHERE created < ? AND NOT EXISTS "
                "(SELECT 1 FROM messages WHERE conversation_id = conversations.id)",
                (cutoff,),
            )
            return Purged(conversations.rowcount, messages.rowcount, feedback.rowcount)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
