"""`GET /api/health`, without a token: for load balancers and the operator."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.routers import RuntimeDep
from assistant.schemas import HealthResponse, IndexHealth

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["health"])


@router.get(
    "/health",
    response_model=HealthResponse,
    summary="État du service",
    responses={503: {"model": HealthResponse, "description": "Index injoignable"}},
)
async def health(runtime: RuntimeDep) -> HealthResponse | JSONResponse:
    try:
        chunks = await run_in_threadpool(runtime.knowledge.store.count)
    except Exception:
        # A probe reports, it does not fail: whatever broke, the index is unreachable.
        logger.exception("index unreachable")
        chunks = None
    report = HealthResponse(
        status="ok" if chunks is not None else "unavailable",
        index=IndexHealth(reachable=chunks is not None, chunks=chunks),
        embedding_model=runtime.knowledge.searcher.embedder.model_id,
        generator=runtime.answers.generator_name,
    )
    if chunks is None:
        return JSONResponse(report.model_dump(), status_code=503)
    return report
