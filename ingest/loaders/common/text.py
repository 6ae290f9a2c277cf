"""Text as loaders read it: bytes decoded the way French files are written, whitespace and
lines cleaned, a title or summary cut from it."""

from __future__ import annotations

import codecs
import posixpath
import re

from ingest.errors import (
    EncodingError,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Real text has almost no control characters; decoded binary has one in every few dozen.
_MAX_CONTROL_RATIO = 0.01


# A two- to four-byte UTF-8 character. Legacy French text (cp1252: "é" is one byte followed
# by a letter) practically never contains one, so its presence says the file meant UTF-8.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252/latin-1: what French files use."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), source)
        except UnicodeDecodeError as error:
            raise EncodingError(source, f"invalid UTF-16: {error.reason}") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(data):
            # Accents written as UTF-8 next to bytes that are not: a damaged or mixed file.
            # Read as cp1252, its every "é" would become "Ã©"; better say so than index that.
            raise EncodingError(
                source, f"invalid UTF-8 at byte {error.start} in a file otherwise in UTF-8"
            ) from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; latin-1 maps every byte.
            text = data.decode("latin-1")
    return _checked(text, source)


def _checked(text: str, source: str) -> str:
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > _MAX_CONTROL_RATIO * max(len(text), 1):
        raise EncodingError(source, "binary content in a text file (not UTF-8, cp1252 or latin-1)")
    return text


_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_inline(text: str) -> str:
    """One line: every run of whitespace (newlines and no-break spaces included) is one space."""
    return _SPACES.sub(" ", text).strip()


def has_words(line: str) -> bool:
    # Lines of pure punctuation are toggles, rules and bullets ("+", "---", "•"): noise.
    return any(char.isalnum() for char in line)


def clean_text(text: str) -> str:
    """Lines kept, spaces collapsed, paragraphs separated by exactly one blank line."""
    lines = [_LINE_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    kept = "\n".join(line for line in lines if not line or has_words(line))
    return _BLANK_LINES.sub("\n\n", kept).strip()


# "effacer.Si vous", "plus:Fiche": text flattened from HTML by someone else often lost the
# space after a sentence where a tag ended. Only a lowercase letter or digit before the mark
# and a capital after: abbreviations (U.E.), decimals and lowercase URLs stay untouched.
_GLUED_SENTENCE = re.compile(r"(?<=[a-zà-ÿ0-9)»\"])([.!?;:])(?=[A-ZÀ-ÖØ-Þ])")


def restore_sentence_spaces(text: str) -> str:
    return _GLUED_SENTENCE.sub(r"\1 ", text)


def shorten(text: str, limit: int = 120) -> str:
    """The first sentence of ``text``, cut at a word boundary when still too long."""
    line = clean_inline(text.strip().split("\n", 1)[0])
    sentence = re.match(r"(.+?[.!?])(?:\s|$)", line)
    if sentence and len(sentence.group(1)) >= 20:
        line = sentence.group(1)
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def title_from_name(name: str) -> str:
    """``guide_installation-v2.pdf`` -> ``guide installation v2``: a title of last resort."""
    stem = posixpath.splitext(posixpath.basename(name))[0] or name
    return clean_inline(re.sub(r"[_\-+]+", " ", stem)) or name
