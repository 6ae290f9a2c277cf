"""HTML pages: clean text split by headings; a page of questions and answers becomes a FAQ."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4.element import PreformattedString

from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.metadata import child_id, make_document
from ingest.loaders.common.outline import Block, Heading, sections_from_blocks
from ingest.loaders.common.text import clean_inline, decode_text, has_words, title_from_name
from knowledge.types import Document, Kind, Section

# Never reader-facing text, wherever they sit.
_SKIPPED_TAGS = [
    "script", "style", "noscript", "template", "head", "nav", "footer", "aside", "svg",
    "canvas", "iframe", "object", "embed", "form", "input", "select", "textarea",
]  # fmt: skip
_BOILERPLATE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "search", "menu", "menubar", "toolbar", "complementary"}
)
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "body", "header", "ul", "ol", "dl", "table",
        "blockquote", "figure", "details", "address", "fieldset", "center", "hr",
    }
)  # fmt: skip
_LINE_TAGS = frozenset({"dt", "dd", "figcaption", "caption", "summary"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Accordion toggles carry one of these whatever the CSS framework.
_TOGGLE_ATTRIBUTES = ("aria-expanded", "aria-controls", "data-toggle", "data-bs-toggle")
# Questions that are not <h1>..<h6> (summary, dt, toggles, bold lines) nest below every heading.
_QUESTION_LEVEL = 7
_QUESTION = re.compile(r"\?[\s»”\"')\]]*$")
_MAX_QUESTION_CHARS = 300
# A page is a FAQ when questions carry at least twice as many text runs as the rest.
_MIN_FAQ_ENTRIES = 3
_FAQ_DOMINANCE = 2


def _looks_like_question(text: str) -> bool:
    return len(text) <= _MAX_QUESTION_CHARS and bool(_QUESTION.search(text))


@dataclass(frozen=True, slots=True)
class _HtmlPage:
    title: str | None
    url: str | None
    blocks: list[Block]


def _parse_html(text: str) -> _HtmlPage:
    with warnings.catch_warnings():
        # A Moodle field holding only a link or a file name is text, not a mistaken URL.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "lxml")
    title = clean_inline(soup.title.get_text()) if soup.title else ""
    canonical = soup.find("link", rel="canonical")
    href = canonical.get("href") if isinstance(canonical, Tag) else None
    url = href if isinstance(href, str) and href.startswith(("http://", "https://")) else None
    _strip_boilerplate(soup)
    collector = _Collector()
    collector.walk(soup.body or soup)
    blocks = collector.finish()
    if not title:
        title = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "")
    return _HtmlPage(title=title or None, url=url, blocks=blocks)


def html_sections(text: str, prefix: tuple[str, ...] = ()) -> list[Section]:
    """Sections of an HTML page or fragment (a SCORM page, a Moodle field)."""
    return sections_from_blocks(_parse_html(text).blocks, prefix)


class HtmlLoader:
    extensions: tuple[str, ...] = (".html", ".htm", ".xhtml")

    def load(self, source: SourceFile, options: LoadOptions) -> list[Document]:
        page = _parse_html(decode_text(source.data, source.uri))
        title = page.title or title_from_name(source.name)
        entries = _faq_entries(page.blocks)
        if entries is None:
            document = make_document(
                source=source.uri,
                document_id=source.uri,
                title=title,
                sections=sections_from_blocks(page.blocks),
                options=options,
                default_kind=Kind.PAGE,
                url=page.url,
            )
            return [document] if document else []
        taken: set[str] = set()
        documents = []
        for entry in entries:
            document = make_document(
                source=source.uri,
                document_id=child_id(source.uri, entry.question, taken),
                title=entry.question,
                # The question opens the text: the chunk read by the model and by the
                # lexical index then holds both the learner's wording and the answer.
                sections=[Section(f"{entry.question}\n" + "\n\n".join(entry.answer), entry.path)],
                options=options,
                default_kind=Kind.FAQ,
                url=page.url,
            )
            if document:
                documents.append(document)
        return documents


@dataclass(slots=True)
class _FaqEntry:
    question: str
    path: tuple[str, ...]
    answer: list[str] = field(default_factory=list)


def _faq_entries(blocks: list[Block]) -> list[_FaqEntry] | None:
    """Question/answer pairs if the page is made of them, else None.

    A question is a heading (or accordion toggle, summary, dt, bold line) ending with "?";
    its answer is everything down to the next heading of the same or a higher level.
    Text outside any question (the page's or a group's introduction) is not indexed.
    """
    entries: list[_FaqEntry] = []
    stack: list[Heading] = []
    current: _FaqEntry | None = None
    current_level = 0
    outside_runs = 0
    in_outside_run = False
    for block in blocks:
        if isinstance(block, Heading):
            in_outside_run = False
            if current is not None and block.level > current_level:
                current.answer.append(block.text)
                continue
            while stack and stack[-1].level >= block.level:
                stack.pop()
            current = None
            if _looks_like_question(block.text):
                current = _FaqEntry(block.text, tuple(h.text for h in stack))
                current_level = block.level
                entries.append(current)
            stack.append(block)
        elif current is not None:
            current.answer.append(block)
        elif not in_outside_run:
            outside_runs += 1
            in_outside_run = True
    answered = [entry for entry in entries if entry.answer]
    if len(answered) < _MIN_FAQ_ENTRIES or len(answered) < _FAQ_DOMINANCE * outside_runs:
        return None
    return answered


def _strip_boilerplate(soup: BeautifulSoup) -> None:
    doomed = soup.find_all(_SKIPPED_TAGS)
    doomed += [
        tag
        for tag in soup.find_all(role=True)
        if _BOILERPLATE_ROLES.intersection(str(tag.get("role")).lower().split())
    ]
    # A page-level <header> is the site banner; one inside an article holds its title.
    doomed += [h for h in soup.find_all("header") if not h.find_parent(["article", "section"])]
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


def _inline_text(element: Tag) -> str:
    pieces: list[str] = []
    for node in element.descendants:
        if isinstance(node, Tag):
            if node.name == "br" or node.name in _BLOCK_TAGS or node.name in ("li", "td", "th"):
                pieces.append(" ")
        elif _is_text(node):
            pieces.append(str(node))
    return clean_inline("".join(pieces))


def _is_text(node: object) -> bool:
    # Comments, doctypes and CDATA are PreformattedStrings: not page text.
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _question_holder(element: Tag) -> str | None:
    """The question text of a non-heading element that announces an answer, if it is one."""
    holds = element.name in ("summary", "dt") or any(
        element.has_attr(attribute) for attribute in _TOGGLE_ATTRIBUTES
    )
    if not holds and element.name in ("p", "div"):
        children = [c for c in element.contents if isinstance(c, Tag) or str(c).strip()]
        only = children[0] if len(children) == 1 else None
        holds = isinstance(only, Tag) and only.name in ("strong", "b")
    if not holds:
        return None
    text = _inline_text(element)
    return text if _looks_like_question(text) else None


class _Collector:
    """Walks the DOM once, turning it into headings and paragraphs of clean lines."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._lines: list[str] = []
        self._pieces: list[str] = []
        self._bullet = False

    def finish(self) -> list[Block]:
        self._end_paragraph()
        return self.blocks

    def walk(self, node: Tag, in_item: bool = False) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                self._element(child, in_item)
            elif _is_text(child):
                self._text(str(child))

    def _element(self, element: Tag, in_item: bool) -> None:
        name = element.name
        if name in _HEADING_TAGS:
            self._heading(int(name[1]), _inline_text(element))
        elif (question := _question_holder(element)) is not None:
            self._heading(_QUESTION_LEVEL, question)
        elif name == "br":
            self._end_line()
        elif name == "li":
            self._end_line()
            self._bullet = True
            self.walk(element, in_item=True)
            self._end_line()
        elif name == "tr":
            self._end_line()
            cells = [_inline_text(cell) for cell in element.find_all(["td", "th"], recursive=False)]
            self._text(" | ".join(cell for cell in cells if cell))
            self._end_line()
        elif name == "pre":
            self._end_block(in_item)
            for line in element.get_text().splitlines():
                self._text(line)
                self._end_line()
            self._end_block(in_item)
        elif name in _BLOCK_TAGS:
            # Inside a list item, paragraphs are lines of that item, not new paragraphs.
            self._end_block(in_item)
            self.walk(element, in_item)
            self._end_block(in_item)
        elif name in _LINE_TAGS:
            self._end_line()
            self.walk(element, in_item)
            self._end_line()
        else:
            self.walk(element, in_item)

    def _text(self, text: str) -> None:
        if self._bullet and text.strip():
            self._pieces.append("- ")
            self._bullet = False
        self._pieces.append(text)

    def _end_line(self) -> None:
        line = clean_inline("".join(self._pieces))
        self._pieces.clear()
        if has_words(line):
            self._lines.append(line)

    def _end_paragraph(self) -> None:
        self._end_line()
        if self._lines:
            self.blocks.append("\n".join(self._lines))
            self._lines.clear()

    def _end_block(self, in_item: bool) -> None:
        if in_item:
            self._end_line()
        else:
            self._end_paragraph()

    def _heading(self, level: int, text: str) -> None:
        self._end_paragraph()
        self._bullet = False
        if has_words(text):
            self.blocks.append(Heading(level, text))
