"""What the assistant will not do, decided on the learner's words before any retrieval.

Rules, not a model: they must be predictable, offline and testable, and a false refusal
here is cheap (the message offers help and the support desk) while a leaked prompt or a
graded-test answer is not. Patterns run on the prepared text of ``knowledge.injection``
(normalised, accent-folded, disguises removed) so that "réponses", "reponses",
"RÉPONSES" and "r é p o n s e s" match alike. What counts as an injection is defined
there, since documents are checked for the same orders.
"""

from __future__ import annotations

import re
from enum import Enum

from knowledge.injection import is_injection, prepare
from knowledge.language import detect_language


class Verdict(Enum):
    ANSWER = "answer"
    EMPTY = "empty"
    INJECTION = "injection"
    GRADED = "graded"
    OUT_OF_SCOPE = "out_of_scope"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


_ASSESSMENT = (
    r"(?:quiz+|qcm|tests?|examens?|exams?|evaluations?|questionnaires?|controles?|devoirs?"
    r"|partiels?|epreuves?|assessments?)"
)
_GRADED = _any(
    # "donne-moi les réponses du quiz", "envoie le corrigé de l'examen".
    r"\b(?:donne|envoie|communique|dis|file|passe|fournis|ecris|indique|balance)[sz]?"
    r"(?:-(?:moi|nous)|\s+(?:moi|nous))?\s+(?:toutes\s+)?(?:les|la|le)\s+(?:bonnes?\s+)?"
    rf"(?:reponses?|solutions?|corrige|correction)\b.{{0,40}}\b{_ASSESSMENT}",
    # "quelle est la bonne réponse à la question 3 du test noté".
    rf"\bbonnes?\s+reponses?\b.{{0,60}}\b{_ASSESSMENT}",
    rf"\b{_ASSESSMENT}\b.{{0,40}}\bbonnes?\s+reponses?\b",
    r"\breponses?\s+(?:a|de)\s+la\s+question\s+(?:n\S*\s*)?\d+",
    rf"\bcorrige\s+(?:du|de\s+l'|des|de\s+la)\s*{_ASSESSMENT}",
    rf"\b(?:answers?|solutions?|answer key)\s+(?:to|for|of)\s+(?:the\s+|my\s+|this\s+)?"
    rf"(?:\w+\s+)?{_ASSESSMENT}",
    r"\b(?:right|correct)\s+answer\s+(?:to|for)\s+(?:question\s+)?\d+",
)

# General knowledge no Mentor content answers; kept narrow so course vocabulary
# ("temps de travail", "score au test") never trips it.
_OUT_OF_SCOPE = _any(
    r"\bmeteo\b",
    r"\bquel temps (?:fait|fera|va|il)",
    r"\b(?:va-t-il|il va|est-ce qu'il va) (?:pleuvoir|neiger|faire beau|faire chaud|faire froid)",
    r"\b(?:weather|forecast)\b",
    r"\bwill it (?:rain|snow)\b",
    r"\b(?:blagues?|histoires? drole|calembours?|devinettes?|jokes?|funny story)\b",
    # "Recette" is also acceptance testing in the kit ("refaites la recette du module").
    r"\brecettes? (?:de cuisine|de (?:gateau|crepes?|tarte|quiche|soupe|cookies?))\b",
    r"\b(?:recipes?|cuisiner|faire cuire|bake|cook)\b",
    r"\b(?:resultats?|scores?) du match\b",
    r"\b(?:ligue 1|champions league|coupe du monde|world cup|premier league|roland-garros"
    r"|tour de france|jeux olympiques|ballon d'or)\b",
    r"\bqui a gagne (?:le match|la coupe|hier|l'election)",
    r"\b(?:actualites?|les infos du jour|news today|breaking news|horoscope|loto)\b",
    r"\b(?:poeme|poem|chanson|song|haiku)\b",
    r"\b(?:resous|resoudre|calcule|solve|derivee?|integrale|equation)\b",
    r"\bcombien (?:font|fait) \d",
    r"\bwhat is \d+\s*[-+*/x]\s*\d+",
    r"\b\d+\s*[-+*/x]\s*\d+\s*=\s*\?",
    r"\bcapitale d[eu']",
    r"\bcapital of\b",
)

_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)


def classify(question: str) -> Verdict:
    text = prepare(question)
    if not _HAS_WORD.search(text):
        return Verdict.EMPTY
    if is_injection(question):
        return Verdict.INJECTION
    if _GRADED.search(text):
        return Verdict.GRADED
    if _OUT_OF_SCOPE.search(text):
        return Verdict.OUT_OF_SCOPE
    return Verdict.ANSWER


def reply_language(question: str, requested: str | None = None) -> str:
    """The language of the fixed messages: the one asked for, else the question's. Only
    those messages change language, so a tie stays French."""
    if requested:
        return "en" if requested.lower().startswith("en") else "fr"
    return detect_language(question)
