"""The pieces of an answer that arrive close together go out as one event.

An LLM streams a token every 20–30 ms, and each token was an SSE event of its own: a pass
through the service's layers, a JSON encoding and a socket write on our side and a parse on
the client's, for a few characters. Under load that per-token work capped the streams one
process can carry (bench/README.md). Here the first piece goes out at once (the time to
first token is unchanged); the pieces that come within a short window after an event are
held and go out together when the window ends, or sooner when the answer ends or fails.
The text is the same, in at most one event per window after the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator

from assistant.generators.fallback import close

_END = object()


async def coalesce(pieces: AsyncIterator[str], window_s: float) -> AsyncGenerator[str, None]:
    """``pieces`` merged as above. It is read, and closed, by a task of its own, so that the
    wait for the window's end never interrupts it mid-read (an HTTP stream would not survive
    that); closing this generator cancels that task and waits for it."""
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[object] = asyncio.Queue()
    reader = asyncio.create_task(_read(pieces, inbox))
    held: list[str] = []
    window_ends = 0.0
    # Put in the inbox when the current window ends; one that rings after an earlier flush
    # is no longer the current one, and is ignored.
    ring: object | None = None
    try:
        while (item := await inbox.get()) is not _END:
            if isinstance(item, Exception):
                if held:
                    yield "".join(held)  # what came before the failure is shown, as before
                raise item
            if isinstance(item, str):
                held.append(item)
                if loop.time() < window_ends:
                    if ring is None:
                        ring = object()
                        loop.call_at(window_ends, inbox.put_nowait, ring)
                    continue
            elif item is not ring:
                continue
            ring = None
            yield "".join(held)
            held.clear()
            window_ends = loop.time() + window_s
        if held:
            yield "".join(held)
    finally:
        reader.cancel()
        await asyncio.wait((reader,))


async def _read(pieces: AsyncIterator[str], inbox: asyncio.Queue[object]) -> None:
    try:
        async for piece in pieces:
            inbox.put_nowait(piece)
        inbox.put_nowait(_END)
    except Exception as error:  # handed over, and raised in the consumer's task
        inbox.put_nowait(error)
    finally:
        await close(pieces)
