"""The assistant's fixed words, in French and English: refusals, notes, lead-ins.

Only these change with the learner's language; evidence quoted from the sources stays as
written. Every refusal says what the assistant can help with, so a learner who hit a
limit knows what to ask instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.types import RefusalReason

_HELP = {
    "fr": (
        "Je peux vous aider sur votre compte et la connexion (ProConnect), l’inscription aux "
        "sessions, les attestations, les parcours et le contenu des sessions que vous suivez."
    ),
    "en": (
        "I can help with your account and signing in (ProConnect), enrolling in sessions, "
        "certificates of participation, learning paths and the content of your sessions."
    ),
}

_SUPPORT = {
    "fr": "Pour toute autre demande, le support de Mentor peut vous répondre : {url}",
    "en": "For anything else, the Mentor support desk can help: {url}",
}

_REFUSALS = {
    RefusalReason.EMPTY_QUESTION: {
        "fr": "Posez-moi votre question sur Mentor ou sur vos formations.",
        "en": "Please ask me your question about Mentor or your training sessions.",
    },
    RefusalReason.PROMPT_INJECTION: {
        "fr": (
            "Je ne peux pas modifier mes consignes ni dévoiler mes instructions internes. "
            "En revanche, je réponds volontiers à vos questions sur Mentor et vos formations."
        ),
        "en": (
            "I cannot change my rules or reveal my internal instructions. I am glad to "
            "answer your questions about Mentor and your training sessions, though."
        ),
    },
    RefusalReason.OUT_OF_SCOPE: {
        "fr": (
            "Je suis l’assistant de Mentor : je réponds aux questions sur la plateforme et sur "
            "vos formations, pas aux questions d’ordre général (météo, actualité, "
            "divertissement…)."
        ),
        "en": (
            "I am the Mentor assistant: I answer questions about the platform and your "
            "training, not general questions (weather, news, entertainment…)."
        ),
    },
    RefusalReason.NO_EVIDENCE: {
        "fr": (
            "Je n’ai pas trouvé la réponse à cette question dans les contenus de Mentor "
            "auxquels vous avez accès."
        ),
        "en": (
            "I could not find the answer to this question in the Mentor content you have access to."
        ),
    },
    RefusalReason.GRADED_ANSWERS: {
        "fr": (
            "Je ne peux pas donner les réponses d’un quiz ou d’un test noté : l’évaluation doit "
            "refléter vos propres acquis. Je peux en revanche vous expliquer les notions du "
            "cours : posez-moi une question sur celle qui vous pose difficulté."
        ),
        "en": (
            "I cannot give the answers to a graded quiz or test: the assessment must reflect "
            "what you have learnt. I can explain the notions of the course, though: ask me "
            "about the one you find difficult."
        ),
    },
}

# A refusal close to the hedge level: the pages it would have cited, numbered as sources,
# offered to look at without claiming that they answer.
_SUGGESTIONS = {
    "fr": "Ces pages s’en approchent peut-être : {pages}.",
    "en": "These pages may be related (in French): {pages}.",
}
_SUGGESTION = {"fr": "« {title} » [{n}]", "en": "“{title}” [{n}]"}
_SUGGESTION_SEPARATOR = {"fr": " ; ", "en": "; "}

_COURSE_POINTER = {
    "fr": "Pour réviser, reportez-vous à la section « {title} » de votre session [1].",
    "en": "To revise, see the section “{title}” of your session [1] (in French).",
}

# The graded middle: an answer the evidence check is not sure of. It is given, cited, with
# the doubt said first and the support desk offered in the same reply.
_HEDGE = {
    "fr": (
        "Je ne suis pas certain que cela réponde exactement à votre question ; "
        "voici ce que dit {source} :"
    ),
    "en": "I am not sure this answers your question exactly; here is what {source} says:",
}
_HEDGE_SOURCE = {
    "fr": {"faq": "la FAQ", "course": "le cours", "kit": "le kit de conception"},
    "en": {"faq": "the FAQ", "course": "the course", "kit": "the design kit"},
}
_HEDGE_DEFAULT_SOURCE = {"fr": "la documentation de Mentor", "en": "the Mentor documentation"}
_HEDGE_SUPPORT = {
    "fr": "Si ce n’est pas ce que vous cherchiez, le support de Mentor peut vous répondre : {url}",
    "en": "If this is not what you were looking for, the Mentor support desk can help: {url}",
}

INTERRUPTED = {
    "fr": (
        "*La réponse en cours de rédaction a été interrompue ; voici ce que disent "
        "directement les sources :*"
    ),
    "en": "*The answer being written was interrupted; here is what the sources say directly:*",
}

ENGLISH_LEAD_IN = "Here is what the Mentor resources say (in French):"

INDEX_UNAVAILABLE = (
    "L'index de recherche est momentanément indisponible. Réessayez dans un instant."
)
GENERATION_FAILED = (
    "Le service de réponse est momentanément indisponible. Réessayez dans un instant ou "
    "contactez le support de Mentor."
)


def refusal(
    reason: RefusalReason,
    language: str,
    support_url: str,
    escalation: bool,
    suggested: Sequence[str] = (),
) -> str:
    """``suggested``: the titles of the pages offered, numbered from 1 as sources."""
    parts = [_REFUSALS[reason][language]]
    if suggested:
        pages = _SUGGESTION_SEPARATOR[language].join(
            _SUGGESTION[language].format(title=title, n=n) for n, title in enumerate(suggested, 1)
        )
        parts.append(_SUGGESTIONS[language].format(pages=pages))
    if reason is not RefusalReason.EMPTY_QUESTION:
        parts.append(_HELP[language])
    if escalation:
        parts.append(_SUPPORT[language].format(url=support_url))
    return " ".join(parts)


def hedge_lead_in(kind: str, language: str) -> str:
    """The doubt, said before a low-confidence answer; ``kind`` is the first source's."""
    source = _HEDGE_SOURCE[language].get(kind, _HEDGE_DEFAULT_SOURCE[language])
    return _HEDGE[language].format(source=source)


def hedge_support(language: str, support_url: str) -> str:
    return _HEDGE_SUPPORT[language].format(url=support_url)


def graded_refusal(course_section: str | None, language: str) -> str:
    """The refusal, then the cited course section to revise from, when one was found."""
    refused = _REFUSALS[RefusalReason.GRADED_ANSWERS][language]
    if course_section is None:
        return f"{refused} {_HELP[language]}"
    return f"{refused} {_COURSE_POINTER[language].format(title=course_section)}"
