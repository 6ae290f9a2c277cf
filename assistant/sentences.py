"""French sentence units of a Markdown passage, and the stem overlap that ties text to sources.

Shared by the extractive generator (which picks units), the evidence check and the
post-check (which trace sentences back to passages): all three must agree on what a
sentence is and on when two texts talk about the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.text import tokens

_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_TABLE_ROW = re.compile(r"^\s*\|")
# A sentence ends at . ! ? … (French puts a space before ? and !) followed by a capital,
# a digit, a quote or a bold marker. Abbreviations that end with a dot are not ends.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"*(]?[A-ZÀ-ÖØ-Þ0-9])")
_ABBREVIATION = re.compile(r"(?:\b(?:M|Mme|Mlle|MM|Dr|art|p|cf|etc|ex|n°|min|env|vol|éd)\.)$", re.I)
_MAX_LABEL_WORDS = 2
_MARKER = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence, or a whole list item (items are kept intact: they read as one idea)."""

    text: str
    position: int
    list_item: bool = False
    # The text could be cut mid-sentence by the chunker's overlap: not quotable alone.
    fragment: bool = False


def units(passage: str) -> list[Unit]:
    """Sentences and list items of a Markdown passage, in order; headings and tables dropped."""
    found: list[Unit] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            for sentence in split_sentences(" ".join(paragraph)):
                found.append(Unit(sentence, len(found), fragment=_is_fragment(sentence)))
            paragraph.clear()

    for line in passage.splitlines():
        stripped = line.strip()
        if not stripped or _HEADING.match(stripped) or _TABLE_ROW.match(stripped):
            flush()
        elif _LIST_ITEM.match(stripped):
            flush()
            item = _LIST_ITEM.sub("", stripped)
            found.append(Unit(item, len(found), list_item=True, fragment=not item))
        else:
            paragraph.append(stripped)
    flush()
    return found


def split_sentences(text: str) -> list[str]:
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(text.strip()):
        # After an abbreviation, or a run-in label ("Analyse. Il s’agit…"), it goes on.
        if pieces and (_ABBREVIATION.search(pieces[-1]) or _is_label(pieces[-1])):
            pieces[-1] = f"{pieces[-1]} {piece}"
        elif piece:
            pieces.append(piece)
    return pieces


def _is_label(piece: str) -> bool:
    return len(piece.split()) <= _MAX_LABEL_WORDS and not piece.endswith(("?", "!"))


def _is_fragment(sentence: str) -> bool:
    first = sentence.lstrip('«"*( ')[:1]
    return not first or first.islower() or sentence.rstrip("* ")[-1:] not in '.!?…:;»)"'


# How learners phrase a question, not what it is about: "je fais quoi", "il faut", "c koi".
_FILLER = frozenset(
    tokens(
        "faire fais fait faut peux peut puis pouvoir dois doit devoir veux voudrais quoi koi "
        "jai avoir etre est-ce ca svp stp merci oui non normal possible chose truc"
    )
)


@lru_cache(maxsize=4096)
def stems(text: str) -> frozenset[str]:
    """Content stems (French analyzer), citation markers, Markdown and filler left out."""
    return frozenset(tokens(_MARKER.sub(" ", text))) - _FILLER


def coverage(part: frozenset[str], whole: frozenset[str]) -> float:
    """Share of ``part``'s stems found in ``whole``; 0 when ``part`` has none."""
    return len(part & whole) / len(part) if part else 0.0
