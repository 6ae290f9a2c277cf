"""Question sets: JSONL (one item per line) or YAML (a list of items), same fields.

Everything is checked before the first model call, and every problem is reported with
its line number at once, so a designer fixes the file in one pass.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.errors import DatasetError

YAML_SUFFIXES = frozenset({".yaml", ".yml"})


class ItemScope(BaseModel):
    """The sessions of the learner asking; absent, global knowledge only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    session_ids: tuple[str, ...] = ()


class EvalItem(BaseModel):
    # A typo in a field name ("expected_document") would otherwise silently drop the
    # expectation and inflate the scores.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    id: str = Field(min_length=1)
    question: str
    scope: ItemScope | None = None
    expected_documents: tuple[str, ...] = ()
    reference_contexts: tuple[str, ...] = ()
    reference_answer: str | None = None
    should_refuse: bool = False
    tags: tuple[str, ...] = ()
    # Drafts written by `eval --generate` say false until a designer has checked them.
    reviewed: bool = True

    @property
    def has_expectations(self) -> bool:
        return bool(self.expected_documents or self.reference_contexts)

    @property
    def session_ids(self) -> tuple[str, ...]:
        return self.scope.session_ids if self.scope else ()


@dataclass(frozen=True, slots=True)
class Dataset:
    path: Path
    items: tuple[EvalItem, ...]
    sha256: str

    @property
    def unreviewed(self) -> int:
        return sum(not item.reviewed for item in self.items)


def load_dataset(path: Path) -> Dataset:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(str(path), [(0, f"cannot read the file: {error.strerror}")]) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DatasetError(str(path), [(line, "not UTF-8 text")]) from error
    records, problems = _yaml_records(text) if path.suffix in YAML_SUFFIXES else _jsonl(text)
    items: list[EvalItem] = []
    first_line: dict[str, int] = {}
    for line, record in records:
        try:
            item = EvalItem.model_validate(record)
        except ValidationError as error:
            problems += [(line, _describe(detail)) for detail in error.errors()]
            continue
        if item.id in first_line:
            problems.append(
                (line, f"duplicate id '{item.id}' (first on line {first_line[item.id]})")
            )
            continue
        first_line[item.id] = line
        items.append(item)
    if not records and not problems:
        problems.append((1, "no items: the file is empty"))
    if problems:
        raise DatasetError(str(path), sorted(problems))
    return Dataset(path=path, items=tuple(items), sha256=hashlib.sha256(raw).hexdigest())


Records = list[tuple[int, Any]]
Problems = list[tuple[int, str]]


def _jsonl(text: str) -> tuple[Records, Problems]:
    records: Records = []
    problems: Problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            problems.append((number, f"not valid JSON: {error.msg} (column {error.colno})"))
    return records, problems


def _yaml_records(text: str) -> tuple[Records, Problems]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return [], [(line, f"not valid YAML: {getattr(error, 'problem', None) or error}")]
    finally:
        loader.dispose()
    if node is None:
        return [], []
    if not isinstance(node, yaml.SequenceNode) or not isinstance(data, list):
        return [], [(node.start_mark.line + 1, "expected a list of items at the top level")]
    return [
        (child.start_mark.line + 1, value) for child, value in zip(node.value, data, strict=True)
    ], []


def _describe(detail: Any) -> str:
    where = ".".join(str(part) for part in detail["loc"])
    if detail["type"] == "model_type":
        return "expected an object with at least 'id' and 'question'"
    if detail["type"] == "extra_forbidden":
        return f"unknown field '{where}'"
    return f"{where}: {detail['msg']}" if where else str(detail["msg"])
