"""The Moodle source where no Moodle is needed: the declared service, and sites that are not
Moodle (nothing listening, an HTML page). The real-Moodle tests are in tests/moodle/."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.settings import Settings
from ingest.moodle.client import MoodleClient, flatten
from ingest.moodle.sync import FUNCTIONS, sync_site
from ingest.pipeline import Status
from knowledge.cli import EXIT_ERROR, EXIT_FAILURES, build_app
from tests.conftest import REPO_ROOT

SERVICES_PHP = REPO_ROOT / "widget/moodle/local_mentorassistant/db/services.php"
TOKEN = "0123456789abcdef0123456789abcdef"


def test_the_plugin_service_lists_exactly_the_functions_the_sync_calls() -> None:
    declared = re.findall(r"^\s+'([a-z]+_[a-z_]+)',$", SERVICES_PHP.read_text(), re.MULTILINE)

    assert sorted(declared) == sorted(FUNCTIONS)
    assert len(declared) == len(set(declared))


def test_parameters_are_encoded_the_way_php_reads_forms() -> None:
    encoded = flatten({"courseids": [3, 4], "options": [{"name": "cmid", "value": 7}], "x": True})

    assert encoded == {
        "courseids[0]": "3",
        "courseids[1]": "4",
        "options[0][name]": "cmid",
        "options[0][value]": "7",
        "x": "1",
    }


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _HtmlPage(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<!DOCTYPE html><html><body><h1>Bienvenue</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def html_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_site_that_answers_html_is_reported_as_not_moodle(
    settings: Settings, html_site: str
) -> None:
    with MoodleClient(html_site, TOKEN) as client:
        report = sync_site(settings, client)

    [failure] = report.outcomes
    assert failure.status is Status.FAILED
    assert failure.reason == "moodle error"
    assert "text/html, not JSON" in failure.detail


def test_ingest_of_an_unreachable_moodle_fails_clearly_without_leaking_the_token(
    tmp_path: Path, clean_env: None
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/moodle"
    env = {
        "MENTOR_DATA_DIR": str(tmp_path / "data"),
        "MENTOR_EMBEDDING_PROFILE": "lite",
        "MENTOR_MOODLE_TOKEN": TOKEN,
    }

    result = CliRunner().invoke(build_app(), ["ingest", "--moodle-url", url], env=env)

    assert result.exit_code == EXIT_FAILURES, result.output
    assert "moodle unreachable" in result.output
    assert f"127.0.0.1:{url.rsplit(':', 1)[1].split('/')[0]}" in result.output
    assert TOKEN not in result.output


def test_the_token_is_never_an_argument(tmp_path: Path, clean_env: None) -> None:
    env = {"MENTOR_DATA_DIR": str(tmp_path / "data"), "MENTOR_MOODLE_TOKEN": ""}
    runner = CliRunner()

    result = runner.invoke(build_app(), ["ingest", "--moodle-url", "http://x"], env=env)
    no_option = runner.invoke(build_app(), ["ingest", "--moodle-url", "http://x", "--token", "t"])

    assert result.exit_code == EXIT_ERROR
    assert "MENTOR_MOODLE_TOKEN" in result.output
    assert no_option.exit_code != 0
    assert "No such option" in no_option.output
