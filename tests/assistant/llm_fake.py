"""A chat-completions endpoint faked at the HTTP level: the SDKs' own ``httpx2`` transport
serves the real wire format, so nothing above HTTP is replaced."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

from assistant.generators.chat import ChatGenerator, MistralClient, OpenAIClient, Transport

Handler = Callable[[httpx2.Request], httpx2.Response]
BACKENDS = ("mistral", "openai")


def chunk(content: str | None = None, finish_reason: str | None = None) -> dict[str, Any]:
    """One ``chat.completion.chunk``, with the fields both SDKs validate."""
    delta = {} if content is None else {"role": "assistant", "content": content}
    return {
        "id": "x",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def sse(*events: object, done: bool = True) -> bytes:
    """Server-Sent Events; ``done``: the last chunk says why it stopped, then ``[DONE]``."""
    lines = [f"data: {json.dumps(event)}\n\n" for event in events]
    if done:
        lines += [f"data: {json.dumps(chunk(finish_reason='stop'))}\n\n", "data: [DONE]\n\n"]
    return "".join(lines).encode()


def answer(*pieces: str) -> bytes:
    return sse(*(chunk(piece) for piece in pieces))


def streamed(body: bytes | httpx2.AsyncByteStream, status: int = 200) -> httpx2.Response:
    headers = {"content-type": "text/event-stream"}
    if isinstance(body, bytes):
        return httpx2.Response(status, headers=headers, content=body)
    return httpx2.Response(status, headers=headers, stream=body)


class ClosableTransport(httpx2.MockTransport):
    """The fake endpoint; ``closed`` once the SDK's HTTP client has been closed."""

    closed = False

    async def aclose(self) -> None:
        self.closed = True
        await super().aclose()


def fake_generator(
    endpoint: Handler | httpx2.MockTransport,
    *,
    backend: str = "mistral",
    retries: int = 1,
    backoff: float = 0.001,
    model: str = "mistral-small-latest",
) -> ChatGenerator:
    if not isinstance(endpoint, httpx2.MockTransport):
        endpoint = httpx2.MockTransport(endpoint)
    transport = Transport(5, retries, backoff, endpoint)
    if backend == "mistral":
        client: MistralClient | OpenAIClient = MistralClient(
            "sk-test", "https://api.mistral.test", transport
        )
    else:
        client = OpenAIClient("sk-test", "https://albert.test/v1", transport)
    return ChatGenerator(backend, model, client)
