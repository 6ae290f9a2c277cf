"""Re-indexing inside the serving process, against the index it already has open.

The embedded store is locked by its process, so a separate `mentor-assistant ingest` cannot
write to it while `serve` runs; the job is handed to the service instead. It runs in a
background thread and answers keep flowing: searches see each source as soon as it is
written. Only folders under the configured roots can be named, never an arbitrary path, and
only the service's own Moodle site (MENTOR_MOODLE_URL), synced with the service's own token.
Every writer of the index (this job, the Moodle event worker) holds ``write_lock``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from assistant.schemas import ReindexRequest, ReindexStatus
from assistant.settings import Settings
from ingest.moodle.client import MoodleClient
from ingest.moodle.sync import site_key, sync_site
from ingest.pipeline import SAMPLE_CORPUS, IngestReport, Status, run_ingest
from knowledge.wiring import Knowledge

logger = logging.getLogger(__name__)
# Enough for a person to act on; the service log keeps the rest.
MAX_FAILURES = 100


class PathNotAllowedError(ValueError):
    pass


class Reindexer:
    def __init__(
        self, knowledge: Knowledge, settings: Settings, write_lock: threading.Lock
    ) -> None:
        self._knowledge = knowledge
        self._settings = settings
        self._write_lock = write_lock
        configured = settings.service.ingest_roots or [SAMPLE_CORPUS]
        self.allowed_roots = tuple(root.resolve() for root in configured)
        self.status = ReindexStatus(state="idle")
        self._thread: threading.Thread | None = None

    def roots_for(self, paths: Sequence[str]) -> list[Path]:
        """The requested paths, each inside an allowed root. None requested: every configured
        root, or, with none configured, the bundled sample corpus as `ingest` indexes it."""
        if not paths:
            return list(self._settings.service.ingest_roots)
        chosen = []
        for raw in paths:
            # resolve() follows links and "..", so neither can step outside a root.
            path = Path(raw).resolve()
            if not any(path.is_relative_to(root) for root in self.allowed_roots):
                raise PathNotAllowedError(
                    f"« {raw} » n'est pas sous une racine autorisée (MENTOR_INGEST_ROOTS)."
                )
            chosen.append(path)
        return chosen

    def check_moodle(self, url: str) -> None:
        """A Moodle sync may only target the service's own site."""
        moodle = self._settings.moodle
        if not moodle.url or not moodle.token_value or site_key(url) != site_key(moodle.url):
            raise PathNotAllowedError(
                f"« {url} » n'est pas le site Moodle de ce service (MENTOR_MOODLE_URL et "
                "MENTOR_MOODLE_TOKEN)."
            )

    def start(self, roots: Sequence[Path], request: ReindexRequest) -> bool:
        """Start a job; False when one is already running."""
        if self._thread is not None and self._thread.is_alive():
            return False
        self.status = ReindexStatus(state="running")
        self._thread = threading.Thread(
            target=self._run, args=(list(roots), request), name="mentor-reindex"
        )
        self._thread.start()
        return True

    def wait(self) -> None:
        """Let a running job finish before the index it writes to is closed."""
        if self._thread is not None:
            self._thread.join()

    def _run(self, roots: list[Path], request: ReindexRequest) -> None:
        try:
            with self._write_lock:
                report = self._ingest(roots, request)
        except Exception:
            logger.exception("re-indexing failed")
            self.status = ReindexStatus(
                state="failed", detail="La réindexation a échoué : voir le journal du service."
            )
            return
        self.status = ReindexStatus(
            state="done",
            indexed=report.count(Status.INDEXED),
            unchanged=report.count(Status.UNCHANGED),
            removed=report.count(Status.REMOVED),
            failed=report.count(Status.FAILED),
            failures=[f"{o.uri} — {o.reason}: {o.detail}" for o in report.failed[:MAX_FAILURES]],
            flagged=[f"{o.uri} — {', '.join(o.flagged)}" for o in report.flagged[:MAX_FAILURES]],
        )

    def _ingest(self, roots: list[Path], request: ReindexRequest) -> IngestReport:
        if request.moodle_url is None:
            return run_ingest(
                self._settings,
                roots,
                collection=request.collection,
                session=request.session,
                kind=request.kind,
                knowledge=self._knowledge,
            )
        moodle = self._settings.moodle
        assert moodle.url is not None
        with MoodleClient(
            moodle.url,
            moodle.token_value,
            timeout=moodle.timeout_seconds,
            max_file_bytes=self._settings.limits.max_file_bytes,
        ) as client:
            return sync_site(
                self._settings,
                client,
                session_field=moodle.session_field,
                courses=request.courses,
                knowledge=self._knowledge,
            )
