#!/usr/bin/env bash
# Create .venv at the repo root and install mentor-assistant into it (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# Torch first and pinned: a bare "torch" requirement would pull a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet "${MENTOR_TORCH_SPEC:-torch==2.13.0}"
.venv/bin/python -m pip install --quiet -e ".${MENTOR_EXTRAS:-}"
