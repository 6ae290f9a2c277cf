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
    # Index each FAQ entry's question as a point of its own (knowledge/search.py, measured
    # there; ingest/pipeline.py writes them).
    search_faq_questions: bool
    # Answer, hedge or refuse (assistant/evidence.py, measurements there): a logistic
    # regression on the evidence signals (cosine, lead, coverage, agreement, FAQ kind; the
    # dense one on cosine, lead, FAQ kind for questions in another language), a plain answer
    # from ``evidence_answer_at``, hedged from ``evidence_hedge_at``; further citations within
    # ``evidence_cite_within_faq`` (a FAQ entry first) or ``evidence_cite_within`` of the
    # first passage's cosine.
    evidence_weights: tuple[float, ...]
    evidence_bias: float
    evidence_dense_weights: tuple[float, ...]
    evidence_dense_bias: float
    evidence_answer_at: float
    evidence_hedge_at: float
    evidence_dense_hedge_at: float
    evidence_suggest_at: float
    evidence_cite_within_faq: float
    evidence_cite_within: float
    # The cosine signal is the closest passage of the window's, not the first passage's.
    evidence_closest_passage: bool
    # Two support requests on the same problem (assistant/triage/service.py).
    same_request_cosine: float
    # Two questions on the same topic, when the desk clusters gaps (assistant/triage/gaps.py).
    same_topic_cosine: float


_GEMMA = Calibration(
    search_lexical_weight=0.055,
    search_faq_questions=False,
    # EmbeddingGemma: the cosine alone was measured best (hedged from 0.43, plain from 0.50).
    evidence_weights=(6.829, 0.0, 0.0, 0.0, 0.0),
    evidence_bias=-3.944,
    evidence_dense_weights=(6.829, 0.0, 0.0),
    evidence_dense_bias=-3.944,
    evidence_answer_at=0.37,
    evidence_hedge_at=0.267,
    evidence_dense_hedge_at=0.267,
    # Cosine 0.38.
    evidence_suggest_at=0.206,
    evidence_cite_within_faq=0.03,
    evidence_cite_within=0.1,
    evidence_closest_passage=True,
    same_request_cosine=0.7,
    same_topic_cosine=0.65,
)
_MEASURED = {
    EMBEDDING_GEMMA.name: _GEMMA,
    USE_MULTILINGUAL: Calibration(
        search_lexical_weight=0.4,
        search_faq_questions=True,
        evidence_weights=(4.038, 0.289, 4.318, -0.188, -0.475),
        evidence_bias=-4.533,
        evidence_dense_weights=(5.522, 0.602, -0.057),
        evidence_dense_bias=-2.803,
        evidence_answer_at=0.4,
        evidence_hedge_at=0.25,
        evidence_dense_hedge_at=0.273,
        evidence_suggest_at=0.16,
        evidence_cite_within_faq=0.03,
        evidence_cite_within=0.1,
        evidence_closest_passage=False,
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
    search_faq_questions=False,
    evidence_weights=_GEMMA.evidence_weights,
    evidence_bias=_GEMMA.evidence_bias,
    evidence_dense_weights=_GEMMA.evidence_dense_weights,
    evidence_dense_bias=_GEMMA.evidence_dense_bias,
    evidence_answer_at=_GEMMA.evidence_answer_at,
    evidence_hedge_at=_GEMMA.evidence_hedge_at,
    evidence_dense_hedge_at=_GEMMA.evidence_dense_hedge_at,
    evidence_suggest_at=_GEMMA.evidence_suggest_at,
    evidence_cite_within_faq=_GEMMA.evidence_cite_within_faq,
    evidence_cite_within=_GEMMA.evidence_cite_within,
    evidence_closest_passage=_GEMMA.evidence_closest_passage,
    same_request_cosine=_GEMMA.same_request_cosine,
    same_topic_cosine=_GEMMA.same_topic_cosine,
)
