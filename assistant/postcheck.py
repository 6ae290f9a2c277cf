"""After generation: keep the sources the answer cites, renumber them, flag what none supports.

A marker pointing at no source (a model inventing [7]) is removed. Support is lexical: a
sentence is supported when most of its content stems occur in the passages it cites (or,
uncited, in any of the answer's sources). Paraphrase defeats this check, so it flags and
never rewrites; lines that end with ":" introduce what follows and claim nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.sentences import coverage, split_sentences, stems
from assistant.types import Citation

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
    return Checked(renumbered, kept, unsupported(renumbered, kept))


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
