"""Benchmarks: `python -m bench [SUITE …] [--quick] [--json] [--profile quality|lite]`.

Each suite prints a table and writes JSON under bench/results/; each runs in its own child
process so that its peak RSS is its own. `--quick` (minutes on 2 cores, lite profile by
default) runs the ingestion, query, load and widget suites on smaller inputs; `--json`
prints one JSON object of flat figures instead of the tables (these go to stderr).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from bench.summary import flatten

RESULTS = Path(__file__).parent / "results"
BENCHMARKS = ("retrieval", "embedding", "ingestion", "query", "load", "widget", "soak")
QUICK = ("ingestion", "query", "load", "widget", "triage")
# Another helper's suite: run when its module is there.
TRIAGE = "triage"
SUITES = (*BENCHMARKS, TRIAGE)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("which", nargs="*", metavar="SUITE", help=f"{', '.join(SUITES)} or all")
    parser.add_argument("--profile", choices=("quality", "lite"))
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object of figures")
    args = parser.parse_args()
    # argparse checks choices against a nargs="*" default too, so they are checked here.
    args.which = args.which or ["all"]
    unknown = set(args.which) - {*SUITES, "all"}
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(sorted(unknown))}")
    if not args.data.is_dir():
        sys.exit(f"real data not found at {args.data}: the benchmarks read ../shared/data")
    profile = args.profile or ("lite" if args.quick else "quality")
    if "all" not in args.which:
        suites: tuple[str, ...] = tuple(args.which)
    else:
        suites = QUICK if args.quick else (*BENCHMARKS, TRIAGE)
    RESULTS.mkdir(exist_ok=True)
    # With --json, stdout carries the one JSON object and nothing else.
    tables = sys.stderr if args.json else sys.stdout
    started = time.perf_counter()
    # The machine may be shared: its load says how far to trust the figures.
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, Any]] = {}
    for name in suites:
        suffix = f"{profile}{'-quick' if args.quick else ''}"
        output = RESULTS / f"{name}-{suffix}.json"
        if name == TRIAGE:
            found = run_triage(args.quick, output, tables)
            if found is None:
                continue
            results[name] = found
        else:
            command = [sys.executable, "-m", f"bench.{name}", "--profile", profile,
                       "--data", str(args.data), "--output", str(output)]  # fmt: skip
            subprocess.run(
                [*command, *(["--quick"] if args.quick else [])], check=True, stdout=tables
            )
            results[name] = json.loads(output.read_text())
        print(f"→ {output}", file=tables, flush=True)
    figures = {
        "profile": profile,
        "quick": args.quick,
        "machine": machine(),
        "seconds": round(time.perf_counter() - started, 1),
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        **flatten(results),
    }
    # A partial run gets its own name, so that it never replaces the summary of a whole one.
    ran = "" if "all" in args.which else "-" + "-".join(suites)
    (RESULTS / f"summary-{profile}{'-quick' if args.quick else ''}{ran}.json").write_text(
        json.dumps(figures, indent=2, ensure_ascii=False)
    )
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))


def run_triage(quick: bool, output: Path, tables: Any) -> dict[str, Any] | None:
    if importlib.util.find_spec("bench.triage") is None:
        print("triage: skipped, bench/triage.py is not there yet", file=tables)
        return None
    triage = importlib.import_module("bench.triage")
    with redirect_stdout(tables):
        result: dict[str, Any] = dict(triage.run(quick))
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return result


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}"


if __name__ == "__main__":
    main()
