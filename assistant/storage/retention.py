"""Retention: what is older than the period goes, conversations, feedback and requests."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assistant.storage.schema import conversations, feedback, messages, triaged_requests

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, slots=True)
class Purged:
    conversations: int
    messages: int
    feedback: int
    requests: int = 0


def purge(engine: Engine, older_than_days: int) -> Purged:
    """Delete what is older than the retention period."""
    cutoff = time.time() - older_than_days * SECONDS_PER_DAY
    with engine.begin() as db:
        purged_messages = db.execute(messages.delete().where(messages.c.created < cutoff))
        purged_feedback = db.execute(feedback.delete().where(feedback.c.created < cutoff))
        emptied = ~sa.exists().where(messages.c.conversation_id == conversations.c.id)
        purged_conversations = db.execute(
            conversations.delete().where(conversations.c.created < cutoff, emptied)
        )
        purged_requests = db.execute(
            triaged_requests.delete().where(triaged_requests.c.created < cutoff)
        )
    return Purged(
        purged_conversations.rowcount,
        purged_messages.rowcount,
        purged_feedback.rowcount,
        purged_requests.rowcount,
    )
