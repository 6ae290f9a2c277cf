"""Documents into chunks: one section at a time, so a chunk never straddles two headings."""

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


class Chunker:
    def __init__(self, chunk_size: int, chunk_overlap: int) -> None:
        self._splitter = _splitter(chunk_size, chunk_overlap)
        self._faq_splitter = _splitter(max(chunk_size, FAQ_CHUNK_SIZE), chunk_overlap)

    def split(self, document: Document) -> list[Chunk]:
        splitter = self._faq_splitter if document.kind is Kind.FAQ else self._splitter
        chunks: list[Chunk] = []
        for section in document.sections:
            for piece in splitter.split_text(section.text):
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


def _splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
