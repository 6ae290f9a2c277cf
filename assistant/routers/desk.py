"""The support desk's pages (role support): tickets and knowledge gaps.

Authentication: the desk agent opens ``/desk/login#token=<JWT>`` (a support token minted
by the LMS, or by `mentor-assistant token --role support`), or pastes the token in the
form there. The token travels in the URL fragment, which no server or proxy logs, and is
exchanged by a ``POST`` for an ``HttpOnly``, ``SameSite=Strict`` cookie scoped to
``/desk`` that expires with the token. Page scripts never see it; other sites cannot send
it (SameSite), and state-changing forms must come from the desk's configured public address
(``Origin`` or ``Referer``, compared with ``MENTOR_PUBLIC_URL``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from assistant.auth import Principal, require_support, verify_token
from assistant.errors import AuthError, ForbiddenError
from assistant.routers import RuntimeDep, note
from assistant.settings import ServiceSettings
from assistant.storage import TicketFilter
from assistant.triage.gaps import gaps_csv
from assistant.triage.taxonomy import Category, Urgency
from assistant.triage.tickets import TicketStatus
from knowledge.links import is_safe_link
from widget import STATIC_DIR, TEMPLATES_DIR

COOKIE = "mentor_desk"
COOKIE_PATH = "/desk"
PERIODS = (7, 30, 90)
MAX_LOGIN_BYTES = 16_384
_STATIC = {"desk.css": "text/css; charset=utf-8", "desk.js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class _Static:
    body: bytes
    media_type: str
    etag: str


async def desk_agent(request: Request, runtime: RuntimeDep) -> Principal:
    token = request.cookies.get(COOKIE)
    try:
        principal = verify_token(token or "", runtime.secret, runtime.settings)
    except AuthError as error:
        # A page, not an API: no session (or an expired one) goes to the login form.
        raise HTTPException(
            status.HTTP_303_SEE_OTHER, "Connexion requise.", {"Location": "/desk/login"}
        ) from error
    note(request, user=principal.user_hash, role=principal.role.value)
    return require_support(principal)


AgentDep = Annotated[Principal, Depends(desk_agent)]


def build_router() -> APIRouter:
    templates = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )
    # `{% if url is safe_link %}`: a document's or a learner's address becomes a link only
    # when it is a web or mail one; anything else (javascript:…) stays plain text.
    templates.tests["safe_link"] = is_safe_link
    files = {name: _load(STATIC_DIR / "desk" / name, kind) for name, kind in _STATIC.items()}
    versions = {name: file.etag.strip('"') for name, file in files.items()}
    router = APIRouter(prefix="/desk", include_in_schema=False)

    def render(name: str, code: int = 200, **values: Any) -> HTMLResponse:
        page = templates.get_template(f"desk/{name}").render(static=versions, **values)
        return HTMLResponse(page, status_code=code, headers=_HEADERS)

    @router.get("/static/{name}")
    async def static(name: str, request: Request) -> Response:
        found = files.get(name)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND)
        headers = {
            "ETag": found.etag,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("if-none-match") == found.etag:
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(found.body, media_type=found.media_type, headers=headers)

    @router.get("", response_class=RedirectResponse)
    async def home() -> RedirectResponse:
        return RedirectResponse("/desk/tickets", status.HTTP_303_SEE_OTHER)

    @router.get("/login", response_class=HTMLResponse)
    async def login_page() -> HTMLResponse:
        return render("login.html", error=None)

    @router.post("/login")
    async def login(request: Request, runtime: RuntimeDep) -> Response:
        _same_origin(request, runtime.settings.service)
        token = (await _form(request)).get("token", "").strip()
        try:
            principal = require_support(verify_token(token, runtime.secret, runtime.settings))
        except AuthError as error:
            return render("login.html", status.HTTP_401_UNAUTHORIZED, error=str(error))
        except ForbiddenError:
            return render(
                "login.html", status.HTTP_403_FORBIDDEN, error="Ce jeton n'a pas le rôle support."
            )
        expires = int(jwt.decode(token, options={"verify_signature": False})["exp"])
        response = RedirectResponse("/desk/tickets", status.HTTP_303_SEE_OTHER)
        response.set_cookie(
            COOKIE,
            token,
            max_age=max(0, expires - int(time.time())),
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        note(request, user=principal.user_hash, role=principal.role.value)
        return response

    @router.post("/logout")
    async def logout(request: Request, runtime: RuntimeDep) -> Response:
        _same_origin(request, runtime.settings.service)
        response = RedirectResponse("/desk/login", status.HTTP_303_SEE_OTHER)
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response

    @router.get("/tickets", response_class=HTMLResponse)
    async def tickets(
        agent: AgentDep,
        runtime: RuntimeDep,
        category: str = "",
        entity: str = "",
        urgency: str = "",
        ticket_status: Annotated[str, Query(alias="status")] = "",
    ) -> HTMLResponse:
        where = TicketFilter(
            category or None, entity or None, urgency or None, ticket_status or None
        )
        desk = runtime.desk
        return render(
            "tickets.html",
            tickets=desk.tickets(where),
            where=where,
            query=urlencode({k: v for k, v in _filter_values(where).items() if v}),
            categories=[(c.value, c.label) for c in Category],
            urgencies=[(u.value, "Haute" if u is Urgency.HIGH else "Normale") for u in Urgency],
            statuses=[(s.value, s.label) for s in TicketStatus],
            entities=desk.entities(),
            labels={c.value: c.label for c in Category},
            status_labels={s.value: s.label for s in TicketStatus},
            when=_when,
        )

    @router.post("/tickets/{number}/status")
    async def set_status(
        number: int, request: Request, agent: AgentDep, runtime: RuntimeDep
    ) -> Response:
        _same_origin(request, runtime.settings.service)
        form = await _form(request)
        try:
            chosen = TicketStatus(form.get("status", ""))
        except ValueError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Statut inconnu.") from error
        if not runtime.desk.set_status(number, chosen.value):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Ce ticket est introuvable.")
        back = form.get("back", "")
        # Only a query string of this page: never an address chosen by the form.
        target = f"/desk/tickets?{urlencode(parse_qs(back), doseq=True)}#ticket-{number}"
        return RedirectResponse(target, status.HTTP_303_SEE_OTHER)

    @router.get("/gaps", response_class=HTMLResponse)
    async def gaps(agent: AgentDep, runtime: RuntimeDep, days: int = 30) -> HTMLResponse:
        days = days if days in PERIODS else 30
        clusters = await runtime.desk.gaps(days)
        return render(
            "gaps.html",
            clusters=clusters,
            days=days,
            periods=PERIODS,
            questions=sum(c.count for c in clusters),
            retention=runtime.desk.retention_days,
        )

    @router.get("/gaps.csv")
    async def gaps_export(agent: AgentDep, runtime: RuntimeDep, days: int = 30) -> Response:
        days = days if days in PERIODS else 30
        body = gaps_csv(await runtime.desk.gaps(days))
        return Response(
            # A BOM, so that a spreadsheet opens the accents right.
            "\ufeff" + body,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="lacunes-{days}j.csv"',
                "Cache-Control": "no-store",
            },
        )

    return router


def _filter_values(where: TicketFilter) -> dict[str, str | None]:
    return {
        "category": where.category,
        "entity": where.entity,
        "urgency": where.urgency,
        "status": where.status,
    }


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%d/%m/%Y %H:%M UTC")


def _same_origin(request: Request, settings: ServiceSettings) -> None:
    """A state-changing form must come from the desk's own pages: its ``Origin`` (or, when
    a browser sends none, its ``Referer``) is the configured public address. Never the
    request's ``Host``, which whoever sends the request chooses."""
    public = settings.public_url or f"http://{settings.host}:{settings.port}"
    origin = request.headers.get("origin")
    if origin in (None, "null"):
        origin = request.headers.get("referer")
    if origin is None or _origin_of(origin) != _origin_of(public):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"Origine refusée : ce formulaire doit venir des pages du guichet ({public}).",
        )


def _origin_of(url: str) -> str | None:
    """``scheme://host[:port]``, lower-cased and without the scheme's default port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    suffix = f":{port}" if port is not None and port != default else ""
    return f"{scheme}://{parts.hostname.lower()}{suffix}"


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_LOGIN_BYTES:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "Formulaire trop long.")
    fields = parse_qs(body.decode("utf-8", errors="replace"))
    return {name: values[0] for name, values in fields.items()}


def _load(path: Path, media_type: str) -> _Static:
    body = path.read_bytes()
    return _Static(body, media_type, f'"{hashlib.sha256(body).hexdigest()[:12]}"')


_HEADERS = {
    "Content-Security-Policy": "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'",
        ]
    ),
    "Cache-Control": "no-store",
    # Not no-referrer: Chromium then sends "Origin: null" with the page's own forms, which
    # the origin check would have to let through.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
