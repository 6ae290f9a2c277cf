"""The `mentor-assistant` console script.

Each stage registers its own sub-commands through the ``mentor_assistant.commands`` entry
point group, so this module never imports a stage that depends on it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points

import typer
from rich.console import Console

from knowledge.errors import KnowledgeError

EXIT_FAILURES = 1
EXIT_ERROR = 2

err_console = Console(stderr=True)


@contextmanager
def edge_errors(*stage_errors: type[Exception]) -> Iterator[None]:
    """Our errors, the knowledge layer's and those of the stage running the command
    (``stage_errors``, each stage's own errors.py), become one plain line on stderr and exit
    code 2; nothing else is caught."""
    caught: tuple[type[Exception], ...] = (KnowledgeError, *stage_errors)
    try:
        yield
    except caught as error:
        err_console.print(f"[bold red]Error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_ERROR) from error


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="mentor-assistant",
        help="Assistant d'aide aux apprenants de Mentor: indexation, recherche, service.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )

    for entry in sorted(entry_points(group="mentor_assistant.commands"), key=lambda e: e.name):
        try:
            register: Callable[[typer.Typer], None] = entry.load()
        except ImportError as error:
            # One broken stage (a missing optional extra, say) must not take every command down.
            err_console.print(f"[yellow]Commands of '{entry.name}' unavailable:[/] {error}")
            continue
        register(app)
    return app


def main() -> None:
    sys.exit(build_app()())
