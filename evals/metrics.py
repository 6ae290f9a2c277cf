"""The metrics, as pure functions of what one item expected and what the pipeline returned.

Relevance. A passage is relevant when its ``document_id`` is one of the item's
``expected_documents``, or when its text contains one of the ``reference_contexts`` after
:func:`normalize_snippet` (NFKC, casefold, typographic apostrophes and quotes mapped to
ASCII, whitespace collapsed), so a snippet copied from a rendered page still matches the
Markdown source.

Support (offline, deterministic). A sentence is supported by a passage when at least
``SUPPORT_THRESHOLD`` of its content stems (the French analyzer of ``knowledge.text``:
accents folded, stop words out, Snowball stems) occur in that one passage. Why 0.65: of
the 117 reference-answer sentences of ``evals/datasets/sample.jsonl`` (human paraphrases
of their expected documents), 96 % reach it against one indexed chunk of their expected
documents, while 19 % reach it against the best-matching chunk of any *other* document, a
hard negative in a corpus that repeats facts across the FAQ, the kit and the courses; 0.6
lets 27 % of those through, 0.7 drops 15 % of the true ones. Stem overlap cannot see
paraphrase with new words, nor a negation flipped; the LLM judge (``evals.judge``) can.
Sentences with fewer than ``MIN_CLAIM_STEMS`` stems ("Oui.") and lines that end with ":"
(lead-ins) claim nothing and are not judged.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.sentences import split_sentences
from knowledge.text import tokens

SUPPORT_THRESHOLD = 0.65
MIN_CLAIM_STEMS = 3
MRR_DEPTH = 10

_TYPOGRAPHY = str.maketrans(
    {
        "’": "'", "‘": "'", "‚": "'", "‛": "'", "ʼ": "'", "´": "'", "`": "'", "‹": "'", "›": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")
_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)]|#{1,6})\s+")


def normalize_snippet(text: str) -> str:
    """NFKC, casefold, typographic apostrophes and quotes to ASCII, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    return _SPACES.sub(" ", folded).strip()


@dataclass(frozen=True, slots=True)
class Passage:
    document_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Expectation:
    """What an item says a relevant passage looks like."""

    documents: frozenset[str]
    contexts: tuple[str, ...]

    @classmethod
    def of(cls, documents: Iterable[str], contexts: Iterable[str]) -> Expectation:
        normalized = (normalize_snippet(context) for context in contexts)
        return cls(frozenset(documents), tuple(context for context in normalized if context))

    @property
    def size(self) -> int:
        return len(self.documents) + len(self.contexts)

    def relevant(self, passage: Passage) -> bool:
        if passage.document_id in self.documents:
            return True
        text = normalize_snippet(passage.text)
        return any(context in text for context in self.contexts)


# -- retrieval: a ranked list of passages, best first ---------------------------------------


def hit_at(ranked: Sequence[Passage], expectation: Expectation, k: int) -> float:
    """1 when a relevant passage is among the first ``k``, else 0."""
    return float(any(expectation.relevant(passage) for passage in ranked[:k]))


def reciprocal_rank(ranked: Sequence[Passage], expectation: Expectation) -> float:
    """1 / rank of the first relevant passage within the first ``MRR_DEPTH``, else 0."""
    for rank, passage in enumerate(ranked[:MRR_DEPTH], 1):
        if expectation.relevant(passage):
            return 1 / rank
    return 0.0


def recall_at(ranked: Sequence[Passage], expectation: Expectation, k: int) -> float:
    """Share of the expectations met in the first ``k``: each expected document that one
    passage comes from, each reference context that one passage contains."""
    top = ranked[:k]
    texts = [normalize_snippet(passage.text) for passage in top]
    found = sum(any(p.document_id == doc for p in top) for doc in expectation.documents)
    found += sum(any(context in text for text in texts) for context in expectation.contexts)
    return found / expectation.size if expectation.size else 0.0


# -- refusal ---------------------------------------------------------------------------------


def refusal_correct(should_refuse: bool, refused: bool) -> float:
    return float(should_refuse == refused)


def refusal_missed(should_refuse: bool, refused: bool) -> float | None:
    """Over items that must be refused: 1 when the assistant answered anyway."""
    return float(not refused) if should_refuse else None


def refusal_false(should_refuse: bool, refused: bool) -> float | None:
    """Over answerable items: 1 when the assistant refused."""
    return None if should_refuse else float(refused)


# -- citations and answers ---------------------------------------------------------------------


def citation_precision(cited: Sequence[Passage], expectation: Expectation) -> float | None:
    """Share of the cited passages that are relevant; ``None`` with nothing cited."""
    if not cited:
        return None
    return sum(expectation.relevant(passage) for passage in cited) / len(cited)


def claims(text: str) -> list[str]:
    """The sentences of an answer that state something, citation markers and Markdown out."""
    found: list[str] = []
    for line in text.splitlines():
        line = _LIST_MARK.sub("", _MARKERS.sub("", line)).replace("**", "").strip()
        for sentence in split_sentences(line):
            sentence = sentence.strip()
            if sentence.rstrip("*_ ").endswith(":"):
                continue
            if len(set(tokens(sentence))) >= MIN_CLAIM_STEMS:
                found.append(sentence)
    return found


def coverage(sentence: str, passage: str) -> float:
    """Share of the sentence's content stems that occur in the passage."""
    own = set(tokens(sentence))
    return len(own & set(tokens(passage))) / len(own) if own else 0.0


def supported(sentence: str, passages: Iterable[str]) -> bool:
    """Backed by one passage on its own: a sentence stitched from two sources is not."""
    return any(coverage(sentence, passage) >= SUPPORT_THRESHOLD for passage in passages)


def support_share(text: str, passages: Sequence[str]) -> float | None:
    """Share of the answer's claims supported by one of ``passages``; ``None`` when the
    answer claims nothing. ``citation.support`` passes the cited passages,
    ``answer.faithfulness`` every passage retrieved for the answer."""
    sentences = claims(text)
    if not sentences:
        return None
    return sum(supported(sentence, passages) for sentence in sentences) / len(sentences)


def unsupported(text: str, passages: Sequence[str]) -> list[str]:
    return [sentence for sentence in claims(text) if not supported(sentence, passages)]


def correctness(answer: str, reference: str) -> float | None:
    """Share of the reference answer's content stems that the answer contains (ROUGE-1
    recall on stems); ``None`` when the reference has none. Recall, not F1: a longer answer
    that quotes a whole FAQ entry is not less correct, and what it adds beyond the
    reference is judged by ``answer.faithfulness``."""
    reference_stems = set(tokens(reference))
    if not reference_stems:
        return None
    return len(reference_stems & set(tokens(answer))) / len(reference_stems)


# -- aggregation -------------------------------------------------------------------------------


def mean(values: Iterable[float | None]) -> tuple[float | None, int]:
    """Mean of the measured values, and how many there were."""
    measured = [value for value in values if value is not None]
    return (sum(measured) / len(measured) if measured else None), len(measured)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile, interpolated linearly between closest ranks (numpy's
    default), so p50 of two values is their mean."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
