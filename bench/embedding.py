"""The quality profile's embedding cost, side by side in one run on the same inputs.

Baseline: what a user of sentence-transformers writes, ``SentenceTransformer(folder)`` in
fp32 with its defaults, ``encode_document`` / ``encode_query``. Ours: the embedder the
settings build (OpenVINO runtime, length-sorted batches, passage cache, query LRU), cold
caches. Inputs: service-public passages as our chunker cuts them, the 53 CNIL dev
questions. Quality: hybrid retrieval on CNIL dev (hit@5, MRR@10) with ours against the fp32
runtime, each through the real ingestion job; cosine of ours to the baseline's vectors.
Rebuild: the sample corpus indexed, then ``--rebuild`` unchanged, on the open index.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from assistant.settings import Settings
from bench.common import arguments, bench_settings, peak_rss_mb, print_table, write
from bench.retrieval import ranked_documents, score
from evals.datasets.real_sets import site_help
from ingest.loaders import load_source
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.pipeline import run_ingest
from knowledge.chunking import Chunker
from knowledge.embedding_cache import CachedEmbedder
from knowledge.models import require_model
from knowledge.settings import EmbeddingRuntime, KnowledgeSettings
from knowledge.types import Scope
from knowledge.wiring import open_knowledge

PASSAGES, QUICK_PASSAGES = 512, 64
CONCURRENT_QUERIES = 8
# Fiches indexed beside the 12 site-help pages in the service-public retrieval set.
DISTRACTORS, QUICK_DISTRACTORS = 120, 40
REFERENCE_DIR = Path(__file__).parent / "results" / "fp32-reference"


def passages(fiches: Path, settings: KnowledgeSettings, wanted: int) -> list[str]:
    """The embedding texts of the first chunks of the fiches, as ingestion makes them."""
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    source = SourceFile(fiches.resolve().as_uri(), fiches.name, fiches.read_bytes())
    texts: list[str] = []
    for document in load_source(source, LoadOptions()):
        texts += [chunk.embedding_text() for chunk in chunker.split(document)]
        if len(texts) >= wanted:
            break
    return texts[:wanted]


def latencies_ms(embed: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    spent = []
    for query in queries:
        started = time.perf_counter()
        embed(query)
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def p95(values: Sequence[float]) -> float:
    return float(np.percentile(values, 95))


def service_public_set(data: Path, folder: Path, distractors: int) -> tuple[Path, list[Any]]:
    """service-public.fr's site-help pages and their real questions (evals' set), indexed
    among the first ``distractors`` fiches so that the pages have to be found, not guessed:
    the files written to ``folder``, and the questions."""
    squad = json.loads((data / "service-public" / "site_help_squad.json").read_text())
    pages, questions = site_help(squad)
    with (data / "service-public" / "fiches.jsonl").open(encoding="utf-8") as fiches:
        fiches_head = [next(fiches) for _ in range(distractors)]
    corpus = folder / "service-public.jsonl"
    lines = [json.dumps(page, ensure_ascii=False) + "\n" for page in pages] + fiches_head
    corpus.write_text("".join(lines), encoding="utf-8")
    return corpus, questions


def retrieval(settings: Settings, corpus: Path, queries: Sequence[dict[str, Any]]) -> Any:
    run_ingest(settings, [corpus], rebuild=True)
    knowledge = open_knowledge(settings.knowledge)
    try:
        rankings = [
            ranked_documents(knowledge.searcher.search(query["question"], Scope.everything(), 30))
            for query in queries
        ]
    finally:
        knowledge.close()
    return score(rankings, [set(map(str, query["expected_documents"])) for query in queries])


def main() -> None:
    args = arguments(__doc__ or "")
    if args.profile != "quality":
        raise SystemExit("the embedding suite measures the quality profile (--profile quality)")
    cnil = args.data / "cnil-faq"
    queries = [json.loads(line) for line in (cnil / "dev_queries.jsonl").open()]
    questions = [query["question"] for query in queries]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        ours_settings = bench_settings(scratch / "ours", args.profile)
        texts = passages(
            args.data / "service-public" / "fiches.jsonl",
            ours_settings.knowledge,
            QUICK_PASSAGES if args.quick else PASSAGES,
        )

        # -- ours: the embedder the settings build, behind its caches ------------------
        started = time.perf_counter()
        knowledge = open_knowledge(ours_settings.knowledge)
        ours_load_s = time.perf_counter() - started
        embedder = knowledge.searcher.embedder
        started = time.perf_counter()
        ours_vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
        ours_s = time.perf_counter() - started
        ours_cold = latencies_ms(embedder.embed_query, questions)
        ours_warm = latencies_ms(embedder.embed_query, questions)
        # Many learners at once, past the query cache: the model's batching of questions.
        inner = embedder.inner if isinstance(embedder, CachedEmbedder) else embedder
        started = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENT_QUERIES) as pool:
            list(pool.map(inner.embed_query, questions))
        concurrent_s = time.perf_counter() - started
        knowledge.close()

        # The demo's sample corpus: a first run, then --rebuild unchanged, on the open index.
        sample_settings = bench_settings(scratch / "sample", args.profile)
        started = time.perf_counter()
        sample = open_knowledge(sample_settings.knowledge)
        first = run_ingest(sample_settings, knowledge=sample)
        sample_first_s = time.perf_counter() - started
        rebuild = run_ingest(sample_settings, rebuild=True, knowledge=sample)
        sample.close()
        ours_rss = peak_rss_mb()

        # -- baseline: sentence-transformers fp32, defaults ---------------------------
        from sentence_transformers import SentenceTransformer

        started = time.perf_counter()
        model = SentenceTransformer(
            str(require_model(ours_settings.knowledge.models_dir)), device="cpu"
        )
        baseline_load_s = time.perf_counter() - started
        started = time.perf_counter()
        baseline_vectors = np.asarray(model.encode_document(texts), dtype=np.float32)
        baseline_s = time.perf_counter() - started
        baseline_queries = latencies_ms(model.encode_query, questions)
        del model

        # -- retrieval: ours against the fp32 runtime, through the whole pipeline -------
        sp_corpus, sp_queries = service_public_set(
            args.data, scratch, QUICK_DISTRACTORS if args.quick else DISTRACTORS
        )
        scores: dict[str, Any] = {}
        for name, corpus, asked in (
            ("cnil", cnil / "faq.jsonl", queries),
            ("sp", sp_corpus, sp_queries),
        ):
            scores[name] = retrieval(bench_settings(scratch / name, args.profile), corpus, asked)
            # The fp32 reference indexes keep their data dirs between runs: their embedding
            # caches spare re-runs of this suite the slowest part (embedding at fp32).
            fp32_settings = bench_settings(REFERENCE_DIR / name, args.profile)
            fp32_settings.knowledge = fp32_settings.knowledge.model_copy(
                update={"embedding_runtime": EmbeddingRuntime.FP32}
            )
            scores[f"fp32_{name}"] = retrieval(fp32_settings, corpus, asked)
        ours_scores, fp32_scores = scores["cnil"], scores["fp32_cnil"]

    cosines = np.sum(ours_vectors * baseline_vectors, axis=1)
    result = {
        "benchmark": "embedding",
        "profile": args.profile,
        "quick": args.quick,
        "runtime": embedder.model_id,
        "passages": len(texts),
        "passages_per_s": len(texts) / ours_s,
        "baseline_passages_per_s": len(texts) / baseline_s,
        "speedup": baseline_s / ours_s,
        "load_s": ours_load_s,
        "baseline_load_s": baseline_load_s,
        "query_p50_ms": statistics.median(ours_cold),
        "query_p95_ms": p95(ours_cold),
        "query_cached_p95_ms": p95(ours_warm),
        "queries_per_s": len(questions) / (sum(ours_cold) / 1000),
        "concurrent_queries_per_s": len(questions) / concurrent_s,
        "baseline_query_p50_ms": statistics.median(baseline_queries),
        "baseline_query_p95_ms": p95(baseline_queries),
        "cosine_min": float(cosines.min()),
        "cosine_mean": float(cosines.mean()),
        "hit5": ours_scores["hit@5"],
        "mrr10": ours_scores["mrr@10"],
        "fp32_hit5": fp32_scores["hit@5"],
        "fp32_mrr10": fp32_scores["mrr@10"],
        "hit5_delta": ours_scores["hit@5"] - fp32_scores["hit@5"],
        "mrr10_delta": ours_scores["mrr@10"] - fp32_scores["mrr@10"],
        "sp_queries": len(sp_queries),
        "sp_hit5": scores["sp"]["hit@5"],
        "sp_mrr10": scores["sp"]["mrr@10"],
        "sp_fp32_hit5": scores["fp32_sp"]["hit@5"],
        "sp_fp32_mrr10": scores["fp32_sp"]["mrr@10"],
        "sp_hit5_delta": scores["sp"]["hit@5"] - scores["fp32_sp"]["hit@5"],
        "sp_mrr10_delta": scores["sp"]["mrr@10"] - scores["fp32_sp"]["mrr@10"],
        "peak_rss_mb": ours_rss,
        "sample_chunks": first.chunks,
        # With the model's load, as `mentor-assistant ingest` pays it (the demo's figure).
        "sample_first_run_s": sample_first_s,
        "sample_first_ingest_s": first.seconds,
        "sample_rebuild_s": rebuild.seconds,
        "rebuild_fraction": rebuild.seconds / first.seconds,
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print_table(
        f"Embedding, quality profile: {len(texts)} service-public passages, 53 CNIL queries",
        ["", "passages/s", "query p50 ms", "query p95 ms", "load s"],
        [
            [result["runtime"] + " + caches", result["passages_per_s"], result["query_p50_ms"],
             result["query_p95_ms"], ours_load_s],
            ["sentence-transformers fp32", result["baseline_passages_per_s"],
             result["baseline_query_p50_ms"], result["baseline_query_p95_ms"], baseline_load_s],
        ],
    )  # fmt: skip
    print(
        f"speedup {result['speedup']:.2f}x; cosine to fp32 min {result['cosine_min']:.4f} mean "
        f"{result['cosine_mean']:.5f}; questions {result['queries_per_s']:.1f}/s one at a time, "
        f"{result['concurrent_queries_per_s']:.1f}/s from {CONCURRENT_QUERIES} threads; "
        f"CNIL dev hit@5 {result['hit5']:.3f} "
        f"({result['hit5_delta']:+.3f} vs fp32), MRR@10 {result['mrr10']:.3f} "
        f"({result['mrr10_delta']:+.3f}); service-public ({len(sp_queries)} site-help questions) "
        f"hit@5 {result['sp_hit5']:.3f} ({result['sp_hit5_delta']:+.3f}), MRR@10 "
        f"{result['sp_mrr10']:.3f} ({result['sp_mrr10_delta']:+.3f}); "
        f"sample corpus {first.chunks} chunks in "
        f"{sample_first_s:.1f} s, --rebuild {rebuild.seconds:.2f} s "
        f"({result['rebuild_fraction']:.1%}); peak RSS {ours_rss:.0f} MB"
    )
    write(args.output, result)


if __name__ == "__main__":
    main()
