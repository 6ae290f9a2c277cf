"""PDF (pypdf): one section per page, under the outline entry that covers it."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PyPdfError

from ingest.errors import CorruptFileError, EmptyFileError, EncryptedFileError
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.metadata import make_document
from ingest.loaders.common.text import clean_inline, clean_text, title_from_name
from knowledge.types import Document, Kind, Section

# pypdf reports every recoverable oddity of real-world files as a warning log.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# Table-of-contents leaders ("Préambule........4") carry nothing.
_LEADERS = re.compile(r"(?:\s*\.){4,}\s*")
# A line broken mid-sentence: the next one starts in lower case.
_WRAPPED = re.compile(r"(?<=[^\s.:;!?])\n(?=[a-zà-ÿ])")
# Failures pypdf lets escape from damaged files, beyond its own error classes.
_DAMAGE = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError)


class PdfLoader:
    extensions: tuple[str, ...] = (".pdf",)

    def load(self, source: SourceFile, options: LoadOptions) -> list[Document]:
        reader = _open(source)
        outline = _outline_by_page(reader)
        sections: list[Section] = []
        path: tuple[str, ...] = ()
        try:
            pages = list(reader.pages)
        except _DAMAGE as error:
            raise CorruptFileError(source.uri, f"unreadable page tree: {error}") from error
        for number, page in enumerate(pages, start=1):
            path = outline.get(number, path)
            try:
                raw = page.extract_text() or ""
            except _DAMAGE as error:
                # One broken page should not cost the others.
                logging.getLogger(__name__).warning("%s page %d: %s", source.uri, number, error)
                continue
            text = _WRAPPED.sub(" ", clean_text(_LEADERS.sub(" ", raw)))
            if text:
                sections.append(Section(text=text, heading_path=path, page=number))
        if not sections:
            raise EmptyFileError(source.uri, "no extractable text (scanned PDF?)")
        document = make_document(
            source=source.uri,
            document_id=source.uri,
            title=_metadata_title(reader) or title_from_name(source.name),
            sections=sections,
            options=options,
            default_kind=Kind.PAGE,
            metadata={"pages": len(pages)},
        )
        return [document] if document else []


def _open(source: SourceFile) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(source.data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedFileError(source.uri, "password-protected PDF")
        # Reading the page count forces the cross-reference table to be parsed.
        len(reader.pages)
    except FileNotDecryptedError as error:
        raise EncryptedFileError(source.uri, "password-protected PDF") from error
    except _DAMAGE as error:
        raise CorruptFileError(source.uri, f"unreadable PDF: {error}") from error
    return reader


def _metadata_title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except _DAMAGE:
        return None
    return clean_inline(title) if isinstance(title, str) and title.strip() else None


def _outline_by_page(reader: PdfReader) -> dict[int, tuple[str, ...]]:
    """Page number -> heading path of the last outline entry starting on that page."""
    by_page: dict[int, tuple[str, ...]] = {}

    def walk(entries: list[Any], parents: tuple[str, ...]) -> None:
        last: tuple[str, ...] = parents
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, last)
                continue
            last = (*parents, clean_inline(str(entry.title)))
            page = reader.get_destination_page_number(entry)
            if page is not None and page >= 0:
                by_page[page + 1] = last

    try:
        walk(reader.outline, ())
    except _DAMAGE:
        # A broken outline only costs the heading paths.
        return {}
    return by_page
