"""One item's scores and verdicts, and the run's aggregates (overall and per tag).

An item fails a check when a verdict goes the wrong way (refusal), when no relevant passage
is in the first k, or when a graded score falls under ``ITEM_PASS``; each failure carries
a French sentence for the report, which designers read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evals import metrics
from evals.dataset import EvalItem
from evals.judge import Judgement
from evals.metrics import Expectation, Passage

# A graded score (share of cited passages relevant, of sentences supported, of the
# reference stated) under one half fails the item: below it, most of what the learner
# reads is off.
ITEM_PASS = 0.5

# Metrics where a smaller value is the better one (for the baseline's arrows and gates).
LOWER_IS_BETTER_PREFIXES = (
    "refusal.missed",
    "refusal.false",
    "answer.hedged",
    "latency.",
    "judge.",
)


def lower_is_better(metric: str) -> bool:
    return metric.startswith(LOWER_IS_BETTER_PREFIXES)


def quality_metrics(k: int) -> list[str]:
    """Per-item metrics, in report order; the keys carry the actual k."""
    return list(
        dict.fromkeys(
            [
                "retrieval.hit@1",
                f"retrieval.hit@{k}",
                f"retrieval.mrr@{metrics.MRR_DEPTH}",
                f"retrieval.recall@{k}",
                "refusal.accuracy",
                "refusal.missed",
                "refusal.false",
                "refusal.suggested",
                "citation.precision",
                "citation.related",
                "citation.support",
                "answer.faithfulness",
                "answer.correctness",
                "answer.hedged",
            ]
        )
    )


@dataclass(frozen=True, slots=True)
class Retrieved:
    rank: int
    document_id: str
    chunk_id: str
    title: str
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class Cited:
    index: int
    document_id: str
    chunk_id: str
    title: str
    passage: str


@dataclass(frozen=True, slots=True)
class Observation:
    """What the pipeline did with one question."""

    text: str
    refused: str | None
    escalation: bool
    generator: str
    standalone_query: str
    citations: tuple[Cited, ...]
    # The passages the generator was given, in the service's order.
    evidence: tuple[Passage, ...]
    # The ranked hits retrieval metrics are computed on.
    retrieved: tuple[Retrieved, ...]
    timings_ms: Mapping[str, float]
    # Sentences the service's own post-check could not tie to a citation.
    flagged: tuple[str, ...] = ()
    # "low": answered with a hedge (still an answer); None for a refusal.
    confidence: str | None = None
    # The assistant's own words around a hedged answer (the doubt, the support offer):
    # they claim nothing from the sources, so support and correctness leave them out.
    own_words: tuple[str, ...] = ()
    # The FAQ entries offered beside the answer as questions the learner may have meant.
    related: tuple[Cited, ...] = ()

    @property
    def quoted(self) -> str:
        text = self.text
        for words in self.own_words:
            text = text.replace(words, "")
        return text.strip()


@dataclass(frozen=True, slots=True)
class Failure:
    check: str
    message: str


@dataclass
class ItemResult:
    item: EvalItem
    observation: Observation
    scores: dict[str, float | None]
    relevant_ranks: list[int]
    relevant_citations: list[int]
    failures: list[Failure] = field(default_factory=list)
    judgement: Judgement | None = None

    @property
    def failed(self) -> bool:
        return bool(self.failures)


def score_item(
    item: EvalItem, seen: Observation, k: int, judgement: Judgement | None = None
) -> ItemResult:
    expectation = Expectation.of(item.expected_documents, item.reference_contexts)
    refused = seen.refused is not None
    ranked = [Passage(hit.document_id, hit.text) for hit in seen.retrieved]
    cited = [Passage(c.document_id, c.passage) for c in seen.citations]
    scores: dict[str, float | None] = dict.fromkeys(quality_metrics(k))
    scores["refusal.accuracy"] = metrics.refusal_correct(item.should_refuse, refused)
    scores["refusal.missed"] = metrics.refusal_missed(item.should_refuse, refused)
    scores["refusal.false"] = metrics.refusal_false(item.should_refuse, refused)
    graded = not item.should_refuse and item.has_expectations
    if graded:
        scores["retrieval.hit@1"] = metrics.hit_at(ranked, expectation, 1)
        scores[f"retrieval.hit@{k}"] = metrics.hit_at(ranked, expectation, k)
        scores[f"retrieval.mrr@{metrics.MRR_DEPTH}"] = metrics.reciprocal_rank(ranked, expectation)
        scores[f"retrieval.recall@{k}"] = metrics.recall_at(ranked, expectation, k)
    if refused and graded:
        # A refusal offers the pages closest to the question as its sources: was the page
        # that answers among them?
        scores["refusal.suggested"] = float(any(expectation.relevant(p) for p in cited))
    if not refused:
        if graded:
            scores["citation.precision"] = metrics.citation_precision(cited, expectation)
            if not any(expectation.relevant(p) for p in cited):
                # An answer quoting the wrong entry: is the right one among its related ones?
                offered = [Passage(r.document_id, r.passage) for r in seen.related]
                scores["citation.related"] = float(any(map(expectation.relevant, offered)))
        scores["citation.support"] = metrics.support_share(seen.quoted, [p.text for p in cited])
        evidence = [p.text for p in seen.evidence]
        scores["answer.faithfulness"] = metrics.support_share(seen.quoted, evidence)
        # Among answers (a hedged answer is an answer): the share given with a hedge.
        scores["answer.hedged"] = float(seen.confidence == "low")
    if item.reference_answer and not item.should_refuse:
        # A refused answerable question states nothing of the reference.
        scores["answer.correctness"] = (
            0.0 if refused else metrics.correctness(seen.quoted, item.reference_answer)
        )
    if judgement is not None:
        scores["answer.faithfulness"] = judgement.mean("faithfulness")
        if scores["answer.correctness"] is not None and not refused:
            scores["answer.correctness"] = judgement.mean("correctness")
    result = ItemResult(
        item=item,
        observation=seen,
        scores=scores,
        relevant_ranks=[
            hit.rank
            for hit, passage in zip(seen.retrieved, ranked, strict=True)
            if expectation.relevant(passage)
        ],
        relevant_citations=[
            c.index
            for c, passage in zip(seen.citations, cited, strict=True)
            if expectation.relevant(passage)
        ],
        judgement=judgement,
    )
    result.failures = _failures(result, k)
    return result


def _failures(result: ItemResult, k: int) -> list[Failure]:
    seen, scores = result.observation, result.scores
    found: list[Failure] = []
    if scores["refusal.missed"] == 1.0:
        found.append(Failure("refusal.missed", "Devait être refusée, mais l’assistant a répondu."))
    if scores["refusal.false"] == 1.0:
        pointed = " ; la bonne page était proposée" if scores["refusal.suggested"] else ""
        found.append(
            Failure(
                "refusal.false", f"Question légitime refusée (motif : {seen.refused}){pointed}."
            )
        )
    if scores[f"retrieval.hit@{k}"] == 0.0:
        found.append(
            Failure("retrieval", f"Aucun passage pertinent parmi les {k} premiers résultats.")
        )
    precision = scores["citation.precision"]
    if precision is not None and precision < ITEM_PASS:
        relevant = round(precision * len(seen.citations))
        found.append(
            Failure(
                "citation.precision",
                f"Sources citées peu pertinentes : {relevant} sur {len(seen.citations)}.",
            )
        )
    support = scores["citation.support"]
    if support is not None and support < ITEM_PASS:
        found.append(
            Failure(
                "citation.support", f"Phrases appuyées par une source citée : {_percent(support)}."
            )
        )
    faithfulness = scores["answer.faithfulness"]
    if faithfulness is not None and faithfulness < ITEM_PASS:
        evidence = [p.text for p in seen.evidence]
        sentences = " ; ".join(f"« {s} »" for s in metrics.unsupported(seen.text, evidence))
        detail = f" Sans appui : {sentences}" if sentences and result.judgement is None else ""
        found.append(
            Failure(
                "answer.faithfulness",
                f"Réponse peu fidèle aux passages ({_percent(faithfulness)}).{detail}",
            )
        )
    correctness = scores["answer.correctness"]
    if correctness is not None and correctness < ITEM_PASS and not seen.refused:
        found.append(
            Failure(
                "answer.correctness",
                f"La réponse ne reprend que {_percent(correctness)} de la réponse de référence.",
            )
        )
    return found


def _percent(value: float) -> str:
    return f"{value * 100:.0f}\u202f%"


# -- aggregates --------------------------------------------------------------------------------


def aggregate(
    results: Sequence[ItemResult], k: int
) -> tuple[dict[str, float | None], dict[str, int]]:
    """Every metric over the items it applies to, and how many items that was."""
    values: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for name in quality_metrics(k):
        values[name], counts[name] = metrics.mean(result.scores[name] for result in results)
    stages: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for stage, milliseconds in result.observation.timings_ms.items():
            stages[stage].append(float(milliseconds))
    for stage, samples in sorted(stages.items()):
        for q in (50, 95):
            values[f"latency.{stage}.p{q}_ms"] = metrics.percentile(samples, q)
            counts[f"latency.{stage}.p{q}_ms"] = len(samples)
    judged = [result.judgement for result in results if result.judgement is not None]
    for name in ("faithfulness", "correctness") if judged else ():
        stdevs = [s for j in judged if (s := j.stdev(name)) is not None]
        spreads = [s for j in judged if (s := j.spread(name)) is not None]
        key = f"judge.{name}.stdev_mean"
        values[key], counts[key] = metrics.mean(stdevs)
        key = f"judge.{name}.spread_max"
        values[key], counts[key] = max(spreads, default=None), len(spreads)
    if judged:
        values["judge.failed_repeats"] = float(sum(j.failures for j in judged))
        counts["judge.failed_repeats"] = len(judged)
    return values, counts


def by_tag(results: Iterable[ItemResult], k: int) -> dict[str, dict[str, Any]]:
    """Per tag: the number of items, of failing items, and the quality metrics."""
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for result in results:
        for tag in result.item.tags or ("(sans étiquette)",):
            groups[tag].append(result)
    table: dict[str, dict[str, Any]] = {}
    for tag, members in sorted(groups.items()):
        values = {
            name: metrics.mean(member.scores[name] for member in members)[0]
            for name in quality_metrics(k)
        }
        failing = sum(member.failed for member in members)
        table[tag] = {"items": len(members), "failing": failing, "metrics": values}
    return table
