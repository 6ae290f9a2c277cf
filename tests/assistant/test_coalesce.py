"""Pieces of an answer that arrive together go out as one event; the first never waits.

The sources are plain async generators paced by events the test sets, so each test shows an
order of things, not a speed; ``fail_after`` only keeps a broken merge from hanging."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import anyio
import pytest

from assistant.coalesce import coalesce
from assistant.errors import GeneratorError

pytestmark = pytest.mark.anyio
# Far longer than any test takes: whatever comes out before the source ends was not held.
LONG_WINDOW_S = 60.0


async def test_the_first_piece_goes_out_before_the_source_goes_on() -> None:
    received = asyncio.Event()

    async def source() -> AsyncGenerator[str, None]:
        yield "Vous "
        await received.wait()  # the next piece only once the first one is out
        yield "trouverez"

    merged = coalesce(source(), LONG_WINDOW_S)
    with anyio.fail_after(5):
        assert await anext(merged) == "Vous "
        received.set()
        assert [piece async for piece in merged] == ["trouverez"]


async def test_held_pieces_go_out_when_the_window_ends_though_the_source_is_silent() -> None:
    flushed = asyncio.Event()

    async def source() -> AsyncGenerator[str, None]:
        for word in ("Vous ", "trouverez ", "votre "):
            yield word
        await flushed.wait()  # silent until the held words have come out
        yield "attestation"

    pieces = []
    with anyio.fail_after(5):
        async for piece in coalesce(source(), 0.05):
            pieces.append(piece)
            if "".join(pieces) == "Vous trouverez votre ":
                flushed.set()
    assert pieces == ["Vous ", "trouverez votre ", "attestation"]


async def test_pieces_that_come_together_share_one_event_and_the_text_is_the_same() -> None:
    words = [f"mot{index} " for index in range(40)]

    async def source() -> AsyncGenerator[str, None]:
        for word in words:
            yield word

    with anyio.fail_after(5):
        pieces = [piece async for piece in coalesce(source(), LONG_WINDOW_S)]
    assert pieces == [words[0], "".join(words[1:])]


async def test_a_failure_comes_after_the_text_that_preceded_it() -> None:
    async def source() -> AsyncGenerator[str, None]:
        yield "Début "
        yield "de réponse "
        raise GeneratorError("coupé")

    pieces = []
    with anyio.fail_after(5), pytest.raises(GeneratorError, match="coupé"):
        async for piece in coalesce(source(), LONG_WINDOW_S):
            pieces.append(piece)
    assert pieces == ["Début ", "de réponse "]


async def test_closing_early_stops_and_closes_the_source() -> None:
    closed = False

    async def source() -> AsyncGenerator[str, None]:
        nonlocal closed
        try:
            yield "Début "
            await asyncio.Event().wait()  # an upstream that never sends more
            yield "jamais"
        finally:
            closed = True

    merged = coalesce(source(), LONG_WINDOW_S)
    with anyio.fail_after(5):
        assert await anext(merged) == "Début "
        await merged.aclose()
    assert closed
