"""`POST /api/chat` and its streaming twin `POST /api/chat/stream`."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing

from fastapi import APIRouter, Request, Response
from fastapi.sse import ServerSentEvent

from assistant.replies import INDEX_UNAVAILABLE
from assistant.routers import RateLimitedDep, RuntimeDep, ScopeDep, note
from assistant.schemas import (
    ChatRequest,
    ChatResponse,
    CitationOut,
    StreamError,
    TokenChunk,
    problem_responses,
)
from assistant.services.chat import Reply, ReplyEvent
from assistant.sse import OPENAPI_RESPONSE, EventStream
from assistant.types import CitationsEvent, ErrorEvent, TokenEvent
from assistant.wiring import Runtime
from knowledge.errors import KnowledgeError
from knowledge.types import Scope

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
    body: ChatRequest,
    request: Request,
    principal: RateLimitedDep,
    scope: ScopeDep,
    runtime: RuntimeDep,
) -> ChatResponse:
    reply = await runtime.chat.answer(principal.user_id, scope, body.message, body.conversation_id)
    return _response(request, runtime.settings.service.support_url, body.message, reply)


@router.post(
    "/chat/stream",
    # Documented by OPENAPI_RESPONSE: a media-typed response class would add a plain
    # "string" schema beside it, which clients read as the schema of each event.
    response_class=Response,
    summary="Poser une question, réponse en flux",
    description=STREAM_DESCRIPTION,
    responses={200: OPENAPI_RESPONSE, **problem_responses(401, 422, 429)},
)
async def chat_stream(
    body: ChatRequest,
    request: Request,
    principal: RateLimitedDep,
    scope: ScopeDep,
    runtime: RuntimeDep,
) -> EventStream:
    return EventStream(_events(body, request, principal.user_id, scope, runtime))


async def _events(
    body: ChatRequest, request: Request, user_id: str, scope: Scope, runtime: Runtime
) -> AsyncGenerator[ServerSentEvent, None]:
    support_url = runtime.settings.service.support_url
    # aclosing: when the client leaves, EventStream closes this generator and the service's
    # stream is closed with it, which stops the generation instead of leaving it to the GC.
    events = runtime.chat.stream(user_id, scope, body.message, body.conversation_id)
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
                    case ReplyEvent(reply=reply):
                        final = _response(request, support_url, body.message, reply)
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


def _response(request: Request, support_url: str, question: str, reply: Reply) -> ChatResponse:
    answer = reply.answer
    note(
        request,
        generator=answer.generator,
        refused=answer.refused.value if answer.refused else None,
        timings_ms=dict(answer.timings_ms),
        message_chars=len(question),
        citations=len(answer.citations),
        follow_up=reply.follow_up,
    )
    return ChatResponse.of(answer, reply.conversation_id, reply.answer_id, support_url)
