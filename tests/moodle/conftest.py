"""The `moodle` fixture: a real Moodle 4.5 site for each test module.

Needs ../shared/moodle (the Moodle tarball and French language pack, beside the repo root),
PHP 8.2 (`scripts/install-moodle.sh`) and the PostgreSQL server (`scripts/install-postgres.sh`).
Without ../shared/moodle the tests are skipped; without PHP or PostgreSQL they are skipped
locally and fail in CI (CI=true), where a skip would hide a broken install.

The site's API (tests/moodle/site.py): `moodle.url`, `moodle.admin_user`/`admin_password`,
`moodle.php(code, **params)` / `php_json()` (a CLI snippet using Moodle's APIs, as admin),
`cli(script, *args)`, `cfg(name, value, component)`, `configure_plugin(**settings)`,
`create_course()`, `course_for_session()`, `create_user()`, `enrol()`,
`assign_system_role()`, `make_site_admin()`, `set_capability()`, `add_page()`,
`login(user, password) -> httpx.Client`,
`browser_login(page, user, password)`, `server_errors(since)`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.app import create_app
from assistant.settings import Settings
from ingest.pipeline import run_ingest
from tests.conftest import make_settings
from tests.loopback import Loopback
from tests.moodle.site import (
    LANGPACK,
    SHARED_MOODLE,
    TARBALL,
    MoodleSite,
    User,
    php_binary,
    provision,
)
from tests.pgcluster import server_binary

# Fixtures of the widget's tests: axe-core, test-artifacts/.
from tests.widget.conftest import artifacts, axe_source, browser  # noqa: F401

LAICITE = "laicite-2025"
PARCOURS = "parcours-manager-2025"

# The shared secret the plugin signs with (the service's MENTOR_JWT_SECRET in the tests).
PLUGIN_SECRET = secrets.token_urlsafe(48)


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# One site per test module: modules (plugin, LTI, sync) each create the courses of the
# corpus's sessions their own way, and an ID number or short name is unique in a Moodle.
# A restore from the cache takes about 10 s.
@pytest.fixture(scope="module")
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
        # No e-mail leaves a test site: with $CFG->noemailever, every message sent by e-mail
        # (enrolment welcome, ...) would print a debugging line into the caller's output.
        site.php("\\core\\plugininfo\\message::enable_plugin('email', 0);")
        # Moodle's first-visit user tours cover the page (and take the focus) in screenshots.
        site.php(
            "foreach (\\tool_usertours\\helper::get_tours() as $tour) {"
            " $tour->set_enabled(false); $tour->persist(); }"
        )
        done = [
            "installed Moodle" if provisioned.installed_moodle else "restored Moodle",
            "installed the plugin" if provisioned.installed_plugin else "restored the plugin",
        ]
        if reporter is not None:
            reporter.write_line(
                f"Moodle 4.5 at {site.url}: {', '.join(done)} in {provisioned.seconds:.1f} s"
            )
        yield site


@dataclass(frozen=True, slots=True)
class Service:
    """The real assistant service, configured for this Moodle the way its settings page
    says: same secret, the Moodle's address as issuer and as the one CORS/frame origin."""

    url: str
    settings: Settings


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus indexed once (lite profile), for each module's service in turn."""
    data_dir = tmp_path_factory.mktemp("moodle-service")
    report = run_ingest(make_settings(data_dir))
    assert not report.failed, report.failed
    return data_dir


@pytest.fixture(scope="module")
def service(moodle: MoodleSite, sample_index: Path) -> Iterator[Service]:
    settings = make_settings(
        sample_index,
        jwt_secret=PLUGIN_SECRET,
        jwt_issuer=moodle.url,
        cors_origins=[moodle.url],
    )
    with Loopback().serving(create_app(settings)) as url:
        # Moodle refuses outgoing calls to loopback addresses and ports other than 80/443 by
        # default: this service is both (the settings page's connection test, privacy calls).
        moodle.cfg("curlsecurityblockedhosts", "")
        moodle.cfg("curlsecurityallowedport", "")
        moodle.configure_plugin(serviceurl=url)
        yield Service(url, settings)


@dataclass(frozen=True, slots=True)
class Courses:
    """Real Moodle courses for the sample corpus's sessions, and who is in them."""

    laicite: int
    parcours: int
    unindexed: int
    page: int  # a Page activity of the laïcité course
    learner: User  # student of laïcité, Ministry of the Interior address, French
    parcours_learner: User  # student of the parcours, Ministry of Justice address
    english: User  # student of laïcité whose Moodle language is English
    outsider: User  # enrolled nowhere
    barred: User  # student of laïcité whose role there lacks local/mentorassistant:use
    teacher: User  # non-editing teacher of laïcité
    editor: User  # editing teacher of laïcité
    manager: User  # manager of the whole site
    admin: User  # a site administrator, French


@pytest.fixture(scope="module")
def courses(moodle: MoodleSite, service: Service) -> Courses:
    laicite = moodle.course_for_session("laicite", LAICITE, "Laïcité 2025")
    parcours = moodle.course_for_session("parcours", PARCOURS, "Parcours manager 2025")
    unindexed = moodle.create_course("sans-session", fullname="Cours sans identifiant")
    page = moodle.add_page(laicite, "Module 1", "<p>Les principes de la laïcité.</p>")
    users = {
        name: moodle.create_user(name, email=email, lang=lang)
        for name, email, lang in [
            ("learner", "camille.martin@interieur.gouv.fr", "fr"),
            ("parcours", "dominique.petit@justice.gouv.fr", "fr"),
            ("english", "alex.smith@interieur.gouv.fr", "en"),
            ("outsider", "sam.durand@interieur.gouv.fr", "fr"),
            ("barred", "lou.bernard@interieur.gouv.fr", "fr"),
            ("teacher", "noa.robert@education.gouv.fr", "fr"),
            ("editor", "eden.richard@education.gouv.fr", "fr"),
            ("manager", "max.moreau@interieur.gouv.fr", "fr"),
            ("admin2", "ali.simon@interieur.gouv.fr", "fr"),
        ]
    }
    for name in ("learner", "english", "barred"):
        moodle.enrol(users[name].id, laicite)
    moodle.enrol(users["parcours"].id, parcours)
    moodle.enrol(users["barred"].id, unindexed)
    moodle.enrol(users["teacher"].id, laicite, "teacher")
    moodle.enrol(users["editor"].id, laicite, "editingteacher")
    moodle.assign_system_role(users["manager"].id, "manager")
    moodle.make_site_admin(users["admin2"].id)
    # "barred" keeps the student role in laïcité, without the assistant's capability there.
    moodle.php(
        "$role = $DB->get_record('role', ['shortname' => 'student']);"
        " $barred = create_role('Étudiant sans assistant', 'nostudentassistant', '', 'student');"
        " $context = context_course::instance($params['course']);"
        " role_change_permission($barred, $context, 'local/mentorassistant:use', CAP_PROHIBIT);"
        " role_assign($barred, $params['user'], $context->id);",
        course=laicite,
        user=users["barred"].id,
    )
    return Courses(
        laicite, parcours, unindexed, page,
        users["learner"], users["parcours"], users["english"], users["outsider"],
        users["barred"], users["teacher"], users["editor"], users["manager"], users["admin2"],
    )  # fmt: skip
