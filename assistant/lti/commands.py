"""`mentor-assistant lti …`: manual registration of a platform, the tool's URLs, key rotation."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assistant.lti.keys import ToolKeys
from assistant.lti.registration import ToolUrls, tool_configuration
from assistant.settings import Settings
from assistant.storage import Platform
from assistant.wiring import build_storage
from knowledge.settings import KnowledgeSettings

app = typer.Typer(help="LTI 1.3 : l'assistant comme outil externe d'une plateforme (Moodle…).")


@app.command("add-platform")
def add_platform(
    issuer: Annotated[str, typer.Option(help="Platform ID (Moodle: its wwwroot).")],
    client_id: Annotated[str, typer.Option(help="Client ID the platform gave the tool.")],
    deployment_id: Annotated[
        list[str], typer.Option(help="Deployment ID (repeatable; Moodle: the tool's id).")
    ],
    auth_url: Annotated[str, typer.Option(help="Authentication request URL.")],
    jwks_url: Annotated[str, typer.Option(help="Public keyset URL.")],
    token_url: Annotated[str | None, typer.Option(help="Access token URL.")] = None,
) -> None:
    """Register a platform by hand (the values its tool page shows)."""
    settings = Settings()
    storage = build_storage(settings)
    try:
        platform = Platform(issuer.rstrip("/"), client_id, auth_url, jwks_url, token_url)
        storage.lti_platforms.save(platform, tuple(deployment_id))
    finally:
        storage.close()
    typer.echo(f"Plateforme {platform.issuer} enregistrée (client {client_id}).")


@app.command("tool-config")
def tool_config(
    url: Annotated[str, typer.Argument(help="The service's public URL, e.g. https://assistant…")],
) -> None:
    """Print what a platform needs to register the tool by hand (JSON)."""
    urls = ToolUrls(url.rstrip("/"))
    typer.echo(json.dumps(tool_configuration(urls), ensure_ascii=False, indent=2))


@app.command("rotate-key")
def rotate_key() -> None:
    """A new signing key; the previous one stays published until the next rotation."""
    kid = ToolKeys.in_data_dir(KnowledgeSettings().data_dir).rotate()
    typer.echo(f"Nouvelle clé : {kid}")
