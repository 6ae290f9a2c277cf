"""The eval on the CNIL FAQ development set (../shared/data/cnil-faq, Etalab, MIT).

Indexes ``faq.jsonl`` into a temporary data dir with `mentor-assistant ingest`, then runs
`mentor-assistant eval` on ``dev_queries.jsonl`` (already in the question-set format: ``id``,
``question``, ``expected_documents`` = FAQ record ids). It shells out rather than importing
the ingestion stage, which the evals never import. Arguments go to `eval`:

    .venv/bin/python evals/datasets/cnil_dev.py --report cnil.html --json

The embedding profile comes from the environment (MENTOR_EMBEDDING_PROFILE), like every
command. To keep the index between runs, run the two commands yourself with a fixed
MENTOR_DATA_DIR (see the README).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

CNIL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cnil-faq"


def main(arguments: list[str]) -> int:
    if not (CNIL / "faq.jsonl").is_file():
        print(f"CNIL data not found in {CNIL} (../shared/data from the repo)", file=sys.stderr)
        return 2
    cli = str(Path(sys.executable).with_name("mentor-assistant"))
    with tempfile.TemporaryDirectory(prefix="cnil-eval-") as data_dir:
        env = {**os.environ, "MENTOR_DATA_DIR": data_dir}
        # The ingestion report goes to stderr so that `--json` leaves stdout clean.
        indexed = subprocess.run(
            [cli, "ingest", str(CNIL / "faq.jsonl")], env=env, stdout=sys.stderr, check=False
        )
        if indexed.returncode != 0:
            return indexed.returncode
        evaluated = [cli, "eval", str(CNIL / "dev_queries.jsonl"), *arguments]
        return subprocess.run(evaluated, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
