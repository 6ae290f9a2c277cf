"""Chat: a learner's question answered within their conversation, then recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass

from assistant.service import AnswerService
from assistant.storage import Conversation, Conversations
from assistant.types import Answer, CitationsEvent, DoneEvent, ErrorEvent, TokenEvent
from knowledge.types import Scope


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer as recorded: ``answer_id`` is what feedback and tickets refer to."""

    answer: Answer
    conversation_id: str
    answer_id: str
    follow_up: bool


@dataclass(frozen=True, slots=True)
class ReplyEvent:
    """The stream's last event on success, once the answer is recorded."""

    reply: Reply


ChatEvent = CitationsEvent | TokenEvent | ReplyEvent | ErrorEvent


class ChatService:
    """The conversation's reads and writes run in worker threads: a database commit waits on
    the disk (fsync), and on the event loop it would stall every other stream (it was a
    third of the loop's time at 200 concurrent streams, bench/README.md)."""

    def __init__(self, answers: AnswerService, conversations: Conversations) -> None:
        self._answers = answers
        self._conversations = conversations

    async def answer(
        self, user_id: str, scope: Scope, message: str, conversation_id: str | None
    ) -> Reply:
        conversation = await asyncio.to_thread(self._conversations.open, conversation_id, user_id)
        answer = await self._answers.answer(message, scope, conversation.history)
        return await asyncio.to_thread(self._record, user_id, conversation, message, answer)

    async def stream(
        self, user_id: str, scope: Scope, message: str, conversation_id: str | None
    ) -> AsyncGenerator[ChatEvent, None]:
        conversation = await asyncio.to_thread(self._conversations.open, conversation_id, user_id)
        # aclosing: when the caller stops (the client left), the generation stops too.
        async with aclosing(self._answers.stream(message, scope, conversation.history)) as events:
            async for event in events:
                if isinstance(event, DoneEvent):
                    reply = await asyncio.to_thread(
                        self._record, user_id, conversation, message, event.answer
                    )
                    yield ReplyEvent(reply)
                else:
                    yield event

    def _record(
        self, user_id: str, conversation: Conversation, question: str, answer: Answer
    ) -> Reply:
        refused = answer.refused.value if answer.refused else None
        # A refusal's sources are the pages it offered to look at.
        offered = [citation.label for citation in answer.citations] if refused else []
        answer_id = self._conversations.record_exchange(
            conversation.conversation_id,
            user_id,
            question,
            answer.text,
            refused,
            answer.confidence,
            offered,
        )
        return Reply(answer, conversation.conversation_id, answer_id, bool(conversation.history))
