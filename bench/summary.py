"""The suites' JSON results → the flat figures that `python -m bench --json` prints."""

from __future__ import annotations

from typing import Any

# Chunk counts as the keys name them.
SCALE_NAMES = {1_000: "1k", 10_000: "10k", 100_000: "100k"}


def flatten(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name, result in results.items():
        flattener = _FLATTENERS.get(name)
        if flattener is not None:
            figures.update(flattener(result))
        else:
            figures.update(_prefixed(name, result))
    return figures


def _ingestion(result: dict[str, Any]) -> dict[str, Any]:
    naive = result["naive_langchain"]
    return {
        "ingest.source": result["source"],
        "ingest.documents": result["documents"],
        "ingest.chunks": result["chunks"],
        "ingest.documents_per_s": result["documents_per_s"],
        "ingest.chunks_per_s": result["chunks_per_s"],
        "ingest.peak_rss_mb": result["peak_rss_mb"],
        "ingest.rerun_fraction": result["rerun_fraction"],
        "ingest.rerun_seconds": result["rerun_unchanged_seconds"],
        "ingest.ratio_vs_naive_langchain": result["ratio_vs_naive_langchain"],
        "ingest.naive_langchain.chunks": naive["chunks"],
        "ingest.naive_langchain.documents_per_s": naive["documents_per_s"],
        "ingest.naive_langchain.chunks_per_s": naive["chunks_per_s"],
    }


def _embedding(result: dict[str, Any]) -> dict[str, Any]:
    figures = _prefixed("embedding", {k: v for k, v in result.items() if k != "benchmark"})
    figures["ingest.rebuild_fraction"] = figures.pop("embedding.rebuild_fraction")
    return figures


def _query(result: dict[str, Any]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for row in result["scales"]:
        scale = SCALE_NAMES.get(row["chunks"], str(row["chunks"]))
        for metric in ("p50_ms", "p95_ms", "p99_ms"):
            figures[f"query.{metric}@{scale}"] = row["retrieval"][metric]
            figures[f"answer.{metric}@{scale}"] = row["answer"][metric]
            figures[f"store.edge.{metric}@{scale}"] = row["edge_store"][metric]
            figures[f"store.local.{metric}@{scale}"] = row["local_store"][metric]
        figures[f"store.edge.build_s@{scale}"] = row["edge_build_s"]
    extrapolated = result.get("extrapolated_100k")
    if extrapolated:
        figures["query.p95_ms@100k"] = extrapolated["retrieval_p95_ms"]
        figures["answer.p95_ms@100k"] = extrapolated["answer_p95_ms"]
        figures["store.edge.p95_ms@100k"] = extrapolated["edge_store_p95_ms"]
        figures["store.local.p95_ms@100k"] = extrapolated["local_store_p95_ms"]
        figures["query.100k_extrapolated"] = extrapolated["note"]
    figures["store.local.acceptable_up_to_chunks"] = result["local_mode_acceptable_up_to_chunks"]
    figures["store.edge.acceptable_up_to_chunks"] = result["edge_acceptable_up_to_chunks"]
    figures["store.budget_ms"] = result["store_budget_ms"]
    return figures


def _load(result: dict[str, Any]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    # The headline figures are the LLM's, the production set-up; extractive ones are kept.
    for generator, rows in result["levels"].items():
        prefix = "load" if generator == "llm" else f"load.{generator}"
        for row in rows:
            n = row["concurrency"]
            figures[f"{prefix}.p50_ttft_ms@{n}"] = row["ttft_p50_ms"]
            figures[f"{prefix}.p95_ttft_ms@{n}"] = row["ttft_p95_ms"]
            figures[f"{prefix}.error_rate@{n}"] = row["error_rate"]
            figures[f"{prefix}.answers_per_s@{n}"] = row["answers_per_s"]
        figures[f"{prefix}.p95_ttft_passes_1s_at"] = result["ttft_p95_passes_1s_at"][generator]
    return figures


def _widget(result: dict[str, Any]) -> dict[str, Any]:
    return _prefixed("widget", {k: v for k, v in result.items() if k != "benchmark"})


def _prefixed(name: str, result: dict[str, Any]) -> dict[str, Any]:
    """Scalars under ``name.key``, nested objects one level further (``triage.centroid.
    accuracy``); lists are left to the suite's own JSON."""
    figures: dict[str, Any] = {}
    for key, value in result.items():
        if isinstance(value, dict):
            figures.update(_prefixed(f"{name}.{key}", value))
        elif isinstance(value, str | int | float | bool) or value is None:
            figures[f"{name}.{key}"] = value
    return figures


_FLATTENERS = {
    "embedding": _embedding,
    "ingestion": _ingestion,
    "query": _query,
    "load": _load,
    "widget": _widget,
}
