"""Hand an ingestion job to the running service, which owns the embedded store.

`serve` holds the store's lock, so `ingest` asks the service to index instead (its admin
endpoint, role support) and follows the job to the end: no downtime, no lock error.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from ingest.errors import HandoffError
from knowledge.service_link import ServiceLink
from knowledge.types import Kind

POLL_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class HandoffReport:
    indexed: int
    unchanged: int
    removed: int
    failures: tuple[str, ...]
    seconds: float
    flagged: tuple[str, ...] = ()


def hand_off(
    link: ServiceLink,
    paths: Sequence[Path],
    *,
    collection: str | None = None,
    session: str | None = None,
    kind: Kind | None = None,
    moodle_url: str | None = None,
    courses: Sequence[str] = (),
    timeout: float = 6 * 3600,
) -> HandoffReport:
    """``moodle_url``: the service syncs that site, which must be its own MENTOR_MOODLE_URL
    (it uses its own token; this process's token is never sent)."""
    started = time.perf_counter()
    body = {
        # The service resolves paths in its own working directory: send them absolute.
        "paths": [str(path.resolve()) for path in paths],
        "collection": collection,
        "session": session,
        "kind": kind.value if kind else None,
        "moodle_url": moodle_url,
        "courses": list(courses),
    }
    headers = {"Authorization": f"Bearer {link.token}"}
    with httpx.Client(base_url=link.url, headers=headers, timeout=30) as client:
        status = _json(client, "POST", "/api/admin/reindex", body)
        deadline = time.monotonic() + timeout
        while status["state"] == "running":
            if time.monotonic() > deadline:
                raise HandoffError("Le service n'a pas terminé la réindexation à temps.")
            time.sleep(POLL_SECONDS)
            status = _json(client, "GET", "/api/admin/reindex")
    if status["state"] == "failed":
        raise HandoffError(status.get("detail") or "La réindexation a échoué.")
    return HandoffReport(
        indexed=status["indexed"],
        unchanged=status["unchanged"],
        removed=status["removed"],
        failures=tuple(status["failures"]),
        seconds=time.perf_counter() - started,
        flagged=tuple(status.get("flagged", ())),
    )


def _json(client: httpx.Client, method: str, path: str, body: object = None) -> dict:
    try:
        response = client.request(method, path, json=body)
    except httpx.HTTPError as error:
        raise HandoffError(f"Le service {client.base_url} ne répond pas ({error}).") from error
    if response.is_error:
        try:
            detail = response.json()["detail"]
        except (ValueError, KeyError, TypeError):
            detail = response.text[:200]
        raise HandoffError(f"Le service a refusé la réindexation : {detail}")
    payload: dict = response.json()
    return payload
