"""Benchmarks: `python -m bench [retrieval|ingestion|all] [--profile quality|lite]`.

Prints a table and writes JSON under bench/results/. Each benchmark runs in its own child
process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
BENCHMARKS = ("retrieval", "ingestion")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("which", nargs="?", choices=(*BENCHMARKS, "all"), default="all")
    parser.add_argument("--profile", choices=("quality", "lite"), default="quality")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"real data not found at {args.data}: the benchmarks read ../shared/data")
    RESULTS.mkdir(exist_ok=True)
    for name in BENCHMARKS if args.which == "all" else (args.which,):
        output = RESULTS / f"{name}-{args.profile}.json"
        subprocess.run(
            [sys.executable, "-m", f"bench.{name}", "--profile", args.profile,
             "--data", str(args.data), "--output", str(output)],
            check=True,
        )  # fmt: skip
        print(f"→ {output}")
        print(json.dumps(json.loads(output.read_text()), indent=2)[:2000])


if __name__ == "__main__":
    main()
