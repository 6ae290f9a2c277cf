"""Helpers shared by the benchmarks."""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings
from rich.console import Console
from rich.table import Table

from assistant.settings import Settings
from knowledge.settings import EmbeddingProfile, KnowledgeSettings

console = Console()


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--profile", choices=("quality", "lite"), default="quality")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--output", type=Path)
    parser.add_argument("--quick", action="store_true", help="a smaller run, minutes on 2 cores")
    return parser.parse_args()


def isolated_settings(**sections: BaseSettings) -> Settings:
    """Settings from MENTOR_* variables only, never a .env file (a developer's settings must
    not leak into a figure); ``sections`` replace whole sections."""
    built: dict[str, Any] = {
        name: field.annotation(_env_file=None)  # type: ignore[misc]
        for name, field in Settings.model_fields.items()
    }
    return Settings(**{**built, **sections})


def bench_settings(data_dir: Path, profile: str) -> Settings:
    """The index on ``data_dir``, with ``profile``, offline."""
    knowledge = KnowledgeSettings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=data_dir,
        embedding_profile=EmbeddingProfile(profile),
        qdrant_url=None,
        mistral_api_key=None,
    )
    return isolated_settings(knowledge=knowledge)


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if column == columns[0] else "right")
    for row in rows:
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)


def write(output: Path | None, result: dict[str, Any]) -> None:
    if output is not None:
        output.write_text(json.dumps(result, indent=2, ensure_ascii=False))
