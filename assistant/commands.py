"""`serve`, `ask`, `token`, `purge` and `triage` sub-commands."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import webbrowser
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from assistant.app import create_app
from assistant.auth import Principal, Role, mint_token, scope_for
from assistant.errors import AssistantError
from assistant.lti import commands as lti_commands
from assistant.schemas import CitationOut
from assistant.settings import Settings, environment_variables
from assistant.triage.batch import BatchError, batch_line, read_requests
from assistant.triage.schemas import TriageOut
from assistant.triage.service import triage_many
from assistant.types import Answer
from assistant.wiring import build_answer_service, build_runtime, build_storage, build_triager
from knowledge.cli import edge_errors, err_console
from knowledge.types import Scope
from knowledge.wiring import open_knowledge

console = Console()


def register(app: typer.Typer) -> None:
    app.command(epilog=_SERVE_ENVIRONMENT)(serve)
    app.command()(ask)
    app.command()(token)
    app.command()(purge)
    app.command(name="triage")(triage_batch)
    app.add_typer(lti_commands.app, name="lti")


_SERVE_ENVIRONMENT = "Environment (and .env): " + ", ".join(environment_variables()) + "."


def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on [default: MENTOR_HOST, 127.0.0.1]")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port to listen on [default: MENTOR_PORT, 8000]"),
    ] = None,
    open_page: Annotated[
        bool, typer.Option("--open", help="Open the demo page (or the API docs) once up.")
    ] = False,
) -> None:
    """Run the HTTP service on --host:--port (MENTOR_HOST:MENTOR_PORT)."""
    settings = Settings()
    chosen = {name: value for name, value in (("host", host), ("port", port)) if value is not None}
    if chosen:
        service = settings.service.model_copy(update=chosen)
        settings = settings.model_copy(update={"service": service})
    with edge_errors(AssistantError):
        # Built here rather than in the app's lifespan so that a locked or mismatched index,
        # or a bad setting, is reported as one line, like every other command. The app
        # closes it on shutdown.
        runtime = build_runtime(settings)
        # A wildcard bind is still reachable on loopback, which is where `ingest` runs.
        host = "127.0.0.1" if settings.service.host in ("0.0.0.0", "::") else settings.service.host
        url = f"http://{host}:{settings.service.port}"
        app = create_app(settings, runtime, advertise_url=url)
        access = logging.getLogger("mentor_assistant.access")
        access.addHandler(logging.StreamHandler())
        access.setLevel(logging.INFO)
        # uvicorn's own access log would print query strings, i.e. learners' searches.
        server = uvicorn.Server(
            uvicorn.Config(
                app, host=settings.service.host, port=settings.service.port, access_log=False
            )
        )
        page = f"{url}/demo" if settings.service.demo else f"{url}/docs"
        threading.Thread(target=_announce, args=(server, page, open_page), daemon=True).start()
        server.run()


def _announce(server: uvicorn.Server, page: str, open_page: bool) -> None:
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.1)
    err_console.print(f"\n[bold]mentor-assistant est prêt :[/] {page}\n", highlight=False)
    if open_page:
        webbrowser.open(page)


def ask(
    question: Annotated[str, typer.Argument(help="La question.")],
    session: Annotated[
        list[str] | None, typer.Option("--session", help="Session of the learner (repeatable).")
    ] = None,
    role: Annotated[Role, typer.Option(help="Role, as in a token.")] = Role.LEARNER,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer a question through the service's pipeline, scoped like a token would be."""
    settings = Settings()
    with edge_errors(AssistantError):
        knowledge = open_knowledge(settings.knowledge)
        try:
            principal = Principal("cli", role, frozenset(session or ()))
            service = build_answer_service(settings, knowledge)
            answer = asyncio.run(service.answer(question, scope_for(principal, knowledge.catalog)))
        finally:
            knowledge.close()
    _print_answer(answer, settings.service.support_url, as_json)


def _print_answer(answer: Answer, support_url: str, as_json: bool) -> None:
    citations = [CitationOut.of(citation) for citation in answer.citations]
    if as_json:
        payload = {
            "answer": answer.text,
            "citations": [citation.model_dump() for citation in citations],
            "refused": answer.refused,
            "escalation": answer.escalation,
            "generator": answer.generator,
            "standalone_query": answer.standalone_query,
            "unsupported_sentences": list(answer.unsupported_sentences),
            "timings_ms": dict(answer.timings_ms),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console.print(answer.text, highlight=False, markup=False)
    if citations:
        console.print("\n[bold]Sources[/]")
    for citation in citations:
        where = citation.url or citation.source
        page = f", p. {citation.page}" if citation.page else ""
        console.print(f"[{citation.index}] {citation.title}{page} — {where}", markup=False)
    if answer.escalation:
        console.print(f"\nSupport Mentor : {support_url}", highlight=False)


def token(
    session: Annotated[
        list[str] | None, typer.Option("--session", help="Session id (repeatable).")
    ] = None,
    role: Annotated[Role, typer.Option(help="learner, support or designer.")] = Role.LEARNER,
    ttl: Annotated[int | None, typer.Option(min=1, help="Lifetime in seconds.")] = None,
    user: Annotated[str, typer.Option(help="Pseudonymous user id (sub).")] = "demo",
) -> None:
    """Mint a token, as the LMS would; printed alone on the last line."""
    settings = Settings()
    with edge_errors(AssistantError):
        typer.echo(mint_token(settings, user, session or (), role, ttl))


def purge() -> None:
    """Delete conversations and feedback older than MENTOR_RETENTION_DAYS."""
    settings = Settings()
    storage = build_storage(settings)
    try:
        purged = storage.purge(settings.service.retention_days)
    finally:
        storage.close()
    typer.echo(
        f"{purged.conversations} conversations, {purged.messages} messages, "
        f"{purged.feedback} avis supprimés (plus de {settings.service.retention_days} jours)."
    )


def triage_batch(
    source: Annotated[Path, typer.Argument(help="Demandes : CSV ou JSONL (id, subject, body…).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSONL de sortie (défaut : stdout).")
    ] = None,
) -> None:
    """Triage a batch of support requests: one JSON line per request."""
    settings = Settings()
    with edge_errors(BatchError):
        requests = read_requests(source)
    with edge_errors(AssistantError):
        knowledge = open_knowledge(settings.knowledge)
        storage = build_storage(settings)
        try:
            answers = build_answer_service(settings, knowledge)
            triager = build_triager(settings, knowledge, answers, storage)
            # The desk's own tool: every session.
            results = triage_many(
                triager, [request.to_request() for request in requests], Scope.everything()
            )
        finally:
            storage.close()
            knowledge.close()
    lines = [batch_line(TriageOut.of(result)) for result in results]
    if output is None:
        for line in lines:
            typer.echo(line)
        return
    output.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    err_console.print(f"{len(lines)} demandes triées → {output}", highlight=False)
