"""Outlines: a document's headings and paragraphs, in order, become its sections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.types import Section


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str


# A document's body as loaders see it: headings and paragraphs (clean text), in order.
Block = Heading | str


def join_path(*parts: str) -> tuple[str, ...]:
    """A heading path without blanks or a heading repeated right below itself."""
    path: list[str] = []
    for part in parts:
        if part and (not path or path[-1] != part):
            path.append(part)
    return tuple(path)


def _demote_empty_headings(blocks: Sequence[Block]) -> list[Block]:
    # A heading with nothing under it (a site map, a list of logos' captions) is content,
    # not structure: keep it as a line of its parent section rather than lose it.
    kept: list[Block] = []
    demoted_before = False
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if isinstance(block, Heading) and (
            following is None or (isinstance(following, Heading) and following.level <= block.level)
        ):
            if demoted_before:
                kept[-1] = f"{kept[-1]}\n{block.text}"
            else:
                kept.append(block.text)
            demoted_before = True
        else:
            kept.append(block)
            demoted_before = False
    return kept


def sections_from_blocks(blocks: Sequence[Block], prefix: tuple[str, ...] = ()) -> list[Section]:
    """One section per run of paragraphs, under the path of its enclosing headings."""
    sections: list[Section] = []
    stack: list[Heading] = []
    paragraphs: list[str] = []

    def flush() -> None:
        if paragraphs:
            path = join_path(*prefix, *(heading.text for heading in stack))
            sections.append(Section(text="\n\n".join(paragraphs), heading_path=path))
            paragraphs.clear()

    for block in _demote_empty_headings(blocks):
        if isinstance(block, Heading):
            flush()
            while stack and stack[-1].level >= block.level:
                stack.pop()
            stack.append(block)
        elif block:
            paragraphs.append(block)
    flush()
    return sections
