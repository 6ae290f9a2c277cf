"""`mentor-assistant ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest.errors import HandoffError
from ingest.handoff import HandoffReport, hand_off
from ingest.moodle.client import MoodleClient
from ingest.moodle.sync import sync_site
from ingest.pipeline import FLAGGED, IngestReport, SourceOutcome, Status, run_ingest
from ingest.settings import IngestSettings
from knowledge import service_link
from knowledge.cli import EXIT_ERROR, EXIT_FAILURES, edge_errors
from knowledge.errors import StoreLockedError
from knowledge.types import Kind

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command()(ingest)


class _RichProgress:
    """Sources done out of total, with documents/s and chunks/s since the start."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task = progress.add_task("indexation", total=None, docs=0.0, chunks=0.0)
        self._documents = 0
        self._chunks = 0

    def start(self, sources: int) -> None:
        self._progress.update(self._task, total=sources)

    def chunks_embedded(self, count: int) -> None:
        self._chunks += count
        self._refresh()

    def source_done(self, outcome: SourceOutcome) -> None:
        if outcome.status is Status.INDEXED:
            self._documents += outcome.documents
        self._progress.advance(self._task)
        self._refresh()

    def _refresh(self) -> None:
        elapsed = self._progress.tasks[self._task].elapsed or 1e-9
        self._progress.update(
            self._task, docs=self._documents / elapsed, chunks=self._chunks / elapsed
        )


def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files, folders or archives. Default: the bundled sample corpus."),
    ] = None,
    collection: Annotated[str | None, typer.Option(help="Collection name to apply.")] = None,
    session: Annotated[
        str | None, typer.Option(help="Session id: the documents become scoped to it.")
    ] = None,
    kind: Annotated[Kind | None, typer.Option(help="Kind to apply.")] = None,
    rebuild: Annotated[
        bool, typer.Option(help="Drop the index and rebuild it (e.g. after a model change).")
    ] = False,
    moodle_url: Annotated[
        str | None,
        typer.Option(
            help="Index a Moodle site through its web services instead of files; the token "
            "comes from MENTOR_MOODLE_TOKEN."
        ),
    ] = None,
    course: Annotated[
        list[str] | None,
        typer.Option(
            help="With --moodle-url: only this course (its session id, the ID number by "
            "default). Repeatable."
        ),
    ] = None,
) -> None:
    """Index files, folders and archives, or a Moodle site; unchanged sources are skipped."""
    settings = IngestSettings()
    if moodle_url is None and course:
        console.print("[red]--course ne s'emploie qu'avec --moodle-url.[/]")
        raise typer.Exit(EXIT_ERROR)
    if moodle_url is not None and (paths or collection or session or kind):
        console.print("[red]--moodle-url exclut les chemins, --collection, --session et --kind.[/]")
        raise typer.Exit(EXIT_ERROR)
    if moodle_url is not None and not settings.moodle.token_value:
        console.print(
            "[red]MENTOR_MOODLE_TOKEN n'est pas défini[/] : le jeton du compte de "
            "synchronisation se passe par l'environnement, jamais en argument."
        )
        raise typer.Exit(EXIT_ERROR)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[docs]:.1f} docs/s · {task.fields[chunks]:.1f} chunks/s"),
        TimeElapsedColumn(),
    )
    with edge_errors(HandoffError), Progress(*columns, console=console, transient=True) as bar:
        try:
            if moodle_url is not None:
                report = _sync_moodle(settings, moodle_url, course or [], bar)
            else:
                report = run_ingest(
                    settings,
                    paths or (),
                    collection=collection,
                    session=session,
                    kind=kind,
                    rebuild=rebuild,
                    progress=_RichProgress(bar),
                )
        except StoreLockedError:
            link = service_link.find(settings.knowledge)
            if link is None or rebuild:
                raise
            bar.stop()
            console.print(f"Index ouvert par le service {link.url} : il indexe à sa place.")
            handed = hand_off(
                link,
                paths or (),
                collection=collection,
                session=session,
                kind=kind,
                moodle_url=moodle_url,
                courses=course or (),
            )
            _print_handoff(handed)
            if handed.failures:
                raise typer.Exit(EXIT_FAILURES) from None
            return
    _print_report(report)
    if report.failed:
        raise typer.Exit(EXIT_FAILURES)


def _sync_moodle(
    settings: IngestSettings, url: str, courses: list[str], bar: Progress
) -> IngestReport:
    moodle = settings.moodle
    with MoodleClient(
        url,
        moodle.token_value,
        timeout=moodle.timeout_seconds,
        max_file_bytes=settings.limits.max_file_bytes,
    ) as client:
        return sync_site(
            settings,
            client,
            session_field=moodle.session_field,
            courses=courses,
            progress=_RichProgress(bar),
        )


def _print_handoff(report: HandoffReport) -> None:
    for failure in report.failures:
        console.print(f"[red]✗[/] {failure}", soft_wrap=True, highlight=False)
    for flagged in report.flagged:
        console.print(f"[yellow]![/] {flagged} — {FLAGGED}", soft_wrap=True, highlight=False)
    console.print(
        f"Réindexé par le service en {report.seconds:.1f} s : {report.indexed} indexées, "
        f"{report.unchanged} inchangées, {report.removed} supprimées, "
        f"{len(report.failures)} en échec.",
        highlight=False,
    )


def _print_report(report: IngestReport) -> None:
    # One plain line per failure: long paths stay whole and greppable.
    for outcome in report.failed:
        console.print(
            f"[red]✗[/] {outcome.uri} — {outcome.reason}: {outcome.detail}",
            soft_wrap=True,
            highlight=False,
        )
    for outcome in report.flagged:
        console.print(
            f"[yellow]![/] {outcome.uri} — {FLAGGED}: {', '.join(outcome.flagged)}",
            soft_wrap=True,
            highlight=False,
        )
    summary = Table(title="Résumé de l'indexation", title_justify="left")
    for column in ("indexées", "inchangées", "supprimées", "en échec", "documents", "chunks"):
        summary.add_column(column, justify="right")
    summary.add_column("durée", justify="right")
    rate = report.chunks / report.seconds if report.seconds else 0.0
    summary.add_row(
        str(report.count(Status.INDEXED)),
        str(report.count(Status.UNCHANGED)),
        str(report.count(Status.REMOVED)),
        str(report.count(Status.FAILED)),
        str(report.documents),
        str(report.chunks),
        f"{report.seconds:.1f} s ({rate:.1f} chunks/s)",
    )
    console.print(summary)
