"""The cross-corpus negatives written by evals/datasets/real_sets.py from ../shared/data:
a question that both sites would answer is no negative."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "evals" / "datasets" / "real_sets.py"


@pytest.fixture(scope="module")
def sets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    target = tmp_path_factory.mktemp("sets")
    subprocess.run([sys.executable, str(SCRIPT), str(target), str(shared_data)], check=True)
    return {
        path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in target.glob("*.jsonl")
    }


def _questions(records: list[dict]) -> dict[str, str]:
    return {record["id"]: record["question"] for record in records}


def test_account_chores_of_any_site_are_no_negatives_for_the_site_help(
    sets: dict[str, list[dict]],
) -> None:
    on_site_help = _questions(sets["not_site_help"])
    # "jai perdu mon mot de passe": the site help answers it, for its own account.
    assert "mentor-mf-07a" not in on_site_help
    assert "mentor-mf-08a" not in on_site_help
    # Questions naming Mentor or its sessions, courses and certificates stay negatives.
    assert "mentor-mf-06a" in on_site_help  # "comment on se cree un compte sur mentor"
    assert "mentor-mf-18b" in on_site_help  # "ou est mon attestation de fin de formation…"
    assert all(record["should_refuse"] for record in sets["not_site_help"])


def test_every_learner_question_is_a_negative_for_the_cnil_faq(sets: dict[str, list[dict]]) -> None:
    on_cnil = _questions(sets["not_cnil"])
    assert "mentor-mf-07a" in on_cnil  # no account chore is a CNIL question
    assert len(on_cnil) > len(sets["not_site_help"])


def test_only_site_help_questions_naming_service_public_are_negatives_for_mentor(
    sets: dict[str, list[dict]],
) -> None:
    from_site_help = [record for record in sets["not_mentor"] if record["id"].startswith("sp-")]
    assert from_site_help
    assert len(from_site_help) < len(sets["site_help"])
