"""Word documents (python-docx): heading styles give the sections, tables become lines."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from ingest.errors import CorruptFileError
from ingest.loaders.archive import open_archive
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.metadata import make_document
from ingest.loaders.common.outline import Block, Heading, sections_from_blocks
from ingest.loaders.common.text import clean_inline, has_words, title_from_name
from knowledge.types import Document, Kind

# Built-in style names as python-docx reports them, English or French Word.
_HEADING_STYLE = re.compile(r"^(?:heading|titre)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = frozenset({"title", "titre"})


class DocxLoader:
    extensions: tuple[str, ...] = (".docx",)

    def load(self, source: SourceFile, options: LoadOptions) -> list[Document]:
        # A .docx is a zip: refuse a bomb before python-docx inflates it.
        open_archive(source, options)
        try:
            word = docx.Document(io.BytesIO(source.data))
            blocks, style_title = _blocks(word)
            core_title = word.core_properties.title
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
            raise CorruptFileError(source.uri, f"unreadable Word document: {error}") from error
        except etree.XMLSyntaxError as error:
            raise CorruptFileError(source.uri, f"invalid XML in Word document: {error}") from error
        title = clean_inline(core_title or "") or style_title
        first_heading = next((b.text for b in blocks if isinstance(b, Heading)), None)
        document = make_document(
            source=source.uri,
            document_id=source.uri,
            title=title or first_heading or title_from_name(source.name),
            sections=sections_from_blocks(blocks),
            options=options,
            default_kind=Kind.PAGE,
        )
        return [document] if document else []


def _blocks(word: WordDocument) -> tuple[list[Block], str]:
    blocks: list[Block] = []
    title = ""
    lines: list[str] = []  # consecutive list items, kept together as one paragraph

    def flush() -> None:
        if lines:
            blocks.append("\n".join(lines))
            lines.clear()

    for item in word.iter_inner_content():
        if isinstance(item, Table):
            flush()
            rows = "\n".join(_table_lines(item))
            if rows:
                blocks.append(rows)
            continue
        text = clean_inline(item.text)
        if not has_words(text):
            continue
        style = (item.style.name if item.style is not None else "") or ""
        if heading := _HEADING_STYLE.match(style):
            flush()
            blocks.append(Heading(int(heading.group(1)), text))
        elif style.lower() in _TITLE_STYLES:
            flush()
            title = title or text
        elif _is_list_item(item, style):
            lines.append(f"- {text}")
        else:
            flush()
            blocks.append(text)
    flush()
    return blocks, title


def _is_list_item(paragraph: Paragraph, style: str) -> bool:
    properties = paragraph._p.pPr
    return style.lower().startswith(("list", "liste")) or (
        properties is not None and properties.numPr is not None
    )


def _table_lines(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = clean_inline(cell.text)
            # A merged cell is returned once per grid column it spans.
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            yield " | ".join(cells)
