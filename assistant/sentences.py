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
# A sentence may end at . ! ? … (French puts a space before ? and !), or just after the
# closing quote that follows one, when a capital, a digit, a quote or a bold marker comes
# next. Whether it does end there is then decided by what comes before (abbreviations,
# list numbers) and by whether a quotation is still open.
_BOUNDARY = re.compile(
    r"(?:(?<=[.!?…])|(?<=[.!?…][»\"”)])|(?<=[.!?…][\s\u00a0\u202f][»”]))"
    r"\s+(?=[«\"“*(\[]?[A-ZÀ-ÖØ-Þ0-9])"
)
# A web or e-mail address followed by a capital: a line break lost when the page was
# flattened (site help, PDF text), "… https://get.adobe.com/fr/reader/ Je ne trouve pas…".
_ADDRESS = r"(?:https?://[^\s<>\"«»]+?|[\w.+-]+@[\w-]+(?:\.[\w-]+)+?)"
_AFTER_ADDRESS = re.compile(_ADDRESS + r"(?=[.,;:!?)»\"”]*(?:\s|$))[.,;:!?)»\"”]*(\s+)")
_ENDS_ON_ADDRESS = re.compile(_ADDRESS + r"$")
_CAPITAL_NEXT = re.compile(r"[«\"“*(\[]?[A-ZÀ-ÖØ-Þ]")
# Dotted abbreviations that do not end a sentence: legal references ("art. L. 121-2",
# "al. 2", "R. 4127-1", "p. 12", "n°"), titles (M., Mme, Me, Dr), "cf.", "ex.", "env."…
# and any lone capital (an initial, a code's letter). "etc." is not one: followed by a
# capital it ends the sentence, as French writes it with one full stop.
_ABBREVIATION = re.compile(
    r"(?:\b(?i:M|MM|Mme|Mmes|Mlle|Mlles|Me|Dr|Pr|St|Ste|art|arts|al|chap|fig|p|pp|cf|ex|env|"
    r"min|max|vol|éd|coll|suiv|av|bd|tél|hab|réf|n°|no)\.|\b[A-ZÀ-Þ]\.|\bc\.-à-d\.)$"
)
# "… les étapes : 1. Cliquez" – the piece ends on a list number, not a sentence.
_LIST_NUMBER = re.compile(r"(?:^|[\s:;(])\d{1,2}[.)]$")
# A quotation longer than this is taken for a missing closing quote, not a quoted speech.
_MAX_QUOTE = 400
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
    """Sentences of a paragraph, split where French ends one: not after an abbreviation
    ("article L. 121-2", "M. Dupont", "cf. ci-dessous"), a list number ("1. Cliquez") or a
    run-in label ("Analyse. Il s’agit…"), nor inside a quotation (« … »); and after a web
    or e-mail address that a capital follows, where a flattened page lost a line break."""
    text = text.strip()
    pieces: list[str] = []
    start = 0
    for begin, end in _boundaries(text):
        piece = text[start:begin]
        if begin < start or _continues(piece):
            continue
        pieces.append(piece)
        start = end
    pieces.append(text[start:])
    merged: list[str] = []
    for piece in pieces:
        # A run-in label ("Analyse.") reads with the sentence after it.
        if merged and _is_label(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        elif piece:
            merged.append(piece)
    return merged


def _boundaries(text: str) -> list[tuple[int, int]]:
    """Where a sentence may end: after its closing punctuation, or after a web or e-mail
    address that a capital follows."""
    found = [(match.start(), match.end()) for match in _BOUNDARY.finditer(text)]
    found += [
        (match.start(1), match.end(1))
        for match in _AFTER_ADDRESS.finditer(text)
        if _CAPITAL_NEXT.match(text, match.end(1))
    ]
    return sorted(set(found))


def _continues(piece: str) -> bool:
    """The text up to a candidate boundary does not end a sentence."""
    if _ABBREVIATION.search(piece) or _LIST_NUMBER.search(piece):
        return True
    opened = piece.rfind("«")
    return opened > piece.rfind("»") and len(piece) - opened < _MAX_QUOTE


def _is_label(piece: str) -> bool:
    # An address a chunk opens on is the end of a sentence cut off before it, not a label.
    short = len(piece.split()) <= _MAX_LABEL_WORDS
    return short and not piece.endswith(("?", "!")) and not ends_on_address(piece)


def ends_on_address(sentence: str) -> bool:
    return bool(_ENDS_ON_ADDRESS.search(sentence))


def _is_fragment(sentence: str) -> bool:
    first = sentence.lstrip('«"*( ')[:1]
    if not first or first.islower():
        return True
    # A sentence may end on the address it gives, its full stop lost with the line break.
    return sentence.rstrip("* ")[-1:] not in '.!?…:;»)"' and not ends_on_address(sentence)


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
