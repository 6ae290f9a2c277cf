from __future__ import annotations

import pytest

from assistant.privacy import redact


@pytest.mark.parametrize(
    ("text", "secret", "mask"),
    [
        ("écrivez-moi à marie.durand@interieur.gouv.fr merci", "marie.durand", "[courriel]"),
        ("mon adresse : j-p.martin+mentor@agriculture.gouv.fr", "martin", "[courriel]"),
        ("appelez le 06 12 34 56 78 svp", "12 34 56", "[téléphone]"),
        ("tél. 01.45.67.89.10", "45.67.89", "[téléphone]"),
        ("mon portable 0612345678", "0612345678", "[téléphone]"),
        ("depuis l'étranger : +33 6 12 34 56 78", "12 34 56", "[téléphone]"),
        ("ou 0033 (0)1 45 67 89 10", "45 67 89", "[téléphone]"),
        ("mon NIR est 1 85 05 78 006 084 36", "006 084", "[numéro de sécurité sociale]"),
        ("numéro de sécu 285052A00608436", "2A006", "[numéro de sécurité sociale]"),
        ("sécurité sociale : 2-94-03-75-120-005-22", "120-005", "[numéro de sécurité sociale]"),
        ("RIB : FR76 3000 6000 0112 3456 7890 189", "3456 7890", "[IBAN]"),
        ("iban fr7630006000011234567890189 pour le remboursement", "1234567890", "[IBAN]"),
        ("compte DE89370400440532013000", "0532013000", "[IBAN]"),
    ],
)
def test_personal_data_is_masked(text: str, secret: str, mask: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert mask in redacted


def test_everything_in_one_message_is_masked_and_the_rest_kept() -> None:
    text = (
        "Bonjour, je suis Paul (paul.leroy@culture.gouv.fr, 07 98 76 54 32), NIR "
        "1 90 12 75 115 042 17 ; mon attestation de la session laicite-2025 n'apparaît pas."
    )
    assert redact(text) == (
        "Bonjour, je suis Paul ([courriel], [téléphone]), NIR [numéro de sécurité sociale] ; "
        "mon attestation de la session laicite-2025 n'apparaît pas."
    )


@pytest.mark.parametrize(
    "text",
    [
        "La session laicite-2025 dure 3 heures, le test compte 15 questions.",
        "Obtenez au moins 70 % au test de validation, trois tentatives en 2025.",
        "Le lien est valable 30 minutes ; le support répond sous 5 jours ouvrés.",
        "La loi du 9 décembre 1905 et la Constitution de 1958.",
        "Module 4 — Quiz d’entraînement, section 12, page 2024.",
    ],
)
def test_ordinary_text_and_numbers_are_left_alone(text: str) -> None:
    assert redact(text) == text
