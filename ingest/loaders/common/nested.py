"""Files inside files (archives, packages): their members go back through the registry."""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from ingest.errors import (
    EmptyFileError,
    IngestError,
    UnsafeArchiveError,
    UnsupportedTypeError,
)
from ingest.loaders.base import LoadOptions, SourceFile
from knowledge.types import Document

logger = logging.getLogger(__name__)


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
