"""Fixtures for the loader tests: loading real or built files, and building archives.

``shared_data`` (the real files, skipped when absent) comes from ``tests/conftest.py``.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from ingest.loaders import load_source
from ingest.loaders.base import LoadOptions, SourceFile
from knowledge.types import Document

Load = Callable[..., list[Document]]
Members = Mapping[str, bytes | str]


@pytest.fixture
def load() -> Load:
    """``load(name, data, options)``: documents of bytes called ``name``; the uri is the name."""

    def run(name: str, data: bytes | str, options: LoadOptions | None = None) -> list[Document]:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return load_source(SourceFile(uri=name, name=name, data=raw), options or LoadOptions())

    return run


@pytest.fixture(scope="session")
def load_shared(shared_data: Path) -> Callable[[str], list[Document]]:
    """Documents of a file under the shared data folder; its uri is the relative path."""

    def run(relative: str) -> list[Document]:
        path = shared_data / relative
        return load_source(SourceFile(relative, path.name, path.read_bytes()), LoadOptions())

    return run


@pytest.fixture
def zip_of() -> Callable[[Members], bytes]:
    return zip_bytes


@pytest.fixture
def tar_of() -> Callable[..., bytes]:
    return tar_bytes


@pytest.fixture
def mbz_of() -> Callable[..., bytes]:
    return moodle_backup


def zip_bytes(members: Members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def tar_bytes(members: Members, compressed: bool = True) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if compressed else "w") as archive:
        for name, content in members.items():
            raw = content.encode("utf-8") if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return buffer.getvalue()


def moodle_backup(
    activities: list[tuple[str, str, str]],
    files: Mapping[str, bytes | str] | None = None,
    *,
    course: str = "Découvrir Mentor",
    summary: str = "<p>Un cours pour <strong>bien démarrer</strong>.</p>",
    sections: tuple[tuple[str, str, bool], ...] = (("$@NULL@$", "", True),),
    as_zip: bool = False,
) -> bytes:
    """A minimal Moodle 2+ backup.

    ``activities``: (module name, activity XML body, section number) per activity, with
    moduleid/contextid numbered from 1; ``sections``: (name, summary, visible) by number;
    ``files``: extra members (``files.xml``, ``files/ab/abcd...``, ``module.xml`` overrides).
    """
    section_entries = "".join(
        f"<section><sectionid>{100 + n}</sectionid><title>{n}</title>"
        f"<directory>sections/section_{100 + n}</directory></section>"
        for n in range(len(sections))
    )
    activity_entries = "".join(
        f"<activity><moduleid>{i}</moduleid><sectionid>{100 + int(section)}</sectionid>"
        f"<modulename>{module}</modulename><title>{module} {i}</title>"
        f"<directory>activities/{module}_{i}</directory></activity>"
        for i, (module, _, section) in enumerate(activities, start=1)
    )
    members: dict[str, bytes | str] = {
        "moodle_backup.xml": (
            "<?xml version='1.0' encoding='UTF-8'?><moodle_backup><information>"
            f"<original_course_fullname>{course}</original_course_fullname><contents>"
            f"<activities>{activity_entries}</activities><sections>{section_entries}</sections>"
            "</contents></information></moodle_backup>"
        ),
        "course/course.xml": (
            f"<course id='2' contextid='20'><fullname>{course}</fullname>"
            f"<summary>{_escape(summary)}</summary><summaryformat>1</summaryformat></course>"
        ),
    }
    for number, (name, section_summary, visible) in enumerate(sections):
        members[f"sections/section_{100 + number}/section.xml"] = (
            f"<section id='{100 + number}'><number>{number}</number><name>{name}</name>"
            f"<summary>{_escape(section_summary)}</summary><summaryformat>1</summaryformat>"
            f"<visible>{int(visible)}</visible></section>"
        )
    for i, (module, body, _) in enumerate(activities, start=1):
        directory = f"activities/{module}_{i}"
        members[f"{directory}/{module}.xml"] = (
            f"<activity id='{i}' moduleid='{i}' modulename='{module}' contextid='{i}'>"
            f"<{module} id='{i}'>{body}</{module}></activity>"
        )
        members[f"{directory}/module.xml"] = f"<module id='{i}'><visible>1</visible></module>"
    members.update(files or {})
    return zip_bytes(members) if as_zip else tar_bytes(members)


def _escape(html: str) -> str:
    return html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
