"""A fake OpenAI-compatible chat-completions server, for the load bench and the fault tests.

It speaks the real wire format (``POST …/v1/chat/completions``, ``stream: true``, SSE
``data:`` lines, ``[DONE]``). The first path segment picks the behaviour, so that one server
plays every backend: ``{url}/ok/v1`` streams an answer at a realistic pace, ``/hang/v1``
never answers, ``/429/v1`` and ``/500/v1`` fail, ``/break/v1`` drops the connection after a
few tokens, ``/stall/v1`` stops sending after a few tokens without closing.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from starlette.types import Receive, Scope, Send

ANSWER = (
    "Vous trouverez votre attestation dans la section « Clôture » de la session, une fois "
    "toutes les activités obligatoires terminées [1]. Si elle n'apparaît pas, vérifiez que "
    "chaque module est bien marqué comme achevé, puis rechargez la page. En cas de difficulté "
    "persistante, l'équipe support de Mentor peut vous aider [1]."
)
BEHAVIOURS = ("ok", "hang", "429", "500", "break", "stall")


@dataclass(frozen=True, slots=True)
class Pace:
    # Hosted LLMs of the Mistral-small class: a few hundred ms before the first token, then
    # 30-60 tokens/s per stream.
    first_token_s: float = 0.4
    tokens_per_s: float = 40.0
    answer: str = ANSWER


class FakeLLM:
    """The ASGI app. Tokens are words (with their trailing space), as close as it needs."""

    def __init__(self, pace: Pace | None = None) -> None:
        self.pace = pace or Pace()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        assert scope["type"] == "http"
        behaviour = scope["path"].strip("/").split("/", 1)[0]
        await _drain(receive)
        if behaviour in ("429", "500"):
            await _respond(send, int(behaviour), {"error": {"message": "fake failure"}})
        elif behaviour == "hang":
            await asyncio.sleep(3600)  # cancelled when the client gives up
        elif behaviour in BEHAVIOURS:
            await self._stream(send, behaviour)
        else:
            await _respond(send, 404, {"error": {"message": f"unknown behaviour {behaviour}"}})

    async def _stream(self, send: Send, behaviour: str) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        await asyncio.sleep(self.pace.first_token_s)
        words = self.pace.answer.split(" ")
        for index, word in enumerate(words):
            if behaviour in ("break", "stall") and index == 3:
                if behaviour == "stall":
                    await asyncio.sleep(3600)
                # An exception after the response started: uvicorn drops the connection.
                raise ConnectionAbortedError("fake LLM broke its stream")
            text = word if index == len(words) - 1 else f"{word} "
            await send({"type": "http.response.body", "body": _event(text), "more_body": True})
            await asyncio.sleep(1 / self.pace.tokens_per_s)
        await send({"type": "http.response.body", "body": _event(None, "stop"), "more_body": True})
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n"})


def _event(text: str | None, finish_reason: str | None = None) -> bytes:
    # The fields both SDKs (mistralai, openai) validate in a chunk.
    chunk = {
        "id": "fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "delta": {} if text is None else {"content": text},
                "finish_reason": finish_reason,
            }
        ],
    }
    return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()


async def _respond(send: Send, status: int, body: dict[str, Any]) -> None:
    headers = [(b"content-type", b"application/json")]
    if status == 429:
        headers.append((b"retry-after", b"0"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
