"""The HTML report: content and escaping from a hand-built run, then the real file opened in
headless Chromium (offline, no request leaves the page) with a screenshot kept."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from evals.compare import compare
from evals.dataset import EvalItem
from evals.metrics import Passage
from evals.report import radar, render_report, value_text, write_report
from evals.results import EvalRun
from evals.scoring import Cited, Observation, Retrieved, aggregate, by_tag, score_item
from tests.conftest import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts"


def _run(question: str = "Où est mon attestation ?") -> dict[str, Any]:
    items = [
        EvalItem(
            id="q-1", question=question, expected_documents=("faq-attestation",),
            reference_answer="Dans la section Clôture.", tags=("attestation",),
        ),
        EvalItem(id="q-2", question="Raconte une blague", should_refuse=True, tags=("refus",)),
    ]  # fmt: skip
    wrong = Observation(
        text="Le support répond sous cinq jours ouvrés [1].",
        refused=None, escalation=False, generator="extractive", standalone_query=question,
        citations=(Cited(1, "faq-delais", "c9", "Délais", "Le support répond sous cinq jours."),),
        evidence=(Passage("faq-delais", "Le support répond sous cinq jours."),),
        retrieved=(
            Retrieved(1, "faq-delais", "c9", "Délais", "Le support répond…", 0.71),
            Retrieved(2, "faq-attestation", "c1", "Attestation", "Section Clôture", 0.64),
        ),
        timings_ms={"retrieve": 120.0, "generate": 3.0},
        related=(Cited(1, "faq-attestation", "c1", "Attestation", "Section Clôture"),),
    )  # fmt: skip
    refused = Observation(
        text="Je suis l’assistant de Mentor…", refused="out_of_scope", escalation=False,
        generator="refusal", standalone_query="Raconte une blague", citations=(), evidence=(),
        retrieved=(), timings_ms={},
    )  # fmt: skip
    results = [score_item(items[0], wrong, 5), score_item(items[1], refused, 5)]
    values, counts = aggregate(results, 5)
    info = {
        "schema": 1, "timestamp": "2025-06-01T10:00:00+00:00", "k": 5, "duration_s": 1.0,
        "dataset": {"path": "set.jsonl", "sha256": "ab" * 32, "items": 2, "unreviewed": 0},
        "answer_measure": "lexical",
        "models": {"embedder": "use-multilingual-v3", "sparse": "fr-bm25",
                   "generator": "extractive", "answered_by": {"extractive": 1}, "judge": None},
        "settings": {"embedding_profile": "lite"},
        "scoring": {"support_threshold": 0.65, "item_pass": 0.5, "retrieval_depth": 10},
        "corpus": {"documents": 59, "chunks": 204, "sessions": ["laicite-2025"]},
    }  # fmt: skip
    return EvalRun(info, 5, values, counts, by_tag(results, 5), results).to_json()


def test_report_shows_summary_tags_and_failing_items() -> None:
    html = render_report(_run())
    assert html.startswith('<!doctype html>\n<html lang="fr">')
    assert '<svg role="img"' in html and '<title id="radar-title">' in html
    assert "Résultats par étiquette" in html and ">attestation</th>" in html
    assert "Questions en échec (1)" in html
    assert 'id="item-q-1"' in html and 'id="item-q-2"' not in html
    assert "Sources citées peu pertinentes : 0 sur 1." in html
    assert '<span class="relevant">pertinent</span> · <code>faq-attestation</code>' in html
    # The wrong entry was quoted, the right one offered beside it.
    assert "Questions proches proposées" in html
    assert "<li><code>faq-attestation</code> — Attestation</li>" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and "<script" not in html and "<link" not in html


def test_report_escapes_what_learners_and_documents_wrote() -> None:
    html = render_report(_run("<script>alert(1)</script> et <b>gras</b>"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_radar_geometry() -> None:
    values = {"retrieval.hit@1": 1.0, "retrieval.hit@5": 0.5, "answer.correctness": None}
    drawn = radar(5, values)
    top, second = drawn["points"][0], drawn["points"][1]
    assert (top.x, top.y) == (drawn["cx"], drawn["cy"] - 180)  # 100 % on the top axis
    angle = -math.pi / 2 + 2 * math.pi / len(drawn["points"])
    assert second.x == pytest.approx(drawn["cx"] + 90 * math.cos(angle), abs=0.1)
    assert drawn["points"][-1].value is None  # drawn hollow, at the centre
    assert [f["mean"] for f in drawn["families"]] == [0.75, None, None]
    assert drawn["baseline"] is None
    assert radar(5, values, baseline={"retrieval.hit@1": 0.5})["baseline"]


def test_values_are_written_the_french_way() -> None:
    assert value_text("retrieval.hit@1", 0.8125) == "81,2\u202f%"
    assert value_text("latency.retrieve.p95_ms", 1234.4) == "1\u202f234\u202fms"
    assert value_text("answer.correctness", None) == "non mesuré"


@pytest.mark.slow
def test_report_opens_offline_in_headless_chromium(tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed: run scripts/install-browser.sh")
    current = _run()
    baseline = _run()
    baseline["metrics"]["retrieval.hit@1"] = 1.0
    path = tmp_path / "report.html"
    write_report(path, current, compare(current, baseline, tmp_path / "baseline.json"))
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        )  # fmt: skip
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(path.as_uri())
            assert page.title().startswith("Évaluation de l’assistant Mentor")
            assert page.locator("html").get_attribute("lang") == "fr"
            assert page.locator("h1").count() == 1
            headings = page.locator("h2").all_inner_texts()
            assert headings[:3] == [
                "Synthèse", "Comparaison avec la référence", "Résultats par étiquette",
            ]  # fmt: skip
            radar_box = page.locator("svg[role=img]").bounding_box()
            assert radar_box is not None and radar_box["width"] > 300
            assert page.locator("circle").count() >= 9
            assert page.locator("article.item").count() == 1
            assert page.locator("th[scope=col]").count() > 10
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "eval-report.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [path.as_uri()]
    assert (ARTIFACTS / "eval-report.png").stat().st_size > 10_000
