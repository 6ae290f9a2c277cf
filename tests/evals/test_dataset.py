"""Question sets: parsing, every problem reported with its line, before any model call;
and the shipped sets hold what the issue asks for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.settings import Settings
from evals import runner
from evals.dataset import load_dataset
from evals.errors import DatasetError
from evals.metrics import normalize_snippet
from knowledge.settings import EmbeddingProfile
from knowledge.wiring import build_store
from tests.conftest import REPO_ROOT, make_settings

SAMPLE_SET = REPO_ROOT / "evals" / "datasets" / "sample.jsonl"


def problems(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(DatasetError) as caught:
        load_dataset(path)
    return list(caught.value.problems)


def test_jsonl_with_every_field(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    item = {
        "id": "q-017",
        "question": "Je ne trouve pas mon attestation",
        "scope": {"session_ids": ["laicite-2025"]},
        "expected_documents": ["faq-attestation", 61],
        "reference_contexts": ["attestation de participation vous est délivrée"],
        "reference_answer": "…",
        "should_refuse": False,
        "tags": ["attestation"],
    }
    path.write_text(json.dumps(item) + "\n\n" + json.dumps({"id": "b", "question": "q"}) + "\n")
    dataset = load_dataset(path)
    first, second = dataset.items
    assert first.session_ids == ("laicite-2025",)
    # Numeric FAQ ids (CSV exports) are matched as text.
    assert first.expected_documents == ("faq-attestation", "61")
    assert second.scope is None and second.session_ids == ()
    assert not second.should_refuse and second.reviewed
    assert len(dataset.sha256) == 64


def test_yaml_with_the_same_fields(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        "- id: a\n  question: Où est mon attestation ?\n  tags: [attestation]\n"
        "- id: b\n  question: Blague ?\n  should_refuse: true\n"
    )
    dataset = load_dataset(path)
    assert [item.id for item in dataset.items] == ["a", "b"]
    assert dataset.items[1].should_refuse


def test_every_malformed_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(
        "\n".join(
            [
                '{"id": "ok", "question": "fine"}',
                '{"id": "x", "question": "unterminated',
                "",
                '{"id": "y"}',
                '{"id": "z", "question": "q", "expected_document": ["typo"]}',
                '["not", "an", "object"]',
                '{"id": "ok", "question": "again"}',
                '{"id": "w", "question": "q", "should_refuse": "perhaps"}',
            ]
        )
    )
    found = problems(path)
    assert [line for line, _ in found] == [2, 4, 5, 6, 7, 8]
    messages = dict(found)
    assert "not valid JSON" in messages[2]
    assert messages[4] == "question: Field required"
    assert messages[5] == "unknown field 'expected_document'"
    assert "expected an object" in messages[6]
    assert messages[7] == "duplicate id 'ok' (first on line 1)"
    assert messages[8].startswith("should_refuse:")


def test_the_error_message_names_file_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "question": "q"}\n{"question": "no id"}\n')
    with pytest.raises(DatasetError, match=r"set\.jsonl:2: id: Field required"):
        load_dataset(path)


def test_yaml_problems_carry_lines_too(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: a\n  question: [unclosed\n- id: b\n")
    assert problems(broken)[0][0] in {2, 3}
    assert "not valid YAML" in problems(broken)[0][1]
    items = tmp_path / "items.yaml"
    items.write_text("- id: a\n  question: q\n- id: b\n  tags: x\n")
    assert problems(items) == [
        (3, "question: Field required"),
        (3, "tags: Input should be a valid tuple"),
    ]
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("id: a\nquestion: q\n")
    assert problems(mapping) == [(1, "expected a list of items at the top level")]


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    assert problems(empty) == [(1, "no items: the file is empty")]
    assert "cannot read" in problems(tmp_path / "missing.jsonl")[0][1]
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"id": "a", "question": "q"}\n{"id": "b", "question": "caf\xe9"}\n')
    assert problems(latin) == [(2, "not UTF-8 text")]


def test_a_malformed_set_stops_the_run_before_any_model_is_loaded(tmp_path: Path) -> None:
    # No model there: opening the index would fail with a missing-model error instead.
    nowhere = make_settings(
        tmp_path / "data", embedding_profile=EmbeddingProfile.QUALITY, models_dir=tmp_path / "none"
    )
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a"}\n')
    with pytest.raises(DatasetError):
        runner.run_eval(nowhere, path)
    assert not (tmp_path / "data").exists(), "the index must not have been opened"


# -- the shipped set -----------------------------------------------------------------------------


def test_shipped_sample_set_covers_what_the_issue_asks() -> None:
    dataset = load_dataset(SAMPLE_SET)
    items = dataset.items
    assert 75 <= len(items) <= 90
    assert sum(item.should_refuse for item in items) >= 15
    sessions = {session for item in items for session in item.session_ids}
    assert sessions == {"laicite-2025", "parcours-manager-2025"}
    assert all(item.reviewed for item in items)
    answerable = [item for item in items if not item.should_refuse]
    assert all(item.has_expectations and item.reference_answer for item in answerable)


def test_shipped_reference_contexts_are_in_their_expected_documents(lite_index: Settings) -> None:
    """Verbatim, in one indexed chunk of one expected document: what relevance checks."""
    store = build_store(lite_index.knowledge)
    try:
        chunks = list(store.iter_chunks())
    finally:
        store.close()
    texts: dict[str, list[str]] = {}
    for chunk in chunks:
        texts.setdefault(chunk.document_id, []).append(normalize_snippet(chunk.text))
    missing = []
    for item in load_dataset(SAMPLE_SET).items:
        unknown = [doc for doc in item.expected_documents if doc not in texts]
        missing += [f"{item.id}: unknown document {doc}" for doc in unknown]
        for context in item.reference_contexts:
            wanted = normalize_snippet(context)
            if not any(
                wanted in text for doc in item.expected_documents for text in texts.get(doc, [])
            ):
                missing.append(f"{item.id}: {context!r}")
    assert not missing


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("cnil_paraphrases.jsonl", 30),
        ("cnil_paraphrases_2.jsonl", 23),
        ("cnil_paraphrases_3.jsonl", 27),
    ],
)
def test_cnil_paraphrases_are_other_wordings_of_the_development_intents(
    shared_data: Path, name: str, size: int
) -> None:
    """Held out of every calibration: each names an entry a development question names, in
    other words than that question's."""
    cnil = shared_data / "cnil-faq"
    entries = {json.loads(line)["id"] for line in (cnil / "faq.jsonl").read_text().splitlines()}
    development = [
        json.loads(line) for line in (cnil / "dev_queries.jsonl").read_text().splitlines()
    ]
    intents = {doc: q["question"] for q in development for doc in q["expected_documents"]}
    items = load_dataset(REPO_ROOT / "evals" / "datasets" / name).items
    assert len(items) == size
    for item in items:
        (expected,) = item.expected_documents
        assert expected in entries and expected in intents, item.id
        assert item.question.lower() != intents[expected].lower(), item.id
