"""The widget against the real service: uvicorn on a free local port, a real index of the
sample corpus plus a poisoned course document, and Debian's Chromium driven by Playwright.

`scripts/install-browser.sh` installs Chromium, Playwright and axe-core. Without them the
browser tests are skipped locally, and fail in CI (CI=true), where a skip would hide a
broken install.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.app import create_app
from assistant.auth import Role, mint_token
from assistant.settings import Settings
from ingest.pipeline import SAMPLE_ROOTS, run_ingest
from tests.conftest import REPO_ROOT, make_settings
from tests.loopback import Loopback

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = REPO_ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "test-artifacts"
LAICITE = "laicite-2025"
PARCOURS = "parcours-manager-2025"
WIDGET = "mentor-assistant"

# A course document indexed into laicite-2025 through the real pipeline: its title and body
# carry payloads that set window.__pwned if they run (a javascript: url is refused at
# ingestion, so the widget tests hand one to the page in a routed stream instead).
POISONED_COURSE = Path(__file__).parent / "poisoned_course"

# Records CSP and Trusted Types violations from the first instant of every page.
_WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""


class HostSite:
    """Another web server, standing for the LMS: it serves the course pages that embed the
    widget, from its own origin. Pages are registered by the tests."""

    def __init__(self) -> None:
        pages: dict[str, bytes] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.pages = pages
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        # The allowed origin and, for the same server, a host name CORS does not allow.
        self.origin = f"http://127.0.0.1:{self.port}"
        self.foreign_origin = f"http://localhost:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def page(self, path: str, html: str) -> str:
        self.pages[path] = html.encode()
        return path


@dataclass(frozen=True, slots=True)
class LiveService:
    url: str
    settings: Settings
    host: HostSite

    def token(self, sessions: Sequence[str], ttl: int | None = None, user: str = "e2e") -> str:
        return mint_token(self.settings, user, sessions, Role.LEARNER, ttl)


@pytest.fixture(scope="session")
def live_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    host = HostSite()
    host.thread.start()
    port = Loopback()
    settings = make_settings(
        tmp_path_factory.mktemp("widget-index"),
        demo=True,
        cors_origins=[host.origin],
        public_url=port.url,
    )
    report = run_ingest(settings, [*SAMPLE_ROOTS, POISONED_COURSE])
    assert not report.failed, report.failed
    try:
        with port.serving(create_app(settings)) as url:
            yield LiveService(url, settings, host)
    finally:
        host.server.shutdown()
        host.server.server_close()


def _missing(what: str) -> None:
    message = f"{what} is missing: run scripts/install-browser.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, for one test module at a time.

    Playwright's sync API runs its event loop in a greenlet of the main thread, and that
    loop stays the thread's running loop until Playwright stops: an async test run while it
    is alive fails ("Cannot run the event loop while another loop is running"), and so does
    a second sync Playwright. Module scope stops it when its module ends, whatever the
    order of the modules; a browser module must not hold async tests."""
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Python Playwright")
    with sync_playwright() as playwright:
        # Debian's Chromium: `playwright install` would download a browser build.
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        _missing(str(AXE_SCRIPT))
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh profile per test: its own cookies (so its own demo learner and rate-limit
    bucket) and its own sessionStorage."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    context.add_init_script(_WATCH_VIOLATIONS)
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page that fails the test on any uncaught script error or CSP violation."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, errors
    if not page.is_closed():
        assert page.evaluate("window.__violations || []") == []
