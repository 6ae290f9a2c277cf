from __future__ import annotations

from pathlib import Path

import pytest

from assistant.shorthand import spelled_out, without_hosts
from tests.conftest import make_settings

MENTOR = frozenset({"mentor.gouv.fr"})


def test_shorthand_is_spelled_out_and_other_words_kept() -> None:
    assert spelled_out("mdp oublie, c koi la procédure ?") == (
        "mot de passe oublie, c'est quoi la procédure ?"
    )
    assert spelled_out("Mon mode de paiement") == "Mon mode de paiement"


@pytest.mark.parametrize(
    "asked",
    [
        "Comment obtenir mon attestation sur mentor.gouv.fr ?",
        "Comment obtenir mon attestation sur www.mentor.gouv.fr ?",
        "Comment obtenir mon attestation sur https://mentor.gouv.fr/my/courses.php ?",
        "Comment obtenir mon attestation sur formation.Mentor.gouv.fr ?",
        "Comment obtenir mon attestation sur mentor.gouv ?",
    ],
)
def test_the_platform_s_own_address_is_dropped(asked: str) -> None:
    assert without_hosts(asked, MENTOR) == "Comment obtenir mon attestation sur ?"


def test_other_addresses_stay() -> None:
    for asked in (
        "Mot de passe oublié sur impots.gouv.fr ?",
        "Une question sur notmentor.gouv.fr ?",
        "Je suis sur ameli.fr",
    ):
        assert without_hosts(asked, MENTOR) == asked
    assert without_hosts("sur mentor.gouv.fr", frozenset()) == "sur mentor.gouv.fr"


def test_the_platform_s_hosts_come_from_its_addresses(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        support_url="https://www.mentor.gouv.fr/contact",
        lti_platform_issuers=["https://moodle.ministere.gouv.fr"],
    )
    assert settings.platform_hosts() == {"mentor.gouv.fr", "moodle.ministere.gouv.fr"}
