"""Triage of support requests: the shipped data, the domain table, summaries, urgency, the
classifier and its cache, `POST /api/triage` and the batch command, on the real sample
index (lite profile)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.app import create_app
from assistant.auth import Role
from assistant.settings import Settings
from assistant.triage.classifier import Method, trained_classifier
from assistant.triage.dataset import load_requests, split
from assistant.triage.entities import OUT_OF_SCOPE, DomainTable
from assistant.triage.summary import summarize
from assistant.triage.taxonomy import Category, Urgency
from assistant.triage.urgency import assess
from assistant.wiring import build_runtime
from ingest.pipeline import run_ingest
from knowledge.cli import EXIT_ERROR, build_app
from knowledge.wiring import Knowledge
from tests.assistant.test_api import PROBLEM, SECRET, bearer, index_sharing_the_model
from tests.conftest import make_settings

# -- the labelled requests ---------------------------------------------------------------


def test_labelled_requests_cover_every_category_with_a_held_out_part() -> None:
    requests = load_requests()
    assert len(requests) >= 150
    assert len({r.id for r in requests}) == len(requests)
    assert set(Counter(r.category for r in requests)) == set(Category)
    held_out = split(requests, "test")
    assert {r.category for r in held_out} == set(Category)
    assert 0.15 < len(held_out) / len(requests) < 0.35


# -- domain → entity ---------------------------------------------------------------------


def test_known_domain_gives_its_ministry() -> None:
    table = DomainTable.load()
    entity = table.entity_for("Claire.Dubois@Interieur.gouv.fr")
    assert entity.name == "Ministère de l'Intérieur"
    assert entity.in_scope


def test_longest_suffix_wins_over_the_ministry() -> None:
    table = DomainTable.load()
    assert "DGFiP" in table.entity_for("a.b@dgfip.finances.gouv.fr").label
    # A sub-domain nobody listed falls back to its parent domain.
    assert table.entity_for("a@bureau7.finances.gouv.fr").label == (
        "Ministères économiques et financiers"
    )


def test_wildcard_keys_match_academies() -> None:
    assert "Éducation nationale" in DomainTable.load().entity_for("x@ac-lyon.fr").label


@pytest.mark.parametrize("email", ["aurelie.guerin@gmail.com", "agent@mairie-vienne.fr", None, ""])
def test_unknown_or_missing_domain_is_flagged_out_of_perimeter(email: str | None) -> None:
    entity = DomainTable.load().entity_for(email)
    assert not entity.in_scope
    assert entity.label == OUT_OF_SCOPE == "hors périmètre probable"


def test_domain_table_path_comes_from_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "domains.yaml"
    path.write_text("domains:\n  example.org: Entité de test\n", encoding="utf-8")
    table = DomainTable.load(make_settings(tmp_path, triage_domains_file=path).triage.domains_file)
    assert table.entity_for("a@example.org").label == "Entité de test"
    assert not table.entity_for("a@interieur.gouv.fr").in_scope


# -- summary and urgency -----------------------------------------------------------------


def test_summary_masks_personal_data_and_drops_the_signature() -> None:
    summary = summarize(
        "Attestation introuvable",
        "Bonjour, écrivez-moi à jeanne.martin@interieur.gouv.fr ou au 06 12 34 56 78, "
        "NIR 2 84 12 75 108 042 53. Je ne trouve pas mon attestation.\n"
        "Cordialement,\nJeanne Martin\nBureau 204",
    )
    assert "jeanne.martin@" not in summary
    assert "06 12 34 56 78" not in summary
    assert "108 042" not in summary
    assert "[courriel]" in summary and "[téléphone]" in summary
    assert "Jeanne Martin" not in summary
    assert summary.startswith("Attestation introuvable — écrivez-moi")
    assert "je ne trouve pas mon attestation" in summary.lower()


def test_long_summary_is_cut_on_a_word() -> None:
    summary = summarize("Objet", "mot " * 200)
    assert summary.endswith("mot…")
    assert len(summary) <= 281


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("je dois finir la formation obligatoire pour ma titularisation", "formation obligatoire"),
        ("la session se termine demain et le module est bloque", "échéance"),
        ("URGENT : attestation introuvable", "échéance"),
        ("à rendre avant le 30, impossible de télécharger", "échéance"),
        ("Plus aucun agent de notre direction ne peut se connecter", "plusieurs utilisateurs"),
        ("plusieurs collègues ont le même problème", "plusieurs utilisateurs"),
    ],
)
def test_high_urgency_rules(text: str, reason: str) -> None:
    assessment = assess(text)
    assert assessment.level is Urgency.HIGH
    assert reason in assessment.reasons


def test_an_ordinary_request_is_normal() -> None:
    assessment = assess("Bonjour, comment télécharger mon attestation ? Merci")
    assert assessment.level is Urgency.NORMAL
    assert assessment.reasons == ()


# -- classifier --------------------------------------------------------------------------


class CountingEmbedder:
    """The sample index's embedder, counting the texts it embeds."""

    def __init__(self, knowledge: Knowledge) -> None:
        self._inner = knowledge.searcher.embedder
        self.embedded = 0

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.embedded += 1
        return self._inner.embed_query(text)


def test_trained_classifier_is_cached_by_embedder_and_data(
    tmp_path: Path, sample_knowledge: Knowledge
) -> None:
    embedder = CountingEmbedder(sample_knowledge)
    first = trained_classifier(embedder, Method.LOGISTIC, tmp_path)
    assert embedder.embedded == len(load_requests())
    assert len(list(tmp_path.glob("triage-logistic-*.npz"))) == 1

    embedder.embedded = 0
    second = trained_classifier(embedder, Method.LOGISTIC, tmp_path)
    assert embedder.embedded == 0
    texts = ["je ne trouve pas mon attestation de fin de formation"]
    assert first.predict(embedder, texts) == second.predict(embedder, texts)


@pytest.mark.parametrize("method", list(Method))
def test_classifier_recognises_plain_requests(
    method: Method, tmp_path: Path, sample_knowledge: Knowledge
) -> None:
    classifier = trained_classifier(sample_knowledge.searcher.embedder, method, tmp_path)
    cases = {
        "Mot de passe oublié, je ne peux plus me connecter": Category.COMPTE,
        "Je ne trouve pas mon attestation de formation": Category.ATTESTATION,
        "Les vidéos ne se lancent pas sur mon navigateur": Category.TECHNIQUE,
        "Les sous-titres manquent, je suis sourd, pas de transcription": Category.ACCESSIBILITE,
    }
    predictions = classifier.predict(sample_knowledge.searcher.embedder, list(cases))
    assert [p.category for p in predictions] == list(cases.values())
    assert all(0.0 < p.confidence <= 1.0 for p in predictions)


# -- POST /api/triage --------------------------------------------------------------------


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "app", jwt_secret=SECRET)


REQUEST = {
    "id": "GLPI-1042",
    "subject": "attestation introuvable",
    "body": "Bonjour, j'ai terminé la formation mais je ne trouve pas mon attestation. "
    "Mon numéro : 06 12 34 56 78. Cordialement, Jeanne Martin",
    "email": "jeanne.martin@justice.gouv.fr",
}


def test_triage_returns_category_entity_urgency_summary_and_a_cited_draft(
    client: TestClient, app_settings: Settings
) -> None:
    response = client.post(
        "/api/triage", json=REQUEST, headers=bearer(app_settings, role=Role.SUPPORT)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == "GLPI-1042"
    assert body["category"] == "attestation"
    assert 0 < body["confidence"] <= 1
    assert body["entity"] == {
        "name": "Ministère de la Justice",
        "domain": "justice.gouv.fr",
        "in_scope": True,
    }
    assert body["urgency"] == "normal"
    assert "06 12" not in body["summary"] and "Jeanne" not in body["summary"]
    assert body["suggested_reply"]
    assert body["citations"]
    assert any("attestation" in c["url"] for c in body["citations"] if c["url"])
    assert body["similar"] == []


def test_a_request_on_the_same_problem_lists_the_earlier_one(
    client: TestClient, app_settings: Settings
) -> None:
    headers = bearer(app_settings, role=Role.SUPPORT)
    assert client.post("/api/triage", json=REQUEST, headers=headers).status_code == 200
    other = {
        "id": "GLPI-1043",
        "subject": "attestation",
        "body": "Je ne trouve pas mon attestation alors que j'ai fini la formation.",
        "email": "x@interieur.gouv.fr",
    }
    body = client.post("/api/triage", json=other, headers=headers).json()
    assert [s["id"] for s in body["similar"]] == ["GLPI-1042"]
    assert body["similar"][0]["category"] == "attestation"
    assert "06 12" not in body["similar"][0]["summary"]

    unrelated = {"subject": "Lecteur d'écran", "body": "NVDA ne lit pas les quiz, je suis aveugle"}
    assert client.post("/api/triage", json=unrelated, headers=headers).json()["similar"] == []


def test_no_draft_below_the_confidence_threshold_only_sources(
    app_settings: Settings, sample_knowledge: Knowledge, tmp_path: Path
) -> None:
    strict = make_settings(tmp_path / "strict", jwt_secret=SECRET, triage_reply_min_score=5.0)
    with TestClient(
        create_app(strict, build_runtime(strict, knowledge=sample_knowledge))
    ) as client:
        response = client.post(
            "/api/triage", json=REQUEST, headers=bearer(strict, role=Role.SUPPORT)
        )
    body = response.json()
    assert body["suggested_reply"] is None
    assert body["citations"], "the closest sources are still given"
    assert body["reply_confidence"] < 5.0


def test_triage_is_for_the_support_role_only(client: TestClient, app_settings: Settings) -> None:
    response = client.post("/api/triage", json=REQUEST, headers=bearer(app_settings))
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert client.post("/api/triage", json=REQUEST).status_code == 401


def test_invalid_request_is_a_problem_document(client: TestClient, app_settings: Settings) -> None:
    response = client.post(
        "/api/triage", json={"subject": "x"}, headers=bearer(app_settings, role=Role.SUPPORT)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["loc"] == ["body", "body"]


# -- mentor-assistant triage ---------------------------------------------------------------


@pytest.fixture
def indexed_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_env: None, sample_knowledge: Knowledge
) -> Path:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("MENTOR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MENTOR_EMBEDDING_PROFILE", "lite")
    settings = make_settings(data_dir)
    with index_sharing_the_model(settings, sample_knowledge) as knowledge:
        assert not run_ingest(settings, knowledge=knowledge).failed
    return data_dir


def test_batch_command_writes_one_json_line_per_request(indexed_env: Path, tmp_path: Path) -> None:
    source = tmp_path / "requests.csv"
    source.write_text(
        "id,subject,body,email\n"
        "A1,clé d'inscription,\"On me demande une clé d'inscription, où la trouver ?\","
        "a@agriculture.gouv.fr\n"
        "A2,pas de son,la video demarre mais pas de son,b@gmail.com\n",
        encoding="utf-8",
    )
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(build_app(), ["triage", str(source), "--output", str(output)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["A1", "A2"]
    assert list(lines[0]) == [
        "id",
        "category",
        "confidence",
        "entity",
        "urgency",
        "summary",
        "suggested_reply",
        "citations",
        "similar",
    ]
    assert lines[0]["category"] == "inscription"
    assert lines[0]["entity"] == "Ministère de l'Agriculture"
    assert lines[1]["category"] == "technique"
    assert lines[1]["entity"] == "hors périmètre probable"


def test_batch_command_reports_a_bad_line_with_its_number(
    indexed_env: Path, tmp_path: Path
) -> None:
    source = tmp_path / "requests.jsonl"
    source.write_text('{"subject": "a", "body": "b"}\n{"subject": "sans corps"}\n')
    result = CliRunner().invoke(build_app(), ["triage", str(source)])
    assert result.exit_code == EXIT_ERROR
    assert "requests.jsonl:2" in result.output
