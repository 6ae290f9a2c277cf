"""Knowledge gaps: the learner questions the knowledge base did not serve (refused, answered
with a hedge, or answered and rated down), grouped by topic and ranked by frequency. The FAQ
entries to write next.

Grouping is leader clustering on the embeddings: each question joins the closest group
whose centroid it reaches (cosine threshold), or starts one. Deterministic, no number of
clusters to guess, and cheap for the few hundred questions of a period.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.storage import GapQuestion
from assistant.triage.classifier import embed
from knowledge.calibration import calibration
from knowledge.protocols import Embedder

MAX_EXAMPLES = 5
MAX_OFFERED = 3
# Topics are broader than "the same problem" (assistant/triage/service.py): questions on
# getting an attestation belong together however they are worded, pay slips and leave do
# not. Checked on such a set (tests/assistant/test_desk.py), the embedder's
# same_topic_cosine (knowledge/calibration.py): lite separates them at 0.45; EmbeddingGemma
# merges pay and leave at 0.6, separates them at 0.65, and splits the attestation wordings
# at 0.7.


@dataclass(frozen=True, slots=True)
class GapCluster:
    topic: str
    count: int
    refused: int
    hedged: int
    thumbs_down: int
    examples: tuple[str, ...]
    last_seen: float
    # The pages its refusals offered to look at, the most offered first, with their counts:
    # a page the learners keep being pointed to answers them in other words than theirs.
    offered: tuple[tuple[str, int], ...] = ()


def topic_threshold(embedder: Embedder) -> float:
    return calibration(embedder.model_id).same_topic_cosine


def cluster_gaps(
    questions: Sequence[GapQuestion], embedder: Embedder, threshold: float | None = None
) -> list[GapCluster]:
    if not questions:
        return []
    limit = topic_threshold(embedder) if threshold is None else threshold
    vectors = embed(embedder, [q.text for q in questions])
    members: list[list[int]] = []
    sums: list[np.ndarray] = []
    for index, vector in enumerate(vectors):
        best, score = -1, limit
        for group, total in enumerate(sums):
            similarity = float(vector @ total) / max(float(np.linalg.norm(total)), 1e-9)
            if similarity >= score:
                best, score = group, similarity
        if best < 0:
            members.append([index])
            sums.append(vector.copy())
        else:
            members[best].append(index)
            sums[best] += vector
    clusters = [
        _cluster(questions, vectors, group, total)
        for group, total in zip(members, sums, strict=True)
    ]
    return sorted(clusters, key=lambda c: (-c.count, -c.last_seen))


def _cluster(
    questions: Sequence[GapQuestion], vectors: np.ndarray, group: list[int], total: np.ndarray
) -> GapCluster:
    # The question nearest the centroid names the topic; examples follow by nearness,
    # each wording once.
    by_nearness = sorted(group, key=lambda i: -float(vectors[i] @ total))
    examples: list[str] = []
    for index in by_nearness:
        text = questions[index].text
        if text not in examples:
            examples.append(text)
    return GapCluster(
        topic=examples[0],
        count=len(group),
        refused=sum(questions[i].refused is not None for i in group),
        hedged=sum(questions[i].hedged for i in group),
        thumbs_down=sum(questions[i].thumbs_down for i in group),
        examples=tuple(examples[:MAX_EXAMPLES]),
        last_seen=max(questions[i].created for i in group),
        offered=tuple(
            Counter(title for i in group for title in questions[i].offered).most_common(MAX_OFFERED)
        ),
    )


def _cell(text: str) -> str:
    # Learners' words: a leading =, +, - or @ would run as a formula in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def gaps_csv(clusters: Sequence[GapCluster]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "rang",
            "sujet",
            "occurrences",
            "refus",
            "avec_reserve",
            "avis_negatifs",
            "exemples",
            "pages_proposees",
        ]
    )
    for rank, cluster in enumerate(clusters, 1):
        writer.writerow(
            [
                rank,
                _cell(cluster.topic),
                cluster.count,
                cluster.refused,
                cluster.hedged,
                cluster.thumbs_down,
                _cell(" | ".join(cluster.examples)),
                _cell(" | ".join(f"{title} ({count})" for title, count in cluster.offered)),
            ]
        )
    return out.getvalue()
