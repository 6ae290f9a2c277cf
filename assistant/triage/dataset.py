"""The labelled requests shipped with the package: written by us, informal like real
mail (typos, missing accents, several problems in one message). ``split`` keeps about a
quarter of each category out of training, for the bench."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from assistant.triage.taxonomy import Category

DATA_FILE = "data/requests.jsonl"


@dataclass(frozen=True, slots=True)
class LabelledRequest:
    id: str
    subject: str
    body: str
    email: str | None
    category: Category
    split: Literal["train", "test"]

    @property
    def text(self) -> str:
        return request_text(self.subject, self.body)


def request_text(subject: str, body: str) -> str:
    """What the classifier and the similarity see of a request."""
    return f"{subject.strip()}\n{body.strip()}".strip()


def raw_data() -> str:
    return resources.files("assistant.triage").joinpath(DATA_FILE).read_text(encoding="utf-8")


def load_requests() -> tuple[LabelledRequest, ...]:
    rows = [json.loads(line) for line in raw_data().splitlines() if line.strip()]
    return tuple(
        LabelledRequest(
            id=row["id"],
            subject=row["subject"],
            body=row["body"],
            email=row.get("email"),
            category=Category(row["category"]),
            split=row["split"],
        )
        for row in rows
    )


def data_hash() -> str:
    return hashlib.sha256(raw_data().encode()).hexdigest()[:16]


def split(
    requests: Sequence[LabelledRequest], part: Literal["train", "test"]
) -> list[LabelledRequest]:
    return [request for request in requests if request.split == part]
