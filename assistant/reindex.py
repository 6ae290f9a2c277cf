"""Re-indexing inside the serving process, against the index it already has open.

The embedded store is locked by its process, so a separate `mentor-assistant ingest` cannot
write to it while `serve` runs; the job is handed to the service instead. It runs in a
background thread and answers keep flowing: searches see each source as soon as it is
written. Only folders under the configured roots can be named, never an arbitrary path.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from assistant.schemas import ReindexRequest, ReindexStatus
from assistant.settings import Settings
from ingest.pipeline import SAMPLE_CORPUS, Status, run_ingest
from knowledge.wiring import Knowledge

logger = logging.getLogger(__name__)
# Enough for a person to act on; the service log keeps the rest.
MAX_FAILURES = 100


class PathNotAllowedError(ValueError):
    pass


class Reindexer:
    def __init__(self, knowledge: Knowledge, settings: Settings) -> None:
        self._knowledge = knowledge
        self._settings = settings
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
        knowledge = self._knowledge
        try:
            report = run_ingest(
                self._settings,
                roots,
                collection=request.collection,
                session=request.session,
                kind=request.kind,
                knowledge=knowledge,
            )
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
