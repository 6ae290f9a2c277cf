"""After generation: keep the sources the answer cites, renumber them, flag what none supports.

A marker pointing at no source (a model inventing [7]) is removed. Support is lexical: a
sentence is supported when most of its content stems occur in the passages it cites (or,
uncited, in any of the answer's sources). Paraphrase defeats this check, so it flags and
never rewrites; lines that end with ":" introduce what follows and claim nothing.

When the first passage is a FAQ entry, the other entries the answer leaves out were nearly
as close to the question (``EvidencePolicy`` cites a further passage within 0.03 of a first
entry's cosine): they are offered beside the answer as questions the learner may have meant.
Measured with ``mentor-assistant eval`` (EmbeddingGemma, 2026-12-02): on the CNIL
development and sample sets, 7 of the 13 answers quoting a wrong entry offer the right one
this way, and 13 of the 104 right answers show one or two such questions; on the three
held-out CNIL paraphrase sets, 13 of 29 and 15 of 47; lite, sample set, 5 of 50 answers show
some, none of the 5 wrong ones rescued. Not after a page or a course passage first (cited
with its neighbours within 0.1): before that rule, 9 of the 14 lite sample answers showing
some had one first, and 8 of those 9 offered questions unrelated to the one asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.sentences import coverage, split_sentences, stems
from assistant.types import Citation
from knowledge.types import Kind

_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_EMPTY_MARKER = re.compile(r" ?\[\]")
# Shorter sentences ("Oui.", "Voici les étapes") carry too few stems to judge.
_MIN_STEMS = 3
_MIN_SUPPORT = 0.5
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
# "… fin. [1] Suite" (the English habit) ties [1] to the sentence it follows.
_TRAILING_MARKER = re.compile(r"([.!?…])\s*(\[\d+(?:\s*,\s*\d+)*\])")


@dataclass(frozen=True, slots=True)
class Checked:
    text: str
    citations: tuple[Citation, ...]
    unsupported_sentences: tuple[str, ...]
    # The FAQ entries given and not cited, one per entry, numbered from 1.
    related: tuple[Citation, ...]


def check(text: str, citations: Sequence[Citation]) -> Checked:
    by_index = {citation.index: citation for citation in citations}
    order: dict[int, int] = {}
    for match in _MARKERS.finditer(text):
        for number in _numbers(match.group(1)):
            if number in by_index:
                order.setdefault(number, len(order) + 1)

    def renumber(match: re.Match[str]) -> str:
        kept = [order[n] for n in _numbers(match.group(1)) if n in order]
        return f"[{', '.join(map(str, dict.fromkeys(kept)))}]"

    renumbered = _EMPTY_MARKER.sub("", _MARKERS.sub(renumber, text))
    kept = tuple(replace(by_index[old], index=new) for old, new in order.items())
    return Checked(renumbered, kept, unsupported(renumbered, kept), _left_out(citations, kept))


def _left_out(given: Sequence[Citation], kept: Sequence[Citation]) -> tuple[Citation, ...]:
    # Only a FAQ entry first brings further entries this close (a page first cites its
    # neighbours within 0.1, where another entry is no longer a question meant).
    if not given or given[0].kind != Kind.FAQ.value:
        return ()
    quoted = {citation.document_id for citation in kept}
    entries: dict[str, Citation] = {}
    for citation in given:
        if citation.kind == Kind.FAQ.value and citation.document_id not in quoted:
            entries.setdefault(citation.document_id, citation)
    return tuple(replace(c, index=n) for n, c in enumerate(entries.values(), 1))


def unsupported(text: str, citations: Sequence[Citation]) -> tuple[str, ...]:
    passages = {c.index: stems(f"{c.title}\n{c.passage}") for c in citations}
    everything = frozenset().union(*passages.values())
    flagged: list[str] = []
    for line in _TRAILING_MARKER.sub(r" \2\1", text).splitlines():
        for sentence in split_sentences(_LIST_MARK.sub("", line)):
            own = stems(sentence)
            if len(own) < _MIN_STEMS or sentence.rstrip("* ").endswith(":"):
                continue
            cited = [n for m in _MARKERS.finditer(sentence) for n in _numbers(m.group(1))]
            sources = frozenset().union(*(passages.get(n, frozenset()) for n in cited))
            if coverage(own, sources or everything) < _MIN_SUPPORT:
                flagged.append(sentence.strip())
    return tuple(flagged)


def _numbers(group: str) -> list[int]:
    return [int(part) for part in group.split(",")]
