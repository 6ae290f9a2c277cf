"""Why Moodle could not give a course or a module. Each is reported with what it was about
(the site, a course, a module) and the sync carries on with the rest: nothing the index
holds is deleted because of one of these."""

from ingest.errors import IngestError


class MoodleUnreachableError(IngestError):
    """No answer: wrong host or port, Moodle down, a timeout."""

    reason = "moodle unreachable"


class MoodleRefusedError(IngestError):
    """Moodle answered that the token cannot do this: invalid, expired, or not allowed."""

    reason = "moodle refused"


class MoodleResponseError(IngestError):
    """An answer that is not what the web service promises: HTML, a redirect, an error code."""

    reason = "moodle error"

    def __init__(self, source: str, detail: str, code: str = "") -> None:
        super().__init__(source, detail)
        self.code = code
