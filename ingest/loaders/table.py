"""FAQ tables (JSON Lines, CSV, YAML): one document per record, keeping the record's id.

A record has ``question`` + ``answer`` or ``title`` + ``text`` (the title may be left out:
the first sentence of the text stands in). ``url``, ``kind``, ``collection`` and
``session_ids`` are honoured; every other field goes into the document's metadata.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from ingest.errors import CorruptFileError
from ingest.loaders import strict_yaml
from ingest.loaders.base import LoadOptions, SourceFile
from ingest.loaders.common.metadata import Declared, child_id, make_document
from ingest.loaders.common.text import (
    clean_inline,
    clean_text,
    decode_text,
    restore_sentence_spaces,
    shorten,
)
from knowledge.types import Document, Kind, Section

_CONTENT_KEYS = frozenset({"id", "question", "answer", "text"})
# File-level keys of a YAML mapping that apply to all of its entries.
_DEFAULT_KEYS = frozenset({"kind", "collection", "session_ids"})


class TableLoader:
    extensions: tuple[str, ...] = (".jsonl", ".csv", ".yaml", ".yml")

    def load(self, source: SourceFile, options: LoadOptions) -> list[Document]:
        text = decode_text(source.data, source.uri)
        name = source.name.lower()
        if name.endswith(".jsonl"):
            records = _jsonl_records(text, source.uri)
        elif name.endswith(".csv"):
            records = _csv_records(text, source.uri)
        else:
            records = _yaml_records(text, source.uri)
        first_seen: dict[str, tuple[str, Document]] = {}
        ids: set[str] = set()
        for where, record in records:
            document = _record_document(source, options, where, record, ids)
            previous = first_seen.setdefault(document.document_id, (where, document))
            # Exported tables repeat records (the CNIL FAQ does): one copy is enough,
            # but one id for two different texts is an error in the table.
            if previous[1] != document:
                raise CorruptFileError(
                    source.uri,
                    f"{where}: id {document.document_id!r} already used for another record "
                    f"({previous[0]})",
                )
            ids.add(document.document_id)
        return [document for _, document in first_seen.values()]


def _record_document(
    source: SourceFile,
    options: LoadOptions,
    where: str,
    record: Mapping[str, Any],
    ids: set[str],
) -> Document:
    question = clean_text(str(record.get("question") or ""))
    body = clean_text(
        restore_sentence_spaces(str(record.get("answer") or record.get("text") or ""))
    )
    if not body:
        raise CorruptFileError(source.uri, f"{where}: needs question + answer or title + text")
    declared = Declared.parse(record, source.uri, where)
    title = question or declared.title or shorten(body)
    explicit = clean_inline(str(record["id"])) if record.get("id") is not None else ""
    document = make_document(
        source=source.uri,
        # Without an id, derive one from the title, as for other multi-document files.
        document_id=explicit or child_id(source.uri, title, ids),
        title=title,
        # The question opens the text so the chunk holds both the wording and the answer.
        sections=[Section(f"{question}\n{body}" if question else body)],
        options=options,
        default_kind=Kind.FAQ,
        declared=declared,
        metadata={
            key: value
            for key, value in record.items()
            if key not in _CONTENT_KEYS and key not in Declared.KEYS
        },
    )
    assert document is not None  # the body has text
    return document


def _jsonl_records(text: str, uri: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise CorruptFileError(uri, f"line {number}: invalid JSON ({error.msg})") from error
        if not isinstance(record, dict):
            raise CorruptFileError(uri, f"line {number}: expected an object, got {record!r:.40}")
        yield f"line {number}", record


def _csv_records(text: str, uri: str) -> Iterator[tuple[str, dict[str, Any]]]:
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(), dialect)
    try:
        header = [column.strip() for column in next(reader, [])]
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            where = f"line {reader.line_num}"
            if len(row) > len(header):
                raise CorruptFileError(uri, f"{where}: {len(row)} fields, header has {len(header)}")
            yield where, {key: value for key, value in zip(header, row, strict=False) if value}
    except csv.Error as error:
        raise CorruptFileError(uri, f"line {reader.line_num}: {error}") from error


def _yaml_records(text: str, uri: str) -> Iterator[tuple[str, dict[str, Any]]]:
    loader = strict_yaml.StrictLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        # "from None": the chained error would carry the document it failed on.
        raise CorruptFileError(uri, strict_yaml.describe(error)) from None
    finally:
        loader.dispose()
    defaults: dict[str, Any] = {}
    if isinstance(data, dict) and isinstance(root, yaml.MappingNode):
        defaults = {key: value for key, value in data.items() if key in _DEFAULT_KEYS}
        entries_node = next((v for k, v in root.value if k.value == "entries"), None)
        data = data.get("entries")
        root = entries_node
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise CorruptFileError(uri, "expected a list of entries, or a mapping with 'entries:'")
    for record, node in zip(data, root.value, strict=True):
        where = f"line {node.start_mark.line + 1}"
        if not isinstance(record, dict):
            raise CorruptFileError(uri, f"{where}: expected a mapping, got {record!r:.40}")
        yield where, {**defaults, **record}
