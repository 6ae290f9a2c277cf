"""Learners' shorthand spelled out before search: "mdp oublie" is "mot de passe oublie".

The embedding model has rarely seen "mdp" for "mot de passe", and the lexical half cannot
match it at all: measured on Mentor's real FAQ with EmbeddingGemma, "mdp oublie comment je
fais ??" reaches cosine 0.438 with the lost-password entry, its spelled-out form 0.551.
Only unambiguous shorthand is listed; the learner's own words are kept for everything else.
"""

from __future__ import annotations

import re

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
