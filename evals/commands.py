"""`mentor-assistant eval`: run a question set, print, write JSON and HTML, gate a CI.

Exit codes: 0 when every ``--fail-under`` holds, 1 when one does not, 2 for bad input
(malformed question set or baseline, unknown metric, nothing indexed, bad settings).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from assistant.errors import AssistantError
from assistant.settings import Settings
from assistant.wiring import GENERATORS
from evals.compare import Comparison, GateOutcome, check_gates, compare, load_baseline, parse_gates
from evals.drafts import extractive_drafts, llm_drafts, select_chunks
from evals.errors import EvalError
from evals.judge import MistralJudge
from evals.mistral import MistralChat
from evals.report import write_report
from evals.results import EvalRun
from evals.runner import run_eval
from knowledge.cli import EXIT_FAILURES, edge_errors, err_console
from knowledge.wiring import build_store

console = Console()


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)


def eval_command(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="DATASET | PATH…",
            help="The question set (.jsonl, .yaml); with --generate, what to draft from.",
            show_default=False,
        ),
    ],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Passages scored.")] = 5,
    generator: Annotated[
        str | None,
        typer.Option(help=f"{' | '.join(GENERATORS)}; default: MENTOR_GENERATOR."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
    output: Annotated[
        Path | None, typer.Option(help="Write the run as JSON (drafts, with --generate).")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write the HTML report.", metavar="FILE.html")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="A previous run's JSON to compare with.", metavar="RUN")
    ] = None,
    fail_under: Annotated[
        list[str] | None,
        typer.Option(help="Exit 1 if METRIC < VALUE (repeatable).", metavar="METRIC=VALUE"),
    ] = None,
    generate: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Draft N candidate questions from PATH…"),
    ] = None,
    no_judge: Annotated[
        bool,
        typer.Option(
            "--no-judge",
            help="Score answers offline even when MISTRAL_API_KEY is set (deterministic CI).",
        ),
    ] = False,
) -> None:
    """Measure answer quality on a question set, through the service's full pipeline."""
    settings = Settings()
    with edge_errors(EvalError, AssistantError):
        if generator is not None:
            if generator not in GENERATORS:
                raise EvalError(f"--generator {generator!r}: choose {', '.join(GENERATORS)}")
            llm = settings.llm.model_copy(update={"generator": generator})
            settings = settings.model_copy(update={"llm": llm})
        if generate is not None:
            if as_json or report or baseline or fail_under:
                raise EvalError("--generate writes drafts only: use it with --output alone")
            _write_drafts(settings, targets, generate, output, use_llm=generator != "extractive")
            return
        if len(targets) != 1:
            raise EvalError("give one question set (several PATHs go with --generate N)")
        gates = parse_gates(fail_under or (), k)
        previous = load_baseline(baseline) if baseline else None
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("Questions", total=None)
            run = run_eval(
                settings,
                Path(targets[0]),
                k,
                judge=None if no_judge else _judge(settings),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    data = run.to_json()
    comparison = compare(data, previous, baseline) if previous and baseline else None
    if comparison is not None:
        data["comparison"] = _comparison_json(comparison)
    outcomes = check_gates(gates, run.metrics)
    data["gates"] = [
        {"metric": o.gate.metric, "minimum": o.gate.minimum, "measured": o.measured, "held": o.held}
        for o in outcomes
    ]
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")
    if report:
        write_report(report, data, comparison)
    if as_json:
        typer.echo(text)
    else:
        _print_run(run, comparison, outcomes, report)
    failed = [o for o in outcomes if not o.held]
    for outcome in failed:
        err_console.print(
            f"[bold red]Fail:[/] {outcome.gate.metric} = {_number(outcome.measured)} "
            f"< {outcome.gate.minimum}",
            highlight=False,
        )
    if failed:
        raise typer.Exit(EXIT_FAILURES)


def _judge(settings: Settings) -> MistralJudge | None:
    key = settings.knowledge.mistral_api_key
    if key is None:
        return None
    return MistralJudge(_chat(settings, key.get_secret_value()))


def _chat(settings: Settings, key: str) -> MistralChat:
    return MistralChat(
        key,
        settings.knowledge.mistral_base_url,
        timeout=settings.llm.llm_timeout_seconds,
        max_retries=settings.llm.llm_max_retries,
    )


def _write_drafts(
    settings: Settings, paths: list[str], count: int, output: Path | None, use_llm: bool
) -> None:
    store = build_store(settings.knowledge)
    try:
        chunks = select_chunks(list(store.iter_chunks()), paths)
    finally:
        store.close()
    key = settings.knowledge.mistral_api_key
    if use_llm and key is not None:
        chat = _chat(settings, key.get_secret_value())
        drafts = asyncio.run(llm_drafts(chat, settings.llm.mistral_model, chunks, count))
    else:
        drafts = extractive_drafts(chunks, count)
    lines = "".join(json.dumps(draft, ensure_ascii=False) + "\n" for draft in drafts)
    if output is None:
        typer.echo(lines, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(lines, encoding="utf-8")
    err_console.print(f"{len(drafts)} drafts (reviewed: false) written to {output}")


def _number(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.3f}"


def _comparison_json(comparison: Comparison) -> dict[str, Any]:
    return {
        "baseline": str(comparison.baseline),
        "baseline_timestamp": comparison.baseline_run.get("timestamp"),
        "metrics": {
            change.metric: {
                "before": change.before,
                "after": change.after,
                "delta": change.delta,
                "verdict": change.verdict,
            }
            for change in comparison.metrics
        },
        "regressed": [change.id for change in comparison.regressed],
        "improved": [change.id for change in comparison.improved],
        "notes": list(comparison.notes),
    }


def _print_run(
    run: EvalRun,
    comparison: Comparison | None,
    outcomes: list[GateOutcome],
    report: Path | None,
) -> None:
    table = Table(title=f"eval — {run.info['dataset']['path']}", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("n", justify="right")
    changes = {c.metric: c for c in comparison.metrics} if comparison else {}
    if comparison:
        table.add_column("baseline", justify="right")
        table.add_column("Δ", justify="right")
    gated = {o.gate.metric: o for o in outcomes}
    for name, value in run.metrics.items():
        style = ""
        if name in gated:
            style = "green" if gated[name].held else "bold red"
        row = [name, _number(value), str(run.counts[name])]
        if comparison:
            change = changes[name]
            colour = {"better": "green", "worse": "red"}.get(change.verdict, "")
            delta = "—" if change.delta is None else f"{change.delta:+.3f}"
            row += [_number(change.before), f"[{colour}]{delta}[/]" if colour else delta]
        table.add_row(*row, style=style)
    console.print(table)
    failing = run.failing
    console.print(f"{len(failing)} of {len(run.items)} items failing", highlight=False)
    for result in failing:
        checks = ", ".join(failure.check for failure in result.failures)
        console.print(f"  {result.item.id}: {checks}", highlight=False)
    if comparison:
        console.print(
            f"vs baseline: {len(comparison.regressed)} regressed, "
            f"{len(comparison.improved)} improved",
            highlight=False,
        )
    if run.info["dataset"]["unreviewed"]:
        console.print(f"[yellow]{run.info['dataset']['unreviewed']} unreviewed drafts[/]")
    if report:
        console.print(f"Report: {report}", highlight=False)
