"""Hybrid search with the default EmbeddingGemma profile on the sample corpus: paraphrases,
missing accents and informal wording still find the right entry."""

from __future__ import annotations

import pytest

from knowledge.types import Scope
from knowledge.wiring import Knowledge

pytestmark = [pytest.mark.quality, pytest.mark.slow]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("je retrouve plus mon certificat de fin de formation", "faq-attestation-introuvable"),
        ("mdp perdu impossible de me connecter", "faq-compte-mot-de-passe-oublie"),
        ("ministere pas reconnu a l inscription", "faq-rattachement-ministere-non-reconnu"),
        ("comment se connecter avec le compte agent de l'Etat", "faq-proconnect-se-connecter"),
        ("quels critères pour évaluer mon module e-learning", "kit-grille-autoevaluation"),
    ],
)
def test_paraphrases_find_the_right_document(
    quality_sample: Knowledge, question: str, expected: str
) -> None:
    hits = quality_sample.searcher.search(question, Scope.global_only(), 5)
    assert expected in [hit.chunk.document_id for hit in hits]


def test_parcours_scope_reaches_reused_modules_only_through_the_catalog(
    quality_sample: Knowledge,
) -> None:
    question = "exemples de situations de neutralité au guichet"
    parcours = Scope(quality_sample.catalog.expand_sessions(["parcours-manager-2025"]))
    hits = quality_sample.searcher.search(question, parcours, 10)
    assert any("laicite-2025" in hit.chunk.session_ids for hit in hits)
    assert all(
        not hit.chunk.session_ids
        for hit in quality_sample.searcher.search(question, Scope.global_only(), 10)
    )
