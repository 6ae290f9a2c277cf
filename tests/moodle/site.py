"""A real, throwaway Moodle 4.5 for the tests, and a small API to drive it.

`provision()` gives a running site: its own PostgreSQL cluster, data root, `php -S` server on a
free port, the French language pack, developer debugging forced on, and our plugin copied into
`local/mentorassistant` and installed by Moodle's own upgrade.

Installing Moodle takes about 2 minutes on 2 cores and installing the plugin about 1 more
(the upgrade walks the whole admin tree), so both results are kept under
~/.cache/mentor-assistant/moodle/: `<key>` (source tree, cluster, data root of a fresh site;
key = the tarball's and language pack's sha256 + RECIPE) and `<key>-plugin-<hash of the
plugin's files>` (cluster and data root after the plugin's install, with what the upgrade
printed). A run restores them in seconds; a changed plugin is installed again from the fresh
site, so each snapshot shows a clean first install.

Everything a test creates goes through Moodle's own APIs (`MoodleSite.php()` runs a CLI
snippet after `config.php`, as the admin user), never by writing Moodle's tables.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import REPO_ROOT
from tests.pgcluster import Cluster, free_port, own, server_binary


def _shared_moodle() -> Path:
    """../shared/moodle beside the repo root; in a git worktree, beside the main checkout."""
    beside = REPO_ROOT.parent / "shared" / "moodle"
    dot_git = REPO_ROOT / ".git"
    if beside.is_dir() or not dot_git.is_file():
        return beside
    # A worktree's .git file reads "gitdir: <main>/.git/worktrees/<name>".
    gitdir = Path(dot_git.read_text(encoding="utf-8").split(":", 1)[1].strip())
    main_checkout = gitdir.parent.parent.parent
    return main_checkout.parent / "shared" / "moodle"


SHARED_MOODLE = _shared_moodle()
TARBALL = "moodle-4.5.6.tar.gz"
LANGPACK = "moodle-langpack-fr-4.5.tar.gz"
PLUGIN = REPO_ROOT / "widget" / "moodle" / "local_mentorassistant"
# Bump when what the snapshot holds changes (install options, language, site settings).
RECIPE = "1"
ADMIN_USER = "admin"
ADMIN_PASSWORD = "Admin-1234!"
DB_USER, DB_PASSWORD, DB_NAME = "moodleuser", "moodlepass", "moodle"
# Debian's default of 1000 fails Moodle's environment check.
PHP_FLAGS = ("-d", "max_input_vars=5000", "-d", "memory_limit=512M")
# The server also caches compiled scripts (the CLI default is off): pages render ~3x faster.
SERVER_FLAGS = (*PHP_FLAGS, "-d", "opcache.enable_cli=1", "-d", "opcache.validate_timestamps=1")
SERVER_WORKERS = "4"
START_TIMEOUT = 60
KEPT_PLUGIN_SNAPSHOTS = 4
IN_USE_SECONDS = 3 * 3600
SITE_ENV = "MENTOR_MOODLE_SITE"
# What Moodle prints for a debugging() call or a PHP warning/notice/deprecation shown on a page.
DEBUG_OUTPUT = re.compile(
    r'class="[^"]*debuggingmessage|<b>(?:Warning|Notice|Deprecated|Fatal error)</b>:'
    r"|^(?:PHP )?(?:Warning|Notice|Deprecated|Fatal error): ",
    re.MULTILINE,
)


class MoodleError(RuntimeError):
    """A Moodle CLI script or page did not do what it was asked."""


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mentor-assistant" / "moodle"


def php_binary() -> str | None:
    return shutil.which("php")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(
    command: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise MoodleError(
            f"{' '.join(command[:4])}… exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout + done.stderr


def _config_php(www: Path) -> None:
    """Moodle's config.php, reading this run's address, data root and database port from the
    JSON file named by $MENTOR_MOODLE_SITE: one source tree serves every site restored from a
    snapshot, so a run copies only its data root and cluster."""
    (www / "config.php").write_text(
        f"""<?php
unset($CFG);
global $CFG;
$CFG = new stdClass();
$site = json_decode(file_get_contents(getenv('{SITE_ENV}')), true);
$CFG->dbtype = 'pgsql';
$CFG->dblibrary = 'native';
$CFG->dbhost = '127.0.0.1';
$CFG->dbname = '{DB_NAME}';
$CFG->dbuser = '{DB_USER}';
$CFG->dbpass = '{DB_PASSWORD}';
$CFG->prefix = 'mdl_';
$CFG->dboptions = ['dbpersist' => 0, 'dbport' => $site['dbport']];
$CFG->wwwroot = $site['wwwroot'];
$CFG->dataroot = $site['dataroot'];
$CFG->admin = 'admin';
$CFG->directorypermissions = 02777;
// Developer debugging, shown on the page: the tests fail on any of it.
$CFG->debug = 32767;
$CFG->debugdisplay = 1;
$CFG->noemailever = true;
require_once(__DIR__ . '/lib/setup.php');
""",
        encoding="utf-8",
    )


def _site_env(root: Path, dataroot: Path, db_port: int, wwwroot: str) -> dict[str, str]:
    """Writes one run's values for config.php; returns the environment that points at them."""
    site_file = root / "site.json"
    site_file.write_text(
        json.dumps({"dataroot": str(dataroot), "dbport": db_port, "wwwroot": wwwroot}),
        encoding="utf-8",
    )
    return {**os.environ, SITE_ENV: str(site_file)}


def _build_snapshot(source: Path, snapshot: Path) -> None:
    """Installs Moodle from the tarball (no plugin of ours) and keeps the stopped result."""
    staging = snapshot.with_name(snapshot.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="mentor-moodle-build-"))
    work.chmod(0o755)
    cluster = Cluster(work / "pg" / "data", work / "sock", work / "pg" / "log")
    try:
        www, dataroot = staging / "www", staging / "moodledata"
        www.mkdir()
        dataroot.mkdir()
        _run(["tar", "-xzf", str(source / TARBALL), "-C", str(www), "--strip-components=1"])
        cluster.init("postgres")
        cluster.start()
        psql = server_binary("psql") or "psql"
        base = [psql, "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-q"]
        _run([*base, "-c", f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{DB_PASSWORD}'"])
        _run(
            [*base, "-c", f"CREATE DATABASE {DB_NAME} OWNER {DB_USER} ENCODING 'UTF8' "
             "TEMPLATE template0"]
        )  # fmt: skip
        php = php_binary() or "php"
        _run(
            [
                php, *PHP_FLAGS, "admin/cli/install.php", "--non-interactive", "--agree-license",
                "--lang=en", "--wwwroot=http://127.0.0.1:9", f"--dataroot={dataroot}",
                "--dbtype=pgsql", "--dbhost=127.0.0.1", f"--dbport={cluster.port}",
                f"--dbname={DB_NAME}", f"--dbuser={DB_USER}", f"--dbpass={DB_PASSWORD}",
                "--fullname=Mentor (tests)", "--shortname=Mentor", f"--adminuser={ADMIN_USER}",
                f"--adminpass={ADMIN_PASSWORD}", "--adminemail=admin@example.org",
            ],
            cwd=www,
        )  # fmt: skip
        (dataroot / "lang").mkdir(exist_ok=True)
        with tarfile.open(source / LANGPACK) as pack:
            pack.extractall(dataroot / "lang", filter="data")
        # Mentor is a French site: French by default, English for whoever picks it.
        _run([php, *PHP_FLAGS, "admin/cli/cfg.php", "--name=lang", "--set=fr"], cwd=www)
        cluster.stop("fast")
        # Written again at each restore, with that run's ports and paths.
        (www / "config.php").unlink()
        for regenerated in ("cache", "localcache", "sessions", "temp", "lock", "trashdir"):
            shutil.rmtree(dataroot / regenerated, ignore_errors=True)
        _run(["cp", "-a", str(cluster.data), str(staging / "pgdata")])  # keeps its owner
        staging.rename(snapshot)
    finally:
        with contextlib.suppress(Exception):
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)


def _plugin_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(PLUGIN.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(PLUGIN)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _restore(root: Path, state_from: Path) -> tuple[Path, Cluster]:
    """Copies a snapshot's data root and cluster into `root` and starts the cluster."""
    dataroot = root / "moodledata"
    cluster = Cluster(root / "pg" / "data", root / "sock", root / "pg" / "log")
    _run(["cp", "-a", str(state_from / "moodledata"), str(dataroot)])
    (root / "pg").mkdir()
    own(root / "pg")
    _run(["cp", "-a", str(state_from / "pgdata"), str(cluster.data)])  # keeps its owner
    cluster.start()
    return dataroot, cluster


def _build_plugin_snapshot(base: Path, snapshot: Path) -> None:
    """The fresh site with our plugin copied into local/ and installed by Moodle's upgrade
    (about a minute: the upgrade walks the whole admin tree), kept with what it printed."""
    staging = snapshot.with_name(snapshot.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    root = Path(tempfile.mkdtemp(prefix="mentor-moodle-build-"))
    root.chmod(0o755)
    cluster: Cluster | None = None
    try:
        www = staging / "www"
        # Hard links: Moodle never writes to its source tree, so 300 MB cost no copy.
        _run(["cp", "-al", str(base / "www"), str(www)])
        shutil.copytree(PLUGIN, www / "local" / "mentorassistant")
        _config_php(www)
        dataroot, cluster = _restore(root, base)
        env = _site_env(root, dataroot, cluster.port, "http://127.0.0.1:9")
        output = _run([php_binary() or "php", *PHP_FLAGS, "admin/cli/upgrade.php",
                       "--non-interactive"], cwd=www, env=env)  # fmt: skip
        cluster.stop("fast")
        _run(["cp", "-a", str(dataroot), str(staging / "moodledata")])
        _run(["cp", "-a", str(cluster.data), str(staging / "pgdata")])
        (staging / "upgrade-output.txt").write_text(output, encoding="utf-8")
        staging.rename(snapshot)
    finally:
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
        if staging.exists():
            _run(["rm", "-rf", str(staging)])


def _prune(cache: Path, key: str) -> None:
    """Each branch's plugin has its own snapshot: keep the few used last, and any used in
    the last hours (a test run elsewhere may be serving from it)."""
    snapshots = sorted(
        (p for p in cache.glob(f"{key}-plugin-*") if not p.name.endswith(".building")),
        key=lambda p: p.stat().st_mtime,
    )
    for stale in snapshots[:-KEPT_PLUGIN_SNAPSHOTS]:
        if time.time() - stale.stat().st_mtime > IN_USE_SECONDS:
            _run(["rm", "-rf", str(stale)])


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    password: str
    email: str


class MoodleSite:
    """A running Moodle. `url` is its wwwroot; `admin_user`/`admin_password` sign in as the
    site administrator; `plugin_install_output` is what Moodle's upgrade printed when it
    installed our plugin."""

    admin_user = ADMIN_USER
    admin_password = ADMIN_PASSWORD

    def __init__(
        self, root: Path, www: Path, dataroot: Path, url: str, env: dict[str, str]
    ) -> None:
        self.root, self.www, self.dataroot, self.url = root, www, dataroot, url
        # Every PHP process of this site finds its config through this environment.
        self.env = env
        self.server_log = root / "server.log"
        self.plugin_install_output = ""

    # --- Moodle's CLI -------------------------------------------------------------------
    def cli(self, script: str, *args: str) -> str:
        """Runs one of Moodle's CLI scripts (`admin/cli/upgrade.php`, ...); returns its output."""
        return _run([php_binary() or "php", *PHP_FLAGS, script, *args], cwd=self.www, env=self.env)

    def php(self, code: str, **params: Any) -> str:
        """Runs PHP `code` after Moodle's config.php, as the site administrator, and returns
        what it printed. `params` arrive JSON-decoded in the array `$params`; the course,
        user and module libraries are loaded. Example:
        `site.php("echo get_config('core', 'lang');")`."""
        script = self.root / f"snippet-{secrets.token_hex(6)}.php"
        script.write_text(
            "<?php\ndefine('CLI_SCRIPT', true);\n"
            f"require({json.dumps(str(self.www / 'config.php'))});\n"
            "require_once($CFG->dirroot . '/course/lib.php');\n"
            "require_once($CFG->dirroot . '/course/modlib.php');\n"
            "require_once($CFG->dirroot . '/user/lib.php');\n"
            "require_once($CFG->libdir . '/enrollib.php');\n"
            "\\core\\session\\manager::set_user(get_admin());\n"
            "$params = json_decode($argv[1], true);\n" + code + "\n",
            encoding="utf-8",
        )
        try:
            return _run(
                [php_binary() or "php", *PHP_FLAGS, str(script), json.dumps(params)],
                cwd=self.www,
                env=self.env,
            )
        finally:
            script.unlink()

    def php_json(self, code: str, **params: Any) -> Any:
        """Like php(), for a snippet that echoes one JSON value: returns it decoded (any other
        output, a PHP notice included, makes it fail)."""
        output = self.php(code, **params)
        try:
            return json.loads(output)
        except json.JSONDecodeError as error:
            raise MoodleError(f"not JSON: {output!r}") from error

    def cfg(self, name: str, value: str | int, component: str | None = None) -> None:
        """Sets one setting with Moodle's `admin/cli/cfg.php`."""
        args = [f"--name={name}", f"--set={value}"]
        if component:
            args.insert(0, f"--component={component}")
        self.cli("admin/cli/cfg.php", *args)

    def configure_plugin(self, **settings: str | int) -> None:
        """Sets local_mentorassistant settings (`serviceurl=..., mode="iframe"`)."""
        for name, value in settings.items():
            self.cfg(name, value, "local_mentorassistant")

    def upgrade(self) -> str:
        """Moodle's upgrade (installs or upgrades our plugin); returns its output."""
        return self.cli("admin/cli/upgrade.php", "--non-interactive")

    def purge_caches(self) -> None:
        self.cli("admin/cli/purge_caches.php")

    # --- content, through Moodle's own APIs ----------------------------------------------
    def create_course(self, shortname: str, idnumber: str = "", fullname: str = "") -> int:
        """create_course() in the default category; returns the course id."""
        return int(
            self.php_json(
                "$course = create_course((object) ['shortname' => $params['shortname'],"
                " 'fullname' => $params['fullname'], 'idnumber' => $params['idnumber'],"
                " 'category' => core_course_category::get_default()->id]);"
                " echo json_encode($course->id);",
                shortname=shortname,
                idnumber=idnumber,
                fullname=fullname or shortname,
            )
        )

    def course_for_session(self, shortname: str, idnumber: str, fullname: str = "") -> int:
        """The course whose ID number is `idnumber` (a session of the sample corpus), created
        if the site has none yet: the site is shared by the whole test session, and an ID
        number is unique in Moodle."""
        existing = self.php_json(
            "echo json_encode($DB->get_field('course', 'id',"
            " ['idnumber' => $params['idnumber']]));",
            idnumber=idnumber,
        )
        if existing:
            return int(existing)
        return self.create_course(shortname, idnumber, fullname)

    def create_user(
        self,
        username: str,
        *,
        email: str | None = None,
        lang: str = "fr",
        password: str = "Mentor-1234!",
        **fields: str,
    ) -> User:
        """user_create_user() with a manual account; extra `fields` are user table fields
        (firstname, lastname, institution, department, ...)."""
        email = email or f"{username}@example.org"
        user_id = self.php_json(
            "$user = (object) array_merge(['firstname' => 'Prénom', 'lastname' => 'Nom'],"
            " $params['fields'], ['username' => $params['username'],"
            " 'password' => $params['password'], 'email' => $params['email'],"
            " 'lang' => $params['lang'], 'auth' => 'manual', 'confirmed' => 1,"
            " 'mnethostid' => $CFG->mnet_localhost_id]);"
            " echo json_encode(user_create_user($user, true, false));",
            username=username,
            password=password,
            email=email,
            lang=lang,
            fields=fields,
        )
        return User(int(user_id), username, password, email)

    def enrol(self, user_id: int, course_id: int, role: str = "student") -> None:
        """enrol_try_internal_enrol(): a manual enrolment with a role (student,
        editingteacher, teacher, manager)."""
        enrolled = self.php_json(
            "$role = $DB->get_record('role', ['shortname' => $params['role']], '*', MUST_EXIST);"
            " echo json_encode(enrol_try_internal_enrol($params['course'], $params['user'],"
            " $role->id));",
            user=user_id,
            course=course_id,
            role=role,
        )
        if not enrolled:
            raise MoodleError(f"could not enrol user {user_id} in course {course_id}")

    def assign_system_role(self, user_id: int, role: str) -> None:
        """role_assign() at the system level (e.g. manager of the whole site)."""
        self.php(
            "$role = $DB->get_record('role', ['shortname' => $params['role']], '*', MUST_EXIST);"
            " role_assign($role->id, $params['user'], context_system::instance()->id);",
            user=user_id,
            role=role,
        )

    def make_site_admin(self, user_id: int) -> None:
        self.php(
            "$admins = explode(',', $CFG->siteadmins); $admins[] = $params['user'];"
            " set_config('siteadmins', implode(',', array_unique($admins)));",
            user=user_id,
        )

    def set_capability(
        self, capability: str, role: str, permission: str, course_id: int | None = None
    ) -> None:
        """role_change_permission() for `role` in a course (or the system): permission is
        allow, prevent, prohibit or inherit."""
        self.php(
            "$role = $DB->get_record('role', ['shortname' => $params['role']], '*', MUST_EXIST);"
            " $context = $params['course'] ? context_course::instance($params['course'])"
            " : context_system::instance();"
            " $permission = ['allow' => CAP_ALLOW, 'prevent' => CAP_PREVENT,"
            " 'prohibit' => CAP_PROHIBIT, 'inherit' => CAP_INHERIT][$params['permission']];"
            " role_change_permission($role->id, $context, $params['capability'], $permission);",
            capability=capability,
            role=role,
            permission=permission,
            course=course_id,
        )

    def add_page(self, course_id: int, name: str, content: str, section: int = 0) -> int:
        """A Page activity, by create_module(); returns its course-module id."""
        return int(
            self.php_json(
                "$info = create_module((object) ['modulename' => 'page',"
                " 'course' => $params['course'], 'section' => $params['section'],"
                " 'visible' => 1, 'name' => $params['name'], 'content' => $params['content'],"
                " 'contentformat' => FORMAT_HTML, 'display' => 5, 'printintro' => 0,"
                " 'printlastmodified' => 0,"
                " 'introeditor' => ['text' => '', 'format' => FORMAT_HTML, 'itemid' => 0]]);"
                " echo json_encode($info->coursemodule);",
                course=course_id,
                name=name,
                content=content,
                section=section,
            )
        )

    # --- the web side --------------------------------------------------------------------
    @contextlib.contextmanager
    def login(self, username: str, password: str) -> Iterator[httpx.Client]:
        """An HTTP client signed in through Moodle's login form (with its logintoken):
        `with site.login(user, password) as client: client.get("/my/")`."""
        with httpx.Client(base_url=self.url, follow_redirects=True, timeout=60) as client:
            form = client.get("/login/index.php")
            match = re.search(r'name="logintoken" value="([^"]+)"', form.text)
            if match is None:
                raise MoodleError("no logintoken on the login page")
            signed_in = client.post(
                "/login/index.php",
                data={"username": username, "password": password, "logintoken": match.group(1)},
            )
            if "/login/index.php" in str(signed_in.url):
                raise MoodleError(f"could not sign in as {username}")
            yield client

    def browser_login(self, page: Any, username: str, password: str) -> None:
        """Signs a Playwright page in through the login form."""
        page.goto(f"{self.url}/login/index.php")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("#loginbtn")
        # A good password goes through /login/index.php?testsession=<id> (Moodle's cookie
        # check) before the page asked for: waiting for one navigation, then reading the URL,
        # read that step as a failure on a slow box. Signed in is off the login page; a bad
        # password stays on it with Moodle's error.
        signed_in = page.locator("body:not(#page-login-index)")
        refused = page.locator("#page-login-index .alert-danger")
        signed_in.or_(refused).first.wait_for(timeout=60_000)
        if "/login/index.php" in page.url:
            raise MoodleError(f"could not sign in as {username}")

    def server_log_size(self) -> int:
        return self.server_log.stat().st_size

    def server_errors(self, since: int = 0) -> list[str]:
        """PHP warnings, notices and errors the web server logged after offset `since`."""
        with self.server_log.open(encoding="utf-8", errors="replace") as log:
            log.seek(since)
            return [line for line in log if DEBUG_OUTPUT.search(line.split("] ", 1)[-1])]


def debug_output(text: str) -> list[str]:
    """The debugging messages and PHP warnings/notices in a page or a CLI script's output."""
    return [
        text[max(0, found.start() - 80) : found.end() + 200]
        for found in DEBUG_OUTPUT.finditer(text)
    ]


@dataclass(frozen=True, slots=True)
class Provisioned:
    site: MoodleSite
    seconds: float
    # What this run had to do first: install Moodle (~2 min) and/or the plugin (~1 min).
    installed_moodle: bool
    installed_plugin: bool


@contextlib.contextmanager
def provision(source: Path = SHARED_MOODLE) -> Iterator[Provisioned]:
    """A running site with our plugin installed, restored from the snapshots (built first
    when missing); everything is stopped and removed on exit."""
    started = time.monotonic()
    key = f"{_sha256(source / TARBALL)[:16]}-{_sha256(source / LANGPACK)[:8]}-r{RECIPE}"
    cache = cache_root()
    cache.mkdir(parents=True, exist_ok=True)
    base, with_plugin = cache / key, cache / f"{key}-plugin-{_plugin_hash()}"
    root = Path(tempfile.mkdtemp(prefix="mentor-moodle-"))
    root.chmod(0o755)  # the postgres user reaches its data folder through it
    cluster: Cluster | None = None
    server: subprocess.Popen[bytes] | None = None
    try:
        # One lock for building, pruning and copying: concurrent runs wait for each other.
        with (cache / f"{key}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            installed_moodle = not base.is_dir()
            if installed_moodle:
                _build_snapshot(source, base)
            installed_plugin = not with_plugin.is_dir()
            if installed_plugin:
                _build_plugin_snapshot(base, with_plugin)
            os.utime(with_plugin)
            _prune(cache, key)
            dataroot, cluster = _restore(root, with_plugin)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = _site_env(root, dataroot, cluster.port, url)
        site = MoodleSite(root, with_plugin / "www", dataroot, url, env)
        site.plugin_install_output = (with_plugin / "upgrade-output.txt").read_text("utf-8")
        # The caches hold the snapshot's address (theme CSS URLs): rebuilt for this one.
        site.purge_caches()
        with site.server_log.open("wb") as log:
            server = subprocess.Popen(
                [
                    php_binary() or "php",
                    *SERVER_FLAGS,
                    "-S",
                    f"127.0.0.1:{port}",
                    "-t",
                    str(site.www),
                ],
                cwd=site.www,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**env, "PHP_CLI_SERVER_WORKERS": SERVER_WORKERS},
                # Its own process group: the workers outlive a signal to the parent alone.
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{url}/login/index.php", timeout=30).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise MoodleError(f"the Moodle server did not start: {site.server_log.read_text()}")
            time.sleep(0.2)
        yield Provisioned(site, time.monotonic() - started, installed_moodle, installed_plugin)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
