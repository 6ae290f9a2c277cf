"""The learner's words made searchable: shorthand spelled out ("mdp oublie" is "mot de
passe oublie") and the platform's own address dropped.

The embedding model has rarely seen "mdp" for "mot de passe", and the lexical half cannot
match it at all: measured on Mentor's real FAQ with EmbeddingGemma, "mdp oublie comment je
fais ??" reaches cosine 0.438 with the lost-password entry, its spelled-out form 0.551.
Only unambiguous shorthand is listed; the learner's own words are kept for everything else.

"Mon attestation sur mentor.gouv.fr" asks what "mon attestation" asks: every passage is about
the platform, few repeat its address, and left in, the address pulls the search towards the
passages that happen to name it and makes the decision take it for another service
(assistant/evidence.py refuses a question naming a web address that no passage mentions).
"""

from __future__ import annotations

import re
from functools import cache

_SHORTHAND = {
    "mdp": "mot de passe",
    "pb": "problème",
    "pbm": "problème",
    "pq": "pourquoi",
    "pk": "pourquoi",
    "qd": "quand",
    "tjrs": "toujours",
    "tjs": "toujours",
    "bcp": "beaucoup",
    "ds": "dans",
    "msg": "message",
    "ordi": "ordinateur",
    "appli": "application",
    "infos": "informations",
    "dispo": "disponible",
    "rdv": "rendez-vous",
    "koi": "quoi",
    "jai": "j'ai",
    "cest": "c'est",
    "jarrive": "j'arrive",
    "narrive": "n'arrive",
    "sinscrire": "s'inscrire",
}
_WORD = re.compile(r"\b(" + "|".join(map(re.escape, _SHORTHAND)) + r")\b", re.IGNORECASE)
# "c quoi", "c koi": "c'est quoi".
_C_QUOI = re.compile(r"\bc\s+(?=quoi\b|koi\b)", re.IGNORECASE)


def spelled_out(question: str) -> str:
    text = _C_QUOI.sub("c'est ", question)
    return _WORD.sub(lambda match: _SHORTHAND[match.group(1).lower()], text)


def without_hosts(question: str, hosts: frozenset[str]) -> str:
    """``question`` without the addresses of ``hosts`` (``Settings.platform_hosts``), their
    subdomains and paths included, nor their short form (mentor.gouv for mentor.gouv.fr)."""
    if not hosts:
        return question
    return re.sub(r"\s{2,}", " ", _addresses(hosts).sub("", question)).strip()


@cache
def _addresses(hosts: frozenset[str]) -> re.Pattern[str]:
    # Built once per set of hosts: every question goes through it.
    names = set(hosts) | {host.rsplit(".", 1)[0] for host in hosts if "." in host}
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(
        rf"(?:https?://)?(?<![\w.-])(?:[\w-]+\.)*(?:{alternatives})(?![\w-])(?:/\S*)?",
        re.IGNORECASE,
    )
