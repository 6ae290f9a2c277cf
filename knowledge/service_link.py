"""Where a running service can be reached, so that other commands can hand it work.

The embedded store admits one process. While `serve` owns it, `mentor-assistant ingest`
cannot open it; it hands the job to the service instead. The service publishes
``service.json`` in the data dir, readable by its owner only, with its URL and a short-lived
support token that it renews. Anyone who can read the data dir could rewrite the index
anyway, so the file grants nothing new.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from knowledge.settings import KnowledgeSettings

LINK_FILE = "service.json"


@dataclass(frozen=True, slots=True)
class ServiceLink:
    url: str
    token: str
    pid: int


def link_path(settings: KnowledgeSettings) -> Path:
    return settings.data_dir / LINK_FILE


def publish(settings: KnowledgeSettings, link: ServiceLink) -> None:
    path = link_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{link.pid}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(link), handle)
    # Readers see the old link or the new one, never half a file.
    staging.replace(path)


def withdraw(settings: KnowledgeSettings, pid: int) -> None:
    """Remove the link if it is still ours (a newer service may have replaced it)."""
    current = find(settings)
    if current is not None and current.pid == pid:
        link_path(settings).unlink(missing_ok=True)


def find(settings: KnowledgeSettings) -> ServiceLink | None:
    """The link of a live service, or None (no file, unreadable, or its process is gone)."""
    try:
        raw = json.loads(link_path(settings).read_text(encoding="utf-8"))
        link = ServiceLink(url=str(raw["url"]), token=str(raw["token"]), pid=int(raw["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(link.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by another user
    return link
