"""The long soak: 50 concurrent SSE streams answered through the fake LLM, without pause,
for ten minutes (one with --quick). Per 30 s window: answers, time to first token p95,
errors, and the service's resident memory, to show whether anything drifts or leaks.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np
import psutil

from assistant.auth import Role, mint_token
from bench.common import arguments, print_table, write
from bench.load import (
    QUESTIONS,
    Outcome,
    fake_llm_env,
    indexed_sample,
    learner_clients,
    one_stream,
    process,
)
from bench.load import uvicorn_args as server_args
from bench.loopback import free_port

CONCURRENCY = 50
DURATION_S, QUICK_DURATION_S = 600, 60
WINDOW_S = 30


async def soak(url: str, tokens: list[str], duration: float, pid: int) -> list[dict[str, Any]]:
    server = psutil.Process(pid)
    stop = time.monotonic() + duration
    windows: list[list[Outcome]] = []
    current: list[Outcome] = []
    async with learner_clients(url, len(tokens)) as clients:

        async def worker(index: int) -> None:
            ask = 0
            while time.monotonic() < stop:
                question = QUESTIONS[(index + ask) % len(QUESTIONS)]
                current.append(await one_stream(clients[index], tokens[index], question))
                ask += 1

        rows = []
        workers = asyncio.gather(*(worker(index) for index in range(len(tokens))))
        while time.monotonic() < stop:
            await asyncio.sleep(min(WINDOW_S, max(0.0, stop - time.monotonic())))
            done, current[:] = list(current), []
            windows.append(done)
            ttfts = [o.ttft_ms for o in done if o.ok and o.ttft_ms is not None]
            rows.append(
                {
                    "window": len(windows),
                    "answers": sum(o.ok for o in done),
                    "errors": sum(not o.ok for o in done),
                    "ttft_p95_ms": float(np.percentile(ttfts, 95)) if ttfts else None,
                    "service_rss_mb": server.memory_info().rss / 2**20,
                }
            )
        await workers
    return rows


def main() -> None:
    args = arguments(__doc__ or "")
    duration = QUICK_DURATION_S if args.quick else DURATION_S
    with indexed_sample(args.profile) as (settings, env):
        llm_port, port = free_port(), free_port()
        llm_url, url = f"http://127.0.0.1:{llm_port}", f"http://127.0.0.1:{port}"
        env |= fake_llm_env(llm_url)
        tokens = [
            mint_token(settings, f"soak-{index}", (), Role.LEARNER, 3600)
            for index in range(CONCURRENCY)
        ]
        with (
            process(server_args("bench.fake_llm:FakeLLM", llm_port, factory=True), env, llm_url),
            process(
                server_args("bench.serve:app", port, factory=True), env, f"{url}/api/health"
            ) as service,
        ):
            rows = asyncio.run(soak(url, tokens, duration, service.pid))
    answers = sum(row["answers"] for row in rows)
    errors = sum(row["errors"] for row in rows)
    result = {
        "benchmark": "soak",
        "profile": args.profile,
        "quick": args.quick,
        "concurrency": CONCURRENCY,
        "duration_s": duration,
        "answers": answers,
        "error_rate": errors / max(1, answers + errors),
        "service_rss_growth_mb": rows[-1]["service_rss_mb"] - rows[0]["service_rss_mb"],
        "windows": rows,
    }
    print_table(
        f"Soak: {CONCURRENCY} streams for {duration} s ({args.profile}, fake LLM)",
        ["window", "answers", "errors", "TTFT p95 ms", "service RSS MB"],
        [[r["window"], r["answers"], r["errors"], r["ttft_p95_ms"], r["service_rss_mb"]]
         for r in rows],
    )  # fmt: skip
    write(args.output, result)


if __name__ == "__main__":
    main()
