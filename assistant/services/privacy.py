"""Privacy: the LMS, processing a data deletion request, has the service forget one user."""

from __future__ import annotations

from assistant.storage import Conversations, Erased


class PrivacyService:
    def __init__(self, conversations: Conversations) -> None:
        self._conversations = conversations

    def erase(self, user_id: str) -> Erased:
        """The user's conversations (questions, answers) and feedback, deleted."""
        return self._conversations.erase(user_id)
