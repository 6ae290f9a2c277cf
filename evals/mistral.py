"""A JSON-answering Mistral chat-completions call, for the judge and the question drafter.

Plain httpx rather than the SDK: the eval needs one non-streaming call with a JSON reply,
and tests fake Mistral at the HTTP level with ``httpx.MockTransport``. Everything sent is
redacted first, like every text the assistant sends to a remote model.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from assistant.privacy import redact
from assistant.retry import Backoff, retryable
from evals.errors import EvalError


class MistralError(EvalError):
    """No usable reply after the retries."""


class MistralChat:
    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        timeout: float,
        max_retries: int,
        backoff_seconds: float = 1.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout,
            transport=transport,
        )
        self._max_retries = max_retries
        self._backoff = Backoff(backoff_seconds)

    async def complete_json(
        self, model: str, system: str, user: str, temperature: float
    ) -> dict[str, Any]:
        body = {
            "model": model,
            "temperature": temperature,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": redact(user)},
            ],
        }
        for attempt in range(self._max_retries + 1):
            last = attempt == self._max_retries
            try:
                response = await self._client.post("/v1/chat/completions", json=body)
            except httpx.TransportError as error:
                if last:
                    raise MistralError(f"Mistral unreachable: {error!r}") from error
                await asyncio.sleep(self._backoff.delay(attempt))
                continue
            if retryable(response.status_code) and not last:
                await asyncio.sleep(
                    self._backoff.delay(attempt, response.headers.get("retry-after"))
                )
                continue
            if response.status_code != 200:
                raise MistralError(f"Mistral answered HTTP {response.status_code}")
            return _content(response)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def aclose(self) -> None:
        await self._client.aclose()


def _content(response: httpx.Response) -> dict[str, Any]:
    try:
        content = response.json()["choices"][0]["message"]["content"]
        parsed = json.loads(content)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise MistralError(f"Mistral reply is not the JSON object asked for: {error}") from error
    if not isinstance(parsed, dict):
        raise MistralError("Mistral reply is JSON but not an object")
    return parsed
