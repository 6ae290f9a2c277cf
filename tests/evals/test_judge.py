"""The Mistral judge and drafter, faked at the HTTP level (httpx.MockTransport): no network."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.settings import Settings
from evals.drafts import llm_drafts
from evals.judge import JUDGE_MODEL, REPEATS, SYSTEM_PROMPT, MistralJudge
from evals.mistral import MistralChat, MistralError
from evals.runner import run_eval
from knowledge.types import Chunk, Kind
from tests.evals.conftest import SMALL_SET, write_jsonl

Handler = Callable[[httpx.Request], httpx.Response]


def completion(content: dict[str, Any] | str) -> httpx.Response:
    text = content if isinstance(content, str) else json.dumps(content)
    return httpx.Response(200, json={"choices": [{"message": {"content": text}}]})


def chat(handler: Handler, max_retries: int = 2) -> MistralChat:
    return MistralChat(
        "test-key", "https://api.mistral.test", timeout=5, max_retries=max_retries,
        backoff_seconds=0, transport=httpx.MockTransport(handler),
    )  # fmt: skip


def judge_once(handler: Handler, reference: str | None = "Réponse de référence.") -> Any:
    judge = MistralJudge(chat(handler))

    async def go() -> Any:
        try:
            return await judge.judge(
                "Mon courriel est jean.dupont@example.fr, où est mon attestation ?",
                "Dans la section Clôture [1].",
                ["L’attestation est dans la section Clôture."],
                reference,
            )
        finally:
            await judge.aclose()

    return asyncio.run(go())


def test_three_repeats_are_averaged_and_their_spread_reported() -> None:
    requests: list[dict[str, Any]] = []
    scores = iter([(1.0, 0.5), (0.5, 0.5), (0.75, 0.8)])

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url == "https://api.mistral.test/v1/chat/completions"
        assert request.headers["authorization"] == "Bearer test-key"
        requests.append(json.loads(request.content))
        faithfulness, correctness = next(scores)
        return completion(
            {"faithfulness": faithfulness, "correctness": correctness, "explanation": "ok"}
        )

    judgement = judge_once(handler)
    assert len(requests) == REPEATS == 3
    body = requests[0]
    assert body["model"] == JUDGE_MODEL
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = body["messages"][1]["content"]
    assert "jean.dupont@example.fr" not in user and "[courriel]" in user
    assert "[1] L’attestation est dans la section Clôture." in user
    assert judgement.failures == 0
    assert judgement.mean("faithfulness") == pytest.approx(0.75)
    assert judgement.spread("faithfulness") == pytest.approx(0.5)
    assert judgement.stdev("faithfulness") == pytest.approx(0.2041, abs=1e-4)
    assert judgement.mean("correctness") == pytest.approx(0.6)


def test_no_reference_means_no_correctness_verdict() -> None:
    judgement = judge_once(
        lambda _: completion({"faithfulness": 1, "correctness": 0.2}), reference=None
    )
    assert judgement.mean("faithfulness") == 1.0
    assert judgement.mean("correctness") is None


def test_429_then_success_is_retried() -> None:
    calls = {"n": 0}

    def handler(_: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] % 2:
            return httpx.Response(429, json={"message": "rate limited"})
        return completion({"faithfulness": 0.9, "correctness": 0.9})

    judgement = judge_once(handler)
    assert judgement.failures == 0 and calls["n"] == 2 * REPEATS
    assert judgement.mean("faithfulness") == pytest.approx(0.9)


def test_failures_are_counted_not_raised() -> None:
    def server_error(_: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    for handler in (
        server_error,
        timeout,
        lambda _: completion("not json"),
        lambda _: completion({"faithfulness": "high"}),
        lambda _: completion({"faithfulness": 1.5}),
    ):
        judgement = judge_once(handler)
        assert judgement.failures == REPEATS and judgement.mean("faithfulness") is None


def test_the_client_gives_up_after_its_retries() -> None:
    calls = {"n": 0}

    def handler(_: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(500)

    client = chat(handler, max_retries=2)

    async def go() -> None:
        try:
            await client.complete_json("m", "system", "user", 0.0)
        finally:
            await client.aclose()

    with pytest.raises(MistralError, match="HTTP 500"):
        asyncio.run(go())
    assert calls["n"] == 3
    # A client error is not retried.
    calls["n"] = 0
    client = chat(lambda _: httpx.Response(401), max_retries=2)
    with pytest.raises(MistralError, match="HTTP 401"):
        asyncio.run(go())


def test_a_judged_run_records_the_judge_and_its_variation(
    lite_index: Settings, tmp_path: Path
) -> None:
    verdicts = iter([0.8, 1.0, 0.9] * 10)

    def handler(_: httpx.Request) -> httpx.Response:
        value = next(verdicts)
        return completion({"faithfulness": value, "correctness": value, "explanation": "…"})

    run = run_eval(
        lite_index,
        write_jsonl(tmp_path / "small.jsonl", SMALL_SET),
        judge=MistralJudge(chat(handler)),
    )
    judge = run.info["models"]["judge"]
    assert judge["model"] == JUDGE_MODEL and judge["prompt"] == SYSTEM_PROMPT
    assert run.info["answer_measure"] == f"judge:{JUDGE_MODEL}"
    answered = [r for r in run.items if r.observation.refused is None]
    assert answered and all(r.judgement is not None for r in answered)
    assert run.metrics["answer.faithfulness"] == pytest.approx(0.9)
    assert run.metrics["judge.faithfulness.spread_max"] == pytest.approx(0.2)
    assert run.metrics["judge.faithfulness.stdev_mean"] == pytest.approx(0.0816, abs=1e-4)
    assert run.metrics["judge.failed_repeats"] == 0


def test_llm_drafts_keep_only_verbatim_snippets() -> None:
    chunk = Chunk(
        chunk_id="c1", document_id="faq-x", text="Le lien est valable 30 minutes.",
        position=0, title="T", source="sample:faq/x.yaml", kind=Kind.FAQ, collection="faq",
    )  # fmt: skip
    reply = {
        "questions": [
            {"question": "le lien dure combien ?", "context": "valable 30 minutes",
             "answer": "30 minutes."},
            {"question": "et apres ?", "context": "invented sentence"},
            {"question": "  "},
        ]
    }  # fmt: skip
    drafts = asyncio.run(llm_drafts(chat(lambda _: completion(reply)), "m", [chunk], 5))
    assert [d["question"] for d in drafts] == ["le lien dure combien ?", "et apres ?"]
    assert drafts[0]["reference_contexts"] == ["valable 30 minutes"]
    assert "reference_contexts" not in drafts[1]
    assert all(d["reviewed"] is False and "llm" in d["tags"] for d in drafts)
