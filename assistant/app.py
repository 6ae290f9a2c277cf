"""The FastAPI application: `create_app(settings, runtime)` serves the parts of a `Runtime`."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from http import HTTPStatus
from importlib.metadata import version
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.auth import Role, mint_token, resolve_secret
from assistant.edge import BodyLimit, SecurityHeaders
from assistant.errors import AssistantError, AuthError, ForbiddenError, RateLimitedError
from assistant.replies import INDEX_UNAVAILABLE
from assistant.routers import (
    ACCESS_LOG_KEY,
    admin,
    chat,
    connection,
    feedback,
    health,
    privacy,
    search,
    widget,
)
from assistant.routers import desk as desk_router
from assistant.routers import lti as lti_router
from assistant.routers import moodle as moodle_router
from assistant.routers import tickets as tickets_router
from assistant.routers import triage as triage_router
from assistant.schemas import PROBLEM_MEDIA_TYPE, Problem, ValidationProblem
from assistant.settings import Settings
from assistant.wiring import Runtime, build_runtime, build_webhook
from knowledge import service_link
from knowledge.errors import KnowledgeError

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("mentor_assistant.access")


_FRENCH_DETAILS = {
    404: "Cette adresse n'existe pas.",
    405: "Cette méthode n'est pas permise sur cette adresse.",
}
# FastAPI's own English detail for a body it cannot parse (nested too deep, for one).
_UNPARSABLE_BODY = "There was an error parsing the body"
_FIELD_MESSAGES = {
    "missing": "champ obligatoire",
    "string_too_short": "texte vide ou trop court",
    "string_too_long": "texte trop long",
    "string_type": "texte attendu",
    "int_parsing": "nombre entier attendu",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "literal_error": "valeur non permise",
    "too_long": "liste trop longue",
    "json_invalid": "JSON invalide",
    "model_attributes_type": "objet JSON attendu",
}


# The link's token outlives one renewal period, so a job handed over never meets an
# expired token; a crashed service's token soon stops working.
LINK_TOKEN_TTL_SECONDS = 2 * 3600
LINK_RENEW_SECONDS = 3600


# Request bodies, at the edge: a chat message is 4,000 characters at most (a few tens of KB
# as JSON, whatever the escapes); a mail to triage or a re-index request may be longer.
MAX_BODY_BYTES = 64 * 1024
BODY_LIMITS = {"/api/chat": 32 * 1024, "/api/triage": 256 * 1024, "/api/admin": 256 * 1024}


def create_app(
    settings: Settings, runtime: Runtime | None = None, advertise_url: str | None = None
) -> FastAPI:
    """The service over ``runtime`` (``assistant.wiring.build_runtime``), which it runs and
    closes on shutdown; without one, the lifespan builds it from ``settings``.
    With ``advertise_url``, the service publishes where it listens, so that
    `mentor-assistant ingest` can hand it jobs (knowledge/service_link.py)."""
    if runtime is None:
        # Checked now, so that a bad secret or webhook stops the app before it serves;
        # the lifespan builds the rest.
        resolve_secret(settings)
        build_webhook(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        running = runtime if runtime is not None else build_runtime(settings)
        publishing = asyncio.create_task(_publish_link(settings, advertise_url))
        try:
            purged = running.storage.purge(settings.service.retention_days)
            logger.info("retention purge at startup: %s", purged)
            app.state.runtime = running
            yield
        finally:
            publishing.cancel()
            service_link.withdraw(settings.knowledge, os.getpid())
            await running.aclose()

    app = _ProblemDocumentedAPI(
        # The interactive pages load scripts from a CDN (unpinned, and unreachable offline):
        # the spec at /openapi.json opens in any OpenAPI viewer instead.
        docs_url=None,
        redoc_url=None,
        title="mentor-assistant",
        version=version("mentor-assistant"),
        description="Assistant d'aide aux apprenants de Mentor : réponses sourcées, "
        "limitées aux sessions du jeton.",
        lifespan=lifespan,
    )
    if settings.service.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.service.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After"],
        )
    # Outermost last: the access log sees every answer, the 413s of the body cap included,
    # and those carry the security headers too.
    app.add_middleware(BodyLimit, default=MAX_BODY_BYTES, limits=BODY_LIMITS)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLog)
    _add_problem_handlers(app)
    for router in (
        chat.router,
        search.router,
        feedback.router,
        health.router,
        admin.router,
        connection.router,
        privacy.router,
    ):
        # Each router carries its /api prefix, so the access log's route is the full path.
        app.include_router(router)
    app.include_router(triage_router.router)
    app.include_router(moodle_router.router)
    app.include_router(tickets_router.router)
    app.include_router(desk_router.build_router())
    app.include_router(widget.build_router(settings))
    app.include_router(lti_router.build_router())
    return app


async def _publish_link(settings: Settings, url: str | None) -> None:
    if url is None:
        return
    while True:
        token = mint_token(settings, "local-ingest", (), Role.SUPPORT, LINK_TOKEN_TTL_SECONDS)
        service_link.publish(settings.knowledge, service_link.ServiceLink(url, token, os.getpid()))
        await asyncio.sleep(LINK_RENEW_SECONDS)


class _ProblemDocumentedAPI(FastAPI):
    """Routes refer to the problem schemas by $ref (their media type is not the route's, so
    FastAPI's ``model=`` cannot place them); this adds those schemas to the components."""

    def openapi(self) -> dict[str, Any]:
        spec = super().openapi()
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        for model in (Problem, ValidationProblem):
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(schema.pop("$defs", {}))
            components[model.__name__] = schema
        return spec


def problem(
    status: int, detail: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _add_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(AuthError)
    async def unauthorized(request: Request, error: AuthError) -> JSONResponse:
        return problem(401, str(error), {"WWW-Authenticate": 'Bearer realm="mentor-assistant"'})

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, error: ForbiddenError) -> JSONResponse:
        return problem(403, str(error))

    @app.exception_handler(RateLimitedError)
    async def rate_limited(request: Request, error: RateLimitedError) -> JSONResponse:
        return problem(429, str(error), {"Retry-After": str(error.retry_after)})

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        detail = error.detail
        if detail == HTTPStatus(error.status_code).phrase:
            detail = _FRENCH_DETAILS.get(error.status_code, "La requête n'a pas abouti.")
        elif detail == _UNPARSABLE_BODY:
            detail = "Corps de requête illisible : JSON invalide ou trop imbriqué."
        return problem(error.status_code, detail, error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        # The offending input is left out: it may be the learner's message.
        errors = [
            {
                "loc": list(item["loc"]),
                "msg": _FIELD_MESSAGES.get(item["type"], item["msg"]),
                "type": item["type"],
            }
            for item in error.errors()
        ]
        fields = ", ".join(
            f"{'.'.join(str(part) for part in e['loc'][1:]) or e['loc'][0]} ({e['msg']})"
            for e in errors
        )
        return problem(422, f"Requête invalide : {fields}.", errors=errors)

    @app.exception_handler(KnowledgeError)
    async def index_unavailable(request: Request, error: KnowledgeError) -> JSONResponse:
        logger.exception("knowledge layer failed", exc_info=error)
        return problem(503, INDEX_UNAVAILABLE)

    @app.exception_handler(AssistantError)
    async def assistant_failed(request: Request, error: AssistantError) -> JSONResponse:
        logger.exception("assistant failed", exc_info=error)
        return problem(503, str(error))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unexpected error", exc_info=error)
        return problem(500, "Une erreur inattendue est survenue. Réessayez dans un instant.")


class AccessLog:
    """One JSON line per request on ``mentor_assistant.access``: route, status, latency and
    what the handlers noted (stage timings, backend, refusal, hashed user). Query strings
    and bodies are never written: they hold the learner's words."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        fields: dict[str, Any] = scope.setdefault(ACCESS_LOG_KEY, {})
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            line = {
                "method": scope["method"],
                "route": getattr(route, "path", None) or scope["path"],
                "status": status,
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                **fields,
            }
            access_logger.info(json.dumps(line, ensure_ascii=False, default=str))
