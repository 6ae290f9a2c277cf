"""The `moodle` fixture: one real Moodle 4.5 site for the whole test session.

Needs ../shared/moodle (the Moodle tarball and French language pack, beside the repo root),
PHP 8.2 (`scripts/install-moodle.sh`) and the PostgreSQL server (`scripts/install-postgres.sh`).
Without ../shared/moodle the tests are skipped; without PHP or PostgreSQL they are skipped
locally and fail in CI (CI=true), where a skip would hide a broken install.

The site's API (tests/moodle/site.py): `moodle.url`, `moodle.admin_user`/`admin_password`,
`moodle.php(code, **params)` / `php_json()` (a CLI snippet using Moodle's APIs, as admin),
`cli(script, *args)`, `cfg(name, value, component)`, `configure_plugin(**settings)`,
`create_course()`, `create_user()`, `enrol()`, `assign_system_role()`, `make_site_admin()`,
`set_capability()`, `add_page()`, `login(user, password) -> httpx.Client`,
`browser_login(page, user, password)`, `server_errors(since)`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

from tests.moodle.site import LANGPACK, SHARED_MOODLE, TARBALL, MoodleSite, php_binary, provision
from tests.pgcluster import server_binary

# The shared secret the plugin signs with (the service's MENTOR_JWT_SECRET in the tests).
PLUGIN_SECRET = secrets.token_urlsafe(48)


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def moodle(request: pytest.FixtureRequest) -> Iterator[MoodleSite]:
    """A running Moodle with local_mentorassistant installed and enabled (signing with
    PLUGIN_SECRET, no service URL yet: tests point it at theirs with configure_plugin)."""
    if not all((SHARED_MOODLE / name).is_file() for name in (TARBALL, LANGPACK)):
        pytest.skip(f"Moodle source not found at {SHARED_MOODLE} (../shared/moodle)")
    if php_binary() is None:
        _missing("PHP is missing: run scripts/install-moodle.sh")
    if server_binary("initdb") is None:
        _missing("PostgreSQL server binaries not found: run scripts/install-postgres.sh")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    with provision() as provisioned:
        site = provisioned.site
        site.configure_plugin(enabled=1, secret=PLUGIN_SECRET)
        done = [
            "installed Moodle" if provisioned.installed_moodle else "restored Moodle",
            "installed the plugin" if provisioned.installed_plugin else "restored the plugin",
        ]
        if reporter is not None:
            reporter.write_line(
                f"Moodle 4.5 at {site.url}: {', '.join(done)} in {provisioned.seconds:.1f} s"
            )
        yield site
