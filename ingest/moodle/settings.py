"""How the sync reaches a Moodle site: ``MENTOR_MOODLE_*``.

The token is read from the environment (or ``.env``) only: never a command-line argument,
where every user of the machine could read it in the process list.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The course field the plugin puts in tokens as the session id (its `sessionfield` setting).
SessionField = Literal["idnumber", "shortname", "id"]


class MoodleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MENTOR_MOODLE_", env_file=".env", extra="ignore")

    # The site the service re-indexes on events; `ingest --moodle-url` names its own.
    url: str | None = None
    token: SecretStr | None = None
    session_field: SessionField = "idnumber"
    timeout_seconds: float = 30.0
    # A batch gathers the events arriving within this delay of its first one.
    event_coalesce_seconds: float = 0.5
    # How old a signed event may be; a replay inside the window is caught by its signature.
    event_max_age_seconds: int = 300

    @property
    def token_value(self) -> str:
        """The token, or '' when unset or empty."""
        return self.token.get_secret_value() if self.token is not None else ""
