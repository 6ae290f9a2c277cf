"""Moodle's REST web services, as the sync account sees them.

Every call is a POST to ``/webservice/rest/server.php`` and every file a POST to
``/webservice/pluginfile.php/…``, with the token in the form body: it never appears in a URL,
so neither our logs nor Moodle's access log ever hold it. Files are only fetched from the
site the token belongs to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ingest.errors import TooLargeError
from ingest.moodle.errors import MoodleRefusedError, MoodleResponseError, MoodleUnreachableError

REST_PATH = "/webservice/rest/server.php"
# Moodle's error codes that mean "this token cannot do it", as opposed to a missing record.
_REFUSALS = frozenset(
    {
        "invalidtoken",
        "errorcoursecontextnotvalid",
        "accessexception",
        "requireloginerror",
        "nopermissions",
        "servicerequireslogin",
        "servicenotavailable",
        "webservicesnotenabled",
        "enablewsdescription",
        "usernotfullysetup",
        "forcepasswordchangenotice",
        "invalidtimedtoken",
        "sitemaintenance",
    }
)
_DOWNLOAD_CHUNK = 64 * 1024


class MoodleClient:
    """One site, one token. ``transport`` lets a test route requests elsewhere (a proxy)."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 30.0,
        max_file_bytes: int = 200 * 1024 * 1024,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._max_file_bytes = max_file_bytes
        self._http = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MoodleClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def call(self, function: str, **params: Any) -> Any:
        """The decoded answer of ``function``; a Moodle exception becomes one of our errors."""
        form = {"wstoken": self._token, "wsfunction": function, "moodlewsrestformat": "json"}
        form.update(flatten(params))
        where = f"{self.url} ({function})"
        response = self._post(self.url + REST_PATH, form, where)
        try:
            payload = response.json()
        except ValueError as error:
            raise MoodleResponseError(where, _not_json(response)) from error
        if isinstance(payload, dict) and "exception" in payload:
            raise _exception(where, payload)
        return payload

    def download(self, file_url: str, where: str) -> bytes:
        """A file from ``/webservice/pluginfile.php``, refused over the size limit."""
        if not file_url.startswith(self.url + "/"):
            raise MoodleResponseError(where, f"file outside the site: {file_url.split('?')[0]}")
        target = file_url.split("?", 1)[0]
        try:
            with self._http.stream("POST", target, data={"token": self._token}) as response:
                if response.headers.get("content-type", "").startswith("application/json"):
                    payload = json.loads(response.read() or b"{}")
                    if isinstance(payload, dict) and "exception" in payload:
                        raise _exception(where, payload)
                if response.is_error:
                    raise MoodleResponseError(where, f"HTTP {response.status_code} for {target}")
                declared = int(response.headers.get("content-length") or 0)
                if declared > self._max_file_bytes:
                    raise _too_large(where, declared, self._max_file_bytes)
                data = bytearray()
                for chunk in response.iter_bytes(_DOWNLOAD_CHUNK):
                    data += chunk
                    if len(data) > self._max_file_bytes:
                        raise _too_large(where, len(data), self._max_file_bytes)
                return bytes(data)
        except httpx.HTTPError as error:
            raise MoodleUnreachableError(where, _describe(error)) from error

    def _post(self, url: str, form: Mapping[str, str], where: str) -> httpx.Response:
        try:
            response = self._http.post(url, data=dict(form))
        except httpx.HTTPError as error:
            raise MoodleUnreachableError(where, _describe(error)) from error
        if response.is_redirect:
            location = response.headers.get("location", "")
            raise MoodleResponseError(where, f"redirected to {location}: is it the Moodle URL?")
        if response.is_error:
            raise MoodleResponseError(where, f"HTTP {response.status_code}: {_not_json(response)}")
        return response


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """PHP's form encoding of nested values: ``courseids[0]=3``, ``options[0][name]=cmid``."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(flatten(value, name))
        elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
            flat.update(flatten({str(i): v for i, v in enumerate(value)}, name))
        elif isinstance(value, bool):
            flat[name] = "1" if value else "0"
        else:
            flat[name] = str(value)
    return flat


def _exception(where: str, payload: Mapping[str, Any]) -> Exception:
    code = str(payload.get("errorcode") or "")
    message = f"{payload.get('message') or payload.get('exception')} [{code}]"
    if code in _REFUSALS:
        return MoodleRefusedError(where, message)
    return MoodleResponseError(where, message, code)


def _too_large(where: str, size: int, limit: int) -> TooLargeError:
    return TooLargeError(
        where, f"{size} bytes or more, over the {limit} limit (MENTOR_MAX_FILE_BYTES)"
    )


def _not_json(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    return f"answered {kind}, not JSON: is it a Moodle site with web services enabled?"


def _describe(error: httpx.HTTPError) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
