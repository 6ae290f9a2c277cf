"""A stand-in Qdrant server for the outage scenarios: the REST routes the service reads
through, answered by qdrant-client's own local engine. No Qdrant server binary exists here;
what the tests need is a real HTTP endpoint that can go away and come back."""

from __future__ import annotations

from typing import Any

from qdrant_client import QdrantClient, models
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def fake_qdrant(engine: QdrantClient) -> Starlette:
    def ok(result: Any) -> JSONResponse:
        return JSONResponse({"result": result, "status": "ok", "time": 0.0})

    async def exists(request: Request) -> JSONResponse:
        return ok({"exists": engine.collection_exists(request.path_params["name"])})

    async def count(request: Request) -> JSONResponse:
        body = models.CountRequest.model_validate(await request.json())
        found = engine.count(request.path_params["name"], count_filter=body.filter, exact=True)
        return ok({"count": found.count})

    async def query(request: Request) -> JSONResponse:
        body = models.QueryRequest.model_validate(await request.json())
        found = engine.query_points(
            request.path_params["name"],
            query=body.query,
            using=body.using,
            query_filter=body.filter,
            limit=body.limit or 10,
            with_payload=body.with_payload or False,
        )
        return ok({"points": [point.model_dump(mode="json") for point in found.points]})

    async def scroll(request: Request) -> JSONResponse:
        body = models.ScrollRequest.model_validate(await request.json())
        records, offset = engine.scroll(
            request.path_params["name"],
            scroll_filter=body.filter,
            limit=body.limit or 10,
            offset=body.offset,
            with_payload=body.with_payload or False,
        )
        points = [record.model_dump(mode="json") for record in records]
        return ok({"points": points, "next_page_offset": offset})

    return Starlette(
        routes=[
            Route("/collections/{name}/exists", exists, methods=["GET"]),
            Route("/collections/{name}/points/count", count, methods=["POST"]),
            Route("/collections/{name}/points/query", query, methods=["POST"]),
            Route("/collections/{name}/points/scroll", scroll, methods=["POST"]),
        ]
    )
