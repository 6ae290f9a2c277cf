"""Ids and metadata: a document's id, title, kind, collection and sessions, with the
precedence of what a file declares over what the job was told."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ingest.errors import (
    CorruptFileError,
    UnsafeUrlError,
)
from ingest.loaders.base import LoadOptions
from ingest.loaders.common.outline import join_path
from ingest.loaders.common.text import clean_inline
from knowledge.language import DOCUMENT_MIN_ENGLISH, detect_language
from knowledge.links import LINK_SCHEMES, is_safe_link
from knowledge.types import Document, Kind, Section


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
        language=detect_language(
            title + "\n" + "\n".join(s.text for s in kept), DOCUMENT_MIN_ENGLISH
        ),
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
