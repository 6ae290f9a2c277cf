"""Ingestion throughput and peak memory on the 530 service-public.fr fiches.

A first run indexes everything; a second run on the unchanged file must cost near zero.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import arguments, bench_settings, peak_rss_mb, print_table, write
from ingest.pipeline import Status, run_ingest


def main() -> None:
    args = arguments(__doc__ or "")
    fiches = args.data / "service-public" / "fiches.jsonl"
    with tempfile.TemporaryDirectory() as scratch:
        settings = bench_settings(Path(scratch), args.profile)
        started = time.perf_counter()
        first = run_ingest(settings, [fiches])
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        rerun = run_ingest(settings, [fiches])
        rerun_seconds = time.perf_counter() - started
    assert rerun.count(Status.UNCHANGED) == 1, "the unchanged file should have been skipped"
    result = {
        "benchmark": "ingestion",
        "profile": args.profile,
        "source": str(fiches),
        "documents": first.documents,
        "chunks": first.chunks,
        "seconds": first_seconds,
        "documents_per_s": first.documents / first_seconds,
        "chunks_per_s": first.chunks / first_seconds,
        "rerun_unchanged_seconds": rerun_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }
    print_table(
        f"Ingestion of service-public fiches ({args.profile})",
        ["run", "documents", "chunks", "seconds", "docs/s", "chunks/s"],
        [
            ["first", first.documents, first.chunks, first_seconds,
             result["documents_per_s"], result["chunks_per_s"]],
            ["re-run, unchanged", 0, 0, rerun_seconds, "", ""],
        ],
    )  # fmt: skip
    print(f"peak RSS: {result['peak_rss_mb']:.0f} MB")
    write(args.output, result)


if __name__ == "__main__":
    main()
