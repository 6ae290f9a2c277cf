"""local_mentorassistant in a real Moodle 4.5, seen over HTTP: what each user's pages carry,
and what the real service does with it."""

from __future__ import annotations

import html
import re
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import jwt
import pytest
import sqlalchemy as sa

from assistant.auth import verify_token
from assistant.errors import AuthError
from assistant.storage import Storage
from tests.conftest import with_overrides
from tests.moodle.conftest import LAICITE, PARCOURS, PLUGIN_SECRET, Courses, Service
from tests.moodle.site import MoodleSite, User, debug_output

pytestmark = pytest.mark.slow

TOKEN_IN_SCRIPT = re.compile(r'<script src="[^"]*/widget/mentor-assistant\.js"[^>]*>')
ANSWER_TIMEOUT = 120


def _tag_attributes(page: str) -> dict[str, str] | None:
    """The widget's script tag attributes on a Moodle page, or None without one."""
    tags = TOKEN_IN_SCRIPT.findall(page)
    assert len(tags) <= 1, tags
    if not tags:
        return None
    return {
        name: html.unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', tags[0])
    }


def _page_token(page: str) -> str | None:
    tag = _tag_attributes(page)
    if tag is not None:
        return tag["data-token"]
    frame = re.search(r'<iframe[^>]+src="([^"]+/widget/frame#[^"]+)"', page)
    if frame is None:
        return None
    fragment = parse_qs(urlsplit(html.unescape(frame.group(1))).fragment)
    return unquote(fragment["token"][0])


def _claims(token: str, moodle: MoodleSite) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        token, PLUGIN_SECRET, algorithms=["HS256"], audience="mentor-assistant", issuer=moodle.url
    )
    return claims


def _token_on(moodle: MoodleSite, user: User, path: str) -> str | None:
    with moodle.login(user.username, user.password) as client:
        page = client.get(path)
        assert page.status_code == 200, page.status_code
        assert debug_output(page.text) == []
        return _page_token(page.text)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_plugin_installs_cleanly_and_its_settings_page_speaks_french(
    moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    logged = moodle.server_log_size()
    assert "local_mentorassistant" in moodle.plugin_install_output
    assert debug_output(moodle.plugin_install_output) == []
    requires = moodle.php_json(
        "echo json_encode(core_plugin_manager::instance()"
        "->get_plugin_info('local_mentorassistant')->versionrequires);"
    )
    assert requires == 2022112800  # Moodle 4.1, Mentor's version today
    with moodle.login(courses.admin.username, courses.admin.password) as client:
        settings = client.get("/admin/settings.php?section=local_mentorassistant")
        course = client.get(f"/course/view.php?id={courses.laicite}")
    assert settings.status_code == 200 and course.status_code == 200
    assert debug_output(settings.text + course.text) == []
    text = html.unescape(settings.text)
    for french in (
        "Adresse du service",
        "Secret partagé",
        "Émetteur du jeton",
        "Tester la connexion",
    ):
        assert french in text
    # What the service needs for this Moodle, with this site's values.
    assert f"MENTOR_JWT_ISSUER='{moodle.url}'" in text
    assert f"""MENTOR_CORS_ORIGINS='["{moodle.url}"]'""" in text
    assert moodle.server_errors(logged) == []


def test_an_enrolled_learner_gets_a_token_for_that_course_only(
    moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    with moodle.login(courses.learner.username, courses.learner.password) as client:
        course = client.get(f"/course/view.php?id={courses.laicite}").text
        activity = client.get(f"/mod/page/view.php?id={courses.page}").text
    for page in (course, activity):
        tag = _tag_attributes(page)
        assert tag is not None and tag["data-session"] == LAICITE
        assert tag["src"] == f"{service.url}/widget/mentor-assistant.js"
        claims = _claims(tag["data-token"], moodle)
        assert claims["session_ids"] == [LAICITE]
        assert claims["role"] == "learner"
        # A pseudonym: neither the Moodle id, the username nor the address.
        assert re.fullmatch(r"moodle-[0-9a-f]{32}", claims["sub"])
        assert courses.learner.email not in tag["data-token"]
        assert claims["entity_domain"] == "interieur.gouv.fr"
        assert claims["exp"] - claims["iat"] == 3600
        principal = verify_token(tag["data-token"], PLUGIN_SECRET, service.settings)
        assert principal.session_ids == {LAICITE}
        # The service checks the issuer it was given (MENTOR_JWT_ISSUER).
        elsewhere = with_overrides(service.settings, jwt_issuer="https://autre-moodle.gouv.fr")
        with pytest.raises(AuthError):
            verify_token(tag["data-token"], PLUGIN_SECRET, elsewhere)
    assert (
        _claims(_page_token(course) or "", moodle)["sub"]
        == _claims(_page_token(activity) or "", moodle)["sub"]
    )


def test_answers_stay_in_the_course_and_a_parcours_reaches_what_it_reuses(
    moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    laicite = _token_on(moodle, courses.learner, f"/course/view.php?id={courses.laicite}")
    parcours = _token_on(
        moodle, courses.parcours_learner, f"/course/view.php?id={courses.parcours}"
    )
    assert laicite and parcours
    with httpx.Client(base_url=service.url, timeout=ANSWER_TIMEOUT) as api:
        answer = api.post(
            "/api/chat",
            json={"message": "Un agent public peut-il porter un signe religieux ?"},
            headers=_bearer(laicite),
        ).json()
        assert answer["citations"], answer
        # The parcours's own module on interviews never reaches the laïcité learner...
        hits = api.get(
            "/api/search", params={"q": "entretien professionnel annuel", "k": 20},
            headers=_bearer(laicite),
        ).json()["hits"]  # fmt: skip
        assert hits and all(PARCOURS not in hit["session_ids"] for hit in hits)
        # ...while the parcours learner reaches the laïcité module their parcours reuses.
        hits = api.get(
            "/api/search", params={"q": "neutralité de l'agent public", "k": 20},
            headers=_bearer(parcours),
        ).json()["hits"]  # fmt: skip
        assert any(LAICITE in hit["session_ids"] for hit in hits)
        assert api.get("/api/search", params={"q": "laïcité"}, headers=_bearer(laicite)).is_success


def test_nobody_else_gets_a_token_and_staff_get_their_documented_roles(
    moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    course = f"/course/view.php?id={courses.laicite}"
    # Logged out: Moodle sends the visitor to the login page, which has no token.
    with httpx.Client(base_url=moodle.url, follow_redirects=True, timeout=60) as anonymous:
        page = anonymous.get(course)
        assert "/login/index.php" in str(page.url) and _page_token(page.text) is None
        assert _page_token(anonymous.get("/").text) is None
    # A guest, let into the course by its guest access.
    moodle.php(
        "$plugin = enrol_get_plugin('guest');"
        " $instance = $DB->get_record('enrol', ['courseid' => $params['course'],"
        " 'enrol' => 'guest'], '*', MUST_EXIST);"
        " $plugin->update_status($instance, ENROL_INSTANCE_ENABLED);",
        course=courses.laicite,
    )
    with moodle.login("guest", "guest") as guest:
        page = guest.get(course)
        assert page.status_code == 200 and f"id={courses.laicite}" in page.text
        assert _page_token(page.text) is None
    # Not enrolled: sent to the enrolment page; without the capability: no token.
    assert _token_on(moodle, courses.outsider, course) is None
    assert _token_on(moodle, courses.barred, course) is None
    # A course without the session id field set shows no assistant.
    assert _token_on(moodle, courses.barred, f"/course/view.php?id={courses.unindexed}") is None
    # Staff: the service's roles, documented in classes/access.php and the README.
    roles = {
        user.username: _claims(_token_on(moodle, user, course) or "", moodle)
        for user in (courses.teacher, courses.editor, courses.manager, courses.admin)
    }
    assert roles["teacher"]["role"] == "learner"
    assert roles["editor"]["role"] == "designer"
    assert roles["manager"]["role"] == "support"
    assert roles["admin2"]["role"] == "support"
    assert all(claims["session_ids"] == [LAICITE] for claims in roles.values())


def test_outside_courses_a_learner_gets_global_knowledge_only(
    moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    token = _token_on(moodle, courses.learner, "/my/")
    assert token is not None
    claims = _claims(token, moodle)
    assert claims["session_ids"] == [] and claims["role"] == "learner"
    assert _claims(_token_on(moodle, courses.learner, "/user/profile.php") or "", moodle)
    with httpx.Client(base_url=service.url, timeout=ANSWER_TIMEOUT) as api:
        hits = api.get(
            "/api/search", params={"q": "neutralité de l'agent public laïcité", "k": 20},
            headers=_bearer(token),
        ).json()["hits"]  # fmt: skip
        assert hits and all(hit["session_ids"] == [] for hit in hits)
        answer = api.post(
            "/api/chat", json={"message": "Je n'arrive pas à me connecter"},
            headers=_bearer(token),
        ).json()  # fmt: skip
        assert answer["answer"]
    # The login page: never a token; a help link once the administrator sets one.
    moodle.configure_plugin(loginhelpurl="https://mentor.gouv.fr/faq")
    try:
        with httpx.Client(base_url=moodle.url, timeout=60) as anonymous:
            login = anonymous.get("/login/index.php").text
        assert _page_token(login) is None and "/widget/frame" not in login
        assert 'href="https://mentor.gouv.fr/faq"' in login
        assert "Vous n’arrivez pas à vous connecter ? Consultez l’aide" in login
    finally:
        moodle.configure_plugin(loginhelpurl="")
    # The administrator can keep the assistant to courses.
    moodle.configure_plugin(sitepages=0)
    try:
        assert _token_on(moodle, courses.learner, "/my/") is None
    finally:
        moodle.configure_plugin(sitepages=1)


def test_a_page_kept_open_renews_its_token_and_an_expired_one_is_refused(
    moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    moodle.configure_plugin(ttl=2)
    try:
        with moodle.login(courses.learner.username, courses.learner.password) as client:
            page = client.get(f"/course/view.php?id={courses.laicite}").text
            tag = _tag_attributes(page)
            assert tag is not None
            time.sleep(3)
            with pytest.raises(AuthError, match="expiré"):
                verify_token(tag["data-token"], PLUGIN_SECRET, service.settings)
            refused = httpx.get(
                f"{service.url}/api/search", params={"q": "laïcité"},
                headers=_bearer(tag["data-token"]),
            )  # fmt: skip
            assert refused.status_code == 401
            renewed = client.post(tag["data-renew"])
            assert renewed.status_code == 200
            fresh = renewed.json()["token"]
            assert _claims(fresh, moodle)["session_ids"] == [LAICITE]
            assert verify_token(fresh, PLUGIN_SECRET, service.settings).session_ids == {LAICITE}
            # Without the page's sesskey, or signed out, Moodle renews nothing.
            forged = tag["data-renew"].split("&sesskey=")[0] + "&sesskey=forged"
            assert "token" not in _renewal(client, forged)
            client.get("/login/logout.php", params={"sesskey": _sesskey(page)})
            assert "token" not in _renewal(client, tag["data-renew"])
    finally:
        moodle.configure_plugin(ttl=3600)


def _renewal(client: httpx.Client, url: str) -> dict[str, Any]:
    """What token.php answers (an AJAX script: an error is JSON too)."""
    body: dict[str, Any] = client.post(url).json()
    return body


def _sesskey(page: str) -> str:
    match = re.search(r'"sesskey":"([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_a_privacy_deletion_request_deletes_the_learners_conversations_in_the_service(
    moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    user = moodle.create_user("forgotten", email="claude.leroy@interieur.gouv.fr")
    moodle.enrol(user.id, courses.laicite)
    token = _token_on(moodle, user, f"/course/view.php?id={courses.laicite}")
    assert token is not None
    subject = _claims(token, moodle)["sub"]
    with httpx.Client(base_url=service.url, timeout=ANSWER_TIMEOUT) as api:
        answer = api.post(
            "/api/chat", json={"message": "Qu'est-ce que la laïcité ?"}, headers=_bearer(token)
        ).json()
        rated = api.post(
            "/api/feedback", json={"answer_id": answer["answer_id"], "rating": "up"},
            headers=_bearer(token),
        )  # fmt: skip
        assert rated.is_success
    counts = _rows_of(service, subject)
    assert counts == {"conversations": 1, "feedback": 1}
    # Moodle's own deletion workflow: a request, approved, processed by its task.
    moodle.php(
        "$request = \\tool_dataprivacy\\api::create_data_request($params['user'],"
        " \\tool_dataprivacy\\api::DATAREQUEST_TYPE_DELETE);"
        " \\tool_dataprivacy\\api::update_request_status($request->get('id'),"
        " \\tool_dataprivacy\\api::DATAREQUEST_STATUS_AWAITING_APPROVAL);"
        " \\tool_dataprivacy\\api::approve_data_request($request->get('id'));",
        user=user.id,
    )
    moodle.cli("admin/cli/adhoc_task.php", "--execute")
    status = moodle.php_json(
        "$requests = \\tool_dataprivacy\\api::get_data_requests($params['user']);"
        " echo json_encode(array_values(array_map(fn($r) => (int) $r->get('status'), $requests)));",
        user=user.id,
    )
    assert status == [
        moodle.php_json("echo json_encode(\\tool_dataprivacy\\api::DATAREQUEST_STATUS_DELETED);")
    ]
    assert _rows_of(service, subject) == {"conversations": 0, "feedback": 0}
    # The other learners' conversations are still there.
    other = _token_on(moodle, courses.learner, f"/course/view.php?id={courses.laicite}") or ""
    assert _claims(other, moodle)["sub"] != subject


def _rows_of(service: Service, user_id: str) -> dict[str, int]:
    storage = Storage(service.settings.assistant_db_path)
    try:
        with storage.engine.connect() as db:
            return {
                table: db.execute(
                    sa.text(f"SELECT COUNT(*) FROM {table} WHERE user_id = :user"),
                    {"user": user_id},
                ).scalar_one()
                for table in ("conversations", "feedback")
            }
    finally:
        storage.close()


def test_the_desk_routes_tickets_by_the_learners_ministry(
    moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    references = {}
    for user, course in (
        (courses.learner, courses.laicite),
        (courses.parcours_learner, courses.parcours),
    ):
        token = _token_on(moodle, user, f"/course/view.php?id={course}")
        assert token is not None
        assert "@" not in str(_claims(token, moodle))  # never the address itself
        with httpx.Client(base_url=service.url, timeout=ANSWER_TIMEOUT) as api:
            answer = api.post(
                "/api/chat", json={"message": "Je ne trouve pas mon attestation de formation"},
                headers=_bearer(token),
            ).json()  # fmt: skip
            ticket = api.post(
                "/api/tickets", json={"answer_id": answer["answer_id"]}, headers=_bearer(token)
            )
            assert ticket.status_code == 201, ticket.text
            references[user.username] = ticket.json()["ticket"]
    entities = {}
    deadline = time.monotonic() + ANSWER_TIMEOUT
    storage = Storage(service.settings.assistant_db_path)
    try:
        while len(entities) < 2 and time.monotonic() < deadline:
            for ticket in storage.tickets.matching():
                if ticket.reference in references.values() and ticket.entity:
                    entities[ticket.reference] = ticket.entity
            time.sleep(0.5)
    finally:
        storage.close()
    assert entities[references["learner"]] == "Ministère de l'Intérieur"
    assert entities[references["parcours"]] == "Ministère de la Justice"


def test_test_the_connection_tells_the_administrator_in_french(
    moodle: MoodleSite, service: Service, courses: Courses
) -> None:
    with moodle.login(courses.admin.username, courses.admin.password) as client:
        good = html.unescape(client.get("/local/mentorassistant/testconnection.php").text)
        assert debug_output(good) == []
        assert f"Le service répond à l’adresse {service.url}" in good
        assert "le secret partagé, l’audience et l’émetteur correspondent" in good
        moodle.configure_plugin(secret="x" * 48)
        try:
            wrong = html.unescape(client.get("/local/mentorassistant/testconnection.php").text)
        finally:
            moodle.configure_plugin(secret=PLUGIN_SECRET)
        assert "refuse les jetons de ce site (HTTP 401)" in wrong
        moodle.configure_plugin(serviceurl="http://127.0.0.1:9")
        try:
            down = html.unescape(client.get("/local/mentorassistant/testconnection.php").text)
        finally:
            moodle.configure_plugin(serviceurl=service.url)
        assert "Le service ne répond pas à l’adresse http://127.0.0.1:9" in down
