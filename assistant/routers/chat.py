"""`POST /api/chat` and its streaming twin `POST /api/chat/stream`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import aclosing

from fastapi import APIRouter, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from assistant.replies import INDEX_UNAVAILABLE
from assistant.routers import CallerDep, Runtime, RuntimeDep, note
from assistant.schemas import (
    ChatRequest,
    ChatResponse,
    CitationOut,
    StreamError,
    TokenChunk,
    problem_responses,
)
from assistant.storage import Conversation
from assistant.types import Answer, CitationsEvent, DoneEvent, ErrorEvent, TokenEvent
from knowledge.errors import KnowledgeError

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["chat"])

STREAM_DESCRIPTION = """Server-Sent Events, dans cet ordre :

- `citations` : la liste des sources numérotées (`CitationOut[]`), avant la génération ;
- `token` : un morceau de réponse, `{"text": "…"}`, répété ;
- `done` : la réponse définitive (`ChatResponse`), dont le texte et les sources remplacent
  ce que les événements précédents ont montré ;
- ou `error`, terminal : `{"message": "…"}` en français.

Chaque `data` est du JSON. La déconnexion du client interrompt la génération."""


@router.post(
    "/chat",
    response_model=ChatResponse,
    summary="Poser une question",
    responses=problem_responses(401, 422, 429),
)
async def chat(
    body: ChatRequest, request: Request, caller: CallerDep, runtime: RuntimeDep
) -> ChatResponse:
    conversation = runtime.storage.conversation(body.conversation_id, caller.principal.user_id)
    answer = await runtime.service.answer(body.message, caller.scope, conversation.history)
    return _conclude(request, runtime, caller.principal.user_id, conversation, body.message, answer)


@router.post(
    "/chat/stream",
    response_class=EventSourceResponse,
    summary="Poser une question, réponse en flux",
    description=STREAM_DESCRIPTION,
    responses=problem_responses(401, 422, 429),
)
async def chat_stream(
    body: ChatRequest, request: Request, caller: CallerDep, runtime: RuntimeDep
) -> AsyncIterator[ServerSentEvent]:
    user_id = caller.principal.user_id
    conversation = runtime.storage.conversation(body.conversation_id, user_id)
    # aclosing: when the client leaves, this generator is cancelled and the service's stream
    # is closed with it, which stops the generation instead of leaving it to the GC.
    events = runtime.service.stream(body.message, caller.scope, conversation.history)
    async with aclosing(events):
        try:
            async for event in events:
                match event:
                    case CitationsEvent(citations=citations):
                        yield ServerSentEvent(
                            event="citations", data=[CitationOut.of(c) for c in citations]
                        )
                    case TokenEvent(text=text):
                        yield ServerSentEvent(event="token", data=TokenChunk(text=text))
                    case DoneEvent(answer=answer):
                        final = _conclude(
                            request, runtime, user_id, conversation, body.message, answer
                        )
                        yield ServerSentEvent(event="done", data=final)
                    case ErrorEvent(message=message):
                        note(request, stream_error=True)
                        yield ServerSentEvent(event="error", data=StreamError(message=message))
        except KnowledgeError:
            # The response has started: a problem document can no longer be sent.
            logger.exception("index unavailable during an answer stream")
            note(request, stream_error=True)
            yield ServerSentEvent(event="error", data=StreamError(message=INDEX_UNAVAILABLE))
        except Exception:
            logger.exception("answer stream failed")
            note(request, stream_error=True)
            yield ServerSentEvent(
                event="error",
                data=StreamError(
                    message="Une erreur est survenue pendant la réponse. Réessayez dans un instant."
                ),
            )


def _conclude(
    request: Request,
    runtime: Runtime,
    user_id: str,
    conversation: Conversation,
    question: str,
    answer: Answer,
) -> ChatResponse:
    refused = answer.refused.value if answer.refused else None
    answer_id = runtime.storage.record_exchange(
        conversation.conversation_id, user_id, question, answer.text, refused
    )
    note(
        request,
        generator=answer.generator,
        refused=refused,
        timings_ms=dict(answer.timings_ms),
        message_chars=len(question),
        citations=len(answer.citations),
        follow_up=bool(conversation.history),
    )
    return ChatResponse.of(
        answer, conversation.conversation_id, answer_id, runtime.settings.service.support_url
    )
