"""French or English: the one language detector, for documents (ingest) and questions
(assistant). Counted stopwords, not a model: the texts are French unless English words
clearly outnumber French ones, because the platform, its content and most learners are
French-speaking; a tie stays French."""

from __future__ import annotations

import re

from knowledge.text import normalize

# Words frequent in one language and absent from the other ("a", "en", "on" are in both);
# the French single letters are what elisions leave (l', d', qu'…).
_FRENCH = frozenset(
    """
    le la les des du de et est une un pour dans que qui sur pas vous nous avec au aux ce cet
    cette il elle ils elles sont ne se son sa ses par plus ou où votre vos être été peut peux
    je j mon ma mes tu ton ta tes quoi comment pourquoi quand quel quelle quels quelles puis
    faire merci bonjour l d qu n c m
    """.split()
)
_ENGLISH = frozenset(
    """
    the and of to is that it for you with are this be at by or your from have not can will
    was were which their they should when an been do does did my me we our its what where
    why how who could would please hello hi thanks get got has no yes if there them
    course certificate account password login sign help
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+")
# Enough of a long text to tell; the rest would only cost time.
_SAMPLE_CHARS = 5000
# English words a text needs before it can be English: a question is short, a document is
# not (a few English words quoted in a French page must not turn it English).
QUESTION_MIN_ENGLISH = 2
DOCUMENT_MIN_ENGLISH = 5


def detect_language(text: str, min_english: int = QUESTION_MIN_ENGLISH) -> str:
    """``"en"`` when at least ``min_english`` English stopwords outnumber the French ones
    more than twice, else ``"fr"``."""
    words = _WORD.findall(normalize(text[:_SAMPLE_CHARS]).replace("'", " "))
    english = sum(word in _ENGLISH for word in words)
    french = sum(word in _FRENCH for word in words)
    return "en" if english >= min_english and english > 2 * french else "fr"
