"""Moodle's course events, re-indexed while the service serves.

The plugin's ad-hoc task POSTs each event to ``/api/moodle/events`` signed like the ticket
webhook (``assistant/webhook.py``): ``X-Mentor-Timestamp`` and ``X-Mentor-Signature:
sha256=<hex>``, the HMAC-SHA256 of ``<timestamp>.<raw body>`` keyed with the secret the
plugin shares with the service (``MENTOR_JWT_SECRET``). A signature older than the window, or
already seen inside it, is a replay. Accepted events are queued and coalesced: one worker
thread waits a short delay after the first, then fetches the named modules through the web
services and re-indexes them on the index the service holds, under the lock every writer
of that index takes.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.errors import AuthError, ConfigurationError
from assistant.webhook import sign
from ingest.moodle.client import MoodleClient
from ingest.moodle.sync import CourseChange, sync_changes, sync_site
from ingest.pipeline import IngestReport, Status, writing
from ingest.settings import IngestSettings
from knowledge.wiring import Knowledge

logger = logging.getLogger(__name__)

_UNSIGNED = "Événement Moodle refusé : signature absente, invalide ou périmée."
# What the plugin's nightly scheduled task sends instead of a course event.
FULL_SYNC_EVENT = "full_sync"


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What the last batch of events did, for the support team and the tests."""

    changes: int
    indexed: int
    unchanged: int
    removed: int
    failures: tuple[str, ...]
    seconds: float
    finished_at: float
    # From the batch's first event reaching the service to its changes being searchable.
    latency_seconds: float

    @classmethod
    def of(cls, changes: int, report: IngestReport, received: float) -> BatchSummary:
        return cls(
            changes=changes,
            indexed=report.count(Status.INDEXED),
            unchanged=report.count(Status.UNCHANGED),
            removed=report.count(Status.REMOVED),
            failures=tuple(f"{o.uri} — {o.reason}: {o.detail}" for o in report.failed),
            seconds=report.seconds,
            finished_at=time.time(),
            latency_seconds=time.monotonic() - received,
        )


class SignatureCheck:
    """Verifies a signed call and remembers its signature until it would be too old anyway."""

    def __init__(self, secret: str, max_age: int, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._max_age = max_age
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def verify(self, timestamp: str | None, signature: str | None, body: bytes) -> None:
        if not timestamp or not signature:
            raise AuthError(_UNSIGNED)
        try:
            signed_at = int(timestamp)
        except ValueError as error:
            raise AuthError(_UNSIGNED) from error
        now = self._clock()
        if abs(now - signed_at) > self._max_age:
            raise AuthError(_UNSIGNED)
        if not hmac.compare_digest(sign(self._secret, signed_at, body), signature):
            raise AuthError(_UNSIGNED)
        with self._lock:
            for seen, at in list(self._seen.items()):
                if now - at > 2 * self._max_age:
                    del self._seen[seen]
            if signature in self._seen:
                raise AuthError(_UNSIGNED)
            self._seen[signature] = now


@dataclass
class _Queue:
    courses: dict[int, set[int] | None] = field(default_factory=dict)
    full_sync: bool = False
    since: float | None = None


class MoodleEvents:
    """The queue of course changes and the worker that applies them."""

    def __init__(
        self, knowledge: Knowledge, settings: IngestSettings, write_lock: threading.Lock
    ) -> None:
        moodle = settings.moodle
        if not moodle.url or not moodle.token_value:
            raise ConfigurationError(
                "Les événements Moodle demandent MENTOR_MOODLE_URL et MENTOR_MOODLE_TOKEN."
            )
        self._knowledge = knowledge
        self._settings = settings
        self._moodle = moodle
        self._url = moodle.url
        self._token = moodle.token_value
        self._write_lock = write_lock
        self._queue = _Queue()
        self._wake = threading.Condition()
        self._stopping = False
        self.last: BatchSummary | None = None
        self.batches = 0
        self._thread = threading.Thread(target=self._work, name="mentor-moodle-events")
        self._thread.start()

    def submit(self, course_id: int, module_id: int | None) -> None:
        with self._wake:
            current = self._queue.courses.get(course_id, set())
            if module_id is None or current is None:
                self._queue.courses[course_id] = None
            else:
                current.add(module_id)
                self._queue.courses[course_id] = current
            self._mark()

    def submit_full_sync(self) -> None:
        with self._wake:
            self._queue.full_sync = True
            self._mark()

    @property
    def pending(self) -> int:
        with self._wake:
            return len(self._queue.courses) + self._queue.full_sync

    def close(self) -> None:
        """Finish the batch in hand and stop; queued events are left to the nightly sync."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join()

    def _mark(self) -> None:
        if self._queue.since is None:
            self._queue.since = time.monotonic()
        self._wake.notify()

    def _take(self) -> _Queue | None:
        delay = self._moodle.event_coalesce_seconds
        with self._wake:
            while True:
                if self._stopping:
                    return None
                since = self._queue.since
                if since is not None:
                    left = since + delay - time.monotonic()
                    if left <= 0:
                        taken, self._queue = self._queue, _Queue()
                        return taken
                    self._wake.wait(left)
                else:
                    self._wake.wait()

    def _work(self) -> None:
        while (batch := self._take()) is not None:
            try:
                self._apply(batch)
            except Exception:
                # One bad batch must not stop the worker; the nightly sync repairs the rest.
                logger.exception("moodle events batch failed")

    def _apply(self, batch: _Queue) -> None:
        changes = [
            CourseChange(course_id, frozenset(modules or ()))
            for course_id, modules in batch.courses.items()
        ]
        settings = self._settings
        session_field = self._moodle.session_field
        with (
            MoodleClient(
                self._url,
                self._token,
                timeout=self._moodle.timeout_seconds,
                max_file_bytes=settings.limits.max_file_bytes,
            ) as client,
            self._write_lock,
        ):
            if batch.full_sync:
                report = sync_site(
                    settings, client, session_field=session_field, knowledge=self._knowledge
                )
            else:
                with writing(settings, self._knowledge) as writer:
                    report = sync_changes(writer, client, changes, session_field=session_field)
        self.batches += 1
        assert batch.since is not None
        self.last = BatchSummary.of(len(changes) + batch.full_sync, report, batch.since)
        for failure in self.last.failures:
            logger.warning("moodle event not applied: %s", failure)
        logger.info(
            "moodle events: %d changes, %d indexed, %d removed in %.2f s",
            self.last.changes, self.last.indexed, self.last.removed, report.seconds,
        )  # fmt: skip
