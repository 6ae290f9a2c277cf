"""Feedback: thumbs up or down, and a comment, on one of the learner's own answers."""

from __future__ import annotations

from typing import Literal

from assistant.storage import Conversations


class FeedbackService:
    def __init__(self, conversations: Conversations) -> None:
        self._conversations = conversations

    def rate(
        self, user_id: str, answer_id: str, rating: Literal["up", "down"], comment: str | None
    ) -> bool:
        """False when the answer is unknown, purged or someone else's."""
        return self._conversations.add_feedback(answer_id, user_id, rating, comment or None)
