"""A learner who closes the tab mid-answer (issue 10): the generation stops, the service logs
one info line, and no traceback. Real uvicorn on loopback, the real app, extractive and LLM
backends (the LLM faked at the HTTP level)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from assistant.settings import Settings
from knowledge.wiring import Knowledge
from tests.faults.conftest import QUESTION, app_settings, live_app

DROPS = 20


def drop_after_first_event(live) -> None:
    with (
        live.client() as client,
        client.stream(
            "POST", "/api/chat/stream", json={"message": QUESTION}, headers=live.headers()
        ) as response,
    ):
        assert response.status_code == 200
        assert "content-length" not in response.headers
        first = next(line for line in response.iter_lines() if line.startswith("data:"))
        assert first  # the first event came; leaving the block closes the connection


@pytest.mark.parametrize("backend", ["extractive", "llm"])
def test_dropped_streams_are_cancelled_quietly(
    tmp_path: Path,
    fake_llm: str,
    sample_index: Knowledge,
    caplog: pytest.LogCaptureFixture,
    backend: str,
) -> None:
    settings: Settings = app_settings(tmp_path / "app")
    if backend == "llm":
        settings = app_settings(
            tmp_path / "app",
            generator="openai",
            openai_base_url=f"{fake_llm}/ok/v1",
            openai_model="fake-small",
        )
    caplog.set_level(logging.INFO)
    with live_app(settings, sample_index) as live:
        for _ in range(DROPS):
            drop_after_first_event(live)
        # The server notices each drop on its next write: give the last ones a moment.
        time.sleep(1.0)

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors][:3]
    assert not any(r.exc_info for r in caplog.records)
    dropped = [r for r in caplog.records if "client left" in r.getMessage()]
    assert dropped and all(r.levelno == logging.INFO for r in dropped)
    assert len(dropped) <= DROPS
