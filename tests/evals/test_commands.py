"""`mentor-assistant eval` on the real lite index: outputs, exit codes 0/1/2, the baseline
comparison and question drafting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from evals.dataset import load_dataset
from evals.metrics import normalize_snippet
from knowledge.wiring import build_store
from tests.evals.conftest import SMALL_SET, Invoke, write_jsonl


@pytest.fixture
def base_run(invoke: Invoke, small_set: Path, tmp_path: Path) -> dict[str, Any]:
    """One run written with --output and --report, gated on a threshold that holds."""
    result = invoke(
        "eval", small_set, "--k", "3", "--output", tmp_path / "run.json",
        "--report", tmp_path / "run.html", "--fail-under", "refusal.accuracy=0.5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    assert "retrieval.hit@3" in result.stdout
    assert (tmp_path / "run.html").read_text().startswith("<!doctype html>")
    data: dict[str, Any] = json.loads((tmp_path / "run.json").read_text())
    return data


def test_run_json_has_the_stable_schema(base_run: dict[str, Any]) -> None:
    assert set(base_run) == {"run", "metrics", "counts", "by_tag", "items", "gates"}
    run = base_run["run"]
    assert run["schema"] == 1 and run["k"] == 3
    assert run["dataset"]["items"] == 5 and len(run["dataset"]["sha256"]) == 64
    assert run["models"]["embedder"] == "use-multilingual-v3"
    assert run["models"]["generator"] == "extractive"
    assert run["answer_measure"] == "lexical"
    assert run["corpus"]["sessions"] == ["laicite-2025", "parcours-manager-2025"]
    assert run["settings"]["embedding_profile"] == "lite"
    assert "jwt_secret" not in json.dumps(run)
    metrics = base_run["metrics"]
    for name in ("retrieval.hit@1", "retrieval.hit@3", "retrieval.mrr@10", "retrieval.recall@3"):
        assert base_run["counts"][name] == 3
        assert 0.0 <= metrics[name] <= 1.0
    assert base_run["counts"]["refusal.missed"] == 2
    assert metrics["refusal.missed"] == 0.0
    assert metrics["latency.retrieve.p50_ms"] > 0
    assert base_run["gates"] == [
        {"metric": "refusal.accuracy", "minimum": 0.5, "measured": metrics["refusal.accuracy"],
         "held": True}
    ]  # fmt: skip
    items = {item["id"]: item for item in base_run["items"]}
    assert items["q-injection"]["refused"] == "prompt_injection"
    assert items["q-meteo"]["refused"] == "out_of_scope"
    assert items["q-injection"]["passed"]
    assert len(items["q-mdp"]["retrieved"]) == 10  # deep enough for mrr@10
    assert set(base_run["by_tag"]) == {"compte", "manager", "laicite", "refus"}


def test_the_learner_scope_holds_in_an_eval(base_run: dict[str, Any]) -> None:
    """A parcours item also reaches the session it reuses; nothing else leaks."""
    reach = {
        (): set(),
        ("laicite-2025",): {"laicite-2025"},
        ("parcours-manager-2025",): {"parcours-manager-2025", "laicite-2025"},
    }
    for item in base_run["items"]:
        allowed = reach[tuple(item["session_ids"])]
        for hit in item["retrieved"]:
            session = next(
                (s for s in ("laicite-2025", "parcours-manager-2025")
                 if hit["document_id"].startswith(s)),
                None,
            )  # fmt: skip
            assert session is None or session in allowed, (item["id"], hit["document_id"])


def test_a_threshold_that_fails_exits_1(invoke: Invoke, small_set: Path) -> None:
    result = invoke(
        "eval", small_set, "--json", "--fail-under", "refusal.accuracy=1.01",
        "--fail-under", "retrieval.hit@5=0",
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    gates = json.loads(result.stdout)["gates"]
    assert [gate["held"] for gate in gates] == [False, True]
    assert "Fail: refusal.accuracy" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--fail-under", "retrieval.hit@3=0.5"], "cannot be gated with --k 5"),
        (["--fail-under", "refusal.missed=0.1"], "gate on refusal.accuracy"),
        (["--fail-under", "refusal.accuracy"], "expected METRIC=VALUE"),
        (["--fail-under", "refusal.accuracy=high"], "is not a number"),
        (["--generator", "gpt-9"], "choose auto, extractive, mistral, openai"),
    ],
)
def test_bad_options_exit_2_before_the_run(
    invoke: Invoke, small_set: Path, arguments: list[str], message: str
) -> None:
    result = invoke("eval", small_set, *arguments)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_malformed_set_exits_2_with_the_line(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a", "question": "q"}\n{"id": "b", "questoin": "typo"}\n')
    result = invoke("eval", path)
    assert result.exit_code == 2
    assert "broken.jsonl:2: unknown field 'questoin'" in result.stderr
    assert invoke("eval", tmp_path / "nowhere.jsonl").exit_code == 2
    assert invoke("eval", path, path).exit_code == 2


def test_a_bad_baseline_exits_2(invoke: Invoke, small_set: Path, tmp_path: Path) -> None:
    not_json = tmp_path / "baseline.json"
    not_json.write_text("{oops")
    result = invoke("eval", small_set, "--baseline", not_json)
    assert result.exit_code == 2 and "is not JSON" in result.stderr
    not_a_run = tmp_path / "other.json"
    not_a_run.write_text('{"metrics": {}}')
    result = invoke("eval", small_set, "--baseline", not_a_run)
    assert result.exit_code == 2 and "is not an eval run" in result.stderr


def test_baseline_comparison_lists_changes_and_regressions(
    invoke: Invoke, base_run: dict[str, Any], tmp_path: Path
) -> None:
    # The baseline, as if hit@1 had been perfect and q-mdp had also missed retrieval then.
    baseline = json.loads(json.dumps(base_run))
    baseline["metrics"]["retrieval.hit@1"] = 1.0
    baseline["metrics"]["latency.retrieve.p50_ms"] = 0.5
    mdp = next(item for item in baseline["items"] if item["id"] == "q-mdp")
    assert "retrieval" not in {failure["check"] for failure in mdp["failures"]}
    mdp["failures"].append({"check": "retrieval", "message": "…"})
    (tmp_path / "baseline.json").write_text(json.dumps(baseline))
    # Now the injection is (wrongly) marked answerable: its refusal becomes a failure.
    changed = [
        {**item, "should_refuse": False} if item["id"] == "q-injection" else item
        for item in SMALL_SET
    ]
    result = invoke(
        "eval", write_jsonl(tmp_path / "changed.jsonl", changed), "--k", "3", "--json",
        "--baseline", tmp_path / "baseline.json", "--report", tmp_path / "compared.html",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    comparison = json.loads(result.stdout)["comparison"]
    hit1 = comparison["metrics"]["retrieval.hit@1"]
    assert hit1["before"] == 1.0
    assert hit1["delta"] == pytest.approx(hit1["after"] - 1.0)
    assert hit1["verdict"] == ("same" if hit1["after"] == 1.0 else "worse")
    assert comparison["metrics"]["latency.retrieve.p50_ms"]["verdict"] == "worse"
    assert comparison["regressed"] == ["q-injection"]
    assert comparison["improved"] == ["q-mdp"]
    assert "Le jeu de questions a changé depuis la référence." in comparison["notes"]
    html = (tmp_path / "compared.html").read_text()
    assert "Comparaison avec la référence" in html
    assert 'href="#item-q-injection"' in html


def test_generate_drafts_unreviewed_questions_from_indexed_documents(
    invoke: Invoke, lite_index: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "drafts.jsonl"
    result = invoke(
        "eval", "--generate", "6", "sample:faq/apprenants.yaml",
        "laicite-2025-cas-pratiques", "--output", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    drafts = load_dataset(out).items
    assert len(drafts) == 6
    assert not any(draft.reviewed for draft in drafts)
    assert {draft.expected_documents[0].startswith("faq-") for draft in drafts} == {True, False}
    course = [draft for draft in drafts if draft.session_ids]
    assert course and all(draft.session_ids == ("laicite-2025",) for draft in course)
    store = build_store(lite_index.knowledge)
    try:
        chunks = list(store.iter_chunks())
    finally:
        store.close()
    for draft in drafts:
        texts = [
            normalize_snippet(c.text) for c in chunks if c.document_id in draft.expected_documents
        ]
        for context in draft.reference_contexts:
            assert any(normalize_snippet(context) in text for text in texts)
    assert all(draft.question == draft.question.lower() for draft in drafts)


def test_generate_from_nothing_indexed_exits_2(invoke: Invoke) -> None:
    result = invoke("eval", "--generate", "3", "nowhere/at/all")
    assert result.exit_code == 2
    assert "ingest it first" in result.stderr
