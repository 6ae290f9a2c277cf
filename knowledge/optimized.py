"""The optimised runtime of EmbeddingGemma, made locally from the provisioned weights.

No second download: the sentence-transformers folder is exported to ONNX (transformer, mean
pooling, the two dense layers and the normalisation in one graph), converted to an
OpenVINO model (weights stored as fp16, half the disk) and run by OpenVINO in bf16 where
the CPU has bf16 instructions (AVX-512 BF16, AMX), in fp32 elsewhere. Measured side by side
on CNIL passages (bench/README.md): 5× the passages/s of sentence-transformers fp32 with a
cosine of 0.99997 to its vectors; the int8 candidates were slower or worse (onnxruntime
per-tensor dynamic int8: 2.4×, cosine 0.975; onnxruntime 8-bit blocks ``MatMulNBits``:
1.9×, 0.9996; the latter run by OpenVINO: 3.5×).

Pitfalls of the Gemma 3 export handled here: ``position_ids`` are computed inside the graph
from the attention mask's shape (a traced constant of the example's length would be wrong
for every other length); no fp16 arithmetic (Gemma's residual stream overflows it into
NaNs; bf16 keeps fp32's range); the exported output is not named ``embedding`` (the
exporter already gives that name to an inner tensor, and the duplicate is invalid).

The folder is written atomically (staging folder, then rename) with a manifest of sha256
hashes, checked on every load like the weights' pinned hashes. The manifest also records
the recipe and the weights it was made from: a new recipe or new weights re-export.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from knowledge.errors import ModelIntegrityError, ModelNotProvisionedError
from knowledge.models import (
    EMBEDDING_GEMMA,
    ModelSpec,
    already_made,
    model_path,
    sha256_file,
    verify_files,
)

Progress = Callable[[str], None]

RUNTIME = "openvino"
# Bump when the export or the quantisation changes what the files compute.
RECIPE = "onnx-opset18/openvino-ir-fp16-weights/v1"
MODEL_FILE = "model.xml"
WEIGHTS_FILE = "model.bin"
MANIFEST = "manifest.json"
# Longest passage the exported graph is checked against (the embedders truncate there).
MAX_SEQUENCE_TOKENS = 512


def optimized_path(models_dir: Path, spec: ModelSpec = EMBEDDING_GEMMA) -> Path:
    return models_dir / f"{spec.name}-{RUNTIME}"


def require_optimized(models_dir: Path, spec: ModelSpec = EMBEDDING_GEMMA) -> Path:
    """The verified folder, or an error that says how to make it."""
    folder = optimized_path(models_dir, spec)
    if not (folder / MANIFEST).is_file():
        raise ModelNotProvisionedError(
            f"The optimised runtime of {spec.name} is not in {models_dir}. Run `mentor-assistant "
            "models fetch` (it makes it from the weights), or set MENTOR_EMBEDDING_RUNTIME=fp32."
        )
    verify_optimized(folder, spec)
    return folder


def verify_optimized(folder: Path, spec: ModelSpec = EMBEDDING_GEMMA) -> None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelIntegrityError(f"{folder}: unreadable {MANIFEST} ({error})") from error
    if manifest.get("recipe") != RECIPE or manifest.get("weights") != spec.files.get(
        "model.safetensors"
    ):
        raise ModelIntegrityError(
            f"{folder} was made by another recipe or from other weights; "
            "run `mentor-assistant models fetch` to remake it"
        )
    remedy = " (run `mentor-assistant models fetch` to remake it)"
    verify_files(folder, manifest["files"], folder.name, remedy)


def optimize(
    models_dir: Path, spec: ModelSpec = EMBEDDING_GEMMA, progress: Progress = lambda _: None
) -> Path:
    """Make the optimised folder from the provisioned weights; idempotent."""
    target = optimized_path(models_dir, spec)
    if already_made(
        lambda: verify_optimized(target, spec), progress, f"{target.name} already made in {target}"
    ):
        return target
    source = model_path(models_dir, spec)
    if not (source / "model.safetensors").is_file():
        raise ModelNotProvisionedError(
            f"{spec.name} is not in {models_dir}: run `mentor-assistant models fetch` first"
        )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".optimize-") as scratch:
        staging = Path(scratch) / target.name
        staging.mkdir()
        fp32 = Path(scratch) / "fp32"
        fp32.mkdir()
        progress(f"Exporting {spec.name} to ONNX…")
        _export_onnx(source, fp32 / "model.onnx")
        exported = time.perf_counter()
        progress(f"  exported in {exported - started:.0f} s; converting to OpenVINO…")
        _convert(fp32 / "model.onnx", staging / MODEL_FILE)
        files = {name: sha256_file(staging / name) for name in (MODEL_FILE, WEIGHTS_FILE)}
        manifest = {
            "recipe": RECIPE,
            "weights": spec.files["model.safetensors"],
            "files": files,
            "versions": _versions(),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        # Swap in whole: a reader never sees a half-written folder.
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    progress(
        f"{target.name} made in {time.perf_counter() - started:.0f} s "
        f"(export {exported - started:.0f} s) in {target}"
    )
    return target


def _export_onnx(source: Path, destination: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    # Eager attention exports to plain MatMul/Softmax; the SDPA path adds nothing on CPU.
    model = SentenceTransformer(
        str(source),
        device="cpu",
        local_files_only=True,
        model_kwargs={"attn_implementation": "eager"},
    )
    graph = _sentence_graph(model)
    sample = model.tokenizer(
        ["title: none | text: Bonjour", "title: none | text: Comment déclarer un traitement ?"],
        padding=True,
        return_tensors="pt",
    )
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    with torch.no_grad():
        torch.onnx.export(
            graph,
            (sample["input_ids"], sample["attention_mask"]),
            str(destination),
            input_names=["input_ids", "attention_mask"],
            # Not "embedding": the exporter already names an inner tensor so.
            output_names=["sentence_vector"],
            dynamic_shapes={
                "input_ids": {0: batch, 1: sequence},
                "attention_mask": {0: batch, 1: sequence},
            },
            dynamo=True,
            external_data=True,
            opset_version=18,
        )


def _convert(source: Path, destination: Path) -> None:
    import openvino

    # fp16 storage only: at load, OpenVINO computes in bf16 or fp32, never in fp16.
    openvino.save_model(openvino.Core().read_model(str(source)), str(destination), True)


def _sentence_graph(model: Any) -> Any:
    """input ids + mask → the normalised 768-d sentence vector, as ``encode`` computes it."""
    import torch

    class SentenceGraph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = model[0].auto_model
            self.dense = torch.nn.ModuleList([model[2], model[3]])

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            # Right padding: positions are 0..n-1 on every row, whatever the batch's length.
            positions = torch.cumsum(torch.ones_like(input_ids), dim=1) - 1
            hidden = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, position_ids=positions
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            vector = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            for layer in self.dense:
                vector = layer({"sentence_embedding": vector})["sentence_embedding"]
            return torch.nn.functional.normalize(vector, dim=-1)

    return SentenceGraph().eval()


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("torch", "onnx", "openvino", "transformers")}
