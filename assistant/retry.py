"""How long to wait before trying a remote call again: one policy for the LLM backends, the
judge and the webhook. The loops stay with their callers (a stream is retried only before
its first piece of text; a webhook delivery logs each failure)."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

# Whatever a server asks for, a learner or a job never waits longer than this.
MAX_RETRY_AFTER_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Backoff:
    """``base`` seconds before the first retry, doubled before each next one; with
    ``jitter``, a random share of that (full jitter, so that clients do not retry in step).
    A server's ``Retry-After`` wins, capped."""

    base: float
    jitter: bool = False

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0 for the first)."""
        asked = parse_retry_after(retry_after)
        if asked is not None:
            return min(asked, MAX_RETRY_AFTER_SECONDS)
        longest = self.base * 2**attempt
        return random.uniform(0, longest) if self.jitter else longest


def retryable(status: int) -> bool:
    """Rate-limited or a server error: worth another try."""
    return status == 429 or status >= 500


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
