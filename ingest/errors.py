"""Ingestion errors: why one source could not be indexed (reported per file, the job carries
on), and why the running service could not take a job."""


class IngestError(Exception):
    """Base class; ``reason`` is a short phrase for the summary table."""

    reason = "error"

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail


class UnsupportedTypeError(IngestError):
    reason = "unsupported type"


class EmptyFileError(IngestError):
    reason = "empty"


class CorruptFileError(IngestError):
    reason = "corrupt"


class EncryptedFileError(IngestError):
    reason = "encrypted"


class EncodingError(IngestError):
    reason = "encoding"


class UnsafeArchiveError(IngestError):
    """Zip bomb, path traversal, links or too many members."""

    reason = "unsafe archive"


class TooLargeError(IngestError):
    reason = "too large"


class UnsafeLinkError(IngestError):
    """A symbolic link in an ingested folder that leads out of it."""

    reason = "unsafe link"


class UnsafeUrlError(IngestError):
    """A declared ``url`` that is not a web or mail address (``javascript:``, ``data:``)."""

    reason = "unsafe url"


class HandoffError(Exception):
    """The running service could not take the job; the message says why, in French."""
