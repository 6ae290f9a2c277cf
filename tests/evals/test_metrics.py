"""Every metric on cases small enough to compute by hand.

Stems used below (French analyzer): "attestation participation session clôture" gives
attest, particip, session, clotur; "Le chat mange la souris grise" gives chat, mang, sour,
gris.
"""

from __future__ import annotations

import pytest

from evals import metrics
from evals.dataset import EvalItem
from evals.metrics import Expectation, Passage
from evals.scoring import Cited, Observation, Retrieved, aggregate, by_tag, score_item


def test_normalize_snippet_folds_typography_case_and_spaces() -> None:
    text = "  L’attestation\u00a0: « Clôture »\n\tvalable  30\u202fminutes "
    assert metrics.normalize_snippet(text) == 'l\'attestation : " clôture " valable 30 minutes'
    assert metrics.normalize_snippet("“Cours” ‘b’ ｆｕｌｌ") == "\"cours\" 'b' full"


def test_relevance_by_document_or_by_context() -> None:
    expectation = Expectation.of(["faq-a"], ["Valable 30 minutes"])
    assert expectation.relevant(Passage("faq-a", "anything"))
    assert expectation.relevant(Passage("other", "un lien valable\n30 minutes."))
    assert not expectation.relevant(Passage("other", "valable 20 minutes"))
    assert expectation.size == 2


RANKED = [
    Passage("d1", "rien"),
    Passage("d2", "rien"),
    Passage("expected", "rien"),
    Passage("d3", "ici un extrait attendu"),
]


def test_hit_at_k() -> None:
    expectation = Expectation.of(["expected"], [])
    assert metrics.hit_at(RANKED, expectation, 1) == 0.0
    assert metrics.hit_at(RANKED, expectation, 2) == 0.0
    assert metrics.hit_at(RANKED, expectation, 3) == 1.0


def test_reciprocal_rank_counts_the_first_relevant_within_ten() -> None:
    assert metrics.reciprocal_rank(RANKED, Expectation.of(["expected"], [])) == pytest.approx(1 / 3)
    assert metrics.reciprocal_rank(RANKED, Expectation.of(["d1", "d3"], [])) == 1.0
    deep = [Passage(f"x{n}", "") for n in range(10)] + [Passage("expected", "")]
    assert metrics.reciprocal_rank(deep, Expectation.of(["expected"], [])) == 0.0


def test_recall_counts_each_expected_document_and_context() -> None:
    # Three expectations: "expected" (rank 3), "missing" (never), the context (rank 4).
    expectation = Expectation.of(["expected", "missing"], ["Extrait  attendu"])
    assert metrics.recall_at(RANKED, expectation, 2) == 0.0
    assert metrics.recall_at(RANKED, expectation, 3) == pytest.approx(1 / 3)
    assert metrics.recall_at(RANKED, expectation, 4) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("should_refuse", "refused", "correct", "missed", "false"),
    [
        (True, True, 1.0, 0.0, None),
        (True, False, 0.0, 1.0, None),
        (False, True, 0.0, None, 1.0),
        (False, False, 1.0, None, 0.0),
    ],
)
def test_refusal_verdicts(
    should_refuse: bool, refused: bool, correct: float, missed: float | None, false: float | None
) -> None:
    assert metrics.refusal_correct(should_refuse, refused) == correct
    assert metrics.refusal_missed(should_refuse, refused) == missed
    assert metrics.refusal_false(should_refuse, refused) == false


def test_citation_precision() -> None:
    expectation = Expectation.of(["a"], ["clé"])
    cited = [Passage("a", ""), Passage("b", "la clé"), Passage("c", "rien")]
    assert metrics.citation_precision(cited, expectation) == pytest.approx(2 / 3)
    assert metrics.citation_precision([], expectation) is None


def test_claims_skip_lead_ins_short_sentences_and_markers() -> None:
    text = (
        "Voici les étapes :\n- Ouvrez la session de formation [1].\n"
        "- **Cliquez** sur Attestation de participation.\nOui.\n\n"
        "Le support répond sous cinq jours ouvrés [2]. Merci."
    )
    assert metrics.claims(text) == [
        "Ouvrez la session de formation.",
        "Cliquez sur Attestation de participation.",
        "Le support répond sous cinq jours ouvrés.",
    ]


def test_support_threshold_on_stem_coverage() -> None:
    sentence = "attestation participation session clôture"  # 4 stems
    three_of_four = "Votre attestation de participation pour la session."
    two_of_four = "Votre attestation de participation."
    assert metrics.coverage(sentence, three_of_four) == 0.75
    assert metrics.coverage(sentence, two_of_four) == 0.5
    assert metrics.SUPPORT_THRESHOLD == 0.65
    assert metrics.supported(sentence, [two_of_four, three_of_four])
    assert not metrics.supported(sentence, [two_of_four])


def test_support_needs_one_passage_not_a_patchwork() -> None:
    answer = "Le chat mange la souris grise."
    # Each passage holds 2 of the 4 stems: together they cover it, alone neither does.
    assert metrics.support_share(answer, ["le chat et la souris", "il mange, elle est grise"]) == 0
    assert metrics.support_share(answer, ["Un chat mange une souris grise."]) == 1.0


def test_support_share_counts_claims_only() -> None:
    answer = "Le chat mange la souris grise [1].\nOui.\nAttestation de participation à la session."
    assert metrics.support_share(answer, ["le chat mange la souris grise"]) == 0.5
    assert metrics.support_share("Oui. Merci.", ["rien"]) is None
    assert metrics.unsupported(answer, ["le chat mange la souris grise"]) == [
        "Attestation de participation à la session."
    ]


def test_correctness_is_stem_recall_of_the_reference() -> None:
    reference = "attestation participation session clôture"
    assert metrics.correctness("Votre attestation de participation à la session", reference) == 0.75
    assert metrics.correctness("n'importe quoi", "Oui.") == 0.0
    assert metrics.correctness("tout", "et le la") is None


def test_percentile_interpolates_between_ranks() -> None:
    assert metrics.percentile([40, 10, 30, 20], 50) == 25
    assert metrics.percentile([40, 10, 30, 20], 95) == pytest.approx(38.5)
    assert metrics.percentile([7], 95) == 7
    assert metrics.percentile([], 50) is None


def test_mean_skips_what_was_not_measured() -> None:
    assert metrics.mean([1.0, None, 0.0]) == (0.5, 2)
    assert metrics.mean([None]) == (None, 0)


# -- items and aggregates ----------------------------------------------------------------------


def _observation(**overrides: object) -> Observation:
    values: dict[str, object] = {
        "text": "Le chat mange la souris grise [1].",
        "refused": None,
        "escalation": False,
        "generator": "extractive",
        "standalone_query": "q",
        "citations": (Cited(1, "wrong", "c1", "T", "Le chat mange la souris grise."),),
        "evidence": (Passage("wrong", "Le chat mange la souris grise."),),
        "retrieved": (
            Retrieved(1, "wrong", "c1", "T", "texte", 0.9),
            Retrieved(2, "right", "c2", "T", "texte", 0.8),
        ),
        "timings_ms": {"retrieve": 10.0, "generate": 2.0},
    }
    values.update(overrides)
    return Observation(**values)  # type: ignore[arg-type]


def test_score_item_answerable() -> None:
    item = EvalItem(
        id="a",
        question="q",
        expected_documents=("right",),
        reference_answer="attestation participation session clôture",
        tags=("t1",),
    )
    result = score_item(item, _observation(), k=5)
    assert result.scores["retrieval.hit@1"] == 0.0
    assert result.scores["retrieval.hit@5"] == 1.0
    assert result.scores["retrieval.mrr@10"] == 0.5
    assert result.scores["retrieval.recall@5"] == 1.0
    assert result.scores["refusal.accuracy"] == 1.0
    assert result.scores["refusal.missed"] is None
    assert result.scores["refusal.false"] == 0.0
    assert result.scores["citation.precision"] == 0.0
    assert result.scores["citation.support"] == 1.0
    assert result.scores["answer.faithfulness"] == 1.0
    assert result.scores["answer.correctness"] == 0.0
    assert result.relevant_ranks == [2]
    assert [f.check for f in result.failures] == ["citation.precision", "answer.correctness"]


def test_score_item_missed_refusal_and_false_refusal() -> None:
    must_refuse = EvalItem(id="r", question="q", should_refuse=True)
    answered = score_item(must_refuse, _observation(), k=5)
    assert answered.scores["refusal.missed"] == 1.0
    assert answered.scores["retrieval.hit@1"] is None  # not answerable: no retrieval score
    assert [f.check for f in answered.failures] == ["refusal.missed"]

    answerable = EvalItem(id="f", question="q", reference_answer="chat souris")
    refused = score_item(
        answerable, _observation(refused="no_evidence", citations=(), text="Non."), k=5
    )
    assert refused.scores["refusal.false"] == 1.0
    assert refused.scores["answer.correctness"] == 0.0
    assert refused.scores["answer.faithfulness"] is None
    assert refused.scores["retrieval.hit@5"] is None  # no expectations given
    assert [f.check for f in refused.failures] == ["refusal.false"]


def test_a_false_refusal_counts_whether_it_offered_the_right_page() -> None:
    answerable = EvalItem(id="s", question="q", expected_documents=("right",))
    right = (Cited(1, "right", "c2", "T", "texte"),)
    offered = score_item(answerable, _observation(refused="no_evidence", citations=right), k=5)
    assert offered.scores["refusal.false"] == 1.0
    assert offered.scores["refusal.suggested"] == 1.0
    assert offered.scores["citation.precision"] is None  # a refusal cites no evidence
    assert offered.failures[0].message.endswith("la bonne page était proposée.")
    wrong = score_item(answerable, _observation(refused="no_evidence"), k=5)
    assert wrong.scores["refusal.suggested"] == 0.0
    assert score_item(answerable, _observation(), k=5).scores["refusal.suggested"] is None


def test_an_answer_quoting_a_wrong_entry_counts_whether_it_offered_the_right_one() -> None:
    answerable = EvalItem(id="n", question="q", expected_documents=("right",))
    right = (Cited(1, "right", "c2", "T", "texte"),)
    offered = score_item(answerable, _observation(related=right), k=5)
    assert offered.scores["citation.precision"] == 0.0
    assert offered.scores["citation.related"] == 1.0
    assert score_item(answerable, _observation(), k=5).scores["citation.related"] == 0.0
    # A relevant citation already: nothing to rescue.
    quoted = _observation(citations=right, related=(Cited(1, "wrong", "c1", "T", "x"),))
    assert score_item(answerable, quoted, k=5).scores["citation.related"] is None


def test_aggregate_counts_each_metric_over_the_items_it_applies_to() -> None:
    answerable = EvalItem(id="a", question="q", expected_documents=("right",), tags=("x",))
    refuse = EvalItem(id="r", question="q", should_refuse=True, tags=("x", "y"))
    results = [
        score_item(answerable, _observation(timings_ms={"retrieve": 10.0, "generate": 4.0}), 5),
        score_item(
            refuse,
            _observation(refused="out_of_scope", citations=(), timings_ms={}),
            5,
        ),
        score_item(answerable.model_copy(update={"id": "b"}), _observation(), 5),
    ]
    values, counts = aggregate(results, 5)
    assert (values["retrieval.hit@5"], counts["retrieval.hit@5"]) == (1.0, 2)
    assert (values["refusal.accuracy"], counts["refusal.accuracy"]) == (1.0, 3)
    assert (values["refusal.missed"], counts["refusal.missed"]) == (0.0, 1)
    assert (values["refusal.false"], counts["refusal.false"]) == (0.0, 2)
    assert counts["citation.precision"] == 2
    assert values["answer.correctness"] is None and counts["answer.correctness"] == 0
    assert values["latency.retrieve.p50_ms"] == 10.0
    assert values["latency.generate.p50_ms"] == 3.0
    assert counts["latency.generate.p95_ms"] == 2
    tags = by_tag(results, 5)
    assert tags["x"]["items"] == 3 and tags["y"]["items"] == 1
    assert tags["y"]["metrics"]["refusal.accuracy"] == 1.0
