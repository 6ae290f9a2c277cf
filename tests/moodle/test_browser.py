"""The widget on real Moodle course pages (Boost), in Debian's Chromium: script and iframe
modes, keyboard, accessibility, languages, and a page kept open past its token's lifetime."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.moodle.conftest import Courses, Service
from tests.moodle.site import MoodleSite, User

pytestmark = pytest.mark.slow

WIDGET = "mentor-assistant"
ANSWER_TIMEOUT_MS = 90_000
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# What an axe target of the widget, or of the plugin's iframe disclosure, contains.
OUR_MARKUP = ("mentor-assistant", "local-mentorassistant")
QUESTION = "Un agent public peut-il porter un signe religieux pendant son service ?"


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh profile; fails the test on any uncaught script error of the page (Moodle's
    own scripts included)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def iframe_mode(moodle: MoodleSite, service: Service) -> Iterator[None]:
    moodle.configure_plugin(mode="iframe")
    try:
        yield
    finally:
        moodle.configure_plugin(mode="script")


def _course_page(page: Any, moodle: MoodleSite, user: User, course: int) -> None:
    moodle.browser_login(page, user.username, user.password)
    page.goto(f"{moodle.url}/course/view.php?id={course}")


def _ask(page: Any, root: Any, question: str) -> Any:
    """Asks in the widget (`root`: the page, or the frame) and waits for the answer."""
    root.locator(f"{WIDGET} #ma-input").fill(question)
    root.locator(f"{WIDGET} #ma-input").press("Enter")
    answer = root.locator(f"{WIDGET} .message.assistant:not(.welcome):not([aria-busy]) .answer")
    expect(answer.last).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    return answer.last


def _axe(page: Any, axe_source: str, artifacts: Path, name: str) -> list[str]:
    """Serious and critical axe violations of the page with the widget open, in the widget
    or its frame; those of Moodle's own markup are written to test-artifacts/, not ours to
    fix."""
    page.evaluate(axe_source)
    results = page.evaluate(
        f"async () => axe.run(document, {{ runOnly: {{ type: 'tag', values: {AXE_TAGS} }} }})"
    )
    ours, moodles = [], []
    for violation in results["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        for node in violation["nodes"]:
            found = f"{violation['id']} ({violation['impact']}): {node['target']}"
            mine = any(mark in str(node["target"]) for mark in OUR_MARKUP)
            (ours if mine else moodles).append(found)
    (artifacts / f"{name}-axe-moodle.txt").write_text("\n".join(moodles) + "\n", "utf-8")
    return ours


def _moodle_scripts_work(page: Any) -> None:
    """Boost's own JavaScript still runs: its user menu opens."""
    page.keyboard.press("Escape")
    page.locator("#user-menu-toggle").click()
    expect(page.locator("#user-action-menu")).to_be_visible()
    page.keyboard.press("Escape")


def test_script_mode_on_a_real_course_page(
    page: Any,
    moodle: MoodleSite,
    service: Service,
    courses: Courses,
    axe_source: str,
    artifacts: Path,
) -> None:
    _course_page(page, moodle, courses.learner, courses.laicite)
    launcher = page.locator(f"{WIDGET} .launcher")
    expect(launcher).to_have_text("Une question ?")
    # Keyboard: Enter on the launcher opens the dialog, Escape closes it and gives it back.
    launcher.focus()
    page.keyboard.press("Enter")
    panel = page.locator(f"{WIDGET} .panel")
    expect(panel).to_be_visible()
    answer = _ask(page, page, QUESTION)
    expect(answer.locator("a.cite").first).to_be_visible()
    assert _axe(page, axe_source, artifacts, "moodle-course-script") == []
    page.screenshot(path=str(artifacts / "moodle-course-widget-desktop.png"))
    page.set_viewport_size({"width": 320, "height": 640})
    expect(panel).to_be_visible()
    page.screenshot(path=str(artifacts / "moodle-course-widget-320.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator(f"{WIDGET} #ma-input").focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    page.wait_for_function(
        """() => {
          const active = document.querySelector("mentor-assistant").shadowRoot.activeElement;
          return Boolean(active) && active.classList.contains("launcher");
        }"""
    )
    _moodle_scripts_work(page)


def test_iframe_mode_on_a_real_course_page(
    page: Any,
    moodle: MoodleSite,
    service: Service,
    courses: Courses,
    iframe_mode: None,
    axe_source: str,
    artifacts: Path,
) -> None:
    _course_page(page, moodle, courses.learner, courses.laicite)
    assert page.locator(f"script[src^='{service.url}']").count() == 0
    summary = page.locator(".local-mentorassistant-frame > summary")
    expect(summary).to_have_text("Une question ?")
    summary.focus()
    page.keyboard.press("Enter")
    frame = page.frame_locator(".local-mentorassistant-frame > iframe")
    answer = _ask(page, frame, QUESTION)
    expect(answer.locator("a.cite").first).to_be_visible()
    assert _axe(page, axe_source, artifacts, "moodle-course-iframe") == []
    page.screenshot(path=str(artifacts / "moodle-course-iframe-desktop.png"))
    _moodle_scripts_work(page)


def test_the_widget_speaks_the_learners_moodle_language(
    page: Any, browser: Any, moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    _course_page(page, moodle, courses.english, courses.laicite)
    expect(page.locator(f"{WIDGET} .launcher")).to_have_text("Any questions?")
    assert page.locator("html").get_attribute("lang") == "en"
    french = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        other = french.new_page()
        _course_page(other, moodle, courses.learner, courses.laicite)
        expect(other.locator(f"{WIDGET} .launcher")).to_have_text("Une question ?")
    finally:
        french.close()


@pytest.mark.parametrize("mode", ["script", "iframe"])
def test_a_page_open_past_its_tokens_lifetime_still_answers(
    page: Any, moodle: MoodleSite, service: Service, courses: Courses, mode: str
) -> None:
    moodle.configure_plugin(ttl=3, mode=mode)
    try:
        _course_page(page, moodle, courses.learner, courses.laicite)
        renewals: list[str] = []
        page.on(
            "request",
            lambda request: (
                renewals.append(request.url)
                if "/local/mentorassistant/token.php" in request.url
                else None
            ),
        )
        if mode == "script":
            page.locator(f"{WIDGET} .launcher").click()
            root: Any = page
        else:
            page.locator(".local-mentorassistant-frame > summary").click()
            root = page.frame_locator(".local-mentorassistant-frame > iframe")
            expect(root.locator(f"{WIDGET} #ma-input")).to_be_visible()
        time.sleep(4)
        answer = _ask(page, root, QUESTION)
        expect(answer.locator("a.cite").first).to_be_visible()
        assert renewals, "the widget did not ask Moodle for a new token"
        expect(root.locator(f"{WIDGET} .notice-box")).to_have_count(0)
    finally:
        moodle.configure_plugin(ttl=3600, mode="script")
