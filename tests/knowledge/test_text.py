"""The French analyzer and the sparse vectors built on it."""

from __future__ import annotations

import pytest

from knowledge.sparse import FrenchSparseEncoder, term_index
from knowledge.text import tokens


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("Téléchargement de l'attestation", "telechargement de l attestation"),
        ("données personnelles", "donnees personnelles"),
        ("Accès à la session", "acces a la session"),
        ("RÉINITIALISER le mot de passe", "reinitialiser le mot de passe"),
    ],
)
def test_accents_and_case_do_not_matter(accented: str, plain: str) -> None:
    assert tokens(accented) == tokens(plain)


def test_elision_and_typographic_apostrophes_are_removed() -> None:
    assert tokens("l’attestation d'inscription qu’il faut") == tokens(
        "attestation inscription faut"
    )


def test_inflections_share_a_stem() -> None:
    assert tokens("inscriptions")[0] == tokens("inscription")[0]
    assert tokens("attestations")[0] == tokens("attestation")[0]
    assert tokens("rattachement")[0] == tokens("rattaché")[0]


def test_stop_words_and_question_words_are_dropped() -> None:
    assert tokens("Comment est-ce que je peux le faire ?") == tokens("peux faire")


def test_document_vectors_weight_repeated_terms_with_saturation() -> None:
    encoder = FrenchSparseEncoder()
    once, thrice = encoder.encode_documents(["attestation", "attestation attestation attestation"])
    index = term_index(tokens("attestation")[0])
    weight_once = dict(zip(once.indices, once.values, strict=True))[index]
    weight_thrice = dict(zip(thrice.indices, thrice.values, strict=True))[index]
    assert weight_once < weight_thrice < 3 * weight_once


def test_query_vectors_are_sorted_unique_and_unweighted() -> None:
    vector = FrenchSparseEncoder().encode_query("attestation attestation session")
    assert list(vector.indices) == sorted(set(vector.indices))
    assert len(vector.indices) == 2
    assert set(vector.values) == {1.0}
