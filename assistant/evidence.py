"""Is there enough evidence to answer, and which passages are worth citing?

The evidence score of a passage is its cosine similarity to the query plus a lexical
bonus: ``weight × share of the question's content stems found in the passage`` (title
and headings included). The fused search score is not used as is: its lexical half is
scaled by the best lexical candidate *of that query*, so the top lexical match always
gets the full bonus, even for "quel temps fera-t-il à Lyon ?". The cosine, and the share
of the learner's words a passage contains, are comparable from one query to the next.

The question is answered when one of the first five passages reaches the threshold of
the embedding model. Measured on the sample corpus with the questions of
``evals/datasets/sample.jsonl`` plus 18 more (answerable: 84), 45 plausible questions it
cannot answer (pay slips, passports, leave, the weather…), its ``should_refuse`` items
(other sessions' topics), the 53 CNIL development questions (answerable on the CNIL FAQ
index, unanswerable on this corpus); guard-caught questions left out. Best passage,
answerable vs unanswerable:

* EmbeddingGemma: cosine 0.40–0.81 (median 0.60) vs 0.10–0.46 (median 0.28). At 0.43,
  83/84 answered, 1/104 wrongly answered; the lexical bonus only let more through.
* USE multilingual (lite): cosine 0.19–0.69 (median 0.41) vs 0.06–0.40 (median 0.24):
  the colloquial questions overlap. With a 0.2 lexical bonus and 0.39, 77/84 answered,
  2/51 near-topic and 10/53 CNIL questions answered (these mostly land on Mentor's
  personal-data FAQ); cosine alone at 0.33 gave 73/84, 4/51 and 4/53.

An English question shares no words with French passages, so it gets no lexical bonus
and is held to the cosine-only threshold (0.33 with lite).

The values are each model's ``knowledge.calibration.Calibration``; a model measured by no
one gets the EmbeddingGemma values; ``MENTOR_MIN_EVIDENCE_SCORE`` overrides the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.sentences import coverage, stems
from knowledge.calibration import Calibration, calibration
from knowledge.types import Hit


@dataclass(frozen=True, slots=True)
class EvidencePolicy:
    threshold: float
    lexical_weight: float
    # For questions in another language than the passages' (no lexical bonus possible).
    cosine_threshold: float

    @classmethod
    def for_embedder(cls, model_id: str, override: float | None = None) -> EvidencePolicy:
        measured = cls.measured(calibration(model_id))
        if override is None:
            return measured
        return cls(override, measured.lexical_weight, cosine_threshold=override)

    @classmethod
    def measured(cls, values: Calibration) -> EvidencePolicy:
        return cls(
            values.evidence_threshold,
            lexical_weight=values.evidence_lexical_weight,
            cosine_threshold=values.evidence_cosine_threshold,
        )

    def score(self, wanted: frozenset[str], hit: Hit) -> float:
        chunk = hit.chunk
        passage = stems("\n".join([chunk.title, *chunk.heading_path, chunk.text]))
        cosine = hit.dense_score if hit.dense_score is not None else 0.0
        return cosine + self.lexical_weight * coverage(wanted, passage)

    def select(self, query: str, hits: Sequence[Hit], asked_in: str = "fr") -> list[Hit]:
        """The passages to cite, best first; none when the evidence is insufficient.
        ``asked_in`` is the language the question is written in.

        The search's first hit always leads (its ranking was measured; a passage can win
        there on exact terms with a modest cosine); the others must reach the threshold.
        """
        lexical = asked_in == "fr"
        wanted = stems(query) if lexical else frozenset()
        threshold = self.threshold if lexical else self.cosine_threshold
        window = list(hits[:_WINDOW])
        passing = [hit for hit in window if self.score(wanted, hit) >= threshold]
        if not passing:
            return []
        return [window[0], *(hit for hit in passing if hit is not window[0])][:_MAX_CITATIONS]


_WINDOW = 5
_MAX_CITATIONS = 4
