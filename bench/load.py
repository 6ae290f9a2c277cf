"""The service under load: N concurrent SSE chat streams against uvicorn on loopback.

The service runs in its own process (`bench.serve`) on an index of the sample corpus; the
fake LLM (`bench.fake_llm`) in another, streaming ~40 tokens/s after 0.4 s, as a hosted
Mistral-small does. Each of the N clients asks its questions one after the other; every
loop is bounded by a count and by a deadline, and stops by itself.

Per generator (extractive, then the LLM with its extractive fallback) and per N: answers/s,
time to first token (first `token` event) p50/p95, error rate (non-200, `error` event, no
`done`, timeout), and the concurrency at which p95 TTFT passes 1 s (interpolated).
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from pydantic import SecretStr

from assistant.auth import Role, mint_token
from assistant.settings import Settings
from bench.common import arguments, bench_settings, print_table, write
from bench.loopback import free_port
from ingest.pipeline import run_ingest

LEVELS, QUICK_LEVELS = (1, 5, 10, 25, 50, 100, 200), (10, 50)
ASKS_PER_CLIENT, QUICK_ASKS_PER_CLIENT = 3, 1
LEVEL_DEADLINE_S = 120
SERVER_START_S = 300
STREAM_TIMEOUT_S = 60
TTFT_LIMIT_MS = 1000.0
SECRET = "bench-" + "s" * 40
QUESTIONS = (
    "Comment télécharger mon attestation de participation ?",
    "Je n'arrive pas à me connecter à Mentor, que faire ?",
    "Qu'est-ce que le principe de laïcité pour un agent public ?",
    "Combien de temps dure une session de formation ?",
    "Comment contacter le support de la plateforme ?",
)


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    ttft_ms: float | None
    seconds: float
    tokens: int


async def one_stream(client: httpx.AsyncClient, token: str, question: str) -> Outcome:
    started = time.perf_counter()
    ttft: float | None = None
    tokens = 0
    event = None
    done = False
    try:
        async with client.stream(
            "POST",
            "/api/chat/stream",
            json={"message": question},
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            if response.status_code != 200:
                return Outcome(False, None, time.perf_counter() - started, 0)
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.removeprefix("event:").strip()
                    if event == "token":
                        tokens += 1
                        if ttft is None:
                            ttft = (time.perf_counter() - started) * 1000
                    elif event == "error":
                        return Outcome(False, ttft, time.perf_counter() - started, tokens)
                    elif event == "done":
                        done = True
    except httpx.HTTPError:
        return Outcome(False, ttft, time.perf_counter() - started, tokens)
    return Outcome(done, ttft, time.perf_counter() - started, tokens)


@asynccontextmanager
async def learner_clients(url: str, count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One HTTP client per learner, as each browser is. One client shared by N streams
    scans its N pooled connections on every request and release (httpcore): at 200 streams
    that was half the load client's CPU and made the client, not the service, the limit."""
    # Loopback is plain HTTP, but each client would load the CA store: one context for all.
    tls = ssl.create_default_context()
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=STREAM_TIMEOUT_S, verify=tls)
            )
            for _ in range(count)
        ]


async def level(url: str, tokens: Sequence[str], asks: int) -> dict[str, Any]:
    concurrency = len(tokens)
    deadline = time.monotonic() + LEVEL_DEADLINE_S
    outcomes: list[Outcome] = []
    async with learner_clients(url, concurrency) as clients:

        async def worker(index: int) -> None:
            for ask in range(asks):
                if time.monotonic() > deadline:
                    return
                question = QUESTIONS[(index + ask) % len(QUESTIONS)]
                outcomes.append(await one_stream(clients[index], tokens[index], question))

        started = time.perf_counter()
        await asyncio.gather(*(worker(index) for index in range(concurrency)))
        wall = time.perf_counter() - started
    ttfts = [o.ttft_ms for o in outcomes if o.ok and o.ttft_ms is not None]
    p50, p95 = np.percentile(ttfts, [50, 95]) if ttfts else (float("nan"), float("nan"))
    answered = sum(o.ok for o in outcomes)
    return {
        "concurrency": concurrency,
        "requests": len(outcomes),
        "answers_per_s": answered / wall,
        "tokens_per_s": sum(o.tokens for o in outcomes if o.ok) / wall,
        "ttft_p50_ms": float(p50),
        "ttft_p95_ms": float(p95),
        "error_rate": 1 - answered / len(outcomes) if outcomes else 1.0,
        "answer_p95_s": float(np.percentile([o.seconds for o in outcomes], 95)),
        "wall_s": wall,
    }


@contextmanager
def process(args: list[str], env: dict[str, str], url: str) -> Iterator[subprocess.Popen[bytes]]:
    """A server process, ready when ``url`` answers; stopped on exit."""
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # The quality profile loads and verifies a 615 MB model first: minutes on a busy box.
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"{args} exited: {child.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def uvicorn_args(target: str, port: int, factory: bool) -> list[str]:
    args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    return [*args, "--log-level", "warning", "--no-access-log", *(["--factory"] if factory else [])]


def crossing(rows: list[dict[str, Any]]) -> float | str | None:
    """The concurrency at which p95 TTFT passes the limit, interpolated between levels;
    "<= N" when the lowest level N measured is already past it."""
    previous: dict[str, Any] | None = None
    for row in rows:
        if row["ttft_p95_ms"] > TTFT_LIMIT_MS:
            if previous is None:
                return f"<= {row['concurrency']}"
            low, high = previous["ttft_p95_ms"], row["ttft_p95_ms"]
            share = (TTFT_LIMIT_MS - low) / (high - low)
            span = row["concurrency"] - previous["concurrency"]
            return float(previous["concurrency"] + share * span)
        previous = row
    return None


def run_generator(
    name: str, env: dict[str, str], levels: Sequence[int], asks: int, settings: Any
) -> list[dict[str, Any]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    rows = []
    with process(uvicorn_args("bench.serve:app", port, factory=True), env, f"{url}/api/health"):
        for concurrency in levels:
            # One learner per stream, as on a peak day.
            tokens = [
                mint_token(settings, f"bench-{index}", (), Role.LEARNER, 3600)
                for index in range(concurrency)
            ]
            asyncio.run(level(url, tokens[:2], 1))  # warm-up: model, caches
            row = asyncio.run(level(url, tokens, asks))
            row["generator"] = name
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


@contextmanager
def indexed_sample(profile: str) -> Iterator[tuple[Settings, dict[str, str]]]:
    """The sample corpus indexed in a scratch data dir, and the environment that points a
    service process at it (embedded store, no remote backend, no rate limit)."""
    with tempfile.TemporaryDirectory() as scratch:
        settings = bench_settings(Path(scratch) / "index", profile)
        service = settings.service.model_copy(update={"jwt_secret": SecretStr(SECRET)})
        settings = settings.model_copy(update={"service": service})
        assert not run_ingest(settings).failed
        env = {
            **os.environ,
            "MENTOR_DATA_DIR": str(settings.knowledge.data_dir),
            "MENTOR_EMBEDDING_PROFILE": profile,
            "MENTOR_JWT_SECRET": SECRET,
            "MENTOR_RATE_LIMIT_PER_MINUTE": "1000000",
        }
        env.pop("QDRANT_URL", None)
        env.pop("MISTRAL_API_KEY", None)
        yield settings, env


def fake_llm_env(llm_url: str) -> dict[str, str]:
    return {
        "MENTOR_GENERATOR": "openai",
        "MENTOR_OPENAI_BASE_URL": f"{llm_url}/ok/v1",
        "MENTOR_OPENAI_MODEL": "fake-mistral-small",
    }


def main() -> None:
    args = arguments(__doc__ or "")
    levels = QUICK_LEVELS if args.quick else LEVELS
    asks = QUICK_ASKS_PER_CLIENT if args.quick else ASKS_PER_CLIENT
    with indexed_sample(args.profile) as (settings, env):
        llm_port = free_port()
        llm_url = f"http://127.0.0.1:{llm_port}"
        results: dict[str, list[dict[str, Any]]] = {}
        results["extractive"] = run_generator(
            "extractive", {**env, "MENTOR_GENERATOR": "extractive"}, levels, asks, settings
        )
        with process(uvicorn_args("bench.fake_llm:FakeLLM", llm_port, factory=True), env, llm_url):
            llm_env = {**env, **fake_llm_env(llm_url)}
            results["llm"] = run_generator("llm", llm_env, levels, asks, settings)
    result = {
        "benchmark": "load",
        "profile": args.profile,
        "quick": args.quick,
        "asks_per_client": asks,
        "ttft_limit_ms": TTFT_LIMIT_MS,
        "levels": results,
        "ttft_p95_passes_1s_at": {name: crossing(rows) for name, rows in results.items()},
    }
    print_table(
        f"SSE load on loopback ({args.profile}, {asks} question(s) per client)",
        ["generator", "N", "answers/s", "TTFT p50 ms", "TTFT p95 ms", "errors", "answer p95 s"],
        [
            [row["generator"], row["concurrency"], row["answers_per_s"], row["ttft_p50_ms"],
             row["ttft_p95_ms"], f"{row['error_rate']:.1%}", row["answer_p95_s"]]
            for rows in results.values()
            for row in rows
        ],
    )  # fmt: skip
    print(f"p95 TTFT passes 1 s at N ≈ {result['ttft_p95_passes_1s_at']}")
    write(args.output, result)


if __name__ == "__main__":
    main()
