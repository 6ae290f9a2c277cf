"""French text analysis for the lexical half of search.

Accents are folded *before* stemming: learners often type without accents, and the
Snowball stemmer treats "données" and "donnees" differently ("don" / "donne") unless
both reach it in the same unaccented form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'"})
# Elided articles and pronouns: "l'attestation" must index "attestation".
_ELISION = re.compile(r"\b(?:qu|jusqu|lorsqu|puisqu|quoiqu|presqu|[cdjlmnst])'", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# Snowball's French stop list, folded, plus the question words that carry no topic.
STOPWORDS = frozenset(
    """
    a ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions
    aurons auront aux avaient avais avait avec avez aviez avions avons ayant ayez ayons c ce
    ceci cela celle celles celui ces cet cette d dans de des du elle elles en es est et etaient
    etais etait etant ete etes etiez etions etre eu eue eues eumes eurent eus eusse eussent
    eusses eussiez eussions eut eutes eux fumes furent fus fusse fussent fusses fussiez fussions
    fut futes ici il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne nos
    notre nous on ont ou par pas pour qu que quel quelle quelles quels qui s sa sans se sera
    serai seraient serais serait seras serez seriez serions serons seront ses si soi soient sois
    soit sommes son sont soyez soyons suis sur t ta te tes toi ton tu un une vos votre vous y
    comment pourquoi quand combien bonjour merci svp stp
    """.split()
)


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize(text: str) -> str:
    """NFKC, casefold, ASCII apostrophes: the form every comparison starts from."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def tokens(text: str) -> list[str]:
    """Content-bearing, accent-folded Snowball stems of a French text, in order."""
    folded = fold_accents(_ELISION.sub(" ", normalize(text)))
    return [_stem(word) for word in _TOKEN.findall(folded) if word not in STOPWORDS]
