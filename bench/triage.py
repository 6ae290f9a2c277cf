"""Support-desk triage: classification on the held-out requests, and the relevance of the
citations of the drafted replies.

`python -m bench.triage [--quick] [--output FILE]`; ``run(quick)`` for `python -m bench`.
quick: lite profile (seconds); otherwise EmbeddingGemma (minutes on 2 cores).

A citation is relevant when its source can answer the gold category of the request: FAQ
entries are matched by their theme (the id in their URL), kit documents answer course
creation, course passages answer content questions. A drafted reply counts as relevant
when every citation it keeps is; the share is over the held-out requests that got a draft.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from assistant.storage import Storage
from assistant.triage.classifier import Method, embed, train
from assistant.triage.dataset import load_requests, split
from assistant.triage.service import TriageRequest
from assistant.triage.taxonomy import Category
from assistant.types import Citation
from assistant.wiring import build_answer_service, build_triager
from bench.common import bench_settings, print_table
from ingest.pipeline import run_ingest
from knowledge.types import Scope
from knowledge.wiring import open_knowledge

# FAQ id prefixes (and document kinds) whose passages can answer each category.
RELEVANT_FAQ = {
    Category.COMPTE: ("faq-compte", "faq-proconnect"),
    Category.RATTACHEMENT: ("faq-rattachement", "faq-compte-qui-peut-utiliser"),
    Category.INSCRIPTION: ("faq-inscription", "faq-parcours", "faq-session-archivee"),
    Category.ACCES_ACTIVITES: (
        "faq-parcours", "faq-session-archivee", "faq-tutorat", "faq-inscription",
    ),
    Category.ATTESTATION: ("faq-attestation", "faq-session-archivee"),
    Category.TECHNIQUE: ("faq-navigateurs", "faq-affichage", "faq-video", "faq-mobile"),
    Category.ACCESSIBILITE: ("faq-accessibilite",),
    Category.CONTENU: ("faq-contact-question-contenu", "faq-tutorat"),
    Category.CREATION_FORMATION: (),
    Category.AUTRE: ("faq-contact", "faq-donnees", "faq-compte-qui-peut-utiliser"),
}  # fmt: skip
RELEVANT_KIND = {Category.CONTENU: "course", Category.CREATION_FORMATION: "kit"}


def relevant(citation: Citation, category: Category) -> bool:
    if RELEVANT_KIND.get(category) == citation.kind:
        return True
    where = f"{citation.url or ''} {citation.document_id}"
    return any(f"#{prefix}" in where or f"/{prefix}" in where for prefix in RELEVANT_FAQ[category])


def accuracy(gold: Sequence[Category], predicted: Sequence[Category]) -> float:
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)


def macro_f1(gold: Sequence[Category], predicted: Sequence[Category]) -> float:
    scores = []
    for category in Category:
        tp = sum(g == p == category for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == category != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == category != p for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def run(quick: bool) -> dict[str, object]:
    profile = "lite" if quick else "quality"
    with tempfile.TemporaryDirectory(prefix="bench-triage-") as folder:
        settings = bench_settings(Path(folder), profile)
        report = run_ingest(settings)
        if report.failed:
            raise RuntimeError(f"sample corpus failed to index: {report.failed}")
        knowledge = open_knowledge(settings.knowledge)
        storage = Storage(settings.assistant_db_path)
        try:
            embedder = knowledge.searcher.embedder
            result: dict[str, object] = {"profile": profile, "embedder": embedder.model_id}
            requests = load_requests()
            train_part, test = split(requests, "train"), split(requests, "test")
            train_vectors = embed(embedder, [r.text for r in train_part])
            started = time.perf_counter()
            test_vectors = embed(embedder, [r.text for r in test])
            embed_ms = (time.perf_counter() - started) * 1000 / len(test)
            gold = [r.category for r in test]
            for method in Method:
                classifier = train(method, train_vectors, train_part)
                predictions = classifier.predict_embedded(test_vectors, [r.text for r in test])
                predicted = [p.category for p in predictions]
                result[method.value] = {
                    "accuracy": round(accuracy(gold, predicted), 3),
                    "macro_f1": round(macro_f1(gold, predicted), 3),
                    "held_out": len(test),
                    "trained_on": len(train_part),
                }
            result["embed_ms_per_request"] = round(embed_ms, 1)
            answers = build_answer_service(settings, knowledge)
            triager = build_triager(settings, knowledge, answers, storage)
            drafted = good = 0
            for request in test:
                triage = asyncio.run(
                    triager.triage(
                        TriageRequest(request.subject, request.body),
                        Scope.everything(),
                        record=False,
                    )
                )
                if triage.suggested_reply is None:
                    continue
                drafted += 1
                good += all(relevant(c, request.category) for c in triage.citations)
            result["replies"] = {
                "drafted": drafted,
                "held_out": len(test),
                "citations_relevant_share": round(good / drafted, 3) if drafted else None,
            }
        finally:
            storage.close()
            knowledge.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.triage", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="lite profile")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    result = run(args.quick)
    rows = []
    for method in Method:
        figures = result[method.value]
        assert isinstance(figures, dict)
        rows.append([method.value, figures["accuracy"], figures["macro_f1"]])
    title = f"Triage, held-out requests ({result['profile']})"
    print_table(title, ["method", "accuracy", "macro-F1"], rows)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.output is not None:
        args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
