"""The offline default: answers made of the sources' own sentences, each one cited.

Nothing is written that a source does not say, so the answer cannot hallucinate and
needs no key, no network and no GPU. Three shapes:

* the top source is a FAQ entry that no other source beats on the question's words: its
  answer, whole, cited [n];
* a page asks the learner's question itself (a help page's questions and answers): what
  follows that question, up to the page's next one, cited, and no other source: sentences of
  other pages that share the question's words answer a neighbouring question. A sentence
  that only repeats the learner's words (a heading they copied) is never quoted, and counts as
  the page's question. On the service-public site-help set, citation precision 0.781 → 0.882
  and answer correctness 0.585 → 0.662, every other set unchanged (``mentor-assistant eval``).
  On a page whose line breaks were lost, the questions right after the page's own are part
  of it ("… le fichier PDF téléchargé. Que faire ?"), and a short statement just before the
  next question is that question's heading, not the answer's end; a sentence may end on the
  address it gives (assistant/sentences.py): site help correctness 0.662 → 0.685 (7 answers
  changed, none for the worse to read: the next question's heading no longer trails an
  answer, each address ends its own cited sentence), every other set's answers identical.
  The statements before that one in the learner's voice ("… sur mon compte.") are its
  wording too: two site-help answers, read on into the next chunk, no longer end on the
  next question's first sentence (scores unchanged, every other answer identical);
* otherwise 2 to 5 units (sentences, or list items kept intact) picked across the top
  passages by how much of the question they cover (rare words count more), with a small
  prior for better-ranked passages, MMR-style so that two near-identical sentences
  (chunk overlaps, repeated summaries) are not both shown. They are then put back in
  reading order, source by source, each followed by its [n]; but the answer leads with
  its best unit, and with that unit's source: an opening about another notion than the
  one asked reads as a wrong answer. List items come with the sentence that announces the
  list (ending with a colon or, as often, a full stop), and a list that leads is shown from
  its first item (sample set correctness 0.685 → 0.698, lite 0.506 → 0.519; other sets
  unchanged). A list that no sentence introduces is about its section's heading ("Plan
  type"), which counts for its items' match to the question (sample correctness 0.698 →
  0.709, lite 0.519 → 0.532; other sets unchanged).

Passages are only ever quoted, never interpreted, and a sentence that gives orders to
an AI (``knowledge.injection``: the guard's rules, and orders about sources, sessions,
prompts or answers) is never picked: an instruction planted in a document neither acts
nor gets relayed.

A passage cut inside its sentences (a short chunk between two others) is quoted piece by
piece when no source has a whole sentence: an answer with nothing in it was worse.
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

from assistant.replies import ENGLISH_LEAD_IN
from assistant.sentences import Unit, coverage, ends_on_address, stems, units
from assistant.types import Citation, Turn
from knowledge.injection import addresses_assistant
from knowledge.text import fold_accents, normalize

_MIN_UNITS, _MAX_UNITS = 2, 5
# Below this share of the best unit's score, a further unit adds more noise than answer.
_KEEP_RATIO = 0.45
_REDUNDANCY = 0.6
# Chunk overlaps repeat sentences across passages: a near-copy is never shown twice.
_DUPLICATE = 0.8
_RANK_PRIOR = 0.06
_TITLE_BONUS = 0.15
# A sentence shortly after one that matches the question often answers it: the analysis
# after a case's situation, the rule after the question it settles.
_FOLLOW = 0.5
_FOLLOW_SPAN = 2
# A page's question matched this well (rarity-weighted share of the learner's words) is
# the one asked; the answer is in the few sentences after it.
_ASKED = 0.6
_ANSWER_SPAN = 4
# A statement this short just before a page's question is its heading, not an answer's end.
_HEADING_WORDS = 12
# A help page's questions speak in the learner's voice, its answers to "vous".
_FIRST_PERSON = re.compile(r"\b(?:je|j['’]|mon|ma|mes|me|m['’]|moi)(?!\w)", re.IGNORECASE)
# Fewer content words than this, a sentence repeated from the question is too short to matter.
_ECHO_STEMS = 3
_WORD = re.compile(r"[^\W_]+")
# Learning objectives and durations echo a module's topic words without answering anything.
_BOILERPLATE = re.compile(
    r"^(?:\*\*)?(?:à la fin|à l’issue|à l'issue|au terme) de (?:ce|cette)\b|vous serez capable"
    r"|^(?:\*\*)?durée estimée",
    re.IGNORECASE,
)
_BOILERPLATE_FACTOR = 0.3
# The top FAQ entry is trusted unless another source covers clearly more of the question:
# the ranking already matched paraphrases that share few words with the entry's question.
# Requiring a word overlap with its title as well was measured worse (citation precision
# 0.885 → 0.908 on the sample set, 0.740 → 0.769 on CNIL dev; correctness 0.646 → 0.680).
_FAQ_MARGIN = 0.25
_YES_NO = re.compile(r"(?:oui|non)\b", re.IGNORECASE)
_END = re.compile(r"\s*[.!?…;:]+[*»\"]*\s*$")
_LIST_END = re.compile(r"\s*[;,]$")
# A few words per event: the answer is all there at once, and one SSE event per word made
# the event plumbing, on both ends, the cost of a busy server.
_PIECE = re.compile(r"(?:\S+\s*){1,6}|\s+")


class ExtractiveGenerator:
    @property
    def name(self) -> str:
        return "extractive"

    async def stream(
        self, question: str, citations: Sequence[Citation], history: Sequence[Turn], language: str
    ) -> AsyncGenerator[str, None]:
        # In small pieces, so the stream looks the same to a client whatever the backend.
        for piece in _PIECE.findall(compose(question, citations, language)):
            yield piece

    async def aclose(self) -> None:
        """Nothing is held open: the answer is composed in process."""


def compose(question: str, citations: Sequence[Citation], language: str) -> str:
    if not citations:
        return ""
    body = _faq_answer(question, citations, language) or _extract(question, citations)
    return f"{ENGLISH_LEAD_IN}\n\n{body}" if language == "en" else body


def faq_body(citation: Citation) -> str:
    """A FAQ passage without its opening question (the loaders put it first for search)."""
    first, _, rest = citation.passage.strip().partition("\n")
    if rest and normalize(first).strip() == normalize(citation.title).strip():
        return rest.strip()
    return citation.passage.strip()


def _faq_answer(question: str, citations: Sequence[Citation], language: str) -> str:
    top = citations[0]
    if top.kind != "faq":
        return ""
    # An English question shares no words with French sources: the ranking alone decides.
    if language == "fr":
        wanted = stems(question)
        covered = [coverage(wanted, stems(f"{c.title}\n{c.passage}")) for c in citations]
        if covered[0] < max(covered) - _FAQ_MARGIN:
            return ""
    if any(_orders(unit.text) for unit in units(faq_body(top))):
        return ""  # quoted whole, it would relay the planted order; sentences filter it
    body = faq_body(top)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    answer = "\n\n".join(_cite(paragraph, top.index) for paragraph in paragraphs)
    # "Non, si vous souhaitez un duplicata…" answers the entry's question, which the learner
    # may have worded quite differently: a third of the CNIL answers open that way.
    if _YES_NO.match(body):
        return f"**{top.title.strip()}**\n\n{answer}"
    return answer


@dataclass(frozen=True, slots=True)
class _Candidate:
    citation: Citation
    rank: int
    unit: Unit
    stems: frozenset[str]
    # The sentence ending with ":" that introduces a list item, shown with it.
    intro: Unit | None
    # A list with no sentence to introduce it is about its section's heading ("Plan type").
    heading: frozenset[str] = frozenset()


def _extract(question: str, citations: Sequence[Citation]) -> str:
    candidates = [
        candidate for rank, citation in enumerate(citations) for candidate in _units(rank, citation)
    ]
    if not candidates:
        # Passages cut inside their sentences (a short chunk between two others) have no
        # whole unit: their pieces, cited, say more than an empty answer.
        candidates = [
            candidate
            for rank, citation in enumerate(citations)
            for candidate in _units(rank, citation, fragments=True)
        ]
    wanted = stems(question)
    weights = _rarity(wanted, candidates)
    relevance = {id(c): _relevance(c, wanted, weights) for c in candidates}
    # A sentence that only repeats the learner's own words (a page's heading they copied:
    # "Je ne parviens pas à les mettre à jour.") says nothing new: never the answer.
    echoes = {id(c) for c in candidates if _echoes(c.unit, question)}
    # A help page's own question that the learner's matches: it is not an answer, the
    # sentences after it are.
    asked = {
        id(c)
        for c in candidates
        if (_is_question(c.unit) or id(c) in echoes) and relevance[id(c)] >= _ASKED
    }
    if asked:
        # The page's own question is the learner's: what follows it, up to the page's next
        # question, is the answer, given alone as a matching FAQ entry's is; other sources'
        # sentences that share the question's words are about a neighbouring question.
        lead = max((c for c in candidates if id(c) in asked), key=lambda c: relevance[id(c)])
        span = [c for c in _answer_after(lead, candidates) if id(c) not in echoes]
        if span:
            return _render(span, citations)
        candidates = [c for c in candidates if c.citation is lead.citation]
    scored = []
    for index, candidate in enumerate(candidates):
        if id(candidate) in asked or id(candidate) in echoes:
            continue
        before = [
            c for c in candidates[max(0, index - _ANSWER_SPAN) : index] if _near(c, candidate)
        ]
        follows = max(
            (
                relevance[id(c)] if id(c) in asked else _FOLLOW * relevance[id(c)]
                for c in before
                if id(c) in asked or candidate.unit.position - c.unit.position <= _FOLLOW_SPAN
            ),
            default=0.0,
        )
        score = relevance[id(candidate)] + follows
        if score > 0:
            scored.append((_adjust(score, candidate, wanted), candidate))
    chosen = _diverse(scored)
    if not chosen:
        # The question shares no word with the sources (another language, say): the best
        # ranked passage's opening is the most likely answer, and it is still cited.
        chosen = [c for c in candidates if c.rank == 0][:_MIN_UNITS] or candidates[:_MIN_UNITS]
    return _render(chosen, citations)


def _answer_after(question: _Candidate, candidates: Sequence[_Candidate]) -> list[_Candidate]:
    """The units after a page's question in its passage, up to the next question. The
    questions right after it are its own ("Je n'arrive pas à ouvrir le fichier. Que
    faire ?"), and the short statements just before the next one are that one's wording
    ("Je ne trouve pas la case. Pourquoi ?")."""
    asks = {unit.position for unit in units(_text(question.citation)) if _is_question(unit)}
    start = question.unit.position + 1
    while start in asks:
        start += 1
    end = min((position for position in asks if position > start), default=None)
    span = [
        candidate
        for candidate in candidates
        if candidate.citation is question.citation
        and start <= candidate.unit.position
        and (end is None or candidate.unit.position < end)
    ]
    # The next question's own wording ends the answer: the short statement right before it,
    # and those before that one in the learner's voice ("Des informations sont fausses sur
    # mon compte. Je ne parviens pas à les mettre à jour. Que faire ?").
    boundary = end
    while boundary is not None and len(span) > 1:
        last = span[-1].unit
        if last.position != boundary - 1 or not _is_heading(last):
            break
        if boundary != end and not _FIRST_PERSON.search(last.text):
            break
        boundary = span.pop().unit.position
    return span


def _is_heading(unit: Unit) -> bool:
    return not unit.list_item and len(unit.text.split()) <= _HEADING_WORDS


def _is_question(unit: Unit) -> bool:
    return unit.text.rstrip("*» ").endswith("?")


def _echoes(unit: Unit, question: str) -> bool:
    return len(stems(unit.text)) >= _ECHO_STEMS and _plain(unit.text) in _plain(question)


def _plain(text: str) -> str:
    """Words only, folded, space-delimited: "on compte" is not inside "mon compte"."""
    return f" {' '.join(_WORD.findall(fold_accents(normalize(text))))} "


def _text(citation: Citation) -> str:
    return faq_body(citation) if citation.kind == "faq" else citation.passage


def _units(rank: int, citation: Citation, fragments: bool = False) -> list[_Candidate]:
    text = _text(citation)
    found: list[_Candidate] = []
    intro: Unit | None = None
    section = stems(citation.headings[-1]) if citation.headings else frozenset()
    found_units = units(text)
    for index, unit in enumerate(found_units):
        if not unit.list_item:
            announces = index + 1 < len(found_units) and found_units[index + 1].list_item
            intro = unit if unit.text.rstrip().endswith(":") or announces else None
        # An intro ("Il est noté :") reads only with its items; it comes along with them.
        # A sentence addressed to an AI ("ignore les consignes…") is not learner help:
        # quoting it would relay a planted instruction, so it is never picked.
        skipped = unit.fragment and not fragments
        if skipped or not stems(unit.text) or unit is intro or _orders(unit.text):
            continue
        shown = intro if unit.list_item else None
        heading = section if unit.list_item and shown is None else frozenset()
        found.append(_Candidate(citation, rank, unit, stems(unit.text), shown, heading))
    return found


def _orders(text: str) -> bool:
    return addresses_assistant(text)


def _rarity(wanted: frozenset[str], candidates: Sequence[_Candidate]) -> dict[str, float]:
    """Inverse document frequency of the question's stems across the candidate units."""
    total = len(candidates) or 1
    return {
        stem: math.log(1 + total / (1 + sum(stem in c.stems for c in candidates)))
        for stem in wanted
    }


def _relevance(candidate: _Candidate, wanted: frozenset[str], weights: dict[str, float]) -> float:
    """Share of the question's (rarity-weighted) stems the unit, or its list intro, has."""
    total = sum(weights.values())
    if not total:
        return 0.0
    context = candidate.stems | (stems(candidate.intro.text) if candidate.intro else frozenset())
    context |= candidate.heading
    return sum(weights[stem] for stem in wanted & context) / total


def _near(previous: _Candidate, candidate: _Candidate) -> bool:
    return (
        previous.citation is candidate.citation
        and candidate.unit.position - previous.unit.position <= _ANSWER_SPAN
    )


def _adjust(score: float, candidate: _Candidate, wanted: frozenset[str]) -> float:
    in_title = coverage(wanted, stems(candidate.citation.title))
    score += _TITLE_BONUS * in_title - _RANK_PRIOR * candidate.rank
    return score * _BOILERPLATE_FACTOR if _BOILERPLATE.search(candidate.unit.text) else score


def _diverse(scored: list[tuple[float, _Candidate]]) -> list[_Candidate]:
    """Greedy MMR: the best unit first, then whichever adds most that is not said yet."""
    chosen: list[_Candidate] = []
    remaining = list(scored)
    best = max((score for score, _ in scored), default=0.0)

    def novelty(pair: tuple[float, _Candidate]) -> float:
        score, candidate = pair
        overlap = max((_jaccard(candidate.stems, c.stems) for c in chosen), default=0.0)
        return score - _REDUNDANCY * overlap

    while remaining:
        pair = max(remaining, key=novelty)
        remaining.remove(pair)
        if len(chosen) >= _MIN_UNITS and novelty(pair) < _KEEP_RATIO * best:
            break
        if any(_jaccard(pair[1].stems, c.stems) > _DUPLICATE for c in chosen):
            continue
        if _sentences([*chosen, pair[1]]) <= _MAX_UNITS:
            chosen.append(pair[1])
    return chosen


def _sentences(chosen: Sequence[_Candidate]) -> int:
    """Units plus the list intros shown with them."""
    intros = {(c.citation.chunk_id, c.intro.position) for c in chosen if c.intro is not None}
    return len(chosen) + len(intros)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _render(chosen: Sequence[_Candidate], citations: Sequence[Citation]) -> str:
    """Source by source, the one with the best unit first; each in reading order, except
    that the answer opens on its best unit: what precedes it in its source comes after."""
    blocks: list[str] = []
    lead = chosen[0] if chosen else None
    by_best = sorted(
        citations, key=lambda c: next((n for n, x in enumerate(chosen) if x.citation is c), 99)
    )
    for citation in by_best:
        mine = sorted((c for c in chosen if c.citation is citation), key=lambda c: c.unit.position)
        if lead is not None and lead.citation is citation:
            # A list item leads with its whole list, in order, under its intro.
            start = lead.intro.position if lead.intro is not None else lead.unit.position
            mine = [c for c in mine if c.unit.position >= start] + [
                c for c in mine if c.unit.position < start
            ]
        lines: list[str] = []
        shown_intros: set[int] = set()
        for candidate in mine:
            intro = candidate.intro
            if intro is not None and intro.position not in shown_intros:
                lines.append(_cite(intro.text, citation.index))
                shown_intros.add(intro.position)
            if candidate.unit.list_item:
                lines.append(f"- {_cite(candidate.unit.text, citation.index)}")
            else:
                lines.append(_cite(candidate.unit.text, citation.index))
        if lines:
            blocks.append(_join(lines))
    return "\n\n".join(blocks)


def _join(lines: list[str]) -> str:
    """Prose runs become a paragraph; list items stay one per line under their intro, and
    the last item shown ends the list with a full stop rather than the source's ";"."""
    blocks: list[list[str]] = []
    for line in lines:
        if blocks and blocks[-1][-1].startswith("- ") == line.startswith("- "):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    for block in blocks:
        if block[-1].startswith("- "):
            block[-1] = _LIST_END.sub(".", block[-1])
    return "\n\n".join("\n".join(b) if b[0].startswith("- ") else " ".join(b) for b in blocks)


def _cite(text: str, index: int) -> str:
    """``text`` with ``[index]`` before its closing punctuation, as French writes it."""
    text = text.strip()
    end = _END.search(text)
    if end is None:
        # A sentence ending on an address lost its full stop with a line break: given back.
        return f"{text} [{index}]." if ends_on_address(text) else f"{text} [{index}]"
    return f"{text[: end.start()]} [{index}]{text[end.start() :]}"
