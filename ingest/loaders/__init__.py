"""The loader registry: a file's extension picks the loader that turns it into documents."""

from __future__ import annotations

from ingest.errors import EmptyFileError, UnsupportedTypeError
from ingest.loaders.archive import ArchiveLoader
from ingest.loaders.base import Loader, LoadOptions, SourceFile
from ingest.loaders.common.nested import Nested
from ingest.loaders.docx import DocxLoader
from ingest.loaders.html import HtmlLoader
from ingest.loaders.markdown import MarkdownLoader
from ingest.loaders.mbz import MbzLoader
from ingest.loaders.pdf import PdfLoader
from ingest.loaders.table import TableLoader
from ingest.loaders.text import TextLoader
from knowledge.types import Document

__all__ = ["SUPPORTED_EXTENSIONS", "is_supported", "load_source"]


def _loader_for(name: str) -> Loader | None:
    lowered = name.lower()
    # Longest first, so "guide.tar.gz" is a ".tar.gz" and not a ".gz".
    for extension in _LONGEST_FIRST:
        if lowered.endswith(extension):
            return _BY_EXTENSION[extension]
    return None


def is_supported(name: str) -> bool:
    return _loader_for(name) is not None


def load_source(source: SourceFile, options: LoadOptions) -> list[Document]:
    """Documents of one file, or an ``IngestError`` saying why there are none."""
    loader = _loader_for(source.name)
    if loader is None:
        suffix = source.name.rpartition(".")[2] if "." in source.name else ""
        kind = f"'.{suffix.lower()}' files" if suffix else "files without an extension"
        raise UnsupportedTypeError(source.uri, f"{kind} are not supported")
    if not source.data:
        raise EmptyFileError(source.uri, "zero-byte file")
    documents = loader.load(source, options)
    if not documents:
        raise EmptyFileError(source.uri, "no text to index")
    return documents


_NESTED = Nested(load=load_source, supports=is_supported)
_LOADERS: tuple[Loader, ...] = (
    HtmlLoader(),
    MarkdownLoader(),
    TextLoader(),
    PdfLoader(),
    DocxLoader(),
    TableLoader(),
    ArchiveLoader(_NESTED),
    MbzLoader(_NESTED),
)
_BY_EXTENSION = {extension: loader for loader in _LOADERS for extension in loader.extensions}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(sorted(_BY_EXTENSION))
_LONGEST_FIRST = sorted(_BY_EXTENSION, key=len, reverse=True)
