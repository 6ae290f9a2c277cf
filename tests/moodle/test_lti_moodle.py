"""The assistant as an LTI 1.3 tool of the real Moodle 4.5.6, no code installed in Moodle for
it: the steps of README "Add the assistant to a course by LTI", in Chromium.

The administrator registers the tool by dynamic registration on Moodle's own tool page and
activates it; each course gets the ID number of its session and an "External tool" activity
(create_module, Moodle's own code path); enrolled users launch it from Moodle in Chromium.
The service listens on http://localhost:<port> and Moodle on http://127.0.0.1:<port>: two
different sites, so the launch really is a cross-site, third-party frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.app import create_app
from assistant.auth import Principal, Role, resolve_secret, verify_token
from assistant.settings import Settings
from ingest.pipeline import run_ingest
from tests.conftest import make_settings
from tests.loopback import Loopback
from tests.moodle.site import MoodleSite, User
from tests.widget.conftest import BROWSER_ARGS, CHROMIUM

pytestmark = pytest.mark.slow

LAICITE = "laicite-2025"
PARCOURS = "parcours-manager-2025"
# Titles of the parcours documents that only its learners may see.
PARCOURS_ONLY = (
    "entretien professionnel annuel",
    "Animer une réunion",
    "Télétravail",
    "risques psychosociaux",
)
ANSWER_TIMEOUT_MS = 90_000
WIDGET = "mentor-assistant"


@dataclass(frozen=True)
class Tool:
    url: str
    settings: Settings


@dataclass(frozen=True)
class Courses:
    laicite: int
    parcours: int
    laicite_activity: int
    parcours_activity: int


@pytest.fixture(scope="module")
def tool(moodle: MoodleSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tool]:
    """The service on the sample corpus (lite profile), allowing this Moodle to register."""
    settings = make_settings(
        tmp_path_factory.mktemp("lti-moodle"),
        jwt_secret="lti-moodle-tests-secret-0123456789abcdef",
        lti_platform_issuers=[moodle.url],
    )
    report = run_ingest(settings)
    assert not report.failed, report.failed
    with Loopback().serving(create_app(settings)) as url:
        yield Tool(url.replace("127.0.0.1", "localhost"), settings)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-browser.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    # Chromium's default cookie settings: nothing about third-party cookies is changed.
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def registered(moodle: MoodleSite, tool: Tool, browser: Any) -> int:
    """README steps 2-3 on Moodle's admin pages; returns the tool type id."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        moodle.browser_login(page, moodle.admin_user, moodle.admin_password)
        page.goto(f"{moodle.url}/mod/lti/toolconfigure.php")
        page.fill("#tool-url", f"{tool.url}/lti/register")
        page.click("#tool-create-button")
        card = page.locator(".tool-card", has_text="Assistant Mentor")
        # The registration frame posts org.imsglobal.lti.close; Moodle then lists the tool.
        card.locator("a.activate").click(timeout=60_000)
        card.locator("a.activate").wait_for(state="detached", timeout=30_000)
    finally:
        context.close()
    found = moodle.php_json(
        "require_once($CFG->dirroot . '/mod/lti/locallib.php');"
        " $types = array_values(lti_get_tools_by_url($params['url'], null));"
        " echo json_encode(array_map(fn($t) => ['id' => (int) $t->id, 'state' => (int) $t->state,"
        " 'name' => $t->name, 'config' => lti_get_type_config($t->id)], $types));",
        url=f"{tool.url}/lti/launch",
    )
    assert len(found) == 1, found
    (registered,) = found
    assert registered["name"] == "Assistant Mentor"
    assert registered["state"] == 1  # LTI_TOOL_STATE_CONFIGURED: activated
    assert registered["config"]["customparameters"] == "session_id=$Context.sourcedId"
    assert registered["config"]["initiatelogin"] == f"{tool.url}/lti/login"
    return int(registered["id"])


def _add_activity(moodle: MoodleSite, course: int, type_id: int) -> int:
    """README step 5: an External tool activity using the preconfigured tool."""
    return int(
        moodle.php_json(
            "require_once($CFG->dirroot . '/mod/lti/locallib.php');"
            " $info = create_module((object) ['modulename' => 'lti',"
            " 'course' => $params['course'], 'section' => 0, 'visible' => 1,"
            " 'name' => 'Assistant Mentor', 'typeid' => $params['type'], 'toolurl' => '',"
            " 'launchcontainer' => LTI_LAUNCH_CONTAINER_DEFAULT, 'grade' => 0,"
            " 'instructorchoicesendname' => 0, 'instructorchoicesendemailaddr' => 0,"
            " 'instructorchoiceacceptgrades' => 0,"
            " 'introeditor' => ['text' => '', 'format' => FORMAT_HTML, 'itemid' => 0]]);"
            " echo json_encode($info->coursemodule);",
            course=course,
            type=type_id,
        )
    )


@pytest.fixture(scope="module")
def courses(moodle: MoodleSite, registered: int) -> Courses:
    # No welcome e-mail on enrolment: with $CFG->noemailever, Moodle's debugging() about the
    # mail it does not send would break the harness's JSON output of enrol().
    moodle.cfg("sendcoursewelcomemessage", 0, "enrol_manual")
    # README step 4: the course ID number is its session.
    laicite = moodle.course_for_session("lti-laicite", LAICITE, "Laïcité (LTI)")
    parcours = moodle.course_for_session("lti-parcours", PARCOURS, "Parcours (LTI)")
    return Courses(
        laicite, parcours, _add_activity(moodle, laicite, registered),
        _add_activity(moodle, parcours, registered),
    )  # fmt: skip


class Launched:
    """The activity opened by a user in Chromium, and the assistant's token it carried."""

    def __init__(self, browser: Any, moodle: MoodleSite, user: User, activity: int) -> None:
        self.context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.tokens: list[str] = []
        self.context.on("request", self._note_token)
        moodle.browser_login(self.page, user.username, user.password)
        self.page.goto(f"{moodle.url}/mod/lti/view.php?id={activity}")
        self.frame = self.page.frame_locator("iframe#contentframe")
        self.input = self.frame.locator(f"{WIDGET} #ma-input")
        self.input.wait_for(timeout=60_000)

    def _note_token(self, request: Any) -> None:
        header = request.headers.get("authorization", "")
        if "/api/" in request.url and header.startswith("Bearer "):
            self.tokens.append(header.removeprefix("Bearer "))

    def ask(self, question: str) -> Any:
        answers = self.frame.locator(f"{WIDGET} .message.assistant:not(.welcome):not([aria-busy])")
        before = answers.count()
        self.input.fill(question)
        self.input.press("Enter")
        answer = answers.nth(before)
        answer.locator(".feedback, .notice-box, .escalation").first.wait_for(
            timeout=ANSWER_TIMEOUT_MS
        )
        return answer

    def has_storage_access(self, tool: Tool) -> bool:
        """Whether the tool's frame may use its unpartitioned cookies (third-party cookies)."""
        frame = next(f for f in self.page.frames if f.url.startswith(tool.url))
        return bool(frame.evaluate("document.hasStorageAccess()"))

    def principal(self, tool: Tool) -> Principal:
        assert self.tokens, "the widget sent no token"
        return verify_token(self.tokens[-1], resolve_secret(tool.settings), tool.settings)

    def close(self, artifacts: Path | None = None) -> None:
        if artifacts is not None:
            self.page.screenshot(path=str(artifacts))
        self.context.close()
        assert not self.errors, self.errors


def test_a_learner_launch_answers_from_that_course_only(
    moodle: MoodleSite, tool: Tool, browser: Any, courses: Courses
) -> None:
    learner = moodle.create_user("lti-learner")
    moodle.enrol(learner.id, courses.laicite)
    launched = Launched(browser, moodle, learner, courses.laicite_activity)
    try:
        answer = launched.ask("Qu'est-ce que le principe de neutralité de l'agent public ?")
        assert "neutralit" in answer.inner_text().lower()
        sources = answer.locator(".sources").inner_text()
        assert "neutralité" in sources.lower(), sources
        principal = launched.principal(tool)
        assert principal.role is Role.LEARNER
        assert principal.session_ids == {LAICITE}
        assert principal.user_id.startswith("lti-")

        # The other course's content never comes back, even when asked for it.
        other = launched.ask("Comment conduire l'entretien professionnel annuel de mon agent ?")
        text = other.inner_text()
        for title in PARCOURS_ONLY:
            assert title.lower() not in text.lower(), text
    finally:
        launched.close()


def test_the_second_course_launch_is_scoped_to_its_own_session(
    moodle: MoodleSite, tool: Tool, browser: Any, courses: Courses
) -> None:
    learner = moodle.create_user("lti-parcours-learner")
    moodle.enrol(learner.id, courses.parcours)
    launched = Launched(browser, moodle, learner, courses.parcours_activity)
    try:
        answer = launched.ask("Comment conduire l'entretien professionnel annuel ?")
        assert "entretien professionnel" in answer.locator(".sources").inner_text().lower()
        assert launched.principal(tool).session_ids == {PARCOURS}
    finally:
        launched.close()


def test_a_teacher_launch_gets_the_staff_role(
    moodle: MoodleSite, tool: Tool, browser: Any, courses: Courses
) -> None:
    teacher = moodle.create_user("lti-teacher")
    moodle.enrol(teacher.id, courses.laicite, role="editingteacher")
    launched = Launched(browser, moodle, teacher, courses.laicite_activity)
    try:
        launched.ask("Qu'est-ce que la laïcité ?")
        assert launched.principal(tool).role is Role.DESIGNER
    finally:
        launched.close()


def test_the_launch_works_with_third_party_cookies_blocked(
    moodle: MoodleSite, tool: Tool, courses: Courses, playwright: Any
) -> None:
    """Chromium blocking third-party cookies (as it does for some users, and Incognito by
    default): the state cookie is partitioned under Moodle's site, so it still comes back."""
    learner = moodle.create_user("lti-blocked-cookies")
    moodle.enrol(learner.id, courses.laicite)
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=[*BROWSER_ARGS, "--test-third-party-cookie-phaseout"]
    )
    try:
        launched = Launched(chromium, moodle, learner, courses.laicite_activity)
        try:
            assert not launched.has_storage_access(tool)
            answer = launched.ask("Qu'est-ce que la laïcité ?")
            assert answer.locator(".sources").count() == 1
            assert launched.principal(tool).session_ids == {LAICITE}
        finally:
            launched.close()
    finally:
        chromium.close()
