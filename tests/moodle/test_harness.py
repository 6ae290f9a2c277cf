"""The harness itself: the site is a real Moodle 4.5 in French, driven through its APIs."""

from __future__ import annotations

import pytest

from tests.moodle.site import MoodleSite, debug_output

pytestmark = pytest.mark.slow


def test_the_site_runs_moodle_45_with_french_and_our_plugin(moodle: MoodleSite) -> None:
    facts = moodle.php_json(
        "echo json_encode(['release' => $CFG->release, 'lang' => $CFG->lang,"
        " 'langs' => array_keys(get_string_manager()->get_list_of_translations()),"
        " 'plugin' => get_config('local_mentorassistant', 'version'),"
        " 'debug' => (int) $CFG->debug]);"
    )
    assert facts["release"].startswith("4.5.6")
    assert facts["lang"] == "fr" and {"en", "fr"} <= set(facts["langs"])
    assert facts["plugin"]
    assert facts["debug"] == 32767
    assert "local_mentorassistant" in moodle.plugin_install_output
    assert debug_output(moodle.plugin_install_output) == []


def test_courses_users_and_enrolments_go_through_moodles_apis(moodle: MoodleSite) -> None:
    course = moodle.create_course("harness-course", idnumber="harness-2025")
    learner = moodle.create_user("harness-learner")
    moodle.enrol(learner.id, course)
    page = moodle.add_page(course, "Harness page", "<p>Contenu</p>")
    with moodle.login(learner.username, learner.password) as client:
        view = client.get(f"/course/view.php?id={course}")
        assert view.status_code == 200 and "Harness page" in view.text
        activity = client.get(f"/mod/page/view.php?id={page}")
        assert "Contenu" in activity.text
        assert debug_output(view.text + activity.text) == []
