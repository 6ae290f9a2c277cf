"""Read a batch of requests from CSV or JSONL (columns or keys: id, subject, body, email,
session_id) and write one JSON object per request."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.triage.schemas import TriageIn, TriageOut

# The batch output keeps the keys the desk's tools read; the API adds a few more.
BATCH_KEYS = (
    "id",
    "category",
    "confidence",
    "entity",
    "urgency",
    "summary",
    "suggested_reply",
    "citations",
    "similar",
)


class BatchError(ValueError):
    """An input that cannot be read; the message names the file and the line."""


def read_requests(path: Path) -> list[TriageIn]:
    rows = list(_rows(path))
    requests = []
    for number, row in rows:
        try:
            request = TriageIn.model_validate(row)
        except ValidationError as error:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
            raise BatchError(f"{path}:{number} : champ invalide ou manquant ({fields})") from error
        # Without an id the output could not be matched with the input.
        requests.append(request if request.id else request.model_copy(update={"id": str(number)}))
    return requests


def batch_line(result: TriageOut) -> str:
    payload = result.model_dump(mode="json")
    payload["entity"] = payload["entity"]["name"]
    return json.dumps({key: payload[key] for key in BATCH_KEYS}, ensure_ascii=False)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise BatchError(f"{path} : lecture impossible ({error})") from error
    if path.suffix.lower() == ".csv":
        for number, row in enumerate(csv.DictReader(text.splitlines()), 2):
            yield number, {key.strip().lower(): value for key, value in row.items() if key}
        return
    if path.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
        raise BatchError(f"{path} : format attendu .csv ou .jsonl")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise BatchError(f"{path}:{number} : JSON invalide ({error.msg})") from error
        if not isinstance(row, dict):
            raise BatchError(f"{path}:{number} : objet JSON attendu")
        yield number, row
