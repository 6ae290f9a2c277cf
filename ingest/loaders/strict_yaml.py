"""YAML as files from outside may hold it: plain data, and no aliases.

``safe_load`` refuses tags but still expands aliases, so a few hundred bytes of anchors
referring to anchors ("billion laughs") become millions of values, and even the error
message about them takes seconds to build. FAQ files and front matter never need an
alias, so the first one fails the file, before anything is built from it.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.nodes import Node


class StrictLoader(yaml.SafeLoader):
    """``SafeLoader`` whose composer fails on the first alias (``*name``, ``<<: *name``)."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(None, None, "YAML aliases are refused", event.start_mark)
        return super().compose_node(parent, index)


def load(text: str) -> Any:
    """The data of one YAML document; ``yaml.YAMLError`` when invalid or holding an alias."""
    loader = StrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def describe(error: yaml.YAMLError, line_offset: int = 1) -> str:
    """ "line 3: YAML aliases are refused": where and why, never the (possibly huge) data."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or "invalid YAML"
    where = f"line {mark.line + line_offset}: " if mark is not None else ""
    return f"{where}{problem}"
