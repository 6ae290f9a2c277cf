"""Documents into chunks: one section at a time, so a chunk never straddles two headings."""

from __future__ import annotations

from langchain_text_splitters import RecursiveCharacterTextSplitter

from knowledge.types import Chunk, Document

# Paragraphs, then lines, then French sentence ends, then clauses: the splitter tries
# each in turn so a chunk breaks where a reader would pause.
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", " ; ", "; ", ": ", ", ", " ", ""]


class Chunker:
    def __init__(self, chunk_size: int, chunk_overlap: int) -> None:
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            separators=_SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )

    def split(self, document: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        for section in document.sections:
            for piece in self._splitter.split_text(section.text):
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
