"""A Server-Sent Events response that treats a client going away as the normal end it is.

FastAPI's own event-stream responses relay events through memory streams; when the client
closes the connection mid-answer, a write to a stream already closed escaped as
``anyio.BrokenResourceError`` and a traceback in the log, most of the time. Here the
response sends each event itself and watches for the disconnect: when the client leaves,
the event generator is closed (which stops the generation it drives), one info line is
logged, and nothing is raised.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator
from typing import Any

import anyio
from fastapi.encoders import jsonable_encoder
from fastapi.sse import ServerSentEvent, format_sse_event
from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

logger = logging.getLogger(__name__)
# Closing a generation (an LLM stream) takes milliseconds; never wait on one for longer.
_CLOSE_TIMEOUT_S = 5


# How a route answering with EventStream documents its 200 (OpenAPI 3.2 ``itemSchema``: the
# shape of each event), as FastAPI documents its own event-stream routes.
OPENAPI_RESPONSE: dict[str, Any] = {
    "description": "Server-Sent Events",
    "content": {
        "text/event-stream": {
            "itemSchema": {
                "type": "object",
                "properties": {
                    "data": {"type": "string"},
                    "event": {"type": "string"},
                    "id": {"type": "string"},
                    "retry": {"type": "integer", "minimum": 0},
                },
            }
        }
    },
}


class EventStream(StreamingResponse):
    media_type = "text/event-stream"

    # ``status_code`` as a parameter: FastAPI reads its default to document the route.
    def __init__(
        self, events: AsyncGenerator[ServerSentEvent, None], status_code: int = 200
    ) -> None:
        # A streaming response, so no Content-Length is declared for a body still to come;
        # its iterator is unused: __call__ sends the events itself.
        super().__init__(
            (),
            status_code=status_code,
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            media_type=self.media_type,
        )
        self.events = events
        self.sent = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        left = False
        async with anyio.create_task_group() as group:

            async def watch() -> None:
                nonlocal left
                while (await receive())["type"] != "http.disconnect":
                    pass
                left = True
                group.cancel_scope.cancel()

            group.start_soon(watch)
            try:
                await self._stream(send)
            except (OSError, ClientDisconnect):
                # The write failed before the disconnect message came: the same departure.
                left = True
            group.cancel_scope.cancel()
        if left:
            logger.info(
                "client left the answer stream after %d events: generation cancelled", self.sent
            )

    async def _stream(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        try:
            async for event in self.events:
                await send(
                    {"type": "http.response.body", "body": _encode(event), "more_body": True}
                )
                self.sent += 1
        finally:
            # Closed even when cancelled, so the generation it drives stops now, not at GC.
            with anyio.CancelScope(shield=True), anyio.move_on_after(_CLOSE_TIMEOUT_S):
                await self.events.aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _encode(event: ServerSentEvent) -> bytes:
    data: Any = jsonable_encoder(event.data)
    return format_sse_event(event=event.event, data_str=json.dumps(data, ensure_ascii=False))
