"""Per-user sliding-window rate limit, in memory (one counter per server process)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from assistant.errors import ConfigurationError, RateLimitedError

WINDOW_SECONDS = 60.0


class RateLimiter:
    """At most ``per_minute`` hits per key over any 60-second window.

    Called from the event loop only, so no lock is needed.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ConfigurationError("MENTOR_RATE_LIMIT_PER_MINUTE doit valoir au moins 1.")
        self._limit = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._last_sweep = clock()

    def hit(self, key: str) -> None:
        """Count one hit for ``key``, or raise RateLimitedError with the seconds to wait."""
        now = self._clock()
        self._sweep(now)
        hits = self._hits.setdefault(key, deque())
        _forget_before(hits, now - WINDOW_SECONDS)
        if len(hits) >= self._limit:
            raise RateLimitedError(max(1, math.ceil(hits[0] + WINDOW_SECONDS - now)))
        hits.append(now)

    def _sweep(self, now: float) -> None:
        # Users who stopped asking would otherwise keep their entry for the process lifetime.
        if now - self._last_sweep < WINDOW_SECONDS:
            return
        self._last_sweep = now
        for key in [key for key, hits in self._hits.items() if hits[-1] <= now - WINDOW_SECONDS]:
            del self._hits[key]


def _forget_before(hits: deque[float], cutoff: float) -> None:
    while hits and hits[0] <= cutoff:
        hits.popleft()
