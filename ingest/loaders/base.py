"""What every loader receives and returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from knowledge.types import Document, Kind


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file's bytes. ``uri`` is stable across runs: it keys the manifest and document ids.

    Files on disk have uris relative to the ingested root (``faq/learners.yaml``); members of
    an archive append ``!/member/path`` to the archive's uri.
    """

    uri: str
    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """Metadata the caller imposes. ``None``/empty means "let the loader or the file decide"."""

    collection: str | None = None
    session_ids: tuple[str, ...] = ()
    kind: Kind | None = None
    max_member_bytes: int = 200 * 1024 * 1024
    max_archive_bytes: int = 1024 * 1024 * 1024
    max_archive_ratio: int = 100
    max_archive_members: int = 20_000


class Loader(Protocol):
    extensions: tuple[str, ...]

    def load(self, source: SourceFile, options: LoadOptions) -> list[Document]:
        """Parse one file. Raise an ``ingest.errors.IngestError`` subclass on bad input."""
        ...
