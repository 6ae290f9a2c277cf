"""The widget's files, its iframe page and the `/demo` course page.

Only the files assembled by ``widget.build_assets()`` when the app is created can be served:
``/widget/{name}`` is a lookup in that table, so no request path ever reaches the disk.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from assistant.auth import Role, mint_token
from assistant.routers import RuntimeDep
from assistant.settings import Settings
from ingest.loaders import load_source
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.pipeline import COURSE_MANIFEST, SAMPLE_CORPUS, read_course
from knowledge.types import Document
from widget import TEMPLATES_DIR, Asset, build_assets

IMMUTABLE = "public, max-age=31536000, immutable"
# Short, so that a release reaches pages that use the unhashed name within minutes.
ALIAS_MAX_AGE = 300
DEMO_SESSIONS = ("laicite-2025", "parcours-manager-2025")
DEMO_USER_COOKIE = "mentor_demo_user"


@dataclass(frozen=True, slots=True)
class DemoSection:
    title: str
    summary: str
    activities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoCourse:
    session_id: str
    title: str
    sections: tuple[DemoSection, ...]
    reuses: tuple[str, ...]


def build_router(settings: Settings) -> APIRouter:
    assets = build_assets()
    files = assets.by_name
    templates = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )
    courses = _sample_courses() if settings.service.demo else {}
    router = APIRouter(include_in_schema=False)

    @router.api_route("/widget/mentor-assistant.js", methods=["GET", "HEAD"])
    async def latest_script() -> Response:
        # Relative, so that it also resolves behind a reverse proxy's path prefix.
        return RedirectResponse(
            assets.script.name,
            status_code=status.HTTP_302_FOUND,
            headers={"Cache-Control": f"public, max-age={ALIAS_MAX_AGE}"},
        )

    @router.api_route("/widget/frame", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def frame(runtime: RuntimeDep) -> HTMLResponse:
        page = templates.get_template("frame.html").render(script=assets.script.name)
        # The LMS pages allowed to embed it, and the LTI platforms it is registered on.
        origins = [*settings.service.cors_origins, *runtime.lti.platform_origins()]
        ancestors = " ".join(["'self'", *dict.fromkeys(origins)])
        return _html(page, _csp(frame_ancestors=ancestors), "no-cache")

    @router.api_route("/widget/{name}", methods=["GET", "HEAD"])
    async def asset(name: str, request: Request) -> Response:
        found = files.get(name)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND)
        return _asset_response(found, request)

    @router.get("/demo", response_class=HTMLResponse)
    async def demo(request: Request, session: str = DEMO_SESSIONS[0]) -> HTMLResponse:
        # Anyone reaching /demo gets a token: only ever in demo mode, for the sample courses.
        course = courses.get(session)
        if course is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND)
        user = request.cookies.get(DEMO_USER_COOKIE) or f"demo-{secrets.token_hex(8)}"
        token = mint_token(settings, user, [course.session_id], Role.LEARNER)
        page = templates.get_template("demo.html").render(
            course=course,
            others=[c for c in courses.values() if c.session_id != course.session_id],
            token=token,
            script=assets.script.name,
            stylesheet=assets.demo_stylesheet.name,
        )
        response = _html(page, _csp(frame_ancestors="'none'"), "no-store")
        # A stable pseudonymous learner across reloads, like a Moodle account would be.
        response.set_cookie(DEMO_USER_COOKIE, user, httponly=True, samesite="strict", path="/demo")
        return response

    return router


def _asset_response(asset: Asset, request: Request) -> Response:
    headers = {
        "Cache-Control": IMMUTABLE,
        "ETag": asset.etag,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        # Lets hosts that isolate themselves (COEP) still load the widget.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    body = asset.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers, media_type=asset.media_type)
    return Response(body, headers=headers, media_type=asset.media_type)


def _csp(frame_ancestors: str) -> str:
    # Trusted Types enforcement: the widget writes no HTML string anywhere, so a host that
    # enforces them keeps working (and a regression would be caught by the browser tests).
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {frame_ancestors}",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'",
        ]
    )


def _html(page: str, csp: str, cache: str) -> HTMLResponse:
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": csp,
            "Cache-Control": cache,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _sample_courses() -> dict[str, DemoCourse]:
    # Read as the ingestion job reads them, so the page shows the course the assistant knows.
    courses = {}
    for session_id in DEMO_SESSIONS:
        folder = SAMPLE_CORPUS / "courses" / session_id
        course = read_course(folder / COURSE_MANIFEST, LoadOptions())
        pages = [
            document
            for path in sorted(folder.glob("*.md"))
            for document in load_source(
                SourceFile(path.name, path.name, path.read_bytes()), course.options
            )
        ]
        courses[session_id] = DemoCourse(
            session_id=course.session_id,
            title=course.title,
            sections=tuple(_section(page) for page in pages),
            reuses=course.reuses,
        )
    return courses


def _section(page: Document) -> DemoSection:
    """A page's opening paragraph is its summary and its second-level headings its activities."""
    opening = next((s for s in page.sections if len(s.heading_path) == 1), None)
    summary = opening.text.split("\n\n", 1)[0] if opening else ""
    activities = dict.fromkeys(s.heading_path[1] for s in page.sections if len(s.heading_path) > 1)
    return DemoSection(title=page.title, summary=summary, activities=tuple(activities))
