"""Conversations, their answers and the learners' feedback on them.

A conversation belongs to one user: asking for someone else's conversation behaves exactly
like asking for an unknown one, so ids cannot be probed. Every text is redacted here, on the
way in, so no caller can store personal data by forgetting to.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from assistant.privacy import redact
from assistant.storage.schema import conversations, feedback, messages, upsert
from assistant.types import Confidence, Turn

# Messages (user and assistant) fed back to the condensation of a follow-up question.
HISTORY_MESSAGES = 6
# Refusals that say something about the knowledge base (not an empty or hostile message,
# nor a graded answer the assistant withholds on purpose).
GAP_REFUSALS = ("no_evidence", "out_of_scope")


@dataclass(frozen=True, slots=True)
class Conversation:
    conversation_id: str
    history: tuple[Turn, ...]


@dataclass(frozen=True, slots=True)
class Exchange:
    """One of the user's answers with the conversation that led to it."""

    conversation_id: str
    question: str
    refused: str | None
    turns: tuple[Turn, ...]


@dataclass(frozen=True, slots=True)
class GapQuestion:
    """A learner question the knowledge base did not serve: refused, answered with a hedge
    (only half served), or rated down."""

    text: str
    refused: str | None
    hedged: bool
    thumbs_down: bool
    created: float
    # The titles of the pages the refusal offered to look at.
    offered: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Erased:
    conversations: int
    messages: int
    feedback: int


class Conversations:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def erase(self, user_id: str) -> Erased:
        """Delete everything one user left: conversations, their messages, and feedback."""
        with self._engine.begin() as db:
            owned = sa.select(conversations.c.id).where(conversations.c.user_id == user_id)
            erased_messages = db.execute(
                messages.delete().where(messages.c.conversation_id.in_(owned))
            )
            erased_feedback = db.execute(feedback.delete().where(feedback.c.user_id == user_id))
            erased_conversations = db.execute(
                conversations.delete().where(conversations.c.user_id == user_id)
            )
        return Erased(
            erased_conversations.rowcount, erased_messages.rowcount, erased_feedback.rowcount
        )

    def open(self, conversation_id: str | None, user_id: str) -> Conversation:
        """The user's conversation with its recent history, or a fresh one."""
        if conversation_id is None:
            return Conversation(uuid.uuid4().hex, ())
        with self._engine.connect() as db:
            owned = db.execute(
                sa.select(conversations.c.id).where(
                    conversations.c.id == conversation_id, conversations.c.user_id == user_id
                )
            ).first()
            if not owned:
                return Conversation(uuid.uuid4().hex, ())
            rows = db.execute(
                sa.select(messages.c.role, messages.c.content)
                .where(messages.c.conversation_id == conversation_id)
                .order_by(messages.c.id.desc())
                .limit(HISTORY_MESSAGES)
            ).all()
        return Conversation(conversation_id, tuple(Turn(role, text) for role, text in rows[::-1]))

    def record_exchange(
        self,
        conversation_id: str,
        user_id: str,
        question: str,
        answer: str,
        refused: str | None,
        confidence: Confidence | None = None,
        offered: Sequence[str] = (),
    ) -> str:
        """Store the question and its answer (``confidence``: none for a refusal; ``offered``:
        the titles of the pages a refusal offered); returns the answer id that feedback
        refers to."""
        answer_id = uuid.uuid4().hex
        now = time.time()
        with self._engine.begin() as db:
            db.execute(
                upsert(self._engine, conversations)
                .values(id=conversation_id, user_id=user_id, created=now)
                .on_conflict_do_nothing(index_elements=["id"])
            )
            # Two statements, in order: the question's id is below its answer's.
            pages = "\n".join(" ".join(title.split()) for title in offered) or None
            for role, content, answer_key, reason, sure, shown in (
                ("user", redact(question), None, None, None, None),
                ("assistant", redact(answer), answer_id, refused, confidence, pages),
            ):
                db.execute(
                    messages.insert().values(
                        conversation_id=conversation_id,
                        role=role,
                        content=content,
                        answer_id=answer_key,
                        refused=reason,
                        confidence=sure.value if sure else None,
                        offered=shown,
                        created=now,
                    )
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
        with self._engine.begin() as db:
            if not _owns(db, answer_id, user_id):
                return False
            insert = upsert(self._engine, feedback).values(
                answer_id=answer_id,
                user_id=user_id,
                rating=rating,
                comment=redact(comment) if comment else None,
                created=time.time(),
            )
            db.execute(
                insert.on_conflict_do_update(
                    index_elements=["answer_id", "user_id"],
                    set_={
                        "rating": insert.excluded.rating,
                        "comment": insert.excluded.comment,
                        "created": insert.excluded.created,
                    },
                )
            )
        return True

    def exchange(self, answer_id: str, user_id: str) -> Exchange | None:
        """The user's own answer and the conversation up to it; None when unknown, purged or
        someone else's."""
        with self._engine.connect() as db:
            found = db.execute(
                sa.select(messages.c.id, messages.c.conversation_id, messages.c.refused)
                .join(conversations, conversations.c.id == messages.c.conversation_id)
                .where(messages.c.answer_id == answer_id, conversations.c.user_id == user_id)
            ).first()
            if not found:
                return None
            message_id, conversation_id, refused = found
            rows = db.execute(
                sa.select(messages.c.role, messages.c.content)
                .where(messages.c.conversation_id == conversation_id, messages.c.id <= message_id)
                .order_by(messages.c.id)
            ).all()
        turns = tuple(Turn(role, content) for role, content in rows)
        question = next((t.content for t in reversed(turns) if t.role == "user"), "")
        return Exchange(conversation_id, question, refused, turns)

    def gap_questions(self, since: float) -> list[GapQuestion]:
        answer = messages.alias("answer")
        question = messages.alias("question")
        previous = (
            sa.select(sa.func.max(messages.c.id))
            .where(
                messages.c.conversation_id == answer.c.conversation_id,
                messages.c.id < answer.c.id,
                messages.c.role == "user",
            )
            .scalar_subquery()
        )
        rated_down = sa.exists().where(
            feedback.c.answer_id == answer.c.answer_id, feedback.c.rating == "down"
        )
        hedged = answer.c.confidence == Confidence.LOW.value
        query = (
            sa.select(
                question.c.content,
                answer.c.refused,
                rated_down,
                answer.c.created,
                hedged,
                answer.c.offered,
            )
            .select_from(answer)
            .join(question, question.c.id == previous)
            .where(
                answer.c.role == "assistant",
                answer.c.created >= since,
                sa.or_(answer.c.refused.in_(GAP_REFUSALS), hedged, rated_down),
            )
            .order_by(answer.c.created, answer.c.id)
        )
        with self._engine.connect() as db:
            rows = db.execute(query).all()
        return [
            GapQuestion(
                text,
                refused if refused in GAP_REFUSALS else None,
                bool(low),
                bool(down),
                created,
                tuple(offered.splitlines()) if offered else (),
            )
            for text, refused, down, created, low, offered in rows
        ]


def _owns(db: Connection, answer_id: str, user_id: str) -> bool:
    found = db.execute(
        sa.select(messages.c.id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .where(messages.c.answer_id == answer_id, conversations.c.user_id == user_id)
    ).first()
    return found is not None
