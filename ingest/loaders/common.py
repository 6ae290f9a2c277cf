"""What every loader shares: decoding, text cleanup, outlines, ids and metadata precedence."""

from __future__ import annotations

import codecs
import logging
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lxml import etree

from ingest.errors import (
    CorruptFileError,
    EmptyFileError,
    EncodingError,
    IngestError,
    UnsafeArchiveError,
    UnsafeUrlError,
    UnsupportedTypeError,
)
from ingest.loaders.base import LoadOptions, SourceFile
from knowledge.links import LINK_SCHEMES, is_safe_link
from knowledge.types import Document, Kind, Section

logger = logging.getLogger(__name__)

# --- decoding -------------------------------------------------------------------------------

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


# --- text cleanup ---------------------------------------------------------------------------

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


# --- language -------------------------------------------------------------------------------

# Words frequent in one language and absent from the other ("a", "en", "on" are in both).
_FRENCH = frozenset(
    "le la les des du de et est une pour dans que qui sur pas vous nous avec au aux ce cette "
    "il elle sont ne se son sa ses par plus ou votre vos être été peut".split()
)
_ENGLISH = frozenset(
    "the and of to is that it for you with are this be at by or your from have not can will "
    "was were which their they should when".split()
)
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """French unless English stopwords clearly outnumber French ones."""
    french = english = 0
    for word in _WORD.findall(text[:5000].lower()):
        french += word in _FRENCH
        english += word in _ENGLISH
    return "en" if english >= 5 and english > 2 * french else "fr"


# --- outlines: text blocks under headings ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str


# A document's body as loaders see it: headings and paragraphs (clean text), in order.
Block = Heading | str


def join_path(*parts: str) -> tuple[str, ...]:
    """A heading path without blanks or a heading repeated right below itself."""
    path: list[str] = []
    for part in parts:
        if part and (not path or path[-1] != part):
            path.append(part)
    return tuple(path)


def _demote_empty_headings(blocks: Sequence[Block]) -> list[Block]:
    # A heading with nothing under it (a site map, a list of logos' captions) is content,
    # not structure: keep it as a line of its parent section rather than lose it.
    kept: list[Block] = []
    demoted_before = False
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if isinstance(block, Heading) and (
            following is None or (isinstance(following, Heading) and following.level <= block.level)
        ):
            if demoted_before:
                kept[-1] = f"{kept[-1]}\n{block.text}"
            else:
                kept.append(block.text)
            demoted_before = True
        else:
            kept.append(block)
            demoted_before = False
    return kept


def sections_from_blocks(blocks: Sequence[Block], prefix: tuple[str, ...] = ()) -> list[Section]:
    """One section per run of paragraphs, under the path of its enclosing headings."""
    sections: list[Section] = []
    stack: list[Heading] = []
    paragraphs: list[str] = []

    def flush() -> None:
        if paragraphs:
            path = join_path(*prefix, *(heading.text for heading in stack))
            sections.append(Section(text="\n\n".join(paragraphs), heading_path=path))
            paragraphs.clear()

    for block in _demote_empty_headings(blocks):
        if isinstance(block, Heading):
            flush()
            while stack and stack[-1].level >= block.level:
                stack.pop()
            stack.append(block)
        elif block:
            paragraphs.append(block)
    flush()
    return sections


# --- ids and metadata -----------------------------------------------------------------------


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "x"


def child_id(uri: str, key: str, taken: set[str]) -> str:
    """``uri#slug``, suffixed on collision: stable across runs as long as the keys are."""
    base = f"{uri}#{slugify(key)}"
    candidate, counter = base, 1
    while candidate in taken:
        counter += 1
        candidate = f"{base}-{counter}"
    taken.add(candidate)
    return candidate


@dataclass(frozen=True, slots=True)
class Declared:
    """Metadata a file states about itself: front matter, a FAQ record's fields."""

    title: str | None = None
    url: str | None = None
    kind: Kind | None = None
    document_id: str | None = None
    collection: str | None = None
    session_ids: tuple[str, ...] = ()

    KEYS = frozenset({"title", "url", "kind", "document_id", "collection", "session_ids"})

    @classmethod
    def parse(cls, fields: Mapping[str, Any], source: str, where: str) -> Declared:
        kind = fields.get("kind")
        try:
            parsed_kind = Kind(str(kind).strip().lower()) if kind else None
        except ValueError as error:
            choices = ", ".join(k.value for k in Kind)
            raise CorruptFileError(
                source, f"{where}: unknown kind {kind!r} (one of {choices})"
            ) from error
        url = _text_field(fields.get("url"))
        if url is not None and not is_safe_link(url):
            schemes = "/".join(sorted(LINK_SCHEMES))
            detail = f"{where}: url {url[:60]!r} is not an absolute {schemes} address"
            raise UnsafeUrlError(source, detail)
        return cls(
            title=_text_field(fields.get("title")),
            url=url,
            kind=parsed_kind,
            document_id=_text_field(fields.get("document_id")),
            collection=_text_field(fields.get("collection")),
            session_ids=_session_ids(fields.get("session_ids"), source, where),
        )


def _text_field(value: Any) -> str | None:
    if value is None:
        return None
    return clean_inline(str(value)) or None


def _session_ids(value: Any, source: str, where: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        # CSV cells cannot hold lists: accept "a, b" and "a;b" there.
        return tuple(part.strip() for part in re.split(r"[,;|]", value) if part.strip())
    if isinstance(value, list | tuple):
        return tuple(str(part).strip() for part in value if str(part).strip())
    raise CorruptFileError(source, f"{where}: session_ids must be a list, got {value!r}")


def default_collection(kind: Kind) -> str:
    return {Kind.FAQ: "faq", Kind.KIT: "kit"}.get(kind, "pages")


def make_document(
    *,
    source: str,
    document_id: str,
    title: str,
    sections: Iterable[Section],
    options: LoadOptions,
    default_kind: Kind,
    collection: str | None = None,
    declared: Declared | None = None,
    url: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Document | None:
    """Apply the precedence caller options > file metadata > loader defaults; None if no text.

    ``collection`` is the loader's default (a course title); without one it follows the kind.
    The title is the loader's to choose: a declared title competes with questions and headings.
    """
    declared = declared or Declared()
    kept = tuple(section for section in sections if section.text.strip())
    if not kept:
        return None
    kind = options.kind or declared.kind or default_kind
    return Document(
        document_id=declared.document_id or document_id,
        source=source,
        title=title,
        sections=kept,
        kind=kind,
        url=declared.url or url,
        collection=options.collection
        or declared.collection
        or collection
        or default_collection(kind),
        session_ids=options.session_ids or declared.session_ids,
        language=detect_language(title + "\n" + "\n".join(s.text for s in kept)),
        metadata=dict(metadata or {}),
    )


def course_options(options: LoadOptions, course: str) -> LoadOptions:
    """Options for files found inside a course: its collection and kind unless the caller's."""
    return replace(
        options, collection=options.collection or course, kind=options.kind or Kind.COURSE
    )


def prefixed(document: Document, prefix: tuple[str, ...]) -> Document:
    """The same document placed under ``prefix`` (a course section, an activity)."""
    sections = tuple(
        replace(section, heading_path=join_path(*prefix, *section.heading_path))
        for section in document.sections
    )
    # An empty hash makes the copy recompute it: the heading paths are part of it.
    return replace(document, sections=sections, content_hash="")


# --- XML ------------------------------------------------------------------------------------

# Manifests and backups come from outside: no DTDs, no entity expansion, no network.
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def parse_xml(data: bytes, source: str) -> etree._Element:
    try:
        root = etree.fromstring(data, parser=_XML_PARSER)
    except etree.XMLSyntaxError as error:
        raise CorruptFileError(source, f"invalid XML: {error}") from error
    if root is None:
        raise CorruptFileError(source, "empty XML document")
    return root


def local_name(element: etree._Element) -> str:
    """The tag without its namespace: manifests use several namespace versions for one schema."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


# --- archive members back through the registry ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Nested:
    """The registry, handed to loaders that find files inside files.

    Injected rather than imported: the registry imports those loaders.
    """

    load: Callable[[SourceFile, LoadOptions], list[Document]]
    supports: Callable[[str], bool]

    def load_member(
        self, parent_uri: str, path: str, read: Callable[[], bytes], options: LoadOptions
    ) -> list[Document]:
        """Documents of one member; a bad member is skipped, a hostile one fails the parent."""
        name = posixpath.basename(path)
        if not self.supports(name):
            return []
        uri = f"{parent_uri}!/{path}"
        try:
            return self.load(SourceFile(uri=uri, name=name, data=read()), options)
        except UnsafeArchiveError:
            raise
        except (UnsupportedTypeError, EmptyFileError):
            return []
        except IngestError as error:
            logger.warning("skipped %s (%s): %s", uri, error.reason, error.detail)
            return []
