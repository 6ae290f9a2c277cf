"""The service as the load bench runs it: `uvicorn bench.serve:app --factory`, configured by
MENTOR_* variables only (no .env file, so a developer's settings never leak into a figure)."""

from __future__ import annotations

from fastapi import FastAPI

from assistant.app import create_app
from bench.common import isolated_settings


def app() -> FastAPI:
    return create_app(isolated_settings())
