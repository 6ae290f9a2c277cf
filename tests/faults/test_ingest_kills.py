"""The ingestion job is SIGKILLed at random points 20 times on real data: after each rerun
the index equals a clean build (same chunk ids, same count).

The corpus is a small real subset (CNIL FAQ entries, split over a few files so that a kill
can land between sources as well as inside one), indexed with the lite profile.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

from assistant.settings import Settings
from ingest.pipeline import Status, run_ingest
from knowledge.wiring import build_embedder, build_store, open_knowledge
from tests.conftest import make_settings
from tests.ingest.job import committed_sources, start_ingest_job

KILLS = 20
FILES, ENTRIES_PER_FILE = 3, 2
JOB_TIMEOUT_S = 60


def write_subset(faq: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    lines = faq.read_text(encoding="utf-8").splitlines()[: FILES * ENTRIES_PER_FILE]
    for index in range(FILES):
        part = lines[index * ENTRIES_PER_FILE : (index + 1) * ENTRIES_PER_FILE]
        (folder / f"cnil-{index}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
    return folder


def index_state(settings: Settings) -> tuple[int, set[str]]:
    store = build_store(settings.knowledge)
    try:
        return store.count(), {chunk.chunk_id for chunk in store.iter_chunks()}
    finally:
        store.close()


def kill_at_random_point(settings: Settings, corpus: Path, chooser: random.Random) -> bool:
    """Start the real CLI job, SIGKILL it at a random point; True if it was still running."""
    job = start_ingest_job(settings, corpus)
    # Some point between "before anything is written" and "all but the last source done",
    # plus a random offset inside the next source.
    wanted = chooser.randrange(FILES)
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while job.poll() is None and time.monotonic() < deadline:
        if wanted == 0 and settings.knowledge.manifest_path.exists():
            break
        if wanted and committed_sources(settings) >= wanted:
            break
        time.sleep(0.02)
    time.sleep(chooser.uniform(0, 0.4))
    running = job.poll() is None
    job.send_signal(signal.SIGKILL)
    job.wait()
    return running


def test_index_equals_a_clean_build_after_each_of_20_kills(
    tmp_path: Path, shared_data: Path
) -> None:
    corpus = write_subset(shared_data / "cnil-faq" / "faq.jsonl", tmp_path / "corpus")
    clean = make_settings(tmp_path / "clean")
    run_ingest(clean, [corpus])
    expected = index_state(clean)
    assert expected[0] == len(expected[1]) >= FILES * ENTRIES_PER_FILE
    # The reruns in this process reuse one loaded model.
    embedder = build_embedder(clean.knowledge)

    seed = random.randrange(2**32)
    chooser = random.Random(seed)
    mid_run = 0
    for attempt in range(KILLS):
        killed = make_settings(tmp_path / f"killed-{attempt}")
        mid_run += kill_at_random_point(killed, corpus, chooser)
        knowledge = open_knowledge(killed.knowledge, embedder=embedder)
        try:
            report = run_ingest(killed, [corpus], knowledge=knowledge)
            assert not report.failed, (seed, attempt, report.failed)
            # A second rerun has nothing left to do.
            rerun = run_ingest(killed, [corpus], knowledge=knowledge)
        finally:
            knowledge.close()
        assert index_state(killed) == expected, f"seed {seed}, kill {attempt}"
        assert rerun.count(Status.UNCHANGED) == FILES
    assert mid_run >= KILLS // 2, f"only {mid_run} kills landed mid-run (seed {seed})"
