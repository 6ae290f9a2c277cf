"""Zip and tar archives read defensively, in memory, and the loader for plain archives.

Every archive-reading loader (SCORM, Moodle backups, Word files, plain archives) goes
through ``open_archive``: names are checked before anything is inflated, and sizes are
counted while inflating, since headers can lie.
"""

from __future__ import annotations

import gzip
import io
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import IO, NoReturn

from ingest.errors import CorruptFileError, EncryptedFileError, UnsafeArchiveError
from ingest.loaders import scorm
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.nested import Nested
from knowledge.types import Document

_CHUNK = 64 * 1024
# Below this size a high ratio is ordinary (a short, repetitive XML file); above, a bomb.
_RATIO_FLOOR = 1024 * 1024
# Archives inside archives multiply every limit: stop at a depth no real package needs.
_MAX_NESTING = 3
_DRIVE = re.compile(r"^[A-Za-z]:")


class Archive(Mapping[str, bytes]):
    """Members by normalised path (``dir/file.html``); reading one enforces the limits."""

    def __init__(self, uri: str, names: list[str], read: Callable[[str], bytes]) -> None:
        self.uri = uri
        self._names = names
        self._read = read

    def __getitem__(self, path: str) -> bytes:
        if path not in self._names:
            raise KeyError(path)
        return self._read(path)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, path: object) -> bool:
        return path in self._names


def open_archive(source: SourceFile, options: LoadOptions) -> Archive:
    """A zip or tar (gzip-compressed or not), recognised by its bytes, not its name."""
    if source.uri.count("!/") >= _MAX_NESTING:
        raise UnsafeArchiveError(source.uri, f"archives nested more than {_MAX_NESTING} deep")
    data = source.data
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _open_zip(source.uri, data, options)
    if data[:2] == b"\x1f\x8b" or data[257:262] == b"ustar":
        return _open_tar(source.uri, data, options)
    raise CorruptFileError(source.uri, "not a zip or tar archive")


def safe_path(name: str, uri: str) -> str:
    """The member's path, normalised; traversal and absolute paths make the archive unsafe."""
    path = name.replace("\\", "/")
    if "\x00" in path or path.startswith("/") or _DRIVE.match(path):
        raise UnsafeArchiveError(uri, f"{name!r}: absolute path")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(uri, f"{name!r}: path traversal")
    return "/".join(parts)


class _Budget:
    """Bytes inflated so far, against the per-member, total and ratio limits."""

    def __init__(self, uri: str, options: LoadOptions) -> None:
        self.uri = uri
        self.options = options
        self.total = 0

    def check_declared(self, path: str, size: int, declared_total: int) -> None:
        if size > self.options.max_member_bytes:
            self.fail(path, f"{size} bytes, over the {self.options.max_member_bytes}-byte limit")
        if declared_total > self.options.max_archive_bytes:
            self.fail(path, f"archive expands past the {self.options.max_archive_bytes}-byte limit")

    def check_ratio(self, path: str, size: int, compressed: int) -> None:
        ratio = self.options.max_archive_ratio
        if size > _RATIO_FLOOR and size > ratio * max(compressed, 1):
            self.fail(path, f"compression ratio over {ratio}:1 (zip bomb?)")

    def read(self, path: str, stream: IO[bytes], compressed: int | None) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            self.total += len(chunk)
            if size > self.options.max_member_bytes:
                self.fail(path, f"over the {self.options.max_member_bytes}-byte member limit")
            if self.total > self.options.max_archive_bytes:
                limit = self.options.max_archive_bytes
                self.fail(path, f"archive expands past the {limit}-byte limit")
            if compressed is not None:
                self.check_ratio(path, size, compressed)
            chunks.append(chunk)
        return b"".join(chunks)

    def fail(self, path: str, reason: str) -> NoReturn:
        raise UnsafeArchiveError(self.uri, f"{path}: {reason}")


def _open_zip(uri: str, data: bytes, options: LoadOptions) -> Archive:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        raise CorruptFileError(uri, f"unreadable zip: {error}") from error
    if len(infos) > options.max_archive_members:
        raise UnsafeArchiveError(uri, f"{len(infos)} members, over the limit")
    budget = _Budget(uri, options)
    members: dict[str, zipfile.ZipInfo] = {}
    declared_total = 0
    for info in infos:
        path = safe_path(info.filename, uri)
        if info.is_dir() or not path:
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchiveError(uri, f"{info.filename!r}: symbolic link")
        declared_total += info.file_size
        budget.check_declared(path, info.file_size, declared_total)
        budget.check_ratio(path, info.file_size, info.compress_size)
        members[path] = info

    def read(path: str) -> bytes:
        info = members[path]
        if info.flag_bits & 0x1:
            raise EncryptedFileError(uri, f"{path}: password-protected member")
        try:
            with archive.open(info) as stream:
                return budget.read(path, stream, info.compress_size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
            raise CorruptFileError(uri, f"{path}: {error}") from error

    return Archive(uri, list(members), read)


class _CountingStream(io.RawIOBase):
    """A gzip stream that stops once it has inflated more than the archive may hold."""

    def __init__(self, inner: gzip.GzipFile, budget: _Budget, compressed: int) -> None:
        self._inner = inner
        self._budget = budget
        self._compressed = compressed
        self.inflated = 0
        self.member = "(tar headers)"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        self.inflated += len(data)
        # Members are counted exactly as they are read; this bound is for what tar headers,
        # padding and pax records add around them, hence the slack.
        limit = 2 * self._budget.options.max_archive_bytes
        if self.inflated > limit:
            self._budget.fail(self.member, f"archive expands past the {limit}-byte limit")
        self._budget.check_ratio(self.member, self.inflated, self._compressed)
        buffer[: len(data)] = data
        return len(data)


def _open_tar(uri: str, data: bytes, options: LoadOptions) -> Archive:
    budget = _Budget(uri, options)
    raw: IO[bytes] = io.BytesIO(data)
    counting: _CountingStream | None = None
    if data[:2] == b"\x1f\x8b":
        counting = _CountingStream(gzip.GzipFile(fileobj=raw), budget, len(data))
        raw = io.BufferedReader(counting, _CHUNK)
    members: dict[str, bytes] = {}
    try:
        # Stream mode: one pass over the (possibly compressed) bytes, members read in order.
        with tarfile.open(fileobj=raw, mode="r|") as tar:
            for count, member in enumerate(tar, start=1):
                if count > options.max_archive_members:
                    raise UnsafeArchiveError(
                        uri, f"more than {options.max_archive_members} members"
                    )
                path = safe_path(member.name, uri)
                if counting is not None:
                    counting.member = path or member.name
                if member.isdir() or not path:
                    continue
                if member.issym() or member.islnk():
                    raise UnsafeArchiveError(uri, f"{member.name!r}: link to {member.linkname!r}")
                if not member.isfile():
                    raise UnsafeArchiveError(uri, f"{member.name!r}: device or special file")
                budget.check_declared(path, member.size, budget.total + member.size)
                stream = tar.extractfile(member)
                if stream is not None:
                    members[path] = budget.read(path, stream, None)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise CorruptFileError(uri, f"unreadable tar archive: {error}") from error
    return Archive(uri, list(members), members.__getitem__)


class ArchiveLoader:
    """A SCORM or IMS package if it has a manifest, else a bundle of files loaded one by one."""

    extensions: tuple[str, ...] = (".zip", ".tar", ".tar.gz", ".tgz")

    def __init__(self, nested: Nested) -> None:
        self._nested = nested

    def load(self, source: SourceFile, options: LoadOptions) -> list[Document]:
        archive = open_archive(source, options)
        manifest = scorm.find_manifest(archive)
        if manifest is not None:
            return scorm.load_package(source, archive, manifest, options, self._nested)
        documents: list[Document] = []
        for path in archive:
            # Hidden files and macOS resource forks (__MACOSX/._guide.pdf) are not content.
            if any(part.startswith(".") or part == "__MACOSX" for part in path.split("/")):
                continue
            documents += self._nested.load_member(
                source.uri, path, partial(archive.__getitem__, path), options
            )
        return documents
