"""Moodle course backups (.mbz, tar.gz or the older zip form).

Yields the course outline (name, summary, sections and what they hold), one document per
visible activity (its description plus what the module adds: page content, book chapters,
glossary entries, SCORM/IMS package pages), and the files of resources and folders, each
through its own loader. Real backups miss files and fields: those are skipped, never fatal.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from lxml import etree

from ingest.errors import CorruptFileError, EncodingError, EncryptedFileError
from ingest.loaders import scorm
from ingest.loaders.archive import Archive, open_archive
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.metadata import child_id, course_options, make_document, prefixed
from ingest.loaders.common.nested import Nested
from ingest.loaders.common.text import clean_inline, clean_text, title_from_name
from ingest.loaders.common.xml import parse_xml
from ingest.loaders.html import html_sections
from knowledge.types import Document, Kind, Section

logger = logging.getLogger(__name__)

_NULL = "$@NULL@$"
# Moodle text formats stored as plain text (2) or Markdown (4); 0 and 1 may hold HTML.
_PLAIN_FORMATS = frozenset({"2", "4"})
# Modules whose files are the content, each file a document of its own type.
_FILE_MODULES = frozenset({"resource", "folder"})
# Modules whose content area holds an unpacked SCORM or IMS content package.
_PACKAGE_MODULES = frozenset({"scorm", "imscp"})


class MbzLoader:
    extensions: tuple[str, ...] = (".mbz",)

    def __init__(self, nested: Nested) -> None:
        self._nested = nested

    def load(self, source: SourceFile, options: LoadOptions) -> list[Document]:
        return _Backup(source, open_archive(source, options), options, self._nested).documents()


@dataclass(frozen=True, slots=True)
class _CourseSection:
    number: int
    name: str
    visible: bool
    summary: tuple[Section, ...]


@dataclass(frozen=True, slots=True)
class _Activity:
    module_id: str
    module: str
    name: str
    directory: str
    section: _CourseSection
    element: etree._Element
    context_id: str


@dataclass(frozen=True, slots=True)
class _StoredFile:
    context_id: str
    component: str
    area: str
    path: str  # inside the area, e.g. "sub/guide.pdf"
    member: str  # the pooled copy in the backup, by content hash


class _Package(Mapping[str, bytes]):
    """An activity's unpacked package: paths inside the package, bytes from the file pool."""

    def __init__(self, archive: Archive, members: dict[str, str]) -> None:
        self._archive = archive
        self._members = members

    def __getitem__(self, path: str) -> bytes:
        return self._archive[self._members[path]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)


class _Backup:
    def __init__(
        self, source: SourceFile, archive: Archive, options: LoadOptions, nested: Nested
    ) -> None:
        self.uri = source.uri
        self.archive = archive
        self.options = options
        self.nested = nested
        if "moodle_backup.xml" not in archive:
            raise CorruptFileError(source.uri, "no moodle_backup.xml: not a Moodle 2+ backup")
        self.manifest = parse_xml(archive["moodle_backup.xml"], f"{self.uri}!/moodle_backup.xml")
        # The course's own name and summary: a backup whose course.xml is there but
        # unreadable is damaged, and is reported rather than indexed without them.
        self.course_xml = self._course_xml()
        self.course = (
            _field(self.course_xml, "fullname")
            or _field(self.manifest.find("information"), "original_course_fullname")
            or title_from_name(source.name)
        )
        self.file_options = course_options(options, self.course)
        self.files = self._stored_files()
        self.ids: set[str] = set()

    def documents(self) -> list[Document]:
        sections = self._sections()
        activities = list(self._activities(sections))
        documents = [self._outline(sections, activities)]
        for activity in activities:
            files = self._content_files(activity)
            package = None
            if activity.module in _PACKAGE_MODULES:
                package = self._package(activity, files)
            documents.append(self._activity_document(activity, package))
            if activity.module in _FILE_MODULES:
                documents += self._file_documents(activity, files, files)
            elif package is not None:
                documents += self._file_documents(activity, files, package.attachments)
        return [document for document in documents if document is not None]

    # --- reading ----------------------------------------------------------------------------

    def _course_xml(self) -> etree._Element | None:
        path = "course/course.xml"
        if path not in self.archive:
            return None
        try:
            return parse_xml(self.archive[path], f"{self.uri}!/{path}")
        except CorruptFileError as error:
            raise CorruptFileError(self.uri, f"{path}: {error.detail}") from error

    def _optional_xml(self, path: str) -> etree._Element | None:
        if path not in self.archive:
            return None
        try:
            return parse_xml(self.archive[path], f"{self.uri}!/{path}")
        except (CorruptFileError, EncryptedFileError) as error:
            logger.warning("skipped %s: %s", error.source, error.detail)
            return None

    def _stored_files(self) -> list[_StoredFile]:
        root = self._optional_xml("files.xml")
        stored = []
        for element in root.iter("file") if root is not None else ():
            name, digest = _field(element, "filename"), _field(element, "contenthash")
            if not name or name == "." or not digest:
                continue
            folder = (_field(element, "filepath") or "/").strip("/")
            stored.append(
                _StoredFile(
                    context_id=_field(element, "contextid") or "",
                    component=_field(element, "component") or "",
                    area=_field(element, "filearea") or "",
                    path=posixpath.join(folder, name) if folder else name,
                    member=f"files/{digest[:2]}/{digest}",
                )
            )
        return stored

    def _sections(self) -> dict[str, _CourseSection]:
        sections = {}
        for element in self.manifest.iterfind("information/contents/sections/section"):
            directory = _field(element, "directory") or ""
            xml = self._optional_xml(f"{directory}/section.xml")
            number = _int(_field(xml, "number"))
            name = _field(xml, "name") or ("Généralités" if number == 0 else f"Section {number}")
            sections[_field(element, "sectionid") or directory] = _CourseSection(
                number=number,
                name=name,
                visible=_field(xml, "visible") != "0",
                summary=tuple(_text_field(xml, "summary", (name,))),
            )
        return sections

    def _activities(self, sections: Mapping[str, _CourseSection]) -> Iterator[_Activity]:
        unknown = _CourseSection(number=-1, name="", visible=True, summary=())
        for element in self.manifest.iterfind("information/contents/activities/activity"):
            module = _field(element, "modulename") or ""
            directory = _field(element, "directory") or ""
            section = sections.get(_field(element, "sectionid") or "", unknown)
            settings = self._optional_xml(f"{directory}/module.xml")
            xml = self._optional_xml(f"{directory}/{module}.xml")
            # Hidden from learners in Moodle: an assistant must not reveal it either.
            if not section.visible or _field(settings, "visible") == "0" or xml is None:
                continue
            body = next((child for child in xml if child.tag == module), None)
            if body is None:
                continue
            yield _Activity(
                module_id=_field(element, "moduleid") or directory,
                module=module,
                name=_field(body, "name") or _field(element, "title") or module,
                directory=directory,
                section=section,
                element=body,
                context_id=xml.get("contextid") or "",
            )

    # --- documents --------------------------------------------------------------------------

    def _outline(
        self, sections: Mapping[str, _CourseSection], activities: list[_Activity]
    ) -> Document | None:
        body: list[Section] = list(_text_field(self.course_xml, "summary", ()))
        for section in sorted(sections.values(), key=lambda s: s.number):
            if not section.visible:
                continue
            body += section.summary
            contents = [f"- {a.name} ({a.module})" for a in activities if a.section is section]
            if contents:
                body.append(Section("\n".join(contents), (section.name,)))
        return make_document(
            source=self.uri,
            document_id=child_id(self.uri, "course", self.ids),
            title=self.course,
            sections=body,
            options=self.options,
            default_kind=Kind.COURSE,
            collection=self.course,
            metadata={"course": self.course},
        )

    def _activity_document(
        self, activity: _Activity, package: scorm.Package | None
    ) -> Document | None:
        path = (activity.section.name,)
        element = activity.element
        sections = _text_field(element, "intro", path)
        if activity.module == "page":
            sections += _text_field(element, "content", path)
        elif activity.module == "book":
            sections += _book_sections(element, path)
        elif activity.module == "glossary":
            sections += _glossary_sections(element, path)
        elif activity.module == "url" and (link := _field(element, "externalurl")):
            sections.append(Section(f"Lien : {link}", path))
        for item in package.items if package is not None else ():
            sections += [Section(s.text, (*path, *s.heading_path), s.page) for s in item.sections]
        return make_document(
            source=self.uri,
            document_id=child_id(self.uri, f"{activity.module}-{activity.module_id}", self.ids),
            title=activity.name,
            sections=sections,
            options=self.options,
            default_kind=Kind.COURSE,
            collection=self.course,
            metadata={
                "course": self.course,
                "module": activity.module,
                "section": activity.section.name,
            },
        )

    def _content_files(self, activity: _Activity) -> dict[str, str]:
        """The activity's files present in the backup: path in its content area -> member."""
        component = f"mod_{activity.module}"
        return {
            stored.path: stored.member
            for stored in sorted(self.files, key=lambda stored: stored.path)
            if stored.context_id == activity.context_id
            and stored.component == component
            and stored.area == "content"
            and stored.member in self.archive
        }

    def _package(self, activity: _Activity, files: dict[str, str]) -> scorm.Package | None:
        manifest = scorm.find_manifest(files)
        if manifest is None:
            return None
        package_uri = f"{self.uri}!/{activity.directory}/content"
        try:
            return scorm.read_package(package_uri, _Package(self.archive, files), manifest)
        except (CorruptFileError, EncodingError, EncryptedFileError) as error:
            logger.warning("skipped package %s: %s", error.source, error.detail)
            return None

    def _file_documents(
        self, activity: _Activity, files: Mapping[str, str], paths: Iterable[str]
    ) -> list[Document]:
        """Files of an activity through their own loaders, placed under the activity."""
        documents = []
        for path in paths:
            member = files.get(path)
            if member is None:
                continue
            for document in self.nested.load_member(
                self.uri,
                f"{activity.directory}/content/{path}",
                partial(self.archive.__getitem__, member),
                self.file_options,
            ):
                documents.append(prefixed(document, (activity.section.name, activity.name)))
        return documents


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _field(element: etree._Element | None, name: str) -> str | None:
    """A child's text; Moodle writes ``$@NULL@$`` for a missing value."""
    if element is None:
        return None
    child = element.find(name)
    text = (child.text or "").strip() if child is not None else ""
    return text if text and text != _NULL else None


def _text_field(element: etree._Element | None, name: str, path: tuple[str, ...]) -> list[Section]:
    """A rich-text field (intro, summary, content) as sections, whatever its format."""
    value = _field(element, name)
    if not value:
        return []
    if _field(element, f"{name}format") in _PLAIN_FORMATS:
        text = clean_text(value)
        return [Section(text, path)] if text else []
    return html_sections(value, path)


def _book_sections(book: etree._Element, path: tuple[str, ...]) -> list[Section]:
    sections: list[Section] = []
    chapter_path = path
    chapters = book.iterfind("chapters/chapter")
    for chapter in sorted(chapters, key=lambda c: _int(_field(c, "pagenum"))):
        if _field(chapter, "hidden") == "1":
            continue
        title = clean_inline(_field(chapter, "title") or "")
        if _field(chapter, "subchapter") == "1":
            here = (*chapter_path, title)
        else:
            chapter_path = (*path, title)
            here = chapter_path
        sections += _text_field(chapter, "content", here)
    return sections


def _glossary_sections(glossary: etree._Element, path: tuple[str, ...]) -> list[Section]:
    sections = []
    for entry in glossary.iterfind("entries/entry"):
        concept = clean_inline(_field(entry, "concept") or "")
        if not concept or _field(entry, "approved") == "0":
            continue
        definition = "\n\n".join(s.text for s in _text_field(entry, "definition", ()))
        if definition:
            # The term opens the text, as a question does in a FAQ entry.
            sections.append(Section(f"{concept}\n{definition}", (*path, concept)))
    return sections
