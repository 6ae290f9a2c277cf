"""The optimised runtime of EmbeddingGemma: its vectors against fp32 on real French passages,
and the manifest check that refuses a tampered or stale folder."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from knowledge.errors import ModelIntegrityError
from knowledge.models import EMBEDDING_GEMMA, sha256_file
from knowledge.optimized import MANIFEST, RECIPE, verify_optimized
from knowledge.protocols import Described
from knowledge.settings import EmbeddingProfile, EmbeddingRuntime
from knowledge.wiring import build_embedder
from tests.conftest import make_settings, with_overrides


def fake_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "model.xml").write_text("<net/>")
    (folder / "model.bin").write_bytes(b"\x00" * 64)
    manifest = {
        "recipe": RECIPE,
        "weights": EMBEDDING_GEMMA.files["model.safetensors"],
        "files": {name: sha256_file(folder / name) for name in ("model.xml", "model.bin")},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return folder


def test_a_tampered_missing_or_stale_folder_is_refused(tmp_path: Path) -> None:
    verify_optimized(fake_folder(tmp_path / "ok"))

    tampered = fake_folder(tmp_path / "tampered")
    (tampered / "model.bin").write_bytes(b"\x01" * 64)
    with pytest.raises(ModelIntegrityError, match=r"model\.bin has sha256"):
        verify_optimized(tampered)

    missing = fake_folder(tmp_path / "missing")
    (missing / "model.xml").unlink()
    with pytest.raises(ModelIntegrityError, match=r"model\.xml is missing"):
        verify_optimized(missing)

    stale = fake_folder(tmp_path / "stale")
    manifest = json.loads((stale / MANIFEST).read_text())
    (stale / MANIFEST).write_text(json.dumps({**manifest, "recipe": "an older recipe"}))
    with pytest.raises(ModelIntegrityError, match="another recipe"):
        verify_optimized(stale)


@pytest.mark.quality
@pytest.mark.slow
def test_optimised_vectors_match_fp32_on_french_passages(
    quality_models_dir: Path, shared_data: Path, tmp_path: Path
) -> None:
    entries = [json.loads(line) for line in (shared_data / "cnil-faq" / "faq.jsonl").open()][:12]
    # Lengths from a few words to past the 512-token window, in one batch (padding).
    passages = [entry["answer"] for entry in entries] + [
        "CNIL",
        " ".join(e["answer"] for e in entries),
    ]
    questions = [entry["question"] for entry in entries]
    settings = make_settings(
        tmp_path, embedding_profile=EmbeddingProfile.QUALITY, models_dir=quality_models_dir
    )
    optimised = build_embedder(settings.knowledge)
    fp32 = build_embedder(
        with_overrides(settings, embedding_runtime=EmbeddingRuntime.FP32).knowledge
    )
    # The same weights: one index serves both runtimes; the cache tells them apart.
    assert optimised.model_id == fp32.model_id == EMBEDDING_GEMMA.name
    assert isinstance(optimised, Described) and isinstance(fp32, Described)
    assert optimised.runtime.startswith("openvino-") and optimised.runtime != fp32.runtime
    assert optimised.dimension == fp32.dimension == 768

    ours = np.asarray(optimised.embed_documents(passages))
    reference = np.asarray(fp32.embed_documents(passages))
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(ours).all()
    assert np.sum(ours * reference, axis=1).min() >= 0.995

    # Alone or in a padded batch, a passage gets the same vector.
    alone = np.asarray(optimised.embed_documents([passages[-2]]))[0]
    assert float(alone @ ours[-2]) >= 0.9999

    ours_q = np.asarray([optimised.embed_query(question) for question in questions])
    reference_q = np.asarray([fp32.embed_query(question) for question in questions])
    assert np.sum(ours_q * reference_q, axis=1).min() >= 0.995
    # Asked at once from many threads, the questions share forward passes (padded to the
    # longest of the batch) and each gets its own vector back.
    with ThreadPoolExecutor(len(questions)) as pool:
        together = np.asarray(list(pool.map(optimised.embed_query, questions)))
    assert np.sum(together * ours_q, axis=1).min() >= 0.9999
    # The query prompt is in use: each question finds its own answer first, as with fp32.
    assert (
        np.argmax(ours_q @ ours[:12].T, axis=1) == np.argmax(reference_q @ reference[:12].T, axis=1)
    ).all()
