"""The real ingestion job in a child process, for the tests that kill it mid-run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.settings import Settings
from knowledge.wiring import build_catalog


def start_ingest_job(settings: Settings, corpus: Path) -> subprocess.Popen[bytes]:
    """`mentor-assistant ingest corpus` (the real CLI, lite profile) into the settings' index."""
    env = {
        **os.environ,
        "MENTOR_DATA_DIR": str(settings.knowledge.data_dir),
        "MENTOR_EMBEDDING_PROFILE": "lite",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "knowledge", "ingest", str(corpus)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def committed_sources(settings: Settings) -> int:
    """How many sources the job has committed so far (0 before its catalog exists)."""
    if not settings.knowledge.manifest_path.exists():
        return 0
    catalog = build_catalog(settings.knowledge)
    try:
        return sum(1 for record in catalog.sources() if record.content_hash)
    finally:
        catalog.close()
