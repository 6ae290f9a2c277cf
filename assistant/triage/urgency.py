"""Urgency from the words of the request. High: blocked from a mandatory session, a
deadline, or many users affected. Rules rather than a model: each reason is explicit,
so the desk sees why a request jumped the queue."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.triage.taxonomy import Urgency
from knowledge.text import fold_accents

_DAYS = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|ce soir|la fin)"
_RULES = (
    (
        "formation obligatoire",
        re.compile(r"\bobligatoire|\btitularisation|\bprise de poste|\bstagiairisation"),
    ),
    (
        "échéance",
        re.compile(
            rf"\burgen|au plus vite|\bvite\b|date limite|\bdelai de rigueur|avant (?:le \d|{_DAYS})"
            rf"|(?:termine|fin[ie]?t?|cloture)s? {_DAYS}|dans \d+ jours?"
        ),
    ),
    (
        "plusieurs utilisateurs",
        re.compile(
            r"plusieurs (?:collegues|agents|personnes|utilisateurs)|tout le service"
            r"|tous les agents|toute l.equipe|plus aucun agent|\d{2,} agents"
            r"|une (?:vingtaine|trentaine|quarantaine|cinquantaine|centaine)"
            r"|mes collegues .{0,40}(?:meme (?:probleme|souci)|aussi)|on est tout"
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class UrgencyAssessment:
    level: Urgency
    reasons: tuple[str, ...]


def assess(text: str) -> UrgencyAssessment:
    folded = fold_accents(text.lower())
    reasons = tuple(reason for reason, pattern in _RULES if pattern.search(folded))
    return UrgencyAssessment(Urgency.HIGH if reasons else Urgency.NORMAL, reasons)
