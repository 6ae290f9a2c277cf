"""Markdown: YAML front matter for metadata, headings for sections."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ingest.errors import CorruptFileError
from ingest.loaders import strict_yaml
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.metadata import Declared, make_document
from ingest.loaders.common.outline import Block, Heading, sections_from_blocks
from ingest.loaders.common.text import clean_inline, clean_text, decode_text, title_from_name
from knowledge.types import Document, Kind

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Lines that keep their own line inside a paragraph: list items, table rows, quotes.
_OWN_LINE = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|\||>)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_BULLET = re.compile(r"^\s*[*+]\s")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")


class MarkdownLoader:
    extensions: tuple[str, ...] = (".md", ".markdown")

    def load(self, source: SourceFile, options: LoadOptions) -> list[Document]:
        text = decode_text(source.data, source.uri).replace("\r\n", "\n")
        fields, body = split_front_matter(text, source.uri)
        declared = Declared.parse(fields, source.uri, "front matter")
        blocks = markdown_blocks(body)
        first_title = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "")
        document = make_document(
            source=source.uri,
            document_id=source.uri,
            title=declared.title or first_title or title_from_name(source.name),
            sections=sections_from_blocks(blocks),
            options=options,
            default_kind=Kind.PAGE,
            declared=declared,
            metadata={key: value for key, value in fields.items() if key not in Declared.KEYS},
        )
        return [document] if document else []


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        fields = strict_yaml.load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        # +2: the opening "---" is line 1 and marks count from 0.
        detail = strict_yaml.describe(error, line_offset=2)
        raise CorruptFileError(source, f"front matter, {detail}") from None
    if not isinstance(fields, dict):
        raise CorruptFileError(source, "front matter must be a mapping of keys to values")
    return {str(key): value for key, value in fields.items()}, text[match.end() :]


def markdown_blocks(body: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    code: list[str] = []
    fence: str | None = None

    def flush(text: str) -> None:
        text = clean_text(text)
        if text:
            blocks.append(text)

    for line in _COMMENT.sub("", body).split("\n"):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
                flush("\n".join(code))
                code.clear()
            else:
                code.append(line)
        elif fence_match := _FENCE.match(line):
            flush(_join_lines(paragraph))
            paragraph.clear()
            fence = fence_match.group(1)
        elif heading := _ATX.match(line):
            flush(_join_lines(paragraph))
            paragraph.clear()
            blocks.append(Heading(len(heading.group(1)), _inline(heading.group(2) or "")))
        elif (setext := _SETEXT.match(line)) and len(paragraph) == 1:
            level = 1 if setext.group(1).startswith("=") else 2
            blocks.append(Heading(level, _inline(paragraph.pop())))
        elif not line.strip():
            flush(_join_lines(paragraph))
            paragraph.clear()
        else:
            paragraph.append(line)
    flush(_join_lines(paragraph))
    flush("\n".join(code))
    return [block for block in blocks if not isinstance(block, Heading) or block.text]


def _join_lines(lines: list[str]) -> str:
    """Soft-wrapped lines become one line; list items, table rows and hard breaks stay."""
    joined: list[str] = []
    hard_break = True
    for raw in lines:
        line = _inline(raw.rstrip("\\"))
        if joined and not hard_break and not _OWN_LINE.match(raw):
            joined[-1] += " " + line
        else:
            joined.append(line)
        hard_break = raw.endswith(("  ", "\\"))
    return "\n".join(joined)


def _inline(text: str) -> str:
    text = _QUOTE.sub("", _IMAGE.sub(r"\1", text))
    text = _LINK.sub(r"\1 (\2)", text)
    text = _EMPHASIS.sub(r"\2", text)
    return clean_inline(_BULLET.sub("- ", text))
