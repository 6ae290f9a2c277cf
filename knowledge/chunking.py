"""Documents into chunks: one section at a time, so a chunk never straddles two headings.

The recursive splitter leaves a short piece wherever it had to cut a long stretch with a
weaker separator: the rest of that stretch stands alone, however little it holds. On real
pages such a piece is a question without its answer ("… : à quelles conditions ?" on the
CNIL FAQ, "Une erreur technique survient pendant la démarche." before "Que faire ? …" on
the service-public site help) or a label without its value ("Par téléphone" | "39 60"
on the service-public fiches): found alone, it answers nothing. A piece under a quarter of
the chunk size joins the next piece of its section when both fit in one chunk (1 of 76
site-help chunks, 2 of 514 CNIL ones, 27 of 2176 in the rest of ../shared/data; none in
the sample corpus or Mentor's FAQ). With ``mentor-assistant eval`` on every own and
cross-corpus set: site-help correctness 0.685 → 0.715 (the technical-error question, whose
cited chunk was the orphan, now gets the page's steps, hedged), every other answer and
refusal identical; one CNIL ranking below the first passage moves.
"""

from __future__ import annotations

from langchain_text_splitters import RecursiveCharacterTextSplitter

from knowledge.types import Chunk, Document, Kind

# Paragraphs, then lines, then French sentence ends, then clauses: the splitter tries
# each in turn so a chunk breaks where a reader would pause.
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", " ; ", "; ", ": ", ", ", " ", ""]
# An FAQ answer is a unit: split, its later chunks lose the question that gives them meaning
# (on the CNIL set a quarter of entries exceed 1200 characters, and splitting them cost
# MRR). 2000 characters is ~480 EmbeddingGemma tokens, inside its 512-token window.
FAQ_CHUNK_SIZE = 2000
# A piece shorter than this share of the chunk size is too little to stand alone.
_ORPHAN_SHARE = 0.25
# Consecutive chunks of a section share at most the overlap, whole pieces of text: a
# shorter match at their seam is chance (a full stop), not the overlap.
_MIN_OVERLAP = 20


class Chunker:
    def __init__(self, chunk_size: int, chunk_overlap: int) -> None:
        self._sizes = (chunk_size, max(chunk_size, FAQ_CHUNK_SIZE))
        self._splitters = tuple(_splitter(size, chunk_overlap) for size in self._sizes)

    def split(self, document: Document) -> list[Chunk]:
        faq = int(document.kind is Kind.FAQ)
        splitter, size = self._splitters[faq], self._sizes[faq]
        chunks: list[Chunk] = []
        for section in document.sections:
            for piece in _without_orphans(section.text, splitter.split_text(section.text), size):
                position = len(chunks)
                chunks.append(
                    Chunk(
                        chunk_id=Chunk.make_id(document.document_id, piece, position),
                        document_id=document.document_id,
                        text=piece,
                        position=position,
                        title=document.title,
                        source=document.source,
                        kind=document.kind,
                        collection=document.collection,
                        session_ids=document.session_ids,
                        heading_path=section.heading_path,
                        page=section.page,
                        url=document.url,
                        language=document.language,
                    )
                )
        return chunks


def joined(first: str, following: str) -> str:
    """Two consecutive chunks of one section as one text, what they share said once."""
    for size in range(min(len(first), len(following)), _MIN_OVERLAP - 1, -1):
        if first.endswith(following[:size]):
            return first + following[size:]
    # Without an overlap the chunks met at a break, whose kind the chunks no longer say: of
    # 717 such seams in ../shared/data, 499 paragraph breaks, 180 line breaks, 37 spaces
    # after a full stop. A paragraph break keeps a line, a list item, a sentence apart.
    return f"{first}\n\n{following}"


def _without_orphans(text: str, pieces: list[str], size: int) -> list[str]:
    """``pieces`` of ``text``, each short one joined to the next when both fit in ``size``."""
    # The pieces are stretches of ``text`` (separators kept, whitespace stripped), the next
    # one starting at or before the previous one's end when they overlap.
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        start = text.find(piece, cursor)
        spans.append((start, start + len(piece)))
        cursor = start + 1
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept:
            first, last = kept[-1]
            if last - first < _ORPHAN_SHARE * size and end - first <= size:
                kept[-1] = (first, end)
                continue
        kept.append((start, end))
    return [text[start:end] for start, end in kept]


def _splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
