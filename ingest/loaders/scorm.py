"""SCORM 1.2 / 2004 and IMS content packages: one document per item of the manifest.

The manifest's default organisation gives the course title and the items in order; each
item's resource names its launch page and, often, the other pages a single SCO navigates
through by script: their text belongs to the item too.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import unquote, urlsplit

from lxml import etree

from ingest.errors import CorruptFileError, EncodingError, EncryptedFileError
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.metadata import child_id, course_options, make_document
from ingest.loaders.common.nested import Nested
from ingest.loaders.common.text import clean_inline, decode_text, title_from_name
from ingest.loaders.common.xml import local_name, parse_xml
from ingest.loaders.html import html_sections
from knowledge.types import Document, Kind, Section

logger = logging.getLogger(__name__)

MANIFEST = "imsmanifest.xml"
_PAGES = (".html", ".htm", ".xhtml")
# Documents a learner opens from a package; .txt, .json and the like are player settings.
_ATTACHMENTS = (".pdf", ".docx")
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def find_manifest(names: Iterable[str]) -> str | None:
    """The package manifest: at the root, or in the one folder holding everything."""
    by_lower = {name.lower(): name for name in names}
    if MANIFEST in by_lower:
        return by_lower[MANIFEST]
    tops = {name.split("/", 1)[0] for name in by_lower}
    if len(tops) == 1:
        return by_lower.get(f"{tops.pop()}/{MANIFEST}")
    return None


@dataclass(frozen=True, slots=True)
class PackageItem:
    identifier: str
    title: str
    sections: tuple[Section, ...]


@dataclass(frozen=True, slots=True)
class Package:
    title: str | None
    version: str | None
    items: tuple[PackageItem, ...]
    attachments: tuple[str, ...]


@dataclass(slots=True)
class _Resource:
    href: str | None
    files: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)


def read_package(uri: str, files: Mapping[str, bytes], manifest: str) -> Package:
    """Parse a package; pages the manifest names but the package lacks are skipped."""
    root = parse_xml(files[manifest], f"{uri}!/{manifest}")
    base = _join_base(posixpath.dirname(manifest), root.get(_XML_BASE))
    resources = _resources(root, base)
    organization = _organization(root)
    entries = list(_items(organization)) if organization is not None else []
    launches = {
        href
        for _, _, ref, _ in entries
        if (resource := resources.get(ref or "")) is not None and (href := resource.href)
    }
    used: set[str] = set()
    items = []
    for identifier, title, ref, parents in entries:
        resource = resources.get(ref or "")
        if resource is None:
            continue
        sections: list[Section] = []
        for page in _pages(resource, resources, launches, used):
            sections += _page_sections(uri, files, page, (*parents, title))
        items.append(PackageItem(identifier, title, tuple(sections)))
    attachments = dict.fromkeys(
        path
        for resource in resources.values()
        for path in resource.files
        if path.lower().endswith(_ATTACHMENTS) and path in files
    )
    organization_title = _child_text(organization, "title") if organization is not None else None
    return Package(
        title=organization_title or _metadata_title(root),
        version=next(
            (clean_inline(e.text or "") for e in _descendants(root, "schemaversion")), None
        ),
        items=tuple(items),
        attachments=tuple(attachments),
    )


def load_package(
    source: SourceFile,
    files: Mapping[str, bytes],
    manifest: str,
    options: LoadOptions,
    nested: Nested,
) -> list[Document]:
    package = read_package(source.uri, files, manifest)
    course = package.title or title_from_name(source.name)
    taken: set[str] = set()
    documents: list[Document] = []
    for item in package.items:
        document = make_document(
            source=source.uri,
            document_id=child_id(source.uri, item.identifier, taken),
            title=item.title,
            sections=item.sections,
            options=options,
            default_kind=Kind.COURSE,
            collection=course,
            metadata={"course": course, "scorm_version": package.version},
        )
        if document:
            documents.append(document)
    attachment_options = course_options(options, course)
    for path in package.attachments:
        documents += nested.load_member(
            source.uri, path, partial(files.__getitem__, path), attachment_options
        )
    return documents


def _page_sections(
    uri: str, files: Mapping[str, bytes], page: str, path: tuple[str, ...]
) -> list[Section]:
    data = files.get(page)
    if data is None:
        return []
    try:
        return html_sections(decode_text(data, f"{uri}!/{page}"), path)
    except (EncodingError, CorruptFileError, EncryptedFileError) as error:
        logger.warning("skipped %s: %s", error.source, error.detail)
        return []


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in element if local_name(child) == name)


def _descendants(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (node for node in element.iter() if local_name(node) == name)


def _child_text(element: etree._Element, name: str) -> str | None:
    child = next(_children(element, name), None)
    text = clean_inline("".join(child.itertext())) if child is not None else ""
    return text or None


def _metadata_title(root: etree._Element) -> str | None:
    """The LOM title (IMS metadata) when the organisation has none."""
    for metadata in _children(root, "metadata"):
        for title in _descendants(metadata, "title"):
            text = clean_inline("".join(title.itertext()))
            if text:
                return text
    return None


def _organization(root: etree._Element) -> etree._Element | None:
    organizations = next(_children(root, "organizations"), None)
    if organizations is None:
        return None
    candidates = list(_children(organizations, "organization"))
    default = organizations.get("default")
    chosen = next((o for o in candidates if o.get("identifier") == default), None)
    return chosen if chosen is not None else next(iter(candidates), None)


def _items(
    parent: etree._Element, parents: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, str | None, tuple[str, ...]]]:
    """(identifier, title, resource ref, ancestor titles) of every item, in manifest order."""
    for item in _children(parent, "item"):
        identifier = item.get("identifier") or ""
        title = _child_text(item, "title") or identifier or "Sans titre"
        yield identifier or title, title, item.get("identifierref"), parents
        yield from _items(item, (*parents, title))


def _resources(root: etree._Element, base: str) -> dict[str, _Resource]:
    resources: dict[str, _Resource] = {}
    for group in _children(root, "resources"):
        group_base = _join_base(base, group.get(_XML_BASE))
        for element in _children(group, "resource"):
            resource_base = _join_base(group_base, element.get(_XML_BASE))
            resource = _Resource(href=_resolve(resource_base, element.get("href")))
            resource.files = [
                path
                for file in _children(element, "file")
                if (path := _resolve(resource_base, file.get("href"))) is not None
            ]
            resource.dependencies = [
                ref for d in _children(element, "dependency") if (ref := d.get("identifierref"))
            ]
            if identifier := element.get("identifier"):
                resources[identifier] = resource
    return resources


def _pages(
    resource: _Resource,
    resources: Mapping[str, _Resource],
    launches: set[str],
    used: set[str],
) -> list[str]:
    """The item's launch page, then the pages its resource and dependencies list.

    Another item's launch page, or a page an earlier item already took, is not repeated.
    """
    pages: list[str] = []
    if resource.href is not None and resource.href.lower().endswith(_PAGES):
        pages.append(resource.href)
    seen_resources: set[int] = set()
    pending = [resource]
    while pending:
        current = pending.pop(0)
        if id(current) in seen_resources:
            continue
        seen_resources.add(id(current))
        pages += [
            path
            for path in current.files
            if path.lower().endswith(_PAGES) and path not in launches and path not in used
        ]
        pending += [resources[ref] for ref in current.dependencies if ref in resources]
    pages = [page for page in dict.fromkeys(pages) if page not in used]
    used.update(pages)
    return pages


def _join_base(base: str, extra: str | None) -> str:
    if not extra:
        return base
    return posixpath.join(base, unquote(urlsplit(extra).path))


def _resolve(base: str, href: str | None) -> str | None:
    """A package path for an href; None for external URLs and paths leaving the package."""
    if not href:
        return None
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        return None
    path = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    if path.startswith(("../", "/")) or path in (".", ".."):
        return None
    return path
