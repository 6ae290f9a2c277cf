"""Values that flow between the stages. All frozen: a stage never mutates what it was given."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Fixed namespace so a chunk id is a pure function of its document and content,
# and re-ingesting unchanged content upserts onto the very same Qdrant points.
CHUNK_NAMESPACE = uuid.UUID("6f1c2d0e-5b7a-4c33-9a51-3e0d8f4b9c21")


class Kind(StrEnum):
    FAQ = "faq"
    KIT = "kit"
    COURSE = "course"
    PAGE = "page"


def content_hash(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Section:
    """A run of text under one heading path (and, for PDFs, on one page)."""

    text: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    document_id: str
    source: str
    title: str
    sections: tuple[Section, ...]
    kind: Kind = Kind.PAGE
    url: str | None = None
    collection: str = "default"
    session_ids: tuple[str, ...] = ()
    language: str = "fr"
    updated_at: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    content_hash: str = ""

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", self.compute_hash())

    def compute_hash(self) -> str:
        parts: list[str] = [self.document_id, self.title, self.url or "", self.kind.value]
        parts += [self.collection, ",".join(self.session_ids), self.language]
        for section in self.sections:
            parts += [" / ".join(section.heading_path), str(section.page or ""), section.text]
        return content_hash(*parts)

    @property
    def text(self) -> str:
        return "\n\n".join(section.text for section in self.sections)


@dataclass(frozen=True, slots=True)
class Chunk:
    chunk_id: str
    document_id: str
    text: str
    position: int
    title: str
    source: str
    kind: Kind
    collection: str
    session_ids: tuple[str, ...] = ()
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    url: str | None = None
    language: str = "fr"

    @staticmethod
    def make_id(document_id: str, text: str, position: int) -> str:
        return str(uuid.uuid5(CHUNK_NAMESPACE, content_hash(document_id, str(position), text)))

    def embedding_text(self) -> str:
        """What the embedder sees: the title and headings give a short passage its context."""
        context = [self.title, *self.heading_path]
        header = " > ".join(part for part in dict.fromkeys(context) if part)
        return f"{header}\n{self.text}" if header else self.text

    def to_payload(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "document_id": self.document_id,
            "text": self.text,
            "position": self.position,
            "title": self.title,
            "source": self.source,
            "kind": self.kind.value,
            "collection": self.collection,
            "session_ids": list(self.session_ids),
            "heading_path": list(self.heading_path),
            "page": self.page,
            "url": self.url,
            "language": self.language,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Chunk:
        return cls(
            chunk_id=str(payload["chunk_id"]),
            document_id=str(payload["document_id"]),
            text=str(payload["text"]),
            position=int(payload["position"]),
            title=str(payload["title"]),
            source=str(payload["source"]),
            kind=Kind(payload["kind"]),
            collection=str(payload["collection"]),
            session_ids=tuple(payload.get("session_ids") or ()),
            heading_path=tuple(payload.get("heading_path") or ()),
            page=payload.get("page"),
            url=payload.get("url"),
            language=str(payload.get("language") or "fr"),
        )


@dataclass(frozen=True, slots=True)
class SparseVector:
    indices: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    chunk: Chunk
    score: float
    dense_score: float | None = None
    sparse_score: float | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    """Which sessions a query may reach on top of global knowledge.

    ``session_ids=None`` means everything (support and designer roles); an empty
    set means global knowledge only.
    """

    session_ids: frozenset[str] | None = frozenset()

    @classmethod
    def everything(cls) -> Scope:
        return cls(session_ids=None)

    @classmethod
    def global_only(cls) -> Scope:
        return cls(session_ids=frozenset())

    @classmethod
    def sessions(cls, *session_ids: str) -> Scope:
        return cls(session_ids=frozenset(session_ids))

    def narrowed(self, session_ids: frozenset[str]) -> Scope:
        """Global knowledge plus those of ``session_ids`` this scope reaches: never wider."""
        if self.session_ids is None:
            return Scope(session_ids)
        return Scope(self.session_ids & session_ids)

    def allows(self, chunk_session_ids: tuple[str, ...]) -> bool:
        if self.session_ids is None or not chunk_session_ids:
            return True
        return bool(self.session_ids.intersection(chunk_session_ids))
