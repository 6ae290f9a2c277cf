"""A Moodle site as a source, in a real Moodle 4.5: the full sync, its faults, and the events
that keep the index in step with the courses.

The administrator's setup is the README's ("Index a Moodle site"): the plugin's CLI creates
the sync account and prints its token. Content is created through Moodle's own APIs (its
data generators and course/modlib.php), the task runner is run explicitly, and the service
is the real one, on a local port, reading the same index.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from assistant.app import create_app
from assistant.auth import Role, mint_token
from assistant.generators.extractive import ExtractiveGenerator
from assistant.service import AnswerService
from assistant.settings import Settings
from ingest.moodle.client import MoodleClient
from ingest.moodle.sync import module_uri, sync_site
from ingest.pipeline import SourceOutcome, Status
from knowledge.cli import EXIT_FAILURES, build_app
from knowledge.settings import EmbeddingProfile
from knowledge.types import Scope
from knowledge.wiring import open_knowledge
from tests.conftest import make_settings
from tests.loopback import Loopback
from tests.moodle.conftest import PLUGIN_SECRET
from tests.moodle.site import MoodleSite

pytestmark = pytest.mark.slow

PDF = "formats/fr_guide_installation_moodle_dolibarr.pdf"
SCORM = "formats/scorm12_fr_opale_dolibarr_casestudy.zip"
LAICITE, PARCOURS = "moodle-laicite-2026", "moodle-parcours-2026"
LATENCY = "moodle-latence-2026"
CREATE_ACCOUNT = "local/mentorassistant/cli/create_sync_account.php"
NOTIFY_TASK = "--classname=\\local_mentorassistant\\task\\notify_change"
EVENT_TIMEOUT = 120

# Two courses in two categories, every kind the sync reads, and what must stay out.
_CONTENT = r"""
require_once($CFG->libdir . '/testing/generator/lib.php');
$gen = new testing_data_generator();
$fs = get_file_storage();
$draft = function (string $path, string $name) use ($fs, $USER): int {
    $itemid = file_get_unused_draft_itemid();
    $fs->create_file_from_pathname(['contextid' => context_user::instance($USER->id)->id,
        'component' => 'user', 'filearea' => 'draft', 'itemid' => $itemid, 'filepath' => '/',
        'filename' => $name], $path);
    return $itemid;
};
$values = $gen->create_category(['name' => 'Valeurs de la République']);
$managers = $gen->create_category(['name' => 'Parcours managers']);
$laicite = $gen->create_course(['fullname' => 'Laïcité au travail', 'shortname' => 'laicite',
    'idnumber' => $params['laicite'], 'category' => $values->id,
    'summary' => '<p>Ce cours présente la laïcité dans la fonction publique.</p>']);
$page = $gen->create_module('page', ['course' => $laicite->id, 'section' => 1,
    'name' => 'Le principe de neutralité', 'intro' => '',
    'content' => '<p>Le badge orange ouvre la salle Condorcet au deuxième étage.</p>']);
$book = $gen->create_module('book', ['course' => $laicite->id, 'section' => 1,
    'name' => 'Guide de l’agent', 'intro' => '']);
$books = $gen->get_plugin_generator('mod_book');
$chapter = $books->create_chapter(['bookid' => $book->id, 'title' => 'Accueil du public',
    'content' => '<p>Le guichet d’accueil ouvre à huit heures trente.</p>']);
$books->create_chapter(['bookid' => $book->id, 'title' => 'Chapitre en préparation',
    'content' => '<p>Texte confidentiel du chapitre masqué.</p>', 'hidden' => 1]);
$label = $gen->create_module('label', ['course' => $laicite->id, 'section' => 1,
    'intro' => '<p>Rappel : la pause méridienne dure quarante-cinq minutes.</p>']);
$glossary = $gen->create_module('glossary', ['course' => $laicite->id, 'section' => 2,
    'name' => 'Lexique de la laïcité', 'intro' => '']);
$gen->get_plugin_generator('mod_glossary')->create_content($glossary, ['concept' => 'Neutralité',
    'definition' => '<p>Obligation faite à l’agent de ne pas manifester ses convictions.</p>']);
$resource = $gen->create_module('resource', ['course' => $laicite->id, 'section' => 2,
    'name' => 'Guide d’installation de Moodle', 'intro' => '',
    'files' => $draft($params['pdf'], 'guide-installation.pdf')]);
$hidden = $gen->create_module('page', ['course' => $laicite->id, 'section' => 2,
    'name' => 'Brouillon', 'visible' => 0, 'intro' => '',
    'content' => '<p>Le code du coffre est 4321.</p>']);
$quiz = $gen->create_module('quiz', ['course' => $laicite->id, 'section' => 3,
    'name' => 'Évaluation finale', 'showdescription' => 1,
    'intro' => '<p>Ce questionnaire vérifie vos acquis sur la neutralité.</p>']);
$parcours = $gen->create_course(['fullname' => 'Parcours des managers', 'shortname' => 'parcours',
    'idnumber' => $params['parcours'], 'category' => $managers->id]);
$scorm = $gen->create_module('scorm', ['course' => $parcours->id, 'section' => 1,
    'name' => 'Étude de cas Dolibarr', 'intro' => '',
    'packagefile' => $draft($params['scorm'], 'dolibarr.zip')]);
$link = $gen->create_module('url', ['course' => $parcours->id, 'section' => 1,
    'name' => 'Revoir : le principe de neutralité', 'intro' => '',
    'externalurl' => $CFG->wwwroot . '/mod/page/view.php?id=' . $page->cmid]);
echo json_encode(['laicite' => (int) $laicite->id, 'parcours' => (int) $parcours->id,
    'page' => (int) $page->cmid, 'book' => (int) $book->cmid, 'chapter' => (int) $chapter->id,
    'label' => (int) $label->cmid, 'glossary' => (int) $glossary->cmid,
    'resource' => (int) $resource->cmid, 'hidden' => (int) $hidden->cmid,
    'quiz' => (int) $quiz->cmid, 'scorm' => (int) $scorm->cmid, 'link' => (int) $link->cmid]);
"""

# A page's new content, through the same function as the activity's settings form.
_EDIT_PAGE = r"""
$cm = get_coursemodule_from_id('page', $params['cmid'], 0, false, MUST_EXIST);
$course = get_course($cm->course);
[$cm, $context, $module, $data, $cw] = get_moduleinfo_data($cm, $course);
$data->page = ['text' => $params['content'], 'format' => FORMAT_HTML, 'itemid' => 0];
$data->introeditor = ['text' => $data->intro, 'format' => $data->introformat, 'itemid' => 0];
$data->printintro = 0;
$data->printlastmodified = 0;
update_moduleinfo($cm, $data, $course);
"""


@dataclass(frozen=True, slots=True)
class Site:
    moodle: MoodleSite
    token: str
    ids: dict[str, int]

    def view(self, module: str, cmid_key: str) -> str:
        return f"{self.moodle.url}/mod/{module}/view.php?id={self.ids[cmid_key]}"


@pytest.fixture(scope="module")
def site(moodle: MoodleSite, shared_data: Path) -> Site:
    token = moodle.cli(CREATE_ACCOUNT).strip().splitlines()[-1]
    ids = moodle.php_json(
        _CONTENT,
        laicite=LAICITE,
        parcours=PARCOURS,
        pdf=str(shared_data / PDF),
        scorm=str(shared_data / SCORM),
    )
    return Site(moodle, token, ids)


def _ingest(settings: Settings, site: Site, *args: str, token: str | None = None) -> Any:
    env = {
        "MENTOR_DATA_DIR": str(settings.knowledge.data_dir),
        "MENTOR_EMBEDDING_PROFILE": "lite",
        "MENTOR_MOODLE_TOKEN": token or site.token,
    }
    command = ["ingest", "--moodle-url", site.moodle.url, *args]
    return CliRunner().invoke(build_app(), command, env=env)


@dataclass(frozen=True, slots=True)
class Synced:
    settings: Settings
    output: str
    seconds: float


@pytest.fixture(scope="module")
def synced(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Synced:
    settings = make_settings(tmp_path_factory.mktemp("moodle-index"))
    started = time.perf_counter()
    result = _ingest(settings, site)
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    return Synced(settings, result.output, seconds)


def _state(settings: Settings) -> tuple[dict[str, frozenset[str]], int]:
    """What the index holds: each source's chunk ids, and the number of points."""
    knowledge = open_knowledge(settings.knowledge)
    try:
        sources = {r.uri: r.chunk_ids for r in knowledge.catalog.sources()}
        return sources, knowledge.store.count()
    finally:
        knowledge.close()


# --- the full sync ------------------------------------------------------------------------


def test_each_kind_is_answerable_with_a_citation_to_its_activity(
    synced: Synced, site: Site
) -> None:
    questions = [
        ("Quelle salle ouvre le badge orange ?", "Condorcet", site.view("page", "page"), LAICITE),
        (
            "À quelle heure ouvre le guichet d'accueil ?",
            "huit heures trente",
            f"{site.view('book', 'book')}&chapterid={site.ids['chapter']}",
            LAICITE,
        ),
        (
            "Combien de temps dure la pause méridienne ?",
            "quarante-cinq minutes",
            f"{site.moodle.url}/course/view.php?id={site.ids['laicite']}#module-{site.ids['label']}",
            LAICITE,
        ),
        (
            "Quelle obligation la neutralité fait-elle à l’agent ?",
            "ne pas manifester ses convictions",
            site.view("glossary", "glossary"),
            LAICITE,
        ),
        (
            "Combien d'espace disque prévoir pour une configuration minimum de Moodle ?",
            "5Go",
            site.view("resource", "resource"),
            LAICITE,
        ),
        (
            "Combien sont facturés les productifs ?",
            "35€/heure",
            site.view("scorm", "scorm"),
            PARCOURS,
        ),
    ]
    assert "Résumé de l'indexation" in synced.output
    knowledge = open_knowledge(synced.settings.knowledge)
    try:
        service = AnswerService(knowledge, ExtractiveGenerator(), synced.settings)
        for question, fact, url, session in questions:
            scope = Scope(knowledge.catalog.expand_sessions({session}))
            answer = asyncio.run(service.answer(question, scope))
            cited = [c for c in answer.citations if c.url == url]
            assert cited, (question, [(c.title, c.url) for c in answer.citations])
            assert fact in " ".join(c.passage for c in cited), question
            assert cited[0].title and fact.split()[0] in answer.text, (question, answer.text)
    finally:
        knowledge.close()


def test_hidden_activities_chapters_and_quiz_content_stay_out(synced: Synced, site: Site) -> None:
    knowledge = open_knowledge(synced.settings.knowledge)
    try:
        chunks = list(knowledge.store.iter_chunks())
        uris = {r.uri for r in knowledge.catalog.sources()}
    finally:
        knowledge.close()
    text = "\n".join(chunk.text for chunk in chunks)
    assert "4321" not in text and "Texte confidentiel" not in text
    assert module_uri(site.moodle.url, site.ids["laicite"], site.ids["hidden"]) not in uris
    quiz = [c for c in chunks if c.source.endswith(f"/cm/{site.ids['quiz']}")]
    assert [c.text for c in quiz] == ["Ce questionnaire vérifie vos acquis sur la neutralité."]
    # Each course in its own session, its category as the collection.
    sessions = {(c.collection, c.session_ids) for c in chunks}
    assert sessions == {
        ("Valeurs de la République", (LAICITE,)),
        ("Parcours managers", (PARCOURS,)),
    }


def test_a_parcours_reaches_the_module_it_reuses_without_a_copy(synced: Synced) -> None:
    knowledge = open_knowledge(synced.settings.knowledge)
    try:
        reached = knowledge.catalog.expand_sessions({PARCOURS})
        badge = [c for c in knowledge.store.iter_chunks() if "badge orange" in c.text]
    finally:
        knowledge.close()
    assert reached == {PARCOURS, LAICITE}
    assert [c.session_ids for c in badge] == [(LAICITE,)]


class _Counting:
    def __init__(self) -> None:
        self.embedded = 0
        self.outcomes: list[SourceOutcome] = []

    def start(self, sources: int) -> None:
        pass

    def chunks_embedded(self, count: int) -> None:
        self.embedded += count

    def source_done(self, outcome: SourceOutcome) -> None:
        self.outcomes.append(outcome)


def test_sync_figures_with_the_index_open(site: Site, tmp_path: Path) -> None:
    """Full and unchanged sync as the service runs them (model loaded): printed figures."""
    settings = make_settings(tmp_path / "data")
    knowledge = open_knowledge(settings.knowledge)
    try:
        with MoodleClient(site.moodle.url, site.token) as client:
            first = sync_site(settings, client, knowledge=knowledge)
            second = sync_site(settings, client, knowledge=knowledge)
    finally:
        knowledge.close()

    assert not first.failed and second.count(Status.UNCHANGED) == len(second.outcomes)
    print(
        f"\nfull sync {first.seconds:.1f} s, {first.chunks} chunks "
        f"({first.chunks / first.seconds:.1f} chunks/s); unchanged re-sync "
        f"{second.seconds:.2f} s ({second.seconds / first.seconds:.1%} of the first)"
    )


def test_a_second_sync_of_an_unchanged_site_embeds_nothing(synced: Synced, site: Site) -> None:
    progress = _Counting()
    before = _state(synced.settings)
    started = time.perf_counter()
    with MoodleClient(site.moodle.url, site.token) as client:
        report = sync_site(synced.settings, client, progress=progress)
    seconds = time.perf_counter() - started

    assert report.count(Status.UNCHANGED) == len(report.outcomes) == len(before[0])
    assert progress.embedded == 0
    assert _state(synced.settings) == before
    # Figures for the closing note, not timed assertions.
    chunks = sum(len(ids) for ids in before[0].values())
    print(
        f"\nfull sync (CLI, model load included) {synced.seconds:.1f} s for {chunks} chunks "
        f"({chunks / synced.seconds:.1f} chunks/s); unchanged re-sync {seconds:.2f} s "
        f"({seconds / synced.seconds:.1%} of the first)"
    )


def test_bad_tokens_are_reported_per_course_and_delete_nothing(synced: Synced, site: Site) -> None:
    expired = site.moodle.cli(
        CREATE_ACCOUNT, "--username=mentor-sync-old", f"--validuntil={int(time.time()) - 60}"
    )
    # May call the web services, but not read courses.
    plain = site.moodle.create_user("mentor-sync-plain")
    weak = site.moodle.php_json(
        "$role = create_role('WS only', 'wsonly', '');"
        " assign_capability('webservice/rest:use', CAP_ALLOW, $role,"
        " context_system::instance()->id);"
        " role_assign($role, $params['user'], context_system::instance()->id);"
        " $service = $DB->get_record('external_services',"
        " ['shortname' => 'local_mentorassistant_sync'], '*', MUST_EXIST);"
        " echo json_encode(\\core_external\\util::generate_token(EXTERNAL_TOKEN_PERMANENT,"
        " $service, $params['user'], context_system::instance()));",
        user=plain.id,
    )
    before = _state(synced.settings)

    expired_run = _ingest(synced.settings, site, token=expired.strip().splitlines()[-1])
    weak_run = _ingest(synced.settings, site, token=weak)
    wrong = _ingest(synced.settings, site, token="0" * 32)

    for run in (expired_run, weak_run, wrong):
        assert run.exit_code == EXIT_FAILURES, run.output
        assert "moodle refused" in run.output, run.output
    # The weak account sees the courses' public face, never their content.
    assert "Laïcité au travail" in weak_run.output
    assert _state(synced.settings) == before


class _Outage(httpx.BaseTransport):
    """The network to Moodle, cut after a number of requests (Moodle goes down mid-sync)."""

    def __init__(self, after: int) -> None:
        self._real = httpx.HTTPTransport()
        self._left = after

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._left <= 0:
            raise httpx.ConnectError("connection refused", request=request)
        self._left -= 1
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


@pytest.mark.parametrize("after", [1, 3, 6, 12])
def test_moodle_going_down_mid_sync_loses_nothing(synced: Synced, site: Site, after: int) -> None:
    before = _state(synced.settings)

    with MoodleClient(site.moodle.url, site.token, transport=_Outage(after)) as client:
        report = sync_site(synced.settings, client)

    assert report.failed and all(o.reason == "moodle unreachable" for o in report.failed)
    assert report.count(Status.REMOVED) == 0
    assert _state(synced.settings) == before


def test_a_file_over_the_limit_is_reported_with_its_course_and_module(
    site: Site, tmp_path: Path
) -> None:
    limit = 200_000  # under the PDF and the SCORM package, over everything else
    settings = make_settings(tmp_path / "data", max_file_bytes=limit)

    with MoodleClient(site.moodle.url, site.token, max_file_bytes=limit) as client:
        report = sync_site(settings, client, courses=[LAICITE, PARCOURS])

    failed = {o.uri.rsplit("/", 1)[-1]: o for o in report.failed}
    assert set(failed) == {str(site.ids["resource"]), str(site.ids["scorm"])}
    assert all(o.reason == "too large" for o in failed.values())
    resource = failed[str(site.ids["resource"])].detail
    assert "Laïcité au travail" in resource and "Guide d’installation de Moodle" in resource
    assert "Parcours des managers" in failed[str(site.ids["scorm"])].detail
    assert report.count(Status.INDEXED) == len(report.outcomes) - 2


# --- events -------------------------------------------------------------------------------


@dataclass
class Service:
    url: str
    settings: Settings
    site: Site

    def support(self) -> dict[str, str]:
        token = mint_token(self.settings, "desk", (), Role.SUPPORT)
        return {"Authorization": f"Bearer {token}"}

    def status(self) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/api/moodle/events", headers=self.support())
        return dict(response.json())

    def search(self, query: str) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.url}/api/search",
            params={"q": query, "k": 5},
            headers=self.support(),
            timeout=60,
        )
        return list(response.json()["hits"])

    def run_tasks(self, *extra: str) -> str:
        return self.site.moodle.cli("admin/cli/adhoc_task.php", "--execute", NOTIFY_TASK, *extra)

    def until(self, done: Callable[[], bool]) -> dict[str, Any]:
        """Waits for ``done`` (the index shows a change); returns the events status then."""
        deadline = time.monotonic() + EVENT_TIMEOUT
        while time.monotonic() < deadline:
            if done():
                return self.status()
            time.sleep(0.2)
        raise AssertionError(f"the change never showed: {self.status()}, {self.search('x')}")

    def top(self, query: str) -> dict[str, Any]:
        """The best hit, or an empty one while the index has none to give."""
        return next(iter(self.search(query)), {"passage": "", "url": None})


def _service_settings(data_dir: Path, site: Site, **overrides: object) -> Settings:
    return make_settings(
        data_dir,
        jwt_secret=PLUGIN_SECRET,
        moodle_url=site.moodle.url,
        moodle_token=site.token,
        # The tests poll the search until a change shows.
        rate_limit_per_minute=100_000,
        **overrides,
    )


@contextlib.contextmanager
def _serve(settings: Settings, site: Site) -> Iterator[Service]:
    """The service on a local port, following the site; the plugin notifies it."""
    port = Loopback()
    with port.serving(create_app(settings, advertise_url=port.url)) as url:
        site.moodle.configure_plugin(serviceurl=url, secret=PLUGIN_SECRET)
        try:
            yield Service(url, settings, site)
        finally:
            site.moodle.configure_plugin(serviceurl="")


@pytest.fixture(scope="module")
def service(synced: Synced, site: Site) -> Iterator[Service]:
    with _serve(_service_settings(synced.settings.knowledge.data_dir, site), site) as live:
        yield live


def test_an_edit_is_answerable_after_its_event(service: Service, site: Site) -> None:
    question = "Quelle salle le badge orange ouvre-t-il depuis janvier ?"
    new_text = "<p>Depuis janvier, le badge orange ouvre aussi la salle Marianne.</p>"

    site.moodle.php(_EDIT_PAGE, cmid=site.ids["page"], content=new_text)
    output = service.run_tasks()
    status = service.until(lambda: "salle Marianne" in service.top(question)["passage"])

    assert "Adhoc task complete" in output, output
    assert status["last_failures"] == []
    assert service.top(question)["url"] == site.view("page", "page")
    print(f"\nevent to answerable (lite): {status['last_latency_seconds']:.2f} s")


def test_a_new_activity_is_answerable_after_its_event(service: Service, site: Site) -> None:
    question = "Quand la médiathèque ferme-t-elle le samedi ?"

    cmid = site.moodle.add_page(
        site.ids["laicite"], "Horaires", "<p>La médiathèque ferme le samedi à midi.</p>", 1
    )
    service.run_tasks()
    service.until(lambda: "samedi à midi" in service.top(question)["passage"])

    assert service.top(question)["url"] == f"{site.moodle.url}/mod/page/view.php?id={cmid}"


def test_a_deleted_activity_is_gone_after_its_event(service: Service, site: Site) -> None:
    question = "Combien de temps dure la pause méridienne ?"
    assert any("méridienne" in hit["passage"] for hit in service.search(question))

    site.moodle.php("course_delete_module($params['cmid']);", cmid=site.ids["label"])
    service.run_tasks()

    service.until(lambda: all("méridienne" not in h["passage"] for h in service.search(question)))


def test_a_notification_with_a_wrong_secret_changes_nothing_and_is_retried(
    service: Service, site: Site
) -> None:
    question = "Quelle salle ouvre le badge orange ?"
    batches = service.status()["batches"]
    site.moodle.configure_plugin(secret="x" * 48)
    try:
        site.moodle.php(
            _EDIT_PAGE, cmid=site.ids["page"], content="<p>Le badge orange ouvre la salle Rosa.</p>"
        )
        refused = service.run_tasks()
    finally:
        site.moodle.configure_plugin(secret=PLUGIN_SECRET)

    # The teacher's save went through; the notification was refused (401) and kept.
    assert "Adhoc task failed" in refused and "HTTP 401" in refused, refused
    assert service.status()["batches"] == batches
    assert "salle Marianne" in service.top(question)["passage"]
    retried = service.run_tasks("--failed")
    assert "Adhoc task complete" in retried, retried
    service.until(lambda: "salle Rosa" in service.top(question)["passage"])


def test_ingest_hands_a_moodle_sync_to_the_running_service(service: Service, site: Site) -> None:
    result = _ingest(service.settings, site)

    output = " ".join(result.output.split())
    assert result.exit_code == 0, output
    assert "Réindexé par le service" in output
    assert "0 indexées" in output and "0 en échec" in output


def test_the_nightly_task_asks_for_a_full_sync(service: Service, site: Site) -> None:
    batches = service.status()["batches"]

    output = site.moodle.cli(
        "admin/cli/scheduled_task.php", "--execute=\\local_mentorassistant\\task\\full_sync"
    )
    status = service.until(lambda: service.status()["batches"] > batches)

    assert "complete" in output.lower(), output
    assert status["last_failures"] == [] and status["last_removed"] == 0


# A page of typical length: a few paragraphs, three chunks or so.
_TYPICAL_PAGE = "".join(
    f"<h3>Étape {n}</h3><p>Pour la démarche numéro {n}, l’agent vérifie le dossier du demandeur, "
    "consulte les pièces justificatives, enregistre la demande dans l’application métier et "
    "informe l’usager du délai de traitement, qui ne dépasse pas quinze jours ouvrés. En cas "
    "de pièce manquante, il adresse un courrier type et suspend le délai jusqu’à réception."
    "</p>"
    for n in range(1, 8)
)


@pytest.mark.quality
def test_event_to_answerable_latency_with_the_default_profile(
    site: Site, tmp_path: Path, quality_models_dir: Path
) -> None:
    """A measurement for the closing note (EmbeddingGemma, the default profile), printed."""
    course = site.moodle.create_course("latence", idnumber=LATENCY)
    page = site.moodle.add_page(course, "Procédure d’accueil", _TYPICAL_PAGE, 1)
    # The creation's own notifications go out first, so that only the edit is measured.
    site.moodle.cli("admin/cli/adhoc_task.php", "--execute", NOTIFY_TASK)
    settings = _service_settings(
        tmp_path / "data",
        site,
        embedding_profile=EmbeddingProfile.QUALITY,
        models_dir=quality_models_dir,
    )
    knowledge = open_knowledge(settings.knowledge)
    try:
        with MoodleClient(site.moodle.url, site.token) as client:
            # The latency course only: the whole site takes minutes with EmbeddingGemma.
            first = sync_site(settings, client, courses=[LATENCY], knowledge=knowledge)
            again = sync_site(settings, client, courses=[LATENCY], knowledge=knowledge)
    finally:
        knowledge.close()
    assert not first.failed, first.failed
    assert again.count(Status.UNCHANGED) == len(again.outcomes)
    print(
        f"\ndefault profile: full sync {first.seconds:.1f} s, {first.chunks} chunks "
        f"({first.chunks / first.seconds:.1f} chunks/s); unchanged re-sync "
        f"{again.seconds:.2f} s ({again.seconds / first.seconds:.1%} of the first)"
    )
    question = "Quel est le délai de traitement pour la démarche numéro 8 ?"
    edited = _TYPICAL_PAGE + (
        "<h3>Étape 8</h3><p>Pour la démarche numéro 8, le délai de traitement est de "
        "trois semaines exactement.</p>"
    )
    with _serve(settings, site) as live:
        site.moodle.php(_EDIT_PAGE, cmid=page, content=edited)
        live.run_tasks()
        status = live.until(lambda: "trois semaines" in live.top(question)["passage"])
    print(
        f"\nevent to answerable (default profile, {len(_TYPICAL_PAGE)} characters): "
        f"{status['last_latency_seconds']:.2f} s, re-indexing {status['last_seconds']:.2f} s"
    )
