"""LTI 1.3 endpoints: they translate HTTP to the LtiService and its refusals to French pages.

``/lti/login`` (OIDC login initiation), ``/lti/launch`` (the platform's form post),
``/lti/jwks`` (the tool's public keys), ``/lti/register`` (dynamic registration). A refused
step is a page with the reason in French and one log line with its code: never a 500,
never a token.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool

from assistant.lti.errors import LtiError
from assistant.lti.registration import ToolUrls
from assistant.lti.state import STATE_TTL_SECONDS
from assistant.routers import RuntimeDep, note

logger = logging.getLogger("mentor_assistant.lti")

TEMPLATES = Path(__file__).resolve().parent.parent / "lti" / "templates"
# A form post holds one id_token of a few kilobytes.
MAX_FORM_BYTES = 64 * 1024
LAUNCH_PATH = "/lti/launch"
CLOSE_SCRIPT = (TEMPLATES / "close.js").read_bytes()


def build_router() -> APIRouter:
    templates = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )
    router = APIRouter(prefix="/lti", include_in_schema=False)

    def page(title: str, message: str, status: int, script: str | None = None) -> HTMLResponse:
        body = templates.get_template("message.html").render(
            title=title, message=message, script=script
        )
        # No frame-ancestors: these pages show in the platform's frame, and hold no secret.
        csp = "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'"
        return HTMLResponse(
            body,
            status_code=status,
            headers={
                "Content-Security-Policy": csp,
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
            },
        )

    def refused(request: Request, step: str, error: LtiError) -> HTMLResponse:
        logger.warning("LTI %s refused: %s", step, error.reason)
        note(request, lti_refused=error.reason)
        return page("Accès à l'assistant refusé", error.message, error.status)

    @router.api_route("/login", methods=["GET", "POST"])
    async def login(request: Request, runtime: RuntimeDep) -> Response:
        params = await _params(request)
        if params is None:
            return page("Requête trop longue", "Requête LTI trop volumineuse.", 413)
        try:
            redirect = await run_in_threadpool(runtime.lti.login, params, _urls(request))
        except LtiError as error:
            return refused(request, "login", error)
        response = RedirectResponse(redirect.url, status_code=302)
        response.headers.append(
            "set-cookie",
            _state_cookie(redirect.state.cookie_name, redirect.signed_state, STATE_TTL_SECONDS),
        )
        return response

    @router.post("/launch")
    async def launch(request: Request, runtime: RuntimeDep) -> Response:
        form = await _params(request)
        if form is None:
            return page("Requête trop longue", "Requête LTI trop volumineuse.", 413)
        if form.get("error"):
            # The platform answered the login with an OIDC error instead of a token; its code
            # goes to the log only as the short OIDC word it should be.
            code = re.sub(r"[^a-z_]", "", form["error"].lower())[:40]
            error = LtiError(
                f"platform_{code}",
                "La plateforme a refusé la connexion à l'assistant : relancez l'activité.",
                401,
            )
            return refused(request, "launch", error)
        try:
            launched = await run_in_threadpool(
                runtime.lti.launch, form.get("id_token", ""), form.get("state", ""), request.cookies
            )
        except LtiError as error:
            return refused(request, "launch", error)
        note(request, user=launched.user_hash, role=launched.role.value)
        logger.info("LTI launch: user %s, role %s", launched.user_hash, launched.role.value)
        fragment = urlencode(
            {"token": launched.token, "session": launched.session_id, "lang": launched.lang}
        )
        # The existing iframe page, full-frame; the token travels in the fragment, which
        # the browser never sends to a server. Relative: it works behind a path prefix.
        response = RedirectResponse(f"../widget/frame#{fragment}", status_code=303)
        response.headers.append("set-cookie", _state_cookie(launched.state_cookie, "", 0))
        return response

    @router.get("/jwks")
    async def jwks(runtime: RuntimeDep) -> JSONResponse:
        return JSONResponse(runtime.lti.keys.jwks(), headers={"Cache-Control": "max-age=300"})

    @router.get("/register")
    async def register(
        request: Request,
        runtime: RuntimeDep,
        openid_configuration: str = "",
        registration_token: str = "",
    ) -> Response:
        if not openid_configuration or not registration_token:
            return page(
                "Enregistrement LTI",
                "Cette adresse se colle dans la page d'administration des outils externes de "
                "la plateforme (Moodle : « Gérer les outils », « Ajouter un outil par URL »).",
                400,
            )

        def exchange() -> None:
            with httpx.Client() as http:
                runtime.lti.register(openid_configuration, registration_token, _urls(request), http)

        try:
            await run_in_threadpool(exchange)
        except LtiError as error:
            logger.warning("LTI registration refused: %s", error.reason)
            note(request, lti_refused=error.reason)
            return page("Enregistrement refusé", error.message, error.status)
        logger.info("LTI registration done")
        return page(
            "Assistant enregistré",
            "L'assistant est enregistré : activez-le dans la liste des outils de la plateforme.",
            200,
            script="close.js",
        )

    @router.get("/close.js")
    async def close_script() -> Response:
        return Response(
            CLOSE_SCRIPT,
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"},
        )

    return router


def _state_cookie(name: str, value: str, max_age: int) -> str:
    """The login's state cookie (Set-Cookie written out: Python's cookies before 3.14 know
    no Partitioned). The launch comes back in the platform's frame, a third-party context:
    SameSite=None for the cookie to be sent there at all, and Partitioned (CHIPS) so that
    Chromium keeps it even when third-party cookies are blocked: its partition is the
    platform's site, the top-level page of both the login and the launch. The value is a
    signed state (base64url and dots), which needs no quoting."""
    return (
        f"{name}={value}; Max-Age={max_age}; Path={LAUNCH_PATH}; Secure; HttpOnly; "
        "SameSite=None; Partitioned"
    )


def _urls(request: Request) -> ToolUrls:
    return ToolUrls(str(request.base_url).rstrip("/"))


async def _params(request: Request) -> Mapping[str, str] | None:
    """Query parameters, or a form post's fields; None when the body is too large."""
    if request.method == "GET":
        return dict(request.query_params)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            return None
    return dict(parse_qsl(body.decode("utf-8", errors="replace")))
