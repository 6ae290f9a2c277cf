"""Is there enough evidence to answer, how sure is it, and which passages are worth citing?

Three outcomes, from one probability that the first passages answer the question (a
logistic regression on :class:`Signals`, per embedding model): a plain answer, a hedged
one (the doubt said, the source cited, the support desk offered), or a refusal. The hedge
band lies above the level where out-of-scope questions start getting through, so it only
softens answers to answerable questions; it never turns a refusal into an answer.

Calibrated on labelled real pairs (question set × index), none written for the corpus
it is asked of: positives are questions asked of their own corpus (our learner-style
questions on Mentor's real FAQ, ``evals/datasets/mentor_faq.jsonl``; the sample set; the
service-public site-help questions; the CNIL development questions, lite only: the
EmbeddingGemma CNIL index could not be built in time on the shared CPUs); negatives are
our out-of-scope Mentor questions and cross-corpus questions (CNIL and service-public
questions against Mentor's FAQ and the sample corpus, Mentor questions against the site
help and the CNIL FAQ; generic ones a Mentor learner could ask too left out). Guard-caught
questions never reach this check and are left out. Held out of every fit: the questions
of ``mentor_faq_holdout.jsonl`` and a third of the CNIL and sample questions (by id). Each
set is weighted alike. Features compared by leave-one-corpus-out cross-validation, at the
level where ≤ 3 % of the negatives are answered (share of the positives answered):

* EmbeddingGemma: cosine of the first passage alone 0.907; adding the share of the
  question's words found in it 0.588 (learners' typos and missing accents, and generic
  words shared with near-misses, make it noise); with the lead over the other passages,
  the dense/lexical agreement and the FAQ kind 0.619; the cosine relative to the query's
  40 candidates (minus their median) 0.907, z-score 0.876: no relative feature beats the
  plain cosine, which is what the model keeps. Cosine ≥ 0.44 (probability 0.28, hedged
  from there; 0.43 since, below): 95.9 % answered, 3.9 % of negatives answered; held out
  89.7 % and 3.3 %. Plain from 0.50 (probability 0.37): 84.5 % / 1.7 %; held out 79.3 % / 2.2 %.
  Re-measured with the OpenVINO runtime (the default) and the CNIL pairs added (127
  positives, 252 negatives; held out 52 / 110): 0.44 answers 96.9 % and 6.0 % of the
  negatives (held out 92.3 % / 2.7 %), 0.50 85.8 % / 2.0 % (82.7 % / 1.8 %); the CNIL index
  draws most of the new misses (service-public questions on rectification and records).
  Leaving one index out, the level keeping ≤ 3 % of the others' negatives answered moves
  from 0.457 (CNIL left out) to 0.496 (site help): the levels stay, the hedge covers the
  band. No cosine level meets both 3 % targets (0.48: 90.6 % / 2.8 %).
  The cosine is that of the window's closest passage (``closest``), not of the first one:
  the lexical bonus may rank first a passage that shares the question's words but lies
  farther from it, and the question is no less answered. With ``mentor-assistant eval`` on
  every own and cross-corpus set: answerable answered 171 → 172 of 179 (sample 0.970 →
  0.985), out-of-scope answered unchanged (7 of 255); on the cached candidates the level 0.44
  answers 96.9 % and 6.3 % of the negatives (names rule aside), held out 94.2 % / 2.7 %
  (first passage: 96.9 % / 6.0 %, 92.3 % / 2.7 %): the levels stay. For lite the closest
  passage answered 4 more and let 4 more negatives through (false refusals 22 → 18 of 179,
  out-of-scope answered 27 → 31 of 255), and refitted on it did worse at every level
  (hedged from 0.25: 88.2 % / 15.9 %, held out 80.8 % / 4.5 %): lite reads the first passage.
  Measured and not kept (five folds of the calibration part, ten repetitions, a question's
  pairs in one fold; share of the answerable answered at the level answering 3 % of the
  negatives, cosine alone 0.958 ± 0.006, held out 0.923): adding the dense/lexical
  agreement 0.966 (held out 0.923), the first passage's margin over the query's median
  candidate 0.964 (0.904) or over the second 0.961 (0.942, but 3.6 % of held-out negatives
  answered), character-trigram similarity of the question to the FAQ entry's question or
  the page's title 0.954 (0.923), the share of its words found in that title allowing for
  typos (trigram Jaccard ≥ 0.5) 0.962 (0.904), the cosine of the question to the FAQ
  entry's question, both embedded as queries, 0.952 (0.865). Within a standard deviation or
  two, and none holds on the held-out part: the cosine stays alone.
* USE multilingual (lite): all five signals (the lite score used before, cosine + 0.2 ×
  coverage, did no better), fitted on the search with the FAQ questions' points
  (knowledge/search.py). Hedged from probability 0.25: 89.8 % answered, 13.9 % of
  negatives (leave-one-index-out 88.2 % / 23.4 %; held out 82.7 % / 5.5 %); plain from
  0.4: 69.3 % / 7.1 %. Before the questions' points, at about as many answered: 90.6 % /
  18.7 % (probability 0.2), 69.3 % / 7.9 % (0.35). With ``mentor-assistant eval`` on every
  own and cross-corpus set (179 answerable, 255 to refuse): answered 90.5 % → 87.7 %,
  out-of-scope answered 14.9 % → 12.5 %, CNIL citation precision 0.472 → 0.608. No level
  of the lite model keeps out-of-scope questions under 3 % without refusing half the
  answerable ones (0.6: 40.9 % / 2.0 %): where that matters, use EmbeddingGemma.

The level, chosen again (2026-12-02) by the rule that first chose it, the lowest cosine at
which at most 3 % of the negatives are answered, once ``not_site_help`` no longer held the
account chores any site answers (evals/datasets/real_sets.py: 8 questions, 4 of them
answered before), and leaving each index out in turn, so that no question helps choose the
level it is judged by (the probe's closest cosines on every own and cross-corpus set): chosen
on the three other indexes, the level is 0.4325 (Mentor's FAQ left out), 0.42 (sample),
0.4175 (site help) and 0.42 (CNIL); the left-out questions at their fold's level: 5 of 178
French answerable questions refused, 6 of 227 negatives answered. Every fold's level lies
below the 0.44 chosen on the old negatives; hedged from 0.43 (probability 0.267), the top of
that range, which answers no fewer here than 0.42 and one negative less. With
``mentor-assistant eval`` on every own and cross-corpus set: answerable questions answered
172 → 174 of 179 (Mentor's FAQ 33 → 35 of 35, mf-05b and mf-08b, hedged, their entry cited),
out-of-scope answered 3 → 5 of 247 (2.0 %: a forgotten password asked of the CNIL FAQ, a
service-public dossier asked of the sample corpus, both hedged with the support desk
offered), every other answer identical, the paraphrase sets included.

The five false refusals left (2026-12-02) are all refused by the cosine level: none by the
guard, the names rule, the condensation or the address stripping (each question is its own
query). The right passage ranks first for four (cosine 0.419 mf-21b, 0.401 s-067, 0.414
cnil-dev-036 with the window's closest another entry, 0.217 mf-15b); sp-help-q16's ranks
third (0.35 the window's closest, another page quoting the same "je ne suis pas un robot").
Between 0.40 and 0.43 lie 3 of them and 8 negatives. Measured and not kept: a threshold per
kind (FAQ entry, page, other) answers 176 at 7 negatives when fitted on all, but leaving one
index out it answers 6 of 85 sample negatives and 12 of 42 site-help ones (the page level is
fitted on one corpus); the cosine plus its lead over the second passage (0.3: 170, 0.5: 166
at 7 negatives) or over the median candidate (93); EmbeddingGemma's question-answering query
prompt (163 at 7); learner fillers stripped before search ("est-ce que", "je veux", "c'est
quoi", "en fait": 173 at 7, one more, mf-08b, while near-miss negatives rise as much, e.g.
0.389 → 0.423).

A question naming a service that no passage of the window mentions (a web address such as
impots.gouv or service-public.fr, a one-word brand such as FranceConnect) is refused
whatever the cosine: it is about another service. Measured with ``mentor-assistant eval``
on every own and cross-corpus set, EmbeddingGemma: out-of-scope answered 4.7 % → 2.7 %
(12 → 7 of 255), answerable questions answered unchanged (171 of 179); lite 12.5 % → 10.6 %,
unchanged 157 of 179. Acronyms (FICP, DPO) would catch two more near-misses but learners
write PDF, QCM or FAQ that a passage need not repeat: left out. Spelling tolerance measured
and not kept: words the index never uses, even one edit away from its words, are as common
in answerable questions (27 %) as to be no signal beyond the cosine; correcting them to
the index's words (one edit) turns "quoi" into "qui" and "pase" into "page"; restoring
accents only (archivee → archivée) lowers both answered and hit@1 (Mentor 0.943 → 0.914).

Questions in another language than the passages (no lexical signal) use the dense model
with the cosine thresholds measured before for them (0.43 EmbeddingGemma, 0.33 lite) and
no hedge: nothing labelled was there to place a middle, and the answer already says that
the evidence is in French.

Citations: the first passage, then those within ``cite_within`` of its cosine (FAQ
entries answer alone; pages and course passages often need their neighbours): citation
precision on the Mentor FAQ set 0.914 → 0.939, site-help pages 0.745 → 0.781, answer
correctness there 0.542 → 0.585 (replica of the eval on cached candidates). Dropping a
further source by its distance to the first, relative to the query's own candidates (the
gap over the first's lead on the median), does not separate the relevant ones (site help:
irrelevant ones at 0.19–0.22 of that lead, relevant ones at 0.08–0.29); what does is the
extractive answer's own rule for a page that asks the learner's question
(assistant/generators/extractive.py): site help 0.781 → 0.882.

Suggestions: a refusal from ``suggest_at`` up (a probability under the hedge level) offers
the passages it would have cited, one per document, as pages to look at; it quotes and
claims nothing from them. Measured on the cached candidates of every own and cross-corpus
set (2026-12-02; "rescued": the false refusals whose right page is offered, "noise": the
refused out-of-scope questions that get pages). EmbeddingGemma, 7 false refusals and 212
refused negatives: cosine 0.40 rescues 5, noise 9; 0.38 (kept, probability 0.206) 5 and 23
(10.8 %); 0.35 6 and 37; 0.33 6 and 62. The lower end of the band is chosen wider than
these sets need: a page offered to an out-of-scope question costs a glance, a right page
withheld a support ticket, and the held-out questions' cosines are not these. Lite, 22 and
195: probability 0.22 rescues 3, noise 5; 0.18 9 and 20; 0.16 (kept) 11 and 27 (13.8 %);
0.12 15 and 42. Questions in another language get none: no refusal of theirs was labelled.
With the hedge from 0.43, 3 of the 5 false refusals left get their right page offered.

An override (``MENTOR_MIN_EVIDENCE_SCORE``) sets the hedge level (a probability); answers
below the measured plain level are hedged. The values are each model's
``knowledge.calibration.Calibration``; a model measured by no one gets EmbeddingGemma's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.sentences import coverage, stems
from assistant.types import Confidence
from knowledge.calibration import Calibration, calibration
from knowledge.text import normalize
from knowledge.types import Hit, Kind


@dataclass(frozen=True, slots=True)
class Signals:
    """What the decision looks at, all measured on the query's own candidate list."""

    # Cosine of the first passage to the question, or of the window's closest one (the
    # lexical bonus may rank a passage sharing the question's words above a closer one).
    cosine: float
    # How far the first passage stands out: its cosine minus the mean of the others'.
    lead: float
    # Share of the question's content stems found in the first passage (title included).
    coverage: float
    # The dense and lexical halves agree: the first passage is also the best lexical one.
    agreement: float
    # The first passage is a FAQ entry (a question and its answer, not a course section).
    faq: float

    def vector(self, lexical: bool) -> tuple[float, ...]:
        if lexical:
            return (self.cosine, self.lead, self.coverage, self.agreement, self.faq)
        return (self.cosine, self.lead, self.faq)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The passages to cite, best first, and how sure the answer is; no passages: refuse.

    A refusal close to the hedge level offers, in ``suggested``, the passages it would have
    cited: pages to look at, not an answer."""

    hits: tuple[Hit, ...]
    confidence: Confidence | None
    probability: float
    suggested: tuple[Hit, ...] = ()

    @property
    def refused(self) -> bool:
        return not self.hits


@dataclass(frozen=True, slots=True)
class Logistic:
    weights: tuple[float, ...]
    bias: float

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True, slots=True)
class EvidencePolicy:
    # On French questions; ``dense`` is for questions in another language than the
    # passages, which share no words with them.
    lexical: Logistic
    dense: Logistic
    # Probability from which the answer is given plainly, and from which it is given hedged.
    answer_at: float
    hedge_at: float
    # For the dense model: no question in another language was labelled, so its hedge level
    # is the cosine-only threshold measured before for English questions (0.43 with
    # EmbeddingGemma, 0.33 with lite), through that model.
    dense_hedge_at: float
    # Probability from which a refusal offers the passages it would have cited (French
    # questions only: the dense model had no labelled refusals to place it).
    suggest_at: float
    # A further passage is cited when its cosine is within this of the first one's: a
    # FAQ entry answers on its own, a course or page passage often needs its neighbours.
    cite_within_faq: float
    cite_within: float
    # The cosine signal is the window's closest passage's rather than the first one's.
    closest: bool

    @classmethod
    def for_embedder(cls, model_id: str, override: float | None = None) -> EvidencePolicy:
        measured = cls.measured(calibration(model_id))
        if override is None:
            return measured
        return cls(
            measured.lexical,
            measured.dense,
            max(override, measured.answer_at),
            override,
            override,
            measured.suggest_at,
            measured.cite_within_faq,
            measured.cite_within,
            measured.closest,
        )

    @classmethod
    def measured(cls, values: Calibration) -> EvidencePolicy:
        return cls(
            lexical=Logistic(values.evidence_weights, values.evidence_bias),
            dense=Logistic(values.evidence_dense_weights, values.evidence_dense_bias),
            answer_at=values.evidence_answer_at,
            hedge_at=values.evidence_hedge_at,
            dense_hedge_at=values.evidence_dense_hedge_at,
            suggest_at=values.evidence_suggest_at,
            cite_within_faq=values.evidence_cite_within_faq,
            cite_within=values.evidence_cite_within,
            closest=values.evidence_closest_passage,
        )

    def decide(self, query: str, hits: Sequence[Hit], asked_in: str = "fr") -> Evidence:
        """``asked_in`` is the language the question is written in."""
        window = list(hits[:_WINDOW])
        if not window or unmentioned_names(query, window):
            return Evidence((), None, 0.0)
        lexical = asked_in == "fr"
        model = self.lexical if lexical else self.dense
        probability = model.probability(signals(query, window, self.closest).vector(lexical))
        if probability < (self.hedge_at if lexical else self.dense_hedge_at):
            near = lexical and probability >= self.suggest_at
            return Evidence((), None, probability, self._suggested(window) if near else ())
        # A question in another language gets no hedge: the dense model had no labelled
        # middle to learn from, and its answer already says the evidence is in French.
        plain = probability >= self.answer_at or not lexical
        confidence = Confidence.HIGH if plain else Confidence.LOW
        return Evidence(tuple(self._cited(window)), confidence, probability)

    def select(self, query: str, hits: Sequence[Hit], asked_in: str = "fr") -> list[Hit]:
        """The passages to cite, best first; none when the evidence is insufficient."""
        return list(self.decide(query, hits, asked_in).hits)

    def _cited(self, window: Sequence[Hit]) -> list[Hit]:
        # The search's first hit always leads (its ranking was measured); others only when
        # they are nearly as close to the question, so fewer, surer sources are cited.
        first = _cosine(window[0])
        within = self.cite_within_faq if window[0].chunk.kind is Kind.FAQ else self.cite_within
        others = [hit for hit in window[1:] if _cosine(hit) >= first - within]
        return [window[0], *others][:_MAX_CITATIONS]

    def _suggested(self, window: Sequence[Hit]) -> tuple[Hit, ...]:
        # One passage a document: the learner is pointed to pages, not to their parts.
        documents: dict[str, Hit] = {}
        for hit in self._cited(window):
            documents.setdefault(hit.chunk.document_id, hit)
        return tuple(documents.values())


def signals(query: str, window: Sequence[Hit], closest: bool = False) -> Signals:
    top = window[0]
    cosines = [_cosine(hit) for hit in window]
    rest = cosines[1:]
    lead = cosines[0] - (sum(rest) / len(rest)) if rest else 0.0
    chunk = top.chunk
    passage = stems("\n".join([chunk.title, *chunk.heading_path, chunk.text]))
    lexical = [hit.sparse_score or 0.0 for hit in window]
    agreement = float(lexical[0] > 0 and lexical[0] >= max(lexical))
    return Signals(
        cosine=max(cosines) if closest else cosines[0],
        lead=lead,
        coverage=coverage(stems(query), passage),
        agreement=agreement,
        faq=float(chunk.kind is Kind.FAQ),
    )


def unmentioned_names(query: str, window: Sequence[Hit]) -> set[str]:
    """Names in the question (a web address, a one-word brand with inner capitals) that no
    passage of the window mentions: the question is about another service."""
    named = {normalize(name).removeprefix("www.") for name in _NAME.findall(query)}
    if not named:
        return set()  # most questions: the passages need not be read
    passages = normalize(
        " ".join(
            " ".join([hit.chunk.title, *hit.chunk.heading_path, hit.chunk.text]) for hit in window
        )
    )
    return {name for name in named if not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", passages)}


def _cosine(hit: Hit) -> float:
    return hit.dense_score if hit.dense_score is not None else 0.0


_WINDOW = 5
# service-public.fr, impots.gouv, ameli.fr…; FranceConnect, ProConnect, LinkedIn…
_NAME = re.compile(
    r"(?<![\w.])[\w-]+(?:\.[\w-]+)*\.(?:fr|gouv|com|org|net|eu|io)(?![\w-])"
    r"|\b[A-Z][a-zà-ÿ]+[A-Z][\wà-ÿ]*\b"
)
_MAX_CITATIONS = 3
