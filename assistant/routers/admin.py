"""`/api/admin/reindex`: hand an ingestion job to the running service (role support)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from assistant.reindex import PathNotAllowedError
from assistant.routers import RuntimeDep, SupportDep, note
from assistant.schemas import ReindexRequest, ReindexStatus, problem_responses

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.post(
    "/reindex",
    response_model=ReindexStatus,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Réindexer sans interrompre le service",
    responses=problem_responses(400, 401, 403, 409, 422),
)
async def reindex(
    body: ReindexRequest, request: Request, principal: SupportDep, runtime: RuntimeDep
) -> ReindexStatus:
    try:
        if body.moodle_url is not None:
            runtime.reindexer.check_moodle(body.moodle_url)
            roots = []
        else:
            roots = runtime.reindexer.roots_for(body.paths)
    except PathNotAllowedError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from error
    if not runtime.reindexer.start(roots, body):
        raise HTTPException(status.HTTP_409_CONFLICT, "Une réindexation est déjà en cours.")
    note(request, roots=len(roots))
    return runtime.reindexer.status


@router.get(
    "/reindex",
    response_model=ReindexStatus,
    summary="État de la dernière réindexation",
    responses=problem_responses(401, 403),
)
async def reindex_status(principal: SupportDep, runtime: RuntimeDep) -> ReindexStatus:
    return runtime.reindexer.status
