"""What was measured for each embedding model, in one record per model.

Cosines do not mean the same from one model to the next, so every threshold or weight on
them is a measurement of one model. Each field says where it is used and measured; a model
measured by no one (a local sentence-transformers folder) gets EmbeddingGemma's values,
the closest of the measured ones. Settings override some of them (``MENTOR_LEXICAL_WEIGHT``,
``MENTOR_MIN_EVIDENCE_SCORE``…); the parts that read them decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.models import EMBEDDING_GEMMA, USE_MULTILINGUAL


@dataclass(frozen=True, slots=True)
class Calibration:
    # Weight of the lexical bonus in hybrid search (knowledge/search.py, bench/retrieval.py).
    search_lexical_weight: float
    # Enough evidence to answer: the best passage's cosine plus ``evidence_lexical_weight`` ×
    # the share of the question's stems it holds, at least ``evidence_threshold``; a question
    # in another language than the passages, cosine alone (assistant/evidence.py).
    evidence_threshold: float
    evidence_lexical_weight: float
    evidence_cosine_threshold: float
    # Two support requests on the same problem (assistant/triage/service.py).
    same_request_cosine: float
    # Two questions on the same topic, when the desk clusters gaps (assistant/triage/gaps.py).
    same_topic_cosine: float


_GEMMA = Calibration(
    search_lexical_weight=0.05,
    evidence_threshold=0.43,
    evidence_lexical_weight=0.0,
    evidence_cosine_threshold=0.43,
    same_request_cosine=0.7,
    same_topic_cosine=0.65,
)
_MEASURED = {
    EMBEDDING_GEMMA.name: _GEMMA,
    USE_MULTILINGUAL: Calibration(
        search_lexical_weight=0.4,
        evidence_threshold=0.39,
        evidence_lexical_weight=0.2,
        evidence_cosine_threshold=0.33,
        same_request_cosine=0.6,
        same_topic_cosine=0.45,
    ),
}


def calibration(model_id: str) -> Calibration:
    """The values measured for ``model_id`` (``Embedder.model_id``)."""
    if model_id.startswith("mistral/"):
        # No key here to measure it; its search weight sits between the two measured models.
        return _MISTRAL
    return _MEASURED.get(model_id, _GEMMA)


_MISTRAL = Calibration(
    search_lexical_weight=0.1,
    evidence_threshold=_GEMMA.evidence_threshold,
    evidence_lexical_weight=_GEMMA.evidence_lexical_weight,
    evidence_cosine_threshold=_GEMMA.evidence_cosine_threshold,
    same_request_cosine=_GEMMA.same_request_cosine,
    same_topic_cosine=_GEMMA.same_topic_cosine,
)
