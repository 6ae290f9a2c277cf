"""Plain text: one section, paragraphs as written."""

from __future__ import annotations

from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.metadata import make_document
from ingest.loaders.common.text import clean_text, decode_text, title_from_name
from knowledge.types import Document, Kind, Section

# A first line this short, followed by more text, is the file's title.
_MAX_TITLE_LINE = 100


class TextLoader:
    extensions: tuple[str, ...] = (".txt",)

    def load(self, source: SourceFile, options: LoadOptions) -> list[Document]:
        text = clean_text(decode_text(source.data, source.uri))
        first, _, rest = text.partition("\n")
        title = first if rest and len(first) <= _MAX_TITLE_LINE else title_from_name(source.name)
        document = make_document(
            source=source.uri,
            document_id=source.uri,
            title=title,
            sections=[Section(text)],
            options=options,
            default_kind=Kind.PAGE,
        )
        return [document] if document else []
