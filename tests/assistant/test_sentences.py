"""French sentence splitting: abbreviations, legal references, numbered lists and quotes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.sentences import split_sentences, units

SAMPLE_COURSE = Path(__file__).resolve().parents[2] / "ingest" / "sample_corpus" / "courses"


def test_a_legal_reference_does_not_cut_the_sentence() -> None:
    # The demo's cut: "… 121-2) prévoit que l’agent public exerce ses fonctions…".
    text = (SAMPLE_COURSE / "laicite-2025" / "02-neutralite-agent.md").read_text()
    paragraph = next(line for line in text.splitlines() if "L. 121-2" in line)
    first = split_sentences(paragraph)[0]
    assert "(article L. 121-2) prévoit que l’agent public" in first
    assert not any(s.startswith("121-2") for s in split_sentences(paragraph))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Voir l’art. R. 4127-1, al. 2 du code. Le texte est clair.",
            ["Voir l’art. R. 4127-1, al. 2 du code.", "Le texte est clair."],
        ),
        (
            "M. Dupont et Mme Durand signent. Cf. p. 12 pour le détail.",
            ["M. Dupont et Mme Durand signent.", "Cf. p. 12 pour le détail."],
        ),
        (
            "Le décret n° 2010-888 s’applique (ex. les contractuels). Les agents sont informés.",
            [
                "Le décret n° 2010-888 s’applique (ex. les contractuels).",
                "Les agents sont informés.",
            ],
        ),
        # "etc." followed by a capital ends the sentence: French writes one full stop.
        (
            "Apportez la carte, le justificatif, etc. Vous validez ensuite.",
            ["Apportez la carte, le justificatif, etc.", "Vous validez ensuite."],
        ),
        (
            "Procédez ainsi : 1. Cliquez sur « Se connecter ». 2. Saisissez votre adresse.",
            ["Procédez ainsi : 1. Cliquez sur « Se connecter ».", "2. Saisissez votre adresse."],
        ),
        (
            "L’agent répond : « Je transmets. Vous aurez la réponse. » Puis il clôt le dossier.",
            [
                "L’agent répond : « Je transmets. Vous aurez la réponse. »",
                "Puis il clôt le dossier.",
            ],
        ),
        # A flattened page: the address ended its line, the next question began the next one.
        (
            "Téléchargez le lecteur depuis le site officiel : https://get.adobe.com/fr/reader/ "
            "Je ne trouve pas la case. Pourquoi ?",
            [
                "Téléchargez le lecteur depuis le site officiel : https://get.adobe.com/fr/reader/",
                "Je ne trouve pas la case.",
                "Pourquoi ?",
            ],
        ),
        # A chunk that opens on the address ending a sentence cut off before it.
        (
            "https://mentor.gouv.fr/contact Une erreur survient pendant l’inscription. Que faire ?",
            [
                "https://mentor.gouv.fr/contact",
                "Une erreur survient pendant l’inscription.",
                "Que faire ?",
            ],
        ),
        (
            "Le formulaire est sur https://www.service-public.fr/contact pour toute demande. "
            "Consultez aussi https://mentor.gouv.fr/faq, puis reconnectez-vous.",
            [
                "Le formulaire est sur https://www.service-public.fr/contact pour toute demande.",
                "Consultez aussi https://mentor.gouv.fr/faq, puis reconnectez-vous.",
            ],
        ),
        (
            "Cliquez sur « Mot de passe oublié ? » puis suivez le lien. Reconnectez-vous.",
            ["Cliquez sur « Mot de passe oublié ? » puis suivez le lien.", "Reconnectez-vous."],
        ),
    ],
)
def test_french_abbreviations_lists_and_quotes(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_markdown_numbered_items_stay_whole() -> None:
    found = units("Les étapes :\n\n1. Ouvrez le profil.\n2. Modifiez l’adresse, p. ex. la vôtre.")
    assert [u.text for u in found] == [
        "Les étapes :",
        "Ouvrez le profil.",
        "Modifiez l’adresse, p. ex. la vôtre.",
    ]


_ABBREVIATION_END = re.compile(r"\b(?:ex|p|art|al|cf|M|Mme|L|R|n°)\.$")


def test_no_real_sentence_ends_on_an_abbreviation(shared_data: Path) -> None:
    """CNIL answers ("par ex. les fenêtres"), service-public fiches ("M. ou Mme le …")."""
    texts = [
        json.loads(line)["answer"]
        for line in (shared_data / "cnil-faq" / "faq.jsonl").read_text().splitlines()
    ] + [
        json.loads(line)["text"]
        for line in (shared_data / "service-public" / "fiches.jsonl").read_text().splitlines()
    ]
    with_abbreviations = [t for t in texts if re.search(r"\b(?:ex|M|p)\. ", t)]
    assert len(with_abbreviations) >= 3
    for text in with_abbreviations:
        for sentence in split_sentences(" ".join(text.split())):
            assert not _ABBREVIATION_END.search(sentence), sentence
