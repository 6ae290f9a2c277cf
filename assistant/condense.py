"""Follow-up questions made standalone, so retrieval sees what the learner means.

"et si elle n'apparaît pas ?" after "Comment obtenir mon attestation ?" retrieves nothing
useful on its own. The rule is deterministic and offline: a short elliptic question (it
opens with "et", "aussi", "and"…, or leans on a pronoun with little content of its own)
inherits the key terms of the previous user question, which may itself have inherited
from the one before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.types import Turn
from knowledge.text import STOPWORDS, fold_accents, normalize, tokens

_OPENERS = re.compile(
    r"^(?:et|aussi|ainsi que|mais|sinon|ou alors|du coup|pareil|meme chose|and|also|what about"
    r"|how about|same)\b"
)
_PRONOUNS = frozenset(
    """
    il elle ils elles le la les lui leur y en ca cela celui celle ceux celles celui-ci celle-ci
    ce cette ces it they them this that these those one
    """.split()
)
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
# Verbs of asking carry no topic: "que dois-je faire" adds nothing to a query.
_SKIPPED = STOPWORDS | frozenset(
    "faire fait peux peut puis dois doit veux voudrais faut est-ce dois-je puis-je quoi".split()
)
# An elliptic follow-up carries few topic words of its own.
_MAX_OWN_STEMS = 3
_MAX_FOLLOW_UP_WORDS = 10
_MAX_KEY_TERMS = 6


def standalone_query(question: str, history: Sequence[Turn]) -> str:
    query = ""
    for text in [turn.content for turn in history if turn.role == "user"] + [question]:
        query = _with_context(text, query) if query else text
    return query


def _with_context(question: str, previous: str) -> str:
    if not is_follow_up(question):
        return question
    terms = [term for term in key_terms(previous) if term not in _words(question)]
    return " ".join([*terms, question.strip()]) if terms else question


def is_follow_up(question: str) -> bool:
    folded = fold_accents(normalize(question)).replace("'", " ").strip()
    words = _WORD.findall(folded)
    if not words or len(words) > _MAX_FOLLOW_UP_WORDS:
        return False
    if _OPENERS.match(folded):
        return True
    return bool(_PRONOUNS.intersection(words)) and len(tokens(question)) <= _MAX_OWN_STEMS


def key_terms(question: str) -> list[str]:
    """Content words of ``question`` as written, in order, without repeats."""
    terms: dict[str, None] = {}
    for word in _WORD.findall(normalize(question).replace("'", " ")):
        folded = fold_accents(word)
        if folded not in _SKIPPED and len(folded) > 2 and not folded.isdigit():
            terms.setdefault(word)
    return list(terms)[:_MAX_KEY_TERMS]


def _words(text: str) -> set[str]:
    return set(_WORD.findall(normalize(text).replace("'", " ")))
