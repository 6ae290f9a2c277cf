"""`GET /api/search`: retrieval only, for support staff and debugging; still scoped."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.routers import RateLimitedDep, RuntimeDep, ScopeDep
from assistant.schemas import SearchHit, SearchResponse, problem_responses

router = APIRouter(prefix="/api", tags=["search"])


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Rechercher des passages",
    responses=problem_responses(401, 422, 429),
)
async def search(
    q: Annotated[str, Query(min_length=1, max_length=4000, description="La recherche.")],
    principal: RateLimitedDep,
    scope: ScopeDep,
    runtime: RuntimeDep,
    k: Annotated[int, Query(ge=1, le=50, description="Nombre de passages.")] = 5,
) -> SearchResponse:
    hits = await runtime.search.search(q, scope, k)
    return SearchResponse(hits=[SearchHit.of(hit) for hit in hits])
