"""The LLM backend fails: the learner gets the extractive answer or a clear French message,
never a 500 nor a hung stream. Only the LLM is fake, at the HTTP level, on loopback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant import replies
from assistant.settings import Settings
from bench.fake_llm import ANSWER
from knowledge.wiring import Knowledge
from tests.faults.conftest import QUESTION, app_settings, live_app, stream_events

# Small timeout and retry budget: each scenario must end within seconds.
LLM_TIMEOUT_S = 1.0
# Before the first token the fallback answers seamlessly; after it, the service ends with
# the extractive answer introduced by a note that the first one was interrupted.
BEFORE_FIRST_TOKEN = ("hang", "429", "500")
MID_STREAM = ("break", "stall")


def settings_for(tmp_path: Path, fake_llm: str, behaviour: str) -> Settings:
    return app_settings(
        tmp_path / "app",
        generator="openai",
        openai_base_url=f"{fake_llm}/{behaviour}/v1",
        openai_model="fake-small",
        llm_timeout_seconds=LLM_TIMEOUT_S,
        llm_max_retries=1,
        llm_backoff_seconds=0.01,
    )


@pytest.mark.parametrize("behaviour", BEFORE_FIRST_TOKEN + MID_STREAM)
def test_a_failing_llm_still_ends_the_stream_with_a_sourced_answer(
    tmp_path: Path, fake_llm: str, sample_index: Knowledge, behaviour: str
) -> None:
    with live_app(settings_for(tmp_path, fake_llm, behaviour), sample_index) as live:
        started = time.monotonic()
        status, events = stream_events(live)
        elapsed = time.monotonic() - started

    names = [name for name, _ in events]
    assert status == 200
    assert names[0] == "citations" and names[-1] == "done", names
    assert "error" not in names
    done = events[-1][1]
    assert done["answer"] and done["citations"] and done["refused"] is None
    interrupted = replies.INTERRUPTED["fr"] in done["answer"]
    assert interrupted is (behaviour in MID_STREAM)
    # Bounded by the LLM timeout and one retry, not by the hang.
    assert elapsed < 4 * LLM_TIMEOUT_S + 5


@pytest.mark.parametrize("behaviour", ["hang", "500", "break"])
def test_a_failing_llm_never_gives_a_500_on_the_plain_route(
    tmp_path: Path, fake_llm: str, sample_index: Knowledge, behaviour: str
) -> None:
    with (
        live_app(settings_for(tmp_path, fake_llm, behaviour), sample_index) as live,
        live.client() as client,
    ):
        response = client.post("/api/chat", json={"message": QUESTION}, headers=live.headers())

    assert response.status_code == 200
    assert response.json()["answer"] and response.json()["citations"]


def test_a_healthy_llm_streams_its_own_answer(
    tmp_path: Path, fake_llm: str, sample_index: Knowledge
) -> None:
    # The control: the same path with a backend that works is answered by the LLM.
    with live_app(settings_for(tmp_path, fake_llm, "ok"), sample_index) as live:
        status, events = stream_events(live)

    tokens = "".join(data["text"] for name, data in events if name == "token")
    assert status == 200 and events[-1][0] == "done"
    assert tokens.startswith("Vous trouverez votre attestation")


def test_tokens_that_arrive_together_share_an_event(
    tmp_path: Path, fake_llm: str, sample_index: Knowledge
) -> None:
    # The fake streams a word every 2 ms: the first goes out alone, at once; the rest are
    # merged into a few events (assistant/coalesce.py), with the same text in the end.
    with live_app(settings_for(tmp_path, fake_llm, "ok"), sample_index) as live:
        status, events = stream_events(live)

    tokens = [data["text"] for name, data in events if name == "token"]
    assert status == 200 and events[-1][0] == "done"
    assert "".join(tokens) == ANSWER
    assert tokens[0] == "Vous "
    assert 2 <= len(tokens) < len(ANSWER.split(" ")) / 4
