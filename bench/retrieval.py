"""Retrieval quality on the CNIL development set: our hybrid search against plain BM25.

The FAQ is indexed through the real ingestion job (JSONL loader, chunker, embedder, embedded
Qdrant); every query then runs through `Searcher.search`, and through each half alone. The
baseline is bm25s with a French Snowball stemmer and stop words on question + answer.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import arguments, bench_settings, peak_rss_mb, print_table, write
from ingest.pipeline import run_ingest
from knowledge.types import Hit, Scope
from knowledge.wiring import open_knowledge


def ranked_documents(hits: Sequence[Hit], limit: int = 10) -> list[str]:
    return list(dict.fromkeys(hit.chunk.document_id for hit in hits))[:limit]


def score(rankings: list[list[str]], expected: list[set[str]]) -> dict[str, float]:
    hit1 = hit5 = mrr = 0.0
    for ranking, relevant in zip(rankings, expected, strict=True):
        hit1 += any(doc in relevant for doc in ranking[:1])
        hit5 += any(doc in relevant for doc in ranking[:5])
        mrr += next((1 / rank for rank, doc in enumerate(ranking[:10], 1) if doc in relevant), 0)
    count = len(rankings)
    return {"hit@1": hit1 / count, "hit@5": hit5 / count, "mrr@10": mrr / count}


def bm25s_rankings(entries: list[dict[str, Any]], questions: list[str]) -> list[list[str]]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("french")
    corpus = [f"{entry['question']}\n{entry['answer']}" for entry in entries]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="fr", stemmer=stemmer, show_progress=False))
    tokens = bm25s.tokenize(questions, stopwords="fr", stemmer=stemmer, show_progress=False)
    results, _ = retriever.retrieve(tokens, k=10, show_progress=False)
    return [[str(entries[index]["id"]) for index in row] for row in results]


def main() -> None:
    args = arguments(__doc__ or "")
    faq = args.data / "cnil-faq" / "faq.jsonl"
    queries = [json.loads(line) for line in (args.data / "cnil-faq" / "dev_queries.jsonl").open()]
    questions = [query["question"] for query in queries]
    expected = [set(map(str, query["expected_documents"])) for query in queries]
    entries = [json.loads(line) for line in faq.open()]

    rows: dict[str, dict[str, float]] = {
        "bm25s (fr snowball)": score(bm25s_rankings(entries, questions), expected)
    }
    with tempfile.TemporaryDirectory() as scratch:
        settings = bench_settings(Path(scratch), args.profile)
        started = time.perf_counter()
        report = run_ingest(settings, [faq])
        index_seconds = time.perf_counter() - started
        knowledge = open_knowledge(settings.knowledge)
        try:
            searcher = knowledge.searcher
            store = knowledge.store
            everything = Scope.everything()
            runs: dict[str, Callable[[str], list[Hit]]] = {
                "sparse only (ours, in Qdrant)": lambda q: store.query_sparse(
                    searcher.sparse_encoder.encode_query(q), everything, 30
                ),
                f"dense only ({searcher.embedder.model_id})": lambda q: store.query_dense(
                    searcher.embedder.embed_query(q), everything, 30
                ),
                "hybrid (default)": lambda q: searcher.search(q, everything, 30),
            }
            latencies: dict[str, float] = {}
            for name, run in runs.items():
                started = time.perf_counter()
                rankings = [ranked_documents(run(question)) for question in questions]
                latencies[name] = (time.perf_counter() - started) / len(questions) * 1000
                rows[name] = score(rankings, expected)
        finally:
            knowledge.close()

    print_table(
        f"CNIL dev set: {len(queries)} queries, {len(entries)} FAQ entries ({args.profile})",
        ["retriever", "hit@1", "hit@5", "mrr@10", "ms/query"],
        [
            [name, m["hit@1"], m["hit@5"], m["mrr@10"], latencies.get(name, "")]
            for name, m in rows.items()
        ],
    )
    rss = peak_rss_mb()
    print(f"indexing: {report.chunks} chunks in {index_seconds:.1f} s, peak RSS {rss:.0f} MB")
    write(
        args.output,
        {
            "benchmark": "retrieval",
            "profile": args.profile,
            "queries": len(queries),
            "documents": len(entries),
            "results": rows,
            "ms_per_query": latencies,
            "index_seconds": index_seconds,
            "chunks": report.chunks,
            "peak_rss_mb": peak_rss_mb(),
        },
    )


if __name__ == "__main__":
    main()
