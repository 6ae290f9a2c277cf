"""Hybrid search: dense and French lexical candidates from the same store, fused by weight.

Plain reciprocal-rank fusion of BM25 with EmbeddingGemma *lost* to EmbeddingGemma alone on
the CNIL development set (0.89 / 0.67 against 0.96 / 0.88 hit@5 / MRR@10): rank fusion gives
a weak lexical list as much say as a strong dense one. Here the cosine similarity stays the
backbone and the lexical score, scaled to [0, 1] by the best lexical candidate, adds a bonus
weighted by how much the embedder needs it: exact French terms (a form name, an acronym)
break the dense ranking's near-ties. With EmbeddingGemma a weight of 0.05 gave 1.00 / 0.89 on
fp32 (plateau from 0.03 to 0.05); the weaker lite model needs 0.4. bench/retrieval.py measures it.
Re-measured on the OpenVINO runtime (the default) over every real set, hit@1 / MRR@10 on the
cached candidates: 0.055 to 0.058 is the plateau where the hybrid is at least EmbeddingGemma
alone on every set (CNIL dev 0.868 / 0.920 against 0.774 / 0.859, site help 0.778 / 0.880
against 0.722 / 0.861, sample 0.909 / 0.948 against 0.909 / 0.947, Mentor FAQ and its held-out
part equal); 0.05 lost one sample question (0.894), 0.06 one CNIL question (0.849). Chosen on
the other sets, leaving each out in turn, the weight is 0.055 for every one; on five folds of
every set, 0.03 to 0.055. On our held-out paraphrases of the CNIL intents (worded to avoid
the entries' words; evals/datasets/cnil_paraphrases*.jsonl) the hybrid loses to
EmbeddingGemma alone: 18 against 20 of 30 and 15 against 16 of 23 at hit@1. 0.025 to 0.035
tie on the first set, but on the second, written afterwards to check them, every weight from
0.03 to 0.05 gives 15 and 0.025 gives 16 while CNIL dev falls from 46 to 43 of 53: the
weight stays. Other fusions measured and not taken (the bonus choosing the first passage
only among the dense first two, scaled by the question's own term weight, weighted by the
share of its words found): README, "Evals".

A FAQ entry's question as a point of its own (``knowledge.stores.schema``): the entry is
found by its text or by its question, with the better cosine (learners paraphrase the
question). Measured on the real sets, hit@1 (five folds' range), text alone → with the
question: lite, Mentor FAQ 0.800 (0.57–1.00) → 0.886 (0.71–1.00), CNIL 0.472 (0.36–0.55)
→ 0.623 (0.55–0.73), sample 0.833 → 0.848, Mentor held out and site help (no FAQ) equal;
EmbeddingGemma, CNIL 0.811 → 0.792, Mentor held out 1.000 → 0.857, sample and Mentor
equal (a weighted mix or a bonus did no better; a query-prompted question vector did worse):
lite only (``search_faq_questions`` in knowledge/calibration.py). Pages' titles as
questions lose everywhere (site help lite 0.833 → 0.389).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from knowledge.calibration import calibration
from knowledge.chunking import joined
from knowledge.language import detect_language
from knowledge.protocols import Embedder, SparseEncoder, VectorStore
from knowledge.types import Chunk, Hit, Scope


class Searcher:
    def __init__(
        self,
        embedder: Embedder,
        sparse_encoder: SparseEncoder,
        store: VectorStore,
        lexical_weight: float,
        candidates: int,
    ) -> None:
        self.embedder = embedder
        self.sparse_encoder = sparse_encoder
        self.store = store
        self._lexical_weight = lexical_weight
        self._candidates = candidates
        # Whether this model's index holds the FAQ questions' points (ingest/pipeline.py).
        self._faq_questions = calibration(embedder.model_id).search_faq_questions

    def search(self, query: str, scope: Scope, k: int = 5) -> list[Hit]:
        limit = max(k, self._candidates)
        # The FAQ questions' points only in the question's language (knowledge.stores.schema).
        language = detect_language(query) if self._faq_questions else None
        dense = self.store.query_dense(self.embedder.embed_query(query), scope, limit, language)
        sparse = self.store.query_sparse(self.sparse_encoder.encode_query(query), scope, limit)
        return fuse(dense, sparse, self._lexical_weight)[:k]

    def continued(self, hits: Sequence[Hit], scope: Scope) -> list[Hit]:
        """Each hit with its passage followed by the next chunk of its section: what is cited
        is read past the chunk's end. A hit that follows an earlier one is inside it now,
        and cited once.

        A help page's answer often runs past the chunk that matched the question (its steps,
        its contact address): on the service-public site help 9 of the 17 answered
        questions' reference answers went on beyond the cited chunks. Measured with
        ``mentor-assistant eval`` on every own and cross-corpus set: site-help correctness
        0.715 → 0.802 (9 answers go on with the rest of their page's answer, none gets
        shorter), citation precision unchanged (0.882); every other set's answers, refusals
        and scores identical but for one out-of-scope question the site help already
        answered, hedged, at more length (the sample corpus's sections and most FAQ entries
        fit in one chunk). On twelve questions of ours on the service-public fiches (530,
        indexed as FAQ entries of up to 2 000 characters), correctness 0.676 → 0.788 with
        retrieval and refusals unchanged. The decision and the ranking still read the
        matched chunk alone; a lookup costs ~0.04 ms on the embedded store.
        """
        shown: set[tuple[str, int]] = set()
        continued = []
        for hit in hits:
            chunk = hit.chunk
            if _place(chunk) in shown:
                continue
            shown.add(_place(chunk))
            after = (chunk.document_id, chunk.position + 1)
            # A chunk already shown is not shown again inside its predecessor.
            following = None if after in shown else self.store.chunk_at(*after, scope)
            if following is not None and _section(following) == _section(chunk):
                shown.add(after)
                hit = replace(hit, chunk=replace(chunk, text=joined(chunk.text, following.text)))
            continued.append(hit)
        return continued


def _place(chunk: Chunk) -> tuple[str, int]:
    return chunk.document_id, chunk.position


def _section(chunk: Chunk) -> tuple[tuple[str, ...], int | None]:
    return chunk.heading_path, chunk.page


def fuse(dense: Sequence[Hit], sparse: Sequence[Hit], lexical_weight: float) -> list[Hit]:
    """Cosine plus ``lexical_weight`` × lexical score / best lexical score."""
    dense_scores = {hit.chunk.chunk_id: hit.score for hit in dense}
    sparse_scores = {hit.chunk.chunk_id: hit.score for hit in sparse}
    # A lexical-only candidate ranks below every dense candidate on the dense side.
    dense_floor = min(dense_scores.values(), default=0.0)
    sparse_top = max(sparse_scores.values(), default=0.0) or 1.0
    by_id = {hit.chunk.chunk_id: hit.chunk for hit in (*sparse, *dense)}
    fused = [
        Hit(
            chunk=chunk,
            score=dense_scores.get(chunk_id, dense_floor)
            + lexical_weight * sparse_scores.get(chunk_id, 0.0) / sparse_top,
            dense_score=dense_scores.get(chunk_id),
            sparse_score=sparse_scores.get(chunk_id),
        )
        for chunk_id, chunk in by_id.items()
    ]
    return sorted(fused, key=lambda hit: hit.score, reverse=True)
