"""New tickets pushed to the desk's own tool (GLPI, Zammad…) as signed JSON.

Each delivery is a ``POST`` of ``{"event": "ticket.created", "ticket": {…}}`` with:

- ``X-Mentor-Event: ticket.created``;
- ``X-Mentor-Timestamp``: Unix time in seconds when it was signed;
- ``X-Mentor-Signature: sha256=<hex>``, the HMAC-SHA256 with ``MENTOR_WEBHOOK_SECRET`` as
  key of ``<timestamp>.<raw body>``.

A receiver recomputes the HMAC over the raw body it got (before any JSON parsing), compares
it in constant time, and rejects timestamps more than five minutes old, which stops
replays. Delivery never blocks the learner: it runs after the response, is retried a few
times with a growing delay, and a final failure is logged with the ticket number.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from assistant.retry import Backoff

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Mentor-Signature"
TIMESTAMP_HEADER = "X-Mentor-Timestamp"
EVENT_HEADER = "X-Mentor-Event"
TICKET_CREATED = "ticket.created"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, max_age: int = 300) -> bool:
    """What a receiver does; kept here as the reference implementation."""
    try:
        signed_at = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - signed_at) > max_age:
        return False
    return hmac.compare_digest(sign(secret, signed_at, body), signature)


@dataclass(frozen=True, slots=True)
class Webhook:
    url: str
    secret: str
    timeout: float
    attempts: int
    backoff: float

    async def send(self, event: str, payload: Mapping[str, Any], reference: str) -> bool:
        body = json.dumps({"event": event, **payload}, ensure_ascii=False).encode()
        backoff = Backoff(self.backoff)
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            for attempt in range(1, self.attempts + 1):
                timestamp = int(time.time())
                headers = {
                    "Content-Type": "application/json",
                    EVENT_HEADER: event,
                    TIMESTAMP_HEADER: str(timestamp),
                    SIGNATURE_HEADER: sign(self.secret, timestamp, body),
                }
                try:
                    response = await client.post(self.url, content=body, headers=headers)
                except httpx.HTTPError as error:
                    failure = f"{type(error).__name__}: {error}"
                else:
                    if response.is_success:
                        return True
                    failure = f"HTTP {response.status_code}"
                logger.warning(
                    "webhook %s for %s failed (attempt %d/%d): %s",
                    event, reference, attempt, self.attempts, failure,
                )  # fmt: skip
                if attempt < self.attempts:
                    await asyncio.sleep(backoff.delay(attempt - 1))
        logger.error("webhook %s for %s not delivered to %s", event, reference, self.url)
        return False
