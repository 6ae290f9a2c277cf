"""A Moodle site as a source: courses and their modules through the web services.

Each course is one outline source (name, summary, sections and what they hold) and one
source per visible module, so that an event re-indexes just that module. A module is skipped
when its fingerprint (what the web services say about it: times, sizes, text, plus the
pipeline key) is the one committed: an unchanged site costs the listing calls and no file
download and no embedding. What Moodle no longer lists is removed, but only when Moodle
answered: a course or module that could not be fetched keeps what the index holds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ingest.errors import IngestError, TooLargeError
from ingest.loaders import is_supported, load_source
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.metadata import child_id, make_document, prefixed
from ingest.loaders.common.text import clean_inline
from ingest.loaders.html import html_sections
from ingest.moodle.client import MoodleClient
from ingest.moodle.errors import MoodleResponseError
from ingest.moodle.settings import SessionField
from ingest.pipeline import IngestReport, Progress, SourceOutcome, SourceWriter, Status, writing
from ingest.settings import IngestSettings
from knowledge.types import Document, Kind, Section
from knowledge.wiring import Knowledge

# Modules whose content the sync reads, with the function giving their instance records.
# Any other module (quiz, assignment, forum…) gives its name and description and nothing
# more: the pedagogical guard keeps questions and answers out of the index.
INSTANCE_FUNCTIONS = {
    "page": ("mod_page_get_pages_by_courses", "pages"),
    "book": ("mod_book_get_books_by_courses", "books"),
    "glossary": ("mod_glossary_get_glossaries_by_courses", "glossaries"),
    "resource": ("mod_resource_get_resources_by_courses", "resources"),
    "folder": ("mod_folder_get_folders_by_courses", "folders"),
    "url": ("mod_url_get_urls_by_courses", "urls"),
    "label": ("mod_label_get_labels_by_courses", "labels"),
    "scorm": ("mod_scorm_get_scorms_by_courses", "scorms"),
}
GLOSSARY_PAGE = 200
# Web-service calls in flight at once: Moodle serves them in parallel, the sync waits less.
FETCHERS = 4
# Every function the sync calls: the plugin's external service lists exactly these
# (widget/moodle/local_mentorassistant/db/services.php; a test checks that they agree).
FUNCTIONS = (
    "core_webservice_get_site_info",
    "core_course_get_courses_by_field",
    "core_course_get_contents",
    "core_course_get_course_module",
    "mod_glossary_get_entries_by_letter",
    *(function for function, _ in INSTANCE_FUNCTIONS.values()),
)
# Fields of a module that change without its content changing (a learner's completion).
_VOLATILE = frozenset({"completiondata", "activitybadge", "afterlink", "onclick", "dates"})
_OUTLINE = "outline"


@dataclass(frozen=True, slots=True)
class Course:
    id: int
    # None: the sync account may not read it (an under-privileged token); "": empty.
    session_id: str | None
    name: str
    category: str
    summary: str
    visible: bool
    url: str

    @property
    def session(self) -> str:
        """The session id of a course being indexed (only those with one are planned)."""
        assert self.session_id, "a course without a session id is never planned"
        return self.session_id


@dataclass(frozen=True, slots=True)
class CourseChange:
    """What an event says changed: a course, and which of its modules (none: the course)."""

    course_id: int
    module_ids: frozenset[int] = frozenset()


@dataclass
class _Module:
    course: Course
    raw: Mapping[str, Any]
    section: str
    instance: Mapping[str, Any] | None
    uri: str

    @property
    def id(self) -> int:
        return int(self.raw["id"])

    @property
    def modname(self) -> str:
        return str(self.raw.get("modname") or "")

    @property
    def name(self) -> str:
        return clean_inline(str(self.raw.get("name") or self.modname))

    def where(self) -> str:
        return (
            f"cours « {self.course.name} » ({self.course.session_id}), "
            f"module « {self.name} » ({self.modname} {self.id})"
        )


@dataclass
class _Plan:
    """One course as Moodle gave it: what to index, and what must be kept though unread."""

    course: Course
    modules: list[_Module] = field(default_factory=list)
    failures: list[SourceOutcome] = field(default_factory=list)
    outline: Document | None = None
    reuses: set[str] = field(default_factory=set)
    # Module types whose instance records could not be read: their modules stay as indexed.
    unread_types: set[str] = field(default_factory=set)
    links_known: bool = False


def site_key(url: str) -> str:
    parts = urlsplit(url.rstrip("/"))
    return f"moodle://{parts.netloc}{parts.path}"


def course_prefix(url: str, course_id: int) -> str:
    return f"{site_key(url)}/course/{course_id}/"


def module_uri(url: str, course_id: int, module_id: int) -> str:
    return f"{course_prefix(url, course_id)}cm/{module_id}"


def sync_site(
    settings: IngestSettings,
    client: MoodleClient,
    *,
    session_field: SessionField = "idnumber",
    courses: Sequence[str] = (),
    progress: Progress | None = None,
    knowledge: Knowledge | None = None,
) -> IngestReport:
    """Index the site's courses (or those whose session id is in ``courses``)."""
    started = time.perf_counter()
    with writing(settings, knowledge, progress=progress) as writer:
        report = _Sync(writer, client, session_field).full(courses)
    report.seconds = time.perf_counter() - started
    return report


def sync_changes(
    writer: SourceWriter,
    client: MoodleClient,
    changes: Iterable[CourseChange],
    *,
    session_field: SessionField = "idnumber",
) -> IngestReport:
    """Re-index what events named: the modules, or the whole course when none is named."""
    started = time.perf_counter()
    report = _Sync(writer, client, session_field).changes(changes)
    report.seconds = time.perf_counter() - started
    return report


class _Sync:
    def __init__(self, writer: SourceWriter, client: MoodleClient, session_field: str) -> None:
        self.writer = writer
        self.client = client
        self.session_field = session_field
        self.site = site_key(client.url)
        self._sessions: dict[int, str | None] = {}

    # --- the two entry points -------------------------------------------------------------

    def full(self, wanted: Sequence[str]) -> IngestReport:
        report = IngestReport()
        try:
            courses = self._list_courses(wanted, report)
        except IngestError as error:
            report.outcomes.append(_failed(self.site, error))
            self.writer.progress.start(0)
            return report
        indexable = [course for course in courses if self._indexable(course, report)]
        # Reading is waiting on Moodle: courses are read side by side, the index written alone.
        with ThreadPoolExecutor(FETCHERS) as pool:
            read = list(pool.map(lambda course: self._read(course, None), indexable))
        plans = []
        for plan, outcomes in read:
            report.outcomes += outcomes
            if plan is not None:
                plans.append(plan)
        # A course missing from the listing is removed only when every listed course could be
        # read: an account that cannot read some courses may well not see others at all.
        if not wanted and not report.failed:
            listed = {course.id for course in courses}
            report.outcomes += self._remove_courses_except(listed)
        self._index(plans, report, only=None)
        self.writer.reconcile()
        return report

    def changes(self, changes: Iterable[CourseChange]) -> IngestReport:
        report = IngestReport()
        by_course: dict[int, set[int] | None] = {}
        for change in changes:
            current = by_course.get(change.course_id, set())
            if current is None or not change.module_ids:
                by_course[change.course_id] = None
            else:
                by_course[change.course_id] = current | set(change.module_ids)
        plans: list[tuple[_Plan, set[int] | None]] = []
        for course_id, only in by_course.items():
            try:
                course = self._course_by_id(course_id)
            except IngestError as error:
                report.outcomes.append(_failed(course_prefix(self.client.url, course_id), error))
                continue
            if course is None:
                # Moodle answered that the course is gone (or hidden from the sync account).
                report.outcomes += self._remove_course(course_id)
                continue
            if not self._indexable(course, report):
                continue
            plan, outcomes = self._read(course, only)
            report.outcomes += outcomes
            if plan is not None:
                plans.append((plan, only))
        for plan, only in plans:
            self._index([plan], report, only=only)
        return report

    # --- courses --------------------------------------------------------------------------

    def _list_courses(self, wanted: Sequence[str], report: IngestReport) -> list[Course]:
        # One call first that every valid token may make: a wrong URL, an HTML page or a
        # bad token fails here, clearly, before anything else.
        self.client.call("core_webservice_get_site_info")
        if not wanted:
            answer = self.client.call("core_course_get_courses_by_field")
            return [c for raw in answer.get("courses", []) if (c := self._course(raw))]
        courses = []
        for session in wanted:
            answer = self.client.call(
                "core_course_get_courses_by_field", field=self.session_field, value=session
            )
            found = [c for raw in answer.get("courses", []) if (c := self._course(raw, session))]
            if not found:
                report.outcomes.append(
                    SourceOutcome(
                        f"{self.site}/course?{self.session_field}={session}",
                        Status.FAILED,
                        reason="not found",
                        detail=f"aucun cours visible par le compte de synchronisation n'a "
                        f"« {session} » pour {self.session_field}",
                    )
                )
            courses += found
        return courses

    def _course_by_id(self, course_id: int) -> Course | None:
        answer = self.client.call("core_course_get_courses_by_field", field="id", value=course_id)
        found = [c for raw in answer.get("courses", []) if (c := self._course(raw))]
        return found[0] if found else None

    def _course(self, raw: Mapping[str, Any], asked: str | None = None) -> Course | None:
        """``asked``: the session id the course was looked up by, when it was."""
        if raw.get("format") == "site":
            return None  # the front page
        course_id = int(raw["id"])
        if self.session_field in raw:
            session: str | None = str(raw[self.session_field] or "").strip()
        else:
            # Moodle only tells a course's ID number to those who may edit the course.
            session = asked
        self._sessions[course_id] = session or None
        return Course(
            id=course_id,
            session_id=session,
            name=clean_inline(str(raw.get("fullname") or raw.get("shortname") or course_id)),
            category=clean_inline(str(raw.get("categoryname") or "")) or "Moodle",
            summary=str(raw.get("summary") or ""),
            visible=bool(raw.get("visible", 1)),
            url=f"{self.client.url}/course/view.php?id={course_id}",
        )

    def _remove_courses_except(self, listed: set[int]) -> list[SourceOutcome]:
        prefix = f"{self.site}/course/"
        gone = set()
        for record in self.writer.catalog.sources():
            if record.uri.startswith(prefix):
                course_id = record.uri[len(prefix) :].split("/", 1)[0]
                if course_id.isdigit() and int(course_id) not in listed:
                    gone.add(int(course_id))
        return [outcome for course_id in sorted(gone) for outcome in self._remove_course(course_id)]

    def _remove_course(self, course_id: int) -> list[SourceOutcome]:
        return self._remove_under(course_prefix(self.client.url, course_id), keep=set())

    def _remove_under(self, prefix: str, keep: set[str]) -> list[SourceOutcome]:
        uris = [r.uri for r in self.writer.catalog.sources() if r.uri.startswith(prefix)]
        removed = [self.writer.remove(uri) for uri in uris if uri not in keep]
        return [outcome for outcome in removed if outcome is not None]

    # --- reading one course -----------------------------------------------------------------

    def _indexable(self, course: Course, report: IngestReport) -> bool:
        """Whether the course is to be read; a course Moodle says is hidden or without a
        session id is removed from the index (here, on the writing thread)."""
        prefix = course_prefix(self.client.url, course.id)
        where = f"cours « {course.name} » (id {course.id})"
        if course.session_id is None:
            report.outcomes.append(
                SourceOutcome(
                    prefix,
                    Status.FAILED,
                    reason="moodle refused",
                    detail=f"{where} : le compte de synchronisation ne voit pas son champ "
                    f"{self.session_field} (rôle sans moodle/course:update ?)",
                )
            )
            return False
        if not course.session_id:
            report.outcomes.append(
                SourceOutcome(
                    prefix,
                    Status.FAILED,
                    reason="no session id",
                    detail=f"{where} : son champ {self.session_field} est vide, il n'est pas "
                    "indexé (l'assistant ne s'y affiche pas non plus)",
                )
            )
            report.outcomes += self._remove_course(course.id)
            return False
        if not course.visible:
            report.outcomes += self._remove_course(course.id)
            return False
        return True

    def _read(
        self, course: Course, only: set[int] | None
    ) -> tuple[_Plan | None, list[SourceOutcome]]:
        """What Moodle says about the course: web-service calls only, nothing written."""
        prefix = course_prefix(self.client.url, course.id)
        where = f"cours « {course.name} » (id {course.id})"
        try:
            sections = self.client.call("core_course_get_contents", courseid=course.id)
        except IngestError as error:
            return None, [_failed(prefix, error, where)]
        plan = _Plan(course)
        visible: list[tuple[str, Mapping[str, Any]]] = []
        outline: list[Section] = list(html_sections(course.summary, ())) if course.summary else []
        for section in sections:
            name = clean_inline(str(section.get("name") or "")) or "Généralités"
            if not section.get("visible", 1) or section.get("uservisible") is False:
                continue
            summary = str(section.get("summary") or "")
            outline += html_sections(summary, (name,)) if summary else []
            listed = []
            for raw in section.get("modules", []):
                if _shown(raw):
                    visible.append((name, raw))
                    if raw.get("modname") != "label":
                        listed.append(f"- {clean_inline(str(raw.get('name')))} ({raw['modname']})")
            if listed:
                outline.append(Section("\n".join(listed), (name,)))
        plan.outline = make_document(
            source=prefix + _OUTLINE,
            document_id=prefix + _OUTLINE,
            title=course.name,
            sections=outline,
            options=self._options(course),
            default_kind=Kind.COURSE,
            url=course.url,
            metadata={"course": course.name, "moodle_course": course.id},
        )
        # An event names a few modules: only their types' records are fetched.
        wanted = {raw["modname"] for _, raw in visible if only is None or int(raw["id"]) in only}
        instances = self._instances(course, wanted, plan)
        # The parcours links are known when every URL module of the course was read.
        has_links = any(raw.get("modname") == "url" for _, raw in visible)
        plan.links_known = "url" in instances or not has_links
        for name, raw in visible:
            module = _Module(
                course=course,
                raw=raw,
                section=name,
                instance=instances.get(str(raw.get("modname")), {}).get(int(raw["id"])),
                uri=module_uri(self.client.url, course.id, int(raw["id"])),
            )
            if only is None or module.id in only:
                plan.modules.append(module)
            if module.modname == "url" and module.instance:
                target = self._linked_session(str(module.instance.get("externalurl") or ""))
                if target and target != course.session_id:
                    plan.reuses.add(target)
        return plan, []

    def _instances(
        self, course: Course, modnames: set[str], plan: _Plan
    ) -> dict[str, dict[int, Mapping[str, Any]]]:
        """Instance records by module type and course module id; a failed type is reported
        once and its modules are kept as they are in the index."""
        instances: dict[str, dict[int, Mapping[str, Any]]] = {}
        types = sorted(modnames & INSTANCE_FUNCTIONS.keys())

        def fetch(modname: str) -> Any:
            try:
                return self.client.call(INSTANCE_FUNCTIONS[modname][0], courseids=[course.id])
            except IngestError as error:
                return error

        with ThreadPoolExecutor(FETCHERS) as pool:
            answers = dict(zip(types, pool.map(fetch, types), strict=True))
        for modname in types:
            key = INSTANCE_FUNCTIONS[modname][1]
            answer = answers[modname]
            if isinstance(answer, IngestError):
                where = f"cours « {course.name} » ({course.session_id}), modules {modname}"
                plan.failures.append(
                    _failed(course_prefix(self.client.url, course.id), answer, where)
                )
                plan.unread_types.add(modname)
                continue
            instances[modname] = {int(r["coursemodule"]): r for r in answer.get(key, [])}
        return instances

    def _linked_session(self, link: str) -> str | None:
        """The session of the course a parcours link points to, on this same site."""
        if not link.startswith(self.client.url + "/"):
            return None
        parts = urlsplit(link)
        query = parse_qs(parts.query)
        ident = (query.get("id") or [""])[0]
        if not ident.isdigit():
            return None
        try:
            if parts.path.endswith("/course/view.php"):
                course_id = int(ident)
            elif parts.path.endswith("/view.php") and "/mod/" in parts.path:
                answer = self.client.call("core_course_get_course_module", cmid=int(ident))
                course_id = int(answer["cm"]["course"])
            else:
                return None
            if course_id not in self._sessions:
                self._course_by_id(course_id)
        except (IngestError, KeyError, TypeError, ValueError):
            return None
        return self._sessions.get(course_id)

    # --- writing --------------------------------------------------------------------------

    def _index(self, plans: list[_Plan], report: IngestReport, only: set[int] | None) -> None:
        progress = self.writer.progress
        progress.start(sum(len(plan.modules) + 1 for plan in plans))
        for plan in plans:
            course = plan.course
            prefix = course_prefix(self.client.url, course.id)
            outline_uri = prefix + _OUTLINE
            if plan.links_known:
                self.writer.catalog.link_session(course.session, plan.reuses, outline_uri)
            outcome = self._index_outline(outline_uri, plan.outline)
            report.outcomes.append(outcome)
            progress.source_done(outcome)
            report.outcomes += plan.failures
            # Modules whose type could not be read stay as they are; so does a failed one.
            keep = {outline_uri} | {m.uri for m in plan.modules}
            for module in plan.modules:
                if module.modname in plan.unread_types:
                    continue  # reported once for its type, in plan.failures
                outcome = self._index_module(module)
                report.outcomes.append(outcome)
                progress.source_done(outcome)
            if only is None:
                report.outcomes += self._remove_under(prefix, keep)
            else:
                present = {m.id for m in plan.modules}
                for module_id in only - present:
                    removed = self.writer.remove(module_uri(self.client.url, course.id, module_id))
                    if removed is not None:
                        report.outcomes.append(removed)

    def _index_outline(self, uri: str, outline: Document | None) -> SourceOutcome:
        if outline is None:
            return self.writer.remove(uri) or SourceOutcome(uri, Status.UNCHANGED)
        digest = self.writer.fingerprint(outline.content_hash)
        return self.writer.index(uri, digest, lambda: [outline])

    def _index_module(self, module: _Module) -> SourceOutcome:
        if module.modname in INSTANCE_FUNCTIONS and module.instance is None:
            # Listed by get_contents but not by its type's function: the account may not
            # read it. Reported, and what the index holds stays.
            return SourceOutcome(
                module.uri,
                Status.FAILED,
                reason="moodle refused",
                detail=f"{module.where()} : absent de la réponse de "
                f"{INSTANCE_FUNCTIONS[module.modname][0]} (droits du compte ?)",
            )
        try:
            extra = self._glossary_entries(module) if module.modname == "glossary" else []
        except IngestError as error:
            return _failed(module.uri, error, module.where())
        digest = self.writer.fingerprint(
            json.dumps(
                [
                    {k: v for k, v in module.raw.items() if k not in _VOLATILE},
                    module.instance,
                    extra,
                    module.section,
                    module.course.session_id,
                    module.course.category,
                ],
                sort_keys=True,
                default=str,
            )
        )
        outcome = self.writer.index(module.uri, digest, lambda: self._documents(module, extra))
        if outcome.status is Status.FAILED and module.where() not in outcome.detail:
            outcome = replace(outcome, detail=f"{module.where()} : {outcome.detail}")
        return outcome

    def _glossary_entries(self, module: _Module) -> list[Mapping[str, Any]]:
        assert module.instance is not None
        entries: list[Mapping[str, Any]] = []
        while True:
            answer = self.client.call(
                "mod_glossary_get_entries_by_letter",
                id=int(module.instance["id"]),
                letter="ALL",
                **{"from": len(entries)},
                limit=GLOSSARY_PAGE,
            )
            page = answer.get("entries", [])
            entries += page
            if not page or len(entries) >= int(answer.get("count", 0)):
                return entries

    # --- documents of one module ----------------------------------------------------------

    def _options(self, course: Course) -> LoadOptions:
        limits = self.writer.settings.limits
        return LoadOptions(
            collection=course.category,
            session_ids=(course.session,),
            kind=Kind.COURSE,
            max_member_bytes=limits.max_file_bytes,
            max_archive_bytes=limits.max_archive_bytes,
            max_archive_ratio=limits.max_archive_ratio,
        )

    def _documents(self, module: _Module, extra: list[Mapping[str, Any]]) -> list[Document]:
        options = self._options(module.course)
        path = (module.section, module.name)
        instance = module.instance or {}
        url = str(module.raw.get("url") or "") or (
            f"{module.course.url}#module-{module.id}"  # labels have no page of their own
        )
        intro = str(instance.get("intro") or module.raw.get("description") or "")
        sections = html_sections(intro, path) if intro else []
        files: list[Document] = []
        modname = module.modname
        if modname == "page":
            sections += html_sections(str(instance.get("content") or ""), path)
        elif modname == "url" and (link := str(instance.get("externalurl") or "")):
            sections.append(Section(f"Lien : {link}", path))
        elif modname == "glossary":
            sections += _glossary_sections(extra, path)
        elif modname == "book":
            files += self._chapters(module, options, url)
        elif modname in ("resource", "folder"):
            files += self._files(module, options, url)
        elif modname == "scorm" and (package := str(instance.get("packageurl") or "")):
            data = self.client.download(package, module.where())
            source = SourceFile(f"{module.uri}!/package.zip", "package.zip", data)
            files += [_placed(d, path, url) for d in load_source(source, options)]
        taken = {d.document_id for d in files}
        main = make_document(
            source=module.uri,
            document_id=child_id(module.uri, "module", taken),
            title=module.name,
            sections=sections,
            options=options,
            default_kind=Kind.COURSE,
            url=url,
            metadata=_metadata(module),
        )
        # An activity with nothing but its name (a bare forum) has no document of its own:
        # the course outline lists it.
        return ([main] if main else []) + files

    def _chapters(self, module: _Module, options: LoadOptions, url: str) -> list[Document]:
        """One document per visible chapter, linked to the chapter's own page."""
        contents = list(module.raw.get("contents") or [])
        structure = next((c for c in contents if c.get("filename") == "structure"), None)
        chapters = (
            _flatten_chapters(json.loads(structure.get("content") or "[]")) if structure else []
        )
        files = {str(c.get("filepath")): c for c in contents if c.get("filename") == "index.html"}
        documents: list[Document] = []
        taken: set[str] = set()
        for chapter_id, title, parent, hidden in chapters:
            entry = files.get(f"/{chapter_id}/")
            if hidden or entry is None:
                continue
            where = f"{module.where()}, chapitre « {title} »"
            html = self.client.download(str(entry["fileurl"]), where).decode("utf-8", "replace")
            heading = (module.section, module.name, *((parent,) if parent else ()), title)
            document = make_document(
                source=module.uri,
                document_id=child_id(module.uri, f"chapter-{chapter_id}", taken),
                title=f"{module.name} — {title}",
                sections=html_sections(html, heading),
                options=options,
                default_kind=Kind.COURSE,
                url=f"{url}&chapterid={chapter_id}" if "?" in url else url,
                metadata={**_metadata(module), "chapter": title},
            )
            if document:
                documents.append(document)
        return documents

    def _files(self, module: _Module, options: LoadOptions, url: str) -> list[Document]:
        documents: list[Document] = []
        for entry in module.raw.get("contents") or []:
            name = str(entry.get("filename") or "")
            if entry.get("type") != "file" or not is_supported(name) or not entry.get("fileurl"):
                continue
            path = f"{str(entry.get('filepath') or '/').strip('/')}/{name}".lstrip("/")
            where = f"{module.where()}, fichier « {path} »"
            size = int(entry.get("filesize") or 0)
            if size > options.max_member_bytes:
                raise _too_large(where, size, options.max_member_bytes)
            data = self.client.download(str(entry["fileurl"]), where)
            source = SourceFile(f"{module.uri}!/{path}", name, data)
            placed = (module.section, module.name)
            for document in load_source(source, options):
                if module.modname == "resource":
                    # The activity's name is what learners see, not the file's.
                    document = replace(document, title=module.name)
                documents.append(_placed(document, placed, url))
        return documents


def _too_large(where: str, size: int, limit: int) -> IngestError:
    return TooLargeError(where, f"{size} bytes, over the {limit} limit (MENTOR_MAX_FILE_BYTES)")


def _shown(raw: Mapping[str, Any]) -> bool:
    """Visible to learners on the course page. Hidden and stealth modules are not indexed:
    the assistant must not reveal what the course does not show."""
    return (
        bool(raw.get("visible", 1))
        and bool(raw.get("visibleoncoursepage", 1))
        and raw.get("uservisible") is not False
        and bool(raw.get("modname"))
    )


def _metadata(module: _Module) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "course": module.course.name,
        "module": module.modname,
        "section": module.section,
        "moodle_course": module.course.id,
        "moodle_module": module.id,
    }
    if module.raw.get("availability"):
        # Availability restrictions (dates, groups, completion) are per learner; the index is
        # per session, so a restricted module is indexed and only flagged (README).
        metadata["restricted"] = True
    return metadata


def _placed(document: Document, path: tuple[str, ...], url: str) -> Document:
    return replace(prefixed(document, path), url=url, content_hash="")


def _glossary_sections(
    entries: Iterable[Mapping[str, Any]], path: tuple[str, ...]
) -> list[Section]:
    sections = []
    for entry in entries:
        concept = clean_inline(str(entry.get("concept") or ""))
        if not concept or not entry.get("approved", 1):
            continue
        definition = "\n\n".join(
            s.text for s in html_sections(str(entry.get("definition") or ""), ())
        )
        if definition:
            # The term opens the text, as a question does in a FAQ entry.
            sections.append(Section(f"{concept}\n{definition}", (*path, concept)))
    return sections


def _flatten_chapters(
    structure: Sequence[Mapping[str, Any]], parent: str = ""
) -> list[tuple[str, str, str, bool]]:
    """(chapter id, title, parent title, hidden) in book order, from the book's structure."""
    chapters = []
    for item in structure:
        chapter_id = str(item.get("href") or "").split("/", 1)[0]
        title = clean_inline(str(item.get("title") or ""))
        chapters.append((chapter_id, title, parent, bool(int(item.get("hidden") or 0))))
        chapters += _flatten_chapters(item.get("subitems") or [], title)
    return chapters


def _failed(uri: str, error: IngestError, where: str = "") -> SourceOutcome:
    detail = f"{where} : {error.detail}" if where else error.detail
    if isinstance(error, MoodleResponseError) and not where:
        detail = f"{error.source} : {error.detail}"
    return SourceOutcome(uri, Status.FAILED, reason=error.reason, detail=detail)
