"""The ingestion job: walk sources, skip the unchanged, index the rest, forget the removed.

Crash safety rests on one ordering per source: record the ids about to be written
(catalog, write-ahead), write the points, delete the source's stale points, then commit the
source's new hash and ids. A job killed anywhere in between leaves the source uncommitted,
so the next run redoes it and deletes every id it may have left behind.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import yaml

from ingest.errors import CorruptFileError, IngestError, TooLargeError, UnsafeLinkError
from ingest.loaders import load_source, strict_yaml
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.settings import IngestSettings
from knowledge.calibration import calibration
from knowledge.catalog import Catalog
from knowledge.chunking import Chunker
from knowledge.injection import addresses_assistant
from knowledge.types import Chunk, Document, Kind
from knowledge.wiring import INDEX_EMBEDDER_KEY, Knowledge, check_index_embedder, open_knowledge

SAMPLE_CORPUS = Path(__file__).parent / "sample_corpus"
# The corpus folder's own README describes the sample; it is not part of it.
SAMPLE_ROOTS = tuple(SAMPLE_CORPUS / name for name in ("faq", "kit", "courses"))
SAMPLE_URI_PREFIX = "sample:"
# Bump it whenever a loader or the chunker turns the same bytes into other text or chunks:
# sources are skipped on their bytes' hash, so the next run would otherwise keep the old.
EXTRACTION_REVISION = 3
# A folder holding this file is a course: its settings apply to every file below it.
COURSE_MANIFEST = "course.yaml"
EMBED_BATCH = 64


# How the reports name a flagged source, in French like the rest of them.
FLAGGED = "consignes adressées à l'assistant (jamais citées), à relire"


class Status(StrEnum):
    INDEXED = "indexed"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    uri: str
    status: Status
    documents: int = 0
    chunks: int = 0
    reason: str = ""
    detail: str = ""
    # Documents holding sentences addressed to an AI ("affiche toutes les sources…"): indexed,
    # never quoted as answers, and worth a person's look.
    flagged: tuple[str, ...] = ()


@dataclass
class IngestReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status is status)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status is Status.FAILED]

    @property
    def flagged(self) -> list[SourceOutcome]:
        return [outcome for outcome in self.outcomes if outcome.flagged]

    @property
    def documents(self) -> int:
        return sum(o.documents for o in self.outcomes if o.status is Status.INDEXED)

    @property
    def chunks(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status is Status.INDEXED)


class Progress(Protocol):
    def start(self, sources: int) -> None: ...

    def chunks_embedded(self, count: int) -> None: ...

    def source_done(self, outcome: SourceOutcome) -> None: ...


class _Silent:
    def start(self, sources: int) -> None:
        pass

    def chunks_embedded(self, count: int) -> None:
        pass

    def source_done(self, outcome: SourceOutcome) -> None:
        pass


@dataclass(frozen=True, slots=True)
class _Candidate:
    path: Path
    uri: str
    options: LoadOptions
    # Set for a symbolic link whose target lies outside the ingested folder.
    escapes_to: Path | None = None


@dataclass(frozen=True, slots=True)
class Course:
    """A course folder's manifest, read once for the job and for the demo page."""

    session_id: str
    title: str
    reuses: tuple[str, ...]
    manifest_uri: str
    options: LoadOptions


def run_ingest(
    settings: IngestSettings,
    paths: Sequence[Path] = (),
    *,
    collection: str | None = None,
    session: str | None = None,
    kind: Kind | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    knowledge: Knowledge | None = None,
) -> IngestReport:
    """Index ``paths`` (files, folders, archives), or the bundled sample corpus if none.

    ``knowledge`` is an index that this process already holds open (the running service,
    which owns the embedded store's lock); without it the job opens and closes its own.
    """
    started = time.perf_counter()
    roots = list(paths) or list(SAMPLE_ROOTS)
    base = LoadOptions(
        collection=collection,
        session_ids=(session,) if session else (),
        kind=kind,
        max_member_bytes=settings.limits.max_file_bytes,
        max_archive_bytes=settings.limits.max_archive_bytes,
        max_archive_ratio=settings.limits.max_archive_ratio,
    )
    with writing(settings, knowledge, rebuild=rebuild, progress=progress) as writer:
        report = _Job(writer).run(roots, base)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def writing(
    settings: IngestSettings,
    knowledge: Knowledge | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> Iterator[SourceWriter]:
    """A writer on the index, ready for sources; the store is flushed when it closes.

    ``knowledge`` is an index this process already holds open (the running service); without
    it the index is opened here and closed at the end.
    """
    with _writable(settings, knowledge, rebuild) as index:
        embedder = index.searcher.embedder
        if rebuild:
            _forget_everything(index.catalog)
            index.store.drop()
        index.store.ensure_collection(embedder.dimension)
        index.catalog.set_meta(INDEX_EMBEDDER_KEY, embedder.model_id)
        yield SourceWriter(settings, index, progress or _Silent())
        index.store.flush()


@contextmanager
def _writable(
    settings: IngestSettings, knowledge: Knowledge | None, rebuild: bool
) -> Iterator[Knowledge]:
    if knowledge is not None:
        if not rebuild:
            check_index_embedder(knowledge.catalog, knowledge.searcher.embedder)
        yield knowledge
        return
    # A rebuild is how one leaves a model mismatch behind, so it must be able to open one.
    opened = open_knowledge(settings.knowledge, verify_embedder=not rebuild)
    try:
        yield opened
    finally:
        opened.close()


def _forget_everything(catalog: Catalog) -> None:
    for record in list(catalog.sources()):
        catalog.remove_source(record.uri)


class SourceWriter:
    """Indexes and forgets sources of any origin (files, a Moodle site) under the ordering above."""

    def __init__(self, settings: IngestSettings, index: Knowledge, progress: Progress) -> None:
        self.settings = settings
        self.catalog = index.catalog
        self.store = index.store
        self.embedder = index.searcher.embedder
        self.sparse = index.searcher.sparse_encoder
        self.progress = progress
        self.chunker = Chunker(settings.knowledge.chunk_size, settings.knowledge.chunk_overlap)
        self.questions = calibration(self.embedder.model_id).search_faq_questions
        # Anything that changes the vectors of unchanged bytes must invalidate the hash. The
        # FAQ questions' points only where they are indexed: other models' indexes keep
        # their hashes (no needless re-embedding), these re-index once to gain them.
        self.pipeline_key = json.dumps(
            [
                EXTRACTION_REVISION,
                self.embedder.model_id,
                self.sparse.model_id,
                settings.knowledge.chunk_size,
                settings.knowledge.chunk_overlap,
                *(["faq-questions"] if self.questions else []),
            ]
        )

    def fingerprint(self, *parts: str | bytes) -> str:
        """The hash a source is skipped on: what was read, plus how it would be indexed."""
        digest = hashlib.sha256()
        for part in (*parts, self.pipeline_key):
            digest.update(part.encode() if isinstance(part, str) else part)
            digest.update(b"\x00")
        return digest.hexdigest()

    def index(self, uri: str, digest: str, load: Callable[[], Sequence[Document]]) -> SourceOutcome:
        """Skip ``uri`` if committed with ``digest``; otherwise load it and replace its chunks.

        A failing ``load`` leaves what the index holds for ``uri`` untouched.
        """
        record = self.catalog.source(uri)
        if record and record.content_hash == digest and not record.pending_ids:
            return SourceOutcome(uri, Status.UNCHANGED, record.documents, len(record.chunk_ids))
        try:
            documents = load()
        except IngestError as error:
            return SourceOutcome(uri, Status.FAILED, reason=error.reason, detail=error.detail)
        except OSError as error:
            return SourceOutcome(uri, Status.FAILED, reason="unreadable", detail=str(error))
        except Exception as error:  # a loader bug on one odd file must not stop the job
            detail = f"{error.__class__.__name__}: {error}"
            return SourceOutcome(uri, Status.FAILED, reason="corrupt", detail=detail)
        chunks = list({c.chunk_id: c for d in documents for c in self.chunker.split(d)}.values())
        new_ids = {chunk.chunk_id for chunk in chunks}
        previous = (record.chunk_ids | record.pending_ids) if record else frozenset()
        self.catalog.begin_source(uri, new_ids | (record.pending_ids if record else frozenset()))
        self._write(chunks)
        self.store.delete(previous - new_ids)
        self.catalog.commit_source(uri, digest, new_ids, len(documents))
        flagged = tuple(
            d.document_id for d in documents if any(addresses_assistant(s.text) for s in d.sections)
        )
        return SourceOutcome(uri, Status.INDEXED, len(documents), len(chunks), flagged=flagged)

    def remove(self, uri: str) -> SourceOutcome | None:
        record = self.catalog.source(uri)
        if record is None:
            return None
        self.store.delete(record.chunk_ids | record.pending_ids)
        self.catalog.remove_source(uri)
        return SourceOutcome(uri, Status.REMOVED, record.documents)

    def _write(self, chunks: list[Chunk]) -> None:
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            texts = [chunk.embedding_text() for chunk in batch]
            dense = self.embedder.embed_documents(texts)
            self.store.upsert(batch, dense, self.sparse.encode_documents(texts))
            entries = [chunk for chunk in batch if self.questions and chunk.kind is Kind.FAQ]
            if entries:
                questions = self.embedder.embed_documents([chunk.title for chunk in entries])
                self.store.upsert_questions(entries, questions)
            self.progress.chunks_embedded(len(batch))

    def reconcile(self) -> None:
        """Delete points no source claims: the catalog is the truth about what belongs."""
        known = self.catalog.known_chunk_ids()
        if self.store.count() == len(known):
            return
        self.store.delete([c.chunk_id for c in self.store.iter_chunks() if c.chunk_id not in known])


class _Job:
    """A folder ingest: discover files and course manifests, index them, forget the removed."""

    def __init__(self, writer: SourceWriter) -> None:
        self.writer = writer
        self.settings = writer.settings
        self.catalog = writer.catalog
        self.progress = writer.progress

    def run(self, roots: Sequence[Path], base: LoadOptions) -> IngestReport:
        report = IngestReport()
        candidates: list[_Candidate] = []
        for root in roots:
            if not root.exists():
                report.outcomes.append(
                    SourceOutcome(str(root), Status.FAILED, reason="not found", detail=str(root))
                )
                continue
            courses = self._courses(root, base, report)
            found = list(_discover(root, base, courses))
            candidates += found
            report.outcomes += self._remove_missing(root, {c.uri for c in found})
        self.progress.start(len(candidates))
        for candidate in candidates:
            outcome = self._index(candidate)
            report.outcomes.append(outcome)
            self.progress.source_done(outcome)
        self.writer.reconcile()
        return report

    def _courses(self, root: Path, base: LoadOptions, report: IngestReport) -> dict[str, Course]:
        manifests = sorted(root.rglob(COURSE_MANIFEST)) if root.is_dir() else []
        courses = {}
        for manifest in manifests:
            try:
                if not manifest.resolve().is_relative_to(root.resolve()):
                    raise UnsafeLinkError(_link_uri(manifest), "link to a course manifest outside")
                course = read_course(manifest, base)
            except IngestError as error:
                report.outcomes.append(
                    SourceOutcome(
                        error.source, Status.FAILED, reason=error.reason, detail=error.detail
                    )
                )
                continue
            self.catalog.link_session(course.session_id, course.reuses, course.manifest_uri)
            courses[course.manifest_uri] = course
        return courses

    def _index(self, candidate: _Candidate) -> SourceOutcome:
        uri = candidate.uri
        try:
            if candidate.escapes_to is not None:
                raise UnsafeLinkError(
                    uri, f"symbolic link to {candidate.escapes_to}, outside the ingested folder"
                )
            size = candidate.path.stat().st_size
            if size > self.settings.limits.max_file_bytes:
                raise TooLargeError(
                    uri, f"{size} bytes, over the {self.settings.limits.max_file_bytes} limit"
                )
            data = candidate.path.read_bytes()
        except IngestError as error:
            return SourceOutcome(uri, Status.FAILED, reason=error.reason, detail=error.detail)
        except OSError as error:
            return SourceOutcome(uri, Status.FAILED, reason="unreadable", detail=str(error))
        digest = _source_hash(data, candidate.options, self.writer.pipeline_key)
        source = SourceFile(uri, candidate.path.name, data)
        return self.writer.index(uri, digest, lambda: load_source(source, candidate.options))

    def _remove_missing(self, root: Path, seen: set[str]) -> list[SourceOutcome]:
        prefix = _uri(root) + ("/" if root.is_dir() else "")
        outcomes = []
        for record in list(self.catalog.sources()):
            if (
                record.uri == _uri(root) or record.uri.startswith(prefix)
            ) and record.uri not in seen:
                outcome = self.writer.remove(record.uri)
                if outcome is not None:
                    outcomes.append(outcome)
        return outcomes


def _source_hash(data: bytes, options: LoadOptions, pipeline_key: str) -> str:
    digest = hashlib.sha256(data)
    digest.update(repr(options).encode())
    digest.update(pipeline_key.encode())
    return digest.hexdigest()


def _uri(path: Path) -> str:
    resolved = path.resolve()
    if resolved.is_relative_to(SAMPLE_CORPUS.resolve()):
        # Stable across clones and installs, so the demo index survives a moved checkout.
        relative = resolved.relative_to(SAMPLE_CORPUS.resolve()).as_posix()
        return SAMPLE_URI_PREFIX + ("" if relative == "." else relative)
    return resolved.as_uri()


def _link_uri(path: Path) -> str:
    """A link's own uri (its folder's, plus its name): ``_uri`` would name its target."""
    folder = _uri(path.parent)
    return f"{folder}{'' if folder.endswith((':', '/')) else '/'}{quote(path.name)}"


def _discover(root: Path, base: LoadOptions, courses: dict[str, Course]) -> Iterator[_Candidate]:
    if root.is_file():
        yield _Candidate(root, _uri(root), base)
        return
    inside = root.resolve()
    for path in sorted(root.rglob("*")):
        relative_parts = path.relative_to(root).parts
        if any(part.startswith(".") for part in relative_parts):
            continue
        if path.is_symlink():
            # Links are never followed: one leading out is reported (as in an archive), one
            # within the folder is skipped, since its target is indexed where it lies.
            target = path.resolve()
            if not target.is_relative_to(inside):
                yield _Candidate(path, _link_uri(path), base, escapes_to=target)
            continue
        if not path.is_file():
            continue
        if path.name == COURSE_MANIFEST:
            continue
        options = base
        for parent in path.parents:
            course = courses.get(_uri(parent / COURSE_MANIFEST))
            if course is not None:
                options = course.options
                break
            if parent == root:
                break
        # Unsupported files are still candidates: the report says why they were not indexed.
        yield _Candidate(path, _uri(path), options)


def read_course(manifest: Path, base: LoadOptions) -> Course:
    uri = _uri(manifest)
    try:
        data = strict_yaml.load(manifest.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        detail = f"invalid course manifest: {strict_yaml.describe(error)}"
        raise CorruptFileError(uri, detail) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CorruptFileError(uri, f"unreadable course manifest ({error})") from error
    if not isinstance(data, dict) or data.get("session_id") in (None, ""):
        raise CorruptFileError(uri, "invalid course manifest: needs a session_id")
    session_id = str(data["session_id"])
    return Course(
        session_id=session_id,
        title=str(data.get("title") or session_id),
        reuses=tuple(str(s) for s in data.get("reuses") or ()),
        manifest_uri=uri,
        options=replace(
            base,
            collection=base.collection or data.get("collection") or data.get("title"),
            session_ids=base.session_ids or (session_id,),
            kind=base.kind or Kind.COURSE,
        ),
    )
